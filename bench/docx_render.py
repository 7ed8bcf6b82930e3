"""DOCX rendering of the real organisation's offline drafts: profilegen's renderer (the package made once a
process, each body written as WordprocessingML text) vs the same document built and saved through python-docx's
object model, as profilegen did until 2026-12-08 (`tests/docx_reference.py`). Side by side in one process, each
document's body compared.

Run: .venv/bin/python -m bench.docx_render
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import A101, ROOT, STRUCTURE, need_fixture


def main() -> None:
    if not need_fixture():
        return
    from profilegen.export.docx_writer import render_docx
    from profilegen.template.loader import load_template
    from tests.docx_reference import body_xml, reference_docx

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        args = ["generate", "--all", "--provider", "offline", "--org", str(STRUCTURE), "--kpi-dir", str(A101 / "kpi")]
        subprocess.run([sys.executable, "-m", "profilegen", "-q", *args, "--out", str(out)], check=True, cwd=ROOT)
        documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.rglob("*.json"))]
    template = load_template()
    differ = sum(body_xml(render_docx(d, template)) != body_xml(reference_docx(d, template)) for d in documents)
    times: dict[str, list[float]] = {"profilegen": [], "python-docx calls": []}
    timed = documents[:500]  # every body compared; the first 500 timed (python-docx's calls take a minute for all)
    for _round in range(3):  # alternating, so both see the same machine; the best of each kept
        for name, render in (("profilegen", render_docx), ("python-docx calls", reference_docx)):
            started = time.perf_counter()
            for document in timed:
                render(document, template)
            times[name].append(time.perf_counter() - started)
    ours, theirs = min(times["profilegen"]), min(times["python-docx calls"])
    count = len(timed)
    each, their_each = ours / count * 1000, theirs / count * 1000
    print(
        f"DOCX of {count:,} offline drafts: profilegen {ours:.2f} s ({each:.1f} ms each) vs python-docx's object model "
        f"{theirs:.2f} s ({their_each:.1f} ms each), ratio {ours / theirs:.3f}; "
        f"bodies that differ from python-docx's, of all {len(documents):,}: {differ}"
    )


if __name__ == "__main__":
    main()
