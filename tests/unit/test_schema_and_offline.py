from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from profilegen.generation.context import fingerprint
from profilegen.generation.providers.base import OfflineProvider
from profilegen.generation.providers.offline import draft_profile
from profilegen.template.loader import load_template
from profilegen.template.schema import answer_model, answer_schema, strict_json_schema
from tests.helpers import sample_contexts

A101 = load_template()
EN = load_template("en")


def _objects(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for item in node:
            found += _objects(item)
    return found


def test_strict_schema_requires_everything() -> None:
    schema = strict_json_schema(A101)
    objects = _objects(schema)
    assert len(objects) >= 4
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert set(obj["required"]) == set(obj["properties"])
    assert "title" in answer_schema(A101)


@pytest.fixture(scope="module")
def contexts() -> list[Any]:
    return sample_contexts()


def test_offline_drafts_are_valid_and_deterministic(contexts: list[Any]) -> None:
    for context in contexts:
        profile = draft_profile(context, A101)
        answer_model(A101).model_validate(profile)
        assert profile == draft_profile(context, A101)
        assert set(profile) == {f.key for f in A101.written}, "the model's part only: the facts are profilegen's"
        levels = {row["level"] for area in profile["skills"] for row in area["items"]}
        assert levels <= {1, 2, 3, 4}
    english = draft_profile(contexts[0], EN)
    assert set(english) == {"purpose", "responsibilities", "requirements"}


def test_offline_provider_result(contexts: list[Any]) -> None:
    result = asyncio.run(OfflineProvider(A101).generate(contexts[0]))
    assert result.cost_usd == 0.0
    assert json.loads(result.raw) == result.profile


def test_per_position_kpis_in_context(contexts: list[Any]) -> None:
    crm_head = next(c for c in contexts if c.unit_path[-1] == "Отдел CRM" and c.title == "Руководитель отдела")
    assert crm_head.kpi_scope == "position"
    assert crm_head.is_head
    dev = next(c for c in contexts if c.unit_path[-1] == "Отдел CRM" and c.title == "Разработчик")
    assert dev.kpi_scope == "position"
    assert {k.name for k in dev.kpis} == {
        "Доля релизов без отката",
        "Выполнение плана разработки",
        "Удовлетворенность пользователей",
    }
    assert dev.direct_manager == "Руководитель отдела (Отдел CRM)"
    assert [(c.title, c.track) for c in dev.targets] == [("Ведущий разработчик", "vertical")]
    lead = next(c for c in contexts if c.title == "Ведущий разработчик" and c.unit_path == dev.unit_path)
    assert ("Руководитель отдела", "vertical") in [(c.title, c.track) for c in lead.targets], "the top rung's next step"


def test_fingerprint_stable_and_sensitive(contexts: list[Any]) -> None:
    a = fingerprint(contexts[0], {"model": "m", "language": "ru"})
    assert a == fingerprint(contexts[0], {"language": "ru", "model": "m"})
    assert a != fingerprint(contexts[0], {"language": "en", "model": "m"})
    assert a != fingerprint(contexts[1], {"model": "m", "language": "ru"})


def test_a_head_of_many_units_keeps_them_all_and_facts_override_nothing_written(contexts: list[Any]) -> None:
    """A general director over 53 blocks (a large group): the document counts all 53 from the facts."""
    import dataclasses

    from profilegen.generation.document import Form, assemble
    from profilegen.generation.providers.base import ProviderResult

    many = tuple(f"Блок {n}" for n in range(53))
    context = dataclasses.replace(contexts[0], subordinate_units=many)
    profile = draft_profile(context, A101)
    document = assemble(
        context,
        ProviderResult(profile=profile, raw="", model="offline"),
        form=Form(A101, "Иванова И. И."),
        generator="offline",
        prompt_version="t",
        fingerprint="f",
        duration=0.0,
    )
    assert document["profile"]["subordinate_units"] == 53
    assert document["profile"]["prepared_by"] == "Иванова И. И."
    assert document["template"] == {"name": "a101", "sha256": A101.sha256}
    assert [k for k in document["profile"] if k in profile] == list(profile)
    assert document["profile"]["software"][:3] == list(A101.field("software").start_with)  # type: ignore[union-attr]
