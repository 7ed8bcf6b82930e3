"""Generation throughput: N positions, concurrency C, server latency L, against the ideal ceil(N/C)·L.

The loop is timed in-process (Engine.run, the phase this benchmark names); the whole `profilegen
generate` process is timed beside it. The server runs in its own process on 127.0.0.1.
Run: .venv/bin/python -m bench.throughput
"""

from __future__ import annotations

import asyncio
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, loopback_llm

N, C, LATENCY = 400, 32, 0.25


def write_org(path: Path) -> None:
    lines = ["units:"]
    for unit in range(N // 10):
        lines.append(f"  - name: Отдел {unit}")
        lines.append("    positions:")
        lines += [f"      - Должность {title}" for title in range(10)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def in_process(org: Path, base_url: str, work: Path) -> float:
    """Seconds the generation loop (Engine.run) takes for N positions, into a fresh OUT and journal."""
    from profilegen.config import load_settings
    from profilegen.export.layout import OutputLayout
    from profilegen.generation.engine import Engine
    from profilegen.generation.planning import Planner
    from profilegen.generation.providers.choice import choose_provider
    from profilegen.inputs import Selection, contexts_for, load_inputs
    from profilegen.journal import Journal

    settings = load_settings(
        None,
        {
            "org": org,
            "kpi_dir": ROOT / "kpi",
            "out": work / "out-a",
            "base_url": base_url,
            "concurrency": C,
        },
    )
    inputs = load_inputs(settings)
    contexts = contexts_for(inputs, Selection(), settings)
    provider, _ = choose_provider(settings, "openai", inputs.org)
    with Journal(settings.out / ".profilegen") as journal:
        layout = OutputLayout(inputs.org, settings.out)
        engine = Engine(provider, journal, layout, concurrency=C)
        tasks = Planner(provider, journal, layout, engine.formats, engine.generation_params).plan(contexts)
        started = time.perf_counter()
        report = asyncio.run(engine.run(tasks, "bench"))
        elapsed = time.perf_counter() - started
    assert report.counts()["generated"] == N, report.counts()
    return elapsed


def prefix_share() -> float:
    """Share of each prompt (characters) that is the byte-identical, cacheable prefix, over the sample."""
    from profilegen.config import load_settings
    from profilegen.generation.prompt import PromptBuilder
    from profilegen.inputs import Selection, contexts_for, load_inputs
    from profilegen.template.loader import load_template

    settings = load_settings(None, {"org": ROOT / "org_structure" / "sample.yaml", "kpi_dir": ROOT / "kpi"})
    contexts = contexts_for(load_inputs(settings), Selection(), settings)
    prompt = PromptBuilder.load(load_template())
    shares = []
    for context in contexts:
        messages = prompt.messages(context)
        shares.append(len(messages[0]["content"]) / sum(len(m["content"]) for m in messages))
    return sum(shares) / len(shares)


def main() -> None:
    env = {**os.environ, "PROFILEGEN_API_KEY": "bench-key"}
    os.environ.update(env)
    with loopback_llm(LATENCY) as base_url, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        org = work / "org.yaml"
        write_org(org)
        ideal = math.ceil(N / C) * LATENCY
        # best of three fresh runs (new OUT and journal each time): the least disturbed by a shared machine
        loop = min(in_process(org, base_url, work / f"run{i}") for i in range(3))
        started = time.perf_counter()
        subprocess.run(
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
                str(org),
                "--kpi-dir",
                str(ROOT / "kpi"),
                "--out",
                str(work / "out-b"),
                "--base-url",
                base_url,
                "--concurrency",
                str(C),
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        whole = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"throughput N={N} C={C} latency={LATENCY * 1000:.0f} ms: ideal {ideal:.2f} s; "
        f"generation loop {loop:.2f} s (ratio ideal/loop {ideal / loop:.2f}, goal >= 0.85); "
        f"whole process {whole:.2f} s (ratio {ideal / whole:.2f}); peak RSS of children {peak:.0f} MB"
    )
    print(f"cacheable prompt prefix: {prefix_share():.0%} of each prompt on average (sample organisation)")


if __name__ == "__main__":
    main()
