"""Bulk run over the real organisation: `profilegen generate --all` (1,689 positions, concurrency 64)
against a loopback server answering after 200 ms and after 500 ms, vs a bare asyncio loop over the openai client that
sends the same structured-output requests and writes each answer to a file. Whole processes, side by
side in one run; the ratio is bare time / profilegen time (goal >= 0.90).

Run: .venv/bin/python -m bench.bulk_run
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, STRUCTURE, loopback_llm, need_fixture

C, LATENCIES = 64, (0.2, 0.5)

BARE_LOOP = """
import asyncio, json, sys
from pathlib import Path
from openai import AsyncOpenAI

async def main(base_url, requests_file, out):
    bodies = json.loads(Path(requests_file).read_text(encoding="utf-8"))
    client = AsyncOpenAI(base_url=base_url, api_key="bench-key", max_retries=0, timeout=120)
    queue = asyncio.Queue()
    for i, body in enumerate(bodies):
        queue.put_nowait((i, body))

    async def worker():
        while not queue.empty():
            i, body = queue.get_nowait()
            answer = await client.chat.completions.create(**body)
            Path(out, f"{i}.json").write_text(answer.choices[0].message.content, encoding="utf-8")

    await asyncio.gather(*(worker() for _ in range(%(c)d)))
    await client.close()

asyncio.run(main(*sys.argv[1:]))
"""


def request_bodies(path: Path, base_url: str) -> int:
    """The chat-completions bodies profilegen sends for every position (same prompts, same schema)."""
    from profilegen.config import load_settings
    from profilegen.generation.providers.choice import choose_provider
    from profilegen.inputs import Selection, contexts_for, load_inputs
    from profilegen.template.loader import load_template
    from profilegen.template.schema import strict_json_schema

    os.environ["PROFILEGEN_API_KEY"] = "bench-key"
    settings = load_settings(None, {"org": STRUCTURE, "kpi_dir": ROOT / "kpi", "base_url": base_url})
    inputs = load_inputs(settings)
    provider, _ = choose_provider(settings, "openai", inputs.org)
    prompt = provider.prompt  # type: ignore[attr-defined]
    schema = {"name": "job_profile", "strict": True, "schema": strict_json_schema(load_template())}
    bodies = [
        {
            "model": settings.model,
            "temperature": settings.temperature,
            "max_tokens": settings.max_tokens,
            "messages": prompt.messages(context),
            "response_format": {"type": "json_schema", "json_schema": schema},
        }
        for context in contexts_for(inputs, Selection(), settings)
    ]
    path.write_text(json.dumps(bodies, ensure_ascii=False), encoding="utf-8")
    return len(bodies)


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def main() -> None:
    if not need_fixture():
        return
    for latency in LATENCIES:
        compare(latency)


def compare(latency: float) -> None:
    env = {**os.environ, "PROFILEGEN_API_KEY": "bench-key"}
    with loopback_llm(latency) as base_url, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        count = request_bodies(work / "requests.json", base_url)
        bare_times, ours = [], []
        for round_ in range(2):  # alternate, so both see the same machine
            answers = work / f"bare{round_}"
            answers.mkdir()
            bare_times.append(
                timed(
                    [sys.executable, "-c", BARE_LOOP % {"c": C}, base_url, str(work / "requests.json"), str(answers)],
                    env,
                )
            )
            ours.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "profilegen",
                        "-q",
                        "generate",
                        "--all",
                        "--provider",
                        "openai",
                        "--org",
                        str(STRUCTURE),
                        "--kpi-dir",
                        str(ROOT / "kpi"),
                        "--out",
                        str(work / f"out{round_}"),
                        "--base-url",
                        base_url,
                        "--concurrency",
                        str(C),
                    ],
                    env,
                )
            )
    bare, profilegen = min(bare_times), min(ours)
    ideal = -(-count // C) * latency
    print(
        f"bulk run over {count:,} positions, concurrency {C}, latency {latency * 1000:.0f} ms (ideal {ideal:.1f} s): "
        f"profilegen {profilegen:.2f} s vs a bare openai loop writing each answer {bare:.2f} s, "
        f"ratio {bare / profilegen:.2f} (goal >= 0.90)"
    )


if __name__ == "__main__":
    main()
