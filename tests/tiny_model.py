"""A tiny random-weight llama GGUF with a real tokenizer, for running the real `llama-server` in tests.

The tokenizer (Qwen2 byte-level BPE and its chat template) comes from llama.cpp's vocab-only GGUF; the
weights are random (2 layers, width 64, context 8192), so the text is nonsense — but grammar-constrained
decoding makes every answer valid JSON of the requested schema whatever the weights. One dimension of
every embedding is a constant that only the output rows of a few tokens read: `"`, `]`, `,` and `}` get
a fixed logit boost, so strings, arrays and numbers close instead of running to the token limit.
"""

from __future__ import annotations

from pathlib import Path

LAYERS, WIDTH, HEADS, FEED_FORWARD, CONTEXT = 2, 64, 4, 128, 8192
BOOSTS = {'"': 3.0, "]": 3.0, ",": 2.0, "}": 2.0, "1": 1.0}
STD = 0.02


def make_tiny_model(vocab: Path, out: Path, seed: int = 0) -> Path:
    """Write the model to ``out`` (skipped when it is already there) and return its path."""
    import gguf
    import numpy as np

    if out.exists():
        return out
    reader = gguf.GGUFReader(str(vocab))
    fields = reader.fields
    tokens = fields["tokenizer.ggml.tokens"].contents()
    rng = np.random.default_rng(seed)
    partial = out.with_suffix(".partial")
    writer = gguf.GGUFWriter(str(partial), "llama")
    writer.add_name("profilegen-tiny-random")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(WIDTH)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FEED_FORWARD)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(WIDTH // HEADS)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_vocab_size(len(tokens))
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model(fields["tokenizer.ggml.model"].contents())
    if "tokenizer.ggml.pre" in fields:
        writer.add_tokenizer_pre(fields["tokenizer.ggml.pre"].contents())
    writer.add_token_list(tokens)
    writer.add_token_types(fields["tokenizer.ggml.token_type"].contents())
    if "tokenizer.ggml.merges" in fields:
        writer.add_token_merges(fields["tokenizer.ggml.merges"].contents())
    for key, add in (
        ("tokenizer.ggml.bos_token_id", writer.add_bos_token_id),
        ("tokenizer.ggml.eos_token_id", writer.add_eos_token_id),
        ("tokenizer.ggml.padding_token_id", writer.add_pad_token_id),
    ):
        if key in fields:
            add(int(fields[key].contents()))
    writer.add_add_bos_token(False)
    if "tokenizer.chat_template" in fields:
        writer.add_chat_template(fields["tokenizer.chat_template"].contents())

    def random(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * STD).astype(np.float32)

    embeddings = random(len(tokens), WIDTH)
    embeddings[:, 0] = 1.0  # the constant dimension
    writer.add_tensor("token_embd.weight", embeddings)
    for layer in range(LAYERS):
        prefix = f"blk.{layer}."
        writer.add_tensor(prefix + "attn_norm.weight", np.ones(WIDTH, np.float32))
        for name in ("attn_q", "attn_k", "attn_v"):
            matrix = random(WIDTH, WIDTH)
            matrix[:, 0] = 0.0  # attention does not read the constant
            writer.add_tensor(prefix + name + ".weight", matrix)
        output = random(WIDTH, WIDTH)
        output[0, :] = 0.0  # nothing writes to it
        writer.add_tensor(prefix + "attn_output.weight", output)
        writer.add_tensor(prefix + "ffn_norm.weight", np.ones(WIDTH, np.float32))
        gate, up, down = random(FEED_FORWARD, WIDTH), random(FEED_FORWARD, WIDTH), random(WIDTH, FEED_FORWARD)
        gate[:, 0] = up[:, 0] = 0.0
        down[0, :] = 0.0
        writer.add_tensor(prefix + "ffn_gate.weight", gate)
        writer.add_tensor(prefix + "ffn_up.weight", up)
        writer.add_tensor(prefix + "ffn_down.weight", down)
    writer.add_tensor("output_norm.weight", np.ones(WIDTH, np.float32))
    logits = random(len(tokens), WIDTH)
    logits[:, 0] = 0.0
    constant = np.sqrt(WIDTH / (1 + (WIDTH - 1) * STD**2))  # dimension 0 after RMS norm
    index = {token: i for i, token in enumerate(tokens)}
    for token, boost in BOOSTS.items():
        logits[index[token], 0] = boost / constant
    writer.add_tensor("output.weight", logits)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    partial.rename(out)
    return out
