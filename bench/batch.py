"""Batch vs live over the real organisation (1,689 positions): HTTP calls and wall time of `generate --all
--batch` submitting, and of the next run collecting and writing every profile, against a live
`generate --all` (concurrency 64, 500 ms a request) — whole processes, side by side in one run, against
the tests' loopback server (the batch is ended by the bench before collecting: the provider's own time
is not ours).

Run: .venv/bin/python -m bench.batch
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import ROOT, STRUCTURE, need_fixture
from tests.fake_llm import FakeLLM


def run(args: list[str], config: Path) -> float:
    env = {**os.environ, "PROFILEGEN_API_KEY": "bench-key"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "profilegen", "--config", str(config), "generate", "--all", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    if not need_fixture():
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for shape in ("openai", "openrouter"):
            config = work / f"{shape}.yaml"
            config.write_text(json.dumps({"batch_api": shape, "org": str(STRUCTURE)}), encoding="utf-8")
            out = ["--kpi-dir", str(ROOT / "kpi"), "--out", str(work / shape)]
            with FakeLLM() as server:
                server.batch_shape = shape
                submit = run(["--provider", "openai", "--base-url", server.base_url, "--batch", *out], config)
                submit_calls = len(server.headers)
                batch_id = next(iter(server.batches.batches))
                urllib.request.urlopen(f"{server.base_url}/batches/{batch_id}").read()  # the provider finishes
                server.batches.steps = 1
                before = len(server.headers)
                collect = run(["--provider", "openai", "--base-url", server.base_url, "--batch", *out], config)
                collect_calls = len(server.headers) - before
                written = sum(1 for p in (work / shape).rglob("*.json") if ".profilegen" not in p.parts)
            with FakeLLM(latency=0.5) as live_server:
                live_out = ["--kpi-dir", str(ROOT / "kpi"), "--out", str(work / f"live-{shape}")]
                live = run(
                    ["--provider", "openai", "--base-url", live_server.base_url, "--concurrency", "64", *live_out],
                    config,
                )
                live_calls = len(live_server.requests)
            print(
                f"{shape} batch: submit {submit:.1f} s in {submit_calls} HTTP calls, collect+write {collect:.1f} s "
                f"in {collect_calls} calls ({written} profiles); live run {live:.1f} s in {live_calls} calls"
            )


if __name__ == "__main__":
    main()
