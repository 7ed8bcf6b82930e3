"""The DOCX renderer writes its body as WordprocessingML text: it must be, element for element, what python-docx's
own calls build (`tests/docx_reference.py`), for every kind of block and for text Word treats specially."""

from __future__ import annotations

import io
import json
from pathlib import Path

from profilegen.export.docx_writer import render_docx
from profilegen.template.loader import load_template
from tests.conftest import run_cli, sample_args
from tests.docx_reference import body_xml, properties, reference_docx


def test_the_body_is_what_python_docx_builds(tmp_path: Path) -> None:
    made = run_cli("generate", "-d", "Коммерческий блок", "--provider", "offline", *sample_args(tmp_path))
    assert made.code == 0, made.stderr
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((tmp_path / "out").rglob("*.json"))]
    assert len(documents) >= 10
    # text Word treats apart: a tab, line breaks, spaces at the ends, XML's own characters, a control character,
    # an empty value, an empty table cell, a header of nothing
    odd = json.loads(json.dumps(documents[0]))
    profile = odd["profile"]
    tricky = "  Отвечать\tза «CRM» & <отчёты>\nвторая строка\r\nтретья "
    profile["experience_total"] = tricky
    profile["promotion_decision"] = ""
    profile["skills"][0]["items"][0]["name"] = " с пробелом в начале"
    profile["kpis"] = [{"name": "КПЭ & <доля>", "target": "", "unit": "", "weight": None, "period": "год"}]
    profile["responsibilities"][0]["items"][0] = "задача\x07 со звонком"
    profile["prepared_by"] = "Иванова И. И. " * 40  # longer than a property holds
    template = load_template()
    for document in [*documents, odd]:
        ours, reference = render_docx(document, template), reference_docx(document, template)
        assert body_xml(ours) == body_xml(reference), document["meta"]["position"]
        assert properties(ours) == properties(reference)
    import docx

    said = "\n".join(p.text for p in docx.Document(io.BytesIO(render_docx(odd, template))).paragraphs)
    assert "Отвечать\tза «CRM» & <отчёты>\nвторая строка\n\nтретья" in said, said
