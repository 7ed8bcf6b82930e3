"""The company's documents in every request, on the real organisation with A101's two documents: prompt
tokens (mean, max), the shared prefix's share of a prompt, how many positions get a section of their own
function, how many had sections cut by the budget — beside the old system, which sent the whole company map.

Run: .venv/bin/python -m bench.company_context
"""

from __future__ import annotations

import statistics
import time

from bench.common import A101, ROOT, STRUCTURE, need_fixture
from profilegen.company.documents import count_tokens
from profilegen.config import Settings
from profilegen.generation.prompt import PromptBuilder, estimate_tokens
from profilegen.inputs import Selection, contexts_for, load_inputs
from profilegen.template.loader import load_template

OLD_TOKENS = 111_000  # the old system's input tokens a request (its own logs: 111–121K)


def main() -> None:
    if not need_fixture():
        return
    documents = [A101 / "context" / "company_map.md", A101 / "context" / "it_systems.md"]
    settings = Settings(
        org=STRUCTURE,
        kpi_dir=ROOT / "kpi",
        context={
            "company": {"name": "ГК А101", "industry": "девелопмент", "city": "Москва"},
            "documents": documents,
            "budget_tokens": 6000,
        },
    )
    inputs = load_inputs(settings)
    started = time.perf_counter()
    contexts = contexts_for(inputs, Selection(), settings)
    chosen = time.perf_counter() - started
    from profilegen.company import chooser_for

    chooser = chooser_for(inputs.org, settings)
    assert chooser is not None
    prompt = PromptBuilder.load(load_template(None, "ru"), None, settings.context.company, chooser)
    totals, shared_share, olds = [], [], []
    system_tokens = estimate_tokens([{"role": "system", "content": prompt.system}])
    function = unit_own = cut = 0
    described = {s for names in chooser._units.values() for s in names}  # sections describing units
    for context in contexts:
        tokens = estimate_tokens(prompt.messages(context))
        sent = [p for p in context.company_sections if p.sent]
        carried = sum(p.tokens for p in (*chooser.shared, *sent))
        totals.append(tokens)
        olds.append(tokens - carried)
        shared_share.append(system_tokens / tokens)
        function += any(chooser.library.sections.index(p.section) not in described for p in sent)
        unit_own += any(p.score >= 50 for p in sent)
        cut += any(p.cut for p in context.company_sections)
    whole = sum(count_tokens(path.read_text(encoding="utf-8")) for path in documents)
    n = len(contexts)
    print(f"positions: {n:,}; sections in the two documents: {len(chooser.library.sections)}")
    print(f"prompt tokens a request: mean {statistics.mean(totals):,.0f}, max {max(totals):,}")
    old = statistics.mean(t + whole for t in olds)  # the same prompts with both documents whole, as the old system
    print(f"  both documents sent whole, same estimate: mean {old:,.0f} (the old system's logs: {OLD_TOKENS:,}+)")
    print(f"  mean ÷ documents sent whole: {statistics.mean(totals) / old:.3f}")
    print(f"shared prefix (system prompt, byte-identical for all): {system_tokens:,} tokens, ", end="")
    print(f"{statistics.mean(shared_share):.0%} of a prompt on average")
    print(f"positions with a section of their own function: {function:,} ({function / n:.0%})")
    print(f"positions with their own unit's description: {unit_own:,} ({unit_own / n:.0%})")
    print(f"positions with a section cut or left out by the budget: {cut:,} ({cut / n:.0%})")
    print(f"contexts with sections chosen, whole org: {chosen:.2f} s")


if __name__ == "__main__":
    main()
