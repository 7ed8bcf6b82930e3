"""`facts_key`: what the fact rules read of a position's context, as 64 bits alike in every process — the check's
records trust a profile's findings across a change of inputs when its position's key is the one recorded."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

from profilegen.checking.rules import facts_key
from profilegen.kpi.filtering import PositionKpi
from tests.conftest import ROOT
from tests.helpers import sample_contexts

SALT = b"settings"
_IN_ANOTHER_PROCESS = """
from profilegen.checking.rules import facts_key
from tests.helpers import sample_contexts
print(" ".join(str(facts_key(c, b"settings")) for c in sample_contexts()))
"""


def test_the_same_facts_give_the_same_key_in_another_process_and_other_facts_another() -> None:
    contexts = sample_contexts()
    keys = [facts_key(c, SALT) for c in contexts]
    assert all(keys) and len(set(keys)) == len(keys), "every position's facts differ: so do their keys"
    assert keys == [facts_key(c, SALT) for c in sample_contexts()], "contexts made again: the same keys"
    # another process, with other string hashes: the same keys (they are kept in a file for the next check)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    made = subprocess.run(
        [sys.executable, "-c", _IN_ANOTHER_PROCESS], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert [int(k) for k in made.split()] == keys
    assert facts_key(contexts[0], b"other settings") != keys[0]


def test_what_a_fact_rule_reads_changes_the_key_and_the_company_documents_do_not() -> None:
    context = next(c for c in sample_contexts() if c.kpis and c.sibling_units)
    key = facts_key(context, SALT)
    target = dataclasses.replace(context.kpis[0], target="99")
    changed = [
        dataclasses.replace(context, kpis=(target, *context.kpis[1:])),
        dataclasses.replace(context, headcount=context.headcount + 1),
        dataclasses.replace(context, sibling_units=((context.sibling_units[0][0] + " и склад", ""),)),
        dataclasses.replace(context, feeders=context.targets, targets=context.feeders),
    ]
    assert all(facts_key(c, SALT) != key for c in changed)
    # the company's documents (sections, what they say a sibling unit does) and related units: no fact rule reads them
    said = tuple((name, "Ведёт склад и логистику") for name, _purpose in context.sibling_units)
    same = dataclasses.replace(context, sibling_units=said, related_units=("Склад",), company_sections=())
    assert facts_key(same, SALT) == key


def test_a_value_marshal_cannot_write_gives_no_key() -> None:
    context = sample_contexts()[0]
    odd = PositionKpi(name="x", target="1", unit="%", period="год", weight=object(), section="")  # type: ignore[arg-type]
    assert facts_key(dataclasses.replace(context, kpis=(odd,)), SALT) == 0
