from __future__ import annotations

import asyncio
from typing import Any

import pytest

from profilegen.generation.context import fingerprint
from profilegen.generation.providers.base import OfflineProvider
from profilegen.generation.providers.offline import draft_profile
from profilegen.generation.schema import Profile, profile_json_schema, strict_json_schema
from tests.helpers import sample_contexts


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
    schema = strict_json_schema()
    objects = _objects(schema)
    assert len(objects) > 10
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert set(obj["required"]) == set(obj["properties"])
    assert "title" in profile_json_schema()


@pytest.fixture(scope="module")
def contexts() -> list[Any]:
    return sample_contexts()


def test_offline_drafts_are_valid_and_deterministic(contexts: list[Any]) -> None:
    for context in contexts:
        profile = draft_profile(context)
        Profile.model_validate(profile.model_dump())
        assert profile == draft_profile(context)
        assert profile.unit.path == list(context.unit_path)
        assert [k.name for k in profile.kpis] == [k.name for k in context.kpis]
    english = draft_profile(contexts[0], "en")
    assert english.corporate_competencies == list(contexts[0].competencies), "the company's model, in any language"


def test_offline_provider_result(contexts: list[Any]) -> None:
    result = asyncio.run(OfflineProvider().generate(contexts[0]))
    assert result.cost_usd == 0.0
    assert Profile.model_validate_json(result.raw) == result.profile


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


def test_a_head_of_more_units_than_the_schema_lists_is_still_drafted(contexts: list[Any]) -> None:
    """A general director over 53 blocks (a large group) is drafted; the document keeps all 53 from the facts."""
    import dataclasses

    from profilegen.generation.document import assemble
    from profilegen.generation.providers.base import ProviderResult

    many = tuple(f"Блок {n}" for n in range(53))
    context = dataclasses.replace(contexts[0], subordinate_units=many)
    profile = draft_profile(context)
    assert len(profile.subordinates.units) == 50
    document = assemble(
        context,
        ProviderResult(profile=profile, raw="", model="offline"),
        generator="offline",
        prompt_version="t",
        fingerprint="f",
        language="ru",
        duration=0.0,
    )
    assert document["profile"]["subordinates"]["units"] == list(many)
