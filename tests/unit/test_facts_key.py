"""`facts_key` and `kpis_key`: what the fact rules read of a position's context, as 64 bits alike in every process —
the check's records trust a profile's findings across a change of inputs when its position's keys are the recorded
ones; `kpis_key` made from a position's KPI inputs alone is the one made from its whole context."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

from profilegen.checking.keys import context_keys, facts_key, kpis_key
from profilegen.config import Settings
from profilegen.inputs import ContextMaker, Selection, load_inputs, position_kpis, positions_for
from profilegen.kpi.filtering import PositionKpi
from tests.conftest import KPI_DIR, ROOT, SAMPLE_YAML
from tests.helpers import sample_contexts

SALT = b"settings"
_IN_ANOTHER_PROCESS = """
from profilegen.checking.keys import context_keys
from tests.helpers import sample_contexts
print(" ".join(str(k) for c in sample_contexts() for k in context_keys(c, b"settings")))
"""


def test_the_same_facts_give_the_same_key_in_another_process_and_other_facts_another() -> None:
    contexts = sample_contexts()
    keys = [k for c in contexts for k in context_keys(c, SALT)]
    assert all(keys) and len(set(keys[::2])) == len(contexts), "every position's facts differ: so do their keys"
    assert keys == [k for c in sample_contexts() for k in context_keys(c, SALT)], "contexts made again: the same"
    # another process, with other string hashes: the same keys (they are kept in a file for the next check)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    made = subprocess.run(
        [sys.executable, "-c", _IN_ANOTHER_PROCESS], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert [int(k) for k in made.split()] == keys
    assert facts_key(contexts[0], b"other settings") != keys[0]


def test_what_a_fact_rule_reads_changes_the_key_and_the_company_documents_do_not() -> None:
    context = next(c for c in sample_contexts() if c.kpis and c.sibling_units)
    key = context_keys(context, SALT)
    target = dataclasses.replace(context.kpis[0], target="99")
    other_kpis = [
        dataclasses.replace(context, kpis=(target, *context.kpis[1:])),
        dataclasses.replace(context, kpi_file="other.md"),
        dataclasses.replace(context, kpi_scope="department" if context.kpi_scope != "department" else "position"),
    ]
    assert all(context_keys(c, SALT)[0] == key[0] and context_keys(c, SALT)[1] != key[1] for c in other_kpis)
    changed = [
        dataclasses.replace(context, headcount=context.headcount + 1),
        dataclasses.replace(context, sibling_units=((context.sibling_units[0][0] + " и склад", ""),)),
        dataclasses.replace(context, feeders=context.targets, targets=context.feeders),
    ]
    assert all(context_keys(c, SALT)[0] != key[0] for c in changed)
    # the company's documents (sections, what they say a sibling unit does) and related units: no fact rule reads them
    said = tuple((name, "Ведёт склад и логистику") for name, _purpose in context.sibling_units)
    same = dataclasses.replace(context, sibling_units=said, related_units=("Склад",), company_sections=())
    assert context_keys(same, SALT) == key


def test_the_kpis_key_of_a_positions_kpi_inputs_alone_is_its_contexts() -> None:
    """The check makes `kpis_key` from `position_kpis` when the org is as it was (a twentieth of a context)."""
    settings = Settings(org=SAMPLE_YAML, kpi_dir=KPI_DIR)
    inputs = load_inputs(settings)
    positions, employee = positions_for(inputs, Selection())
    maker = ContextMaker(inputs, settings, employee)
    for position in positions:
        assert kpis_key(*position_kpis(inputs, position)) == context_keys(maker(position), SALT)[1]
    assert len({kpis_key(*position_kpis(inputs, p)) for p in positions}) > 10


def test_a_value_marshal_cannot_write_gives_no_key() -> None:
    context = sample_contexts()[0]
    odd = PositionKpi(name="x", target="1", unit="%", period="год", weight=object(), section="")  # type: ignore[arg-type]
    assert context_keys(dataclasses.replace(context, kpis=(odd,)), SALT) == (facts_key(context, SALT), 0)
