"""The keys of a position's facts a check's records keep with each profile: what `FACT_RULES` read of its context,
as 64 bits alike in every process. A profile unchanged since, whose position's keys are the recorded ones, is not
read again when the inputs changed (a KPI file edited, the org edited elsewhere, new company documents)."""

from __future__ import annotations

import hashlib
import json
import marshal
from dataclasses import fields
from operator import attrgetter
from typing import Any

from profilegen.config import Settings
from profilegen.generation.context import PositionContext
from profilegen.kpi.filtering import PositionKpi, PositionKpis
from profilegen.org.candidates import Candidate

# what no fact rule (nor `fact_value`) reads of a position's context: the company's documents, the units related to
# it and what the documents say of its sibling units (their names are read) — left out of its keys, so that new
# documents leave every profile's facts as they were
_FACT_BLIND = frozenset({"company_sections", "company_shared", "related_units"})
# what it takes from its KPI inputs (its own card, else its unit's card or file): `kpis_key`, which can be made
# without the rest of the context (`position_kpis`: a twentieth of the time)
_FROM_KPIS = frozenset({"kpi_source", "kpi_file", "kpi_scope", "kpis"})
_NESTED = frozenset({"feeders", "targets", "sibling_units"})
_CONTEXT = attrgetter(*(f.name for f in fields(PositionContext) if f.name not in _FACT_BLIND | _FROM_KPIS | _NESTED))
_KPI = attrgetter(*(f.name for f in fields(PositionKpi)))
_CANDIDATE = attrgetter(*(f.name for f in fields(Candidate)))


def facts_salt(settings: Settings) -> bytes:
    """What the check's reading of a profile and the fact rules take from the settings besides the `check` ones
    (in the records' text digest): the settings that make a context are in the context itself."""
    return json.dumps([settings.category_labels, settings.prepared_by], sort_keys=True).encode()


def facts_key(context: PositionContext, salt: bytes) -> int:
    """64 bits of everything `FACT_RULES` read of a position's context but its KPIs (`kpis_key`), with ``salt``
    (the settings they read); alike in every process, 0 (equal to no key) when some value is not plain data."""
    nested = (
        tuple(map(_CANDIDATE, context.feeders)),
        tuple(map(_CANDIDATE, context.targets)),
        tuple(name for name, _purpose in context.sibling_units),
    )
    return _key((_CONTEXT(context), nested), salt)


def kpis_key(kpis: PositionKpis, source: str, origin: str) -> int:
    """64 bits of a position's KPIs, their source and where they came from (as `kpis_of` gives them)."""
    return _key((source, origin, kpis.scope, tuple(map(_KPI, kpis.kpis))), b"")


def context_keys(context: PositionContext, salt: bytes) -> tuple[int, int]:
    """The context's `facts_key` and `kpis_key`."""
    kpis = PositionKpis(context.kpis, context.kpi_scope)
    return facts_key(context, salt), kpis_key(kpis, context.kpi_source, context.kpi_file)


def _key(value: Any, salt: bytes) -> int:
    # marshal's version 2 writes values alone (version 3 on marks objects shared, which equal values need not be)
    try:
        data = marshal.dumps(value, 2)
    except ValueError:
        return 0
    return int.from_bytes(hashlib.blake2b(salt + data, digest_size=8).digest(), "big") or 1
