"""The fingerprints of the last full plan, kept with a digest of everything they were computed from.

A fingerprint is a pure function of the organisation file, the Excel settings, the roles settings
(`head_titles`, `heads`, `unit_kinds`, `category_labels`, `deputy_category`, `competencies`), the KPI
files and mapping rules (the mapping key), the generation parameters, the selection and profilegen's
own code. When the digest of all of those is the one recorded, the recorded fingerprints are the ones
planning would compute, so a night where nothing changed plans from them without building a single
context. Anything else — or any position that needs work — takes the full path, which records the
fingerprints anew.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from profilegen.codebase import code_stamp
from profilegen.config import Settings
from profilegen.inputs import Inputs
from profilegen.journal import Journal
from profilegen.jsontext import payload_digest

PLAN_CACHE = "plan-cache"


def plan_digest(
    settings: Settings, org_sha256: str, inputs: Inputs, selection: dict[str, Any], params: dict[str, Any]
) -> str | None:
    """The digest of every input of the selection's fingerprints (None when one is not known)."""
    if settings.org is None or not inputs.mapping_key:
        return None
    payload = {
        "code": code_stamp(),
        "org": [str(settings.org.resolve()), org_sha256],
        "excel": settings.excel.model_dump(mode="json"),
        "roles": [
            settings.head_titles,
            settings.heads,
            settings.unit_kinds,
            settings.category_labels,
            settings.deputy_category,
            settings.competencies.model_dump(mode="json"),
        ],
        "kpi": inputs.mapping_key,
        "params": params,
        "send_employee_name": settings.send_employee_name,
        "selection": selection,
    }
    return payload_digest(payload)


class Fingerprints:
    """The recorded fingerprints, each under a short hash of its position's key: 100,000 keys spelling out
    unit paths and titles took some 50 MB in the journal and as much again in memory each night; 16 hex
    digits of sha256 do not collide among a selection's keys."""

    def __init__(self, by_hash: dict[str, str]) -> None:
        self._by_hash = by_hash

    def get(self, key: str) -> str | None:
        return self._by_hash.get(short_key(key))


def short_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def recorded(journal: Journal, digest: str | None) -> Fingerprints | None:
    """The fingerprints recorded for exactly this digest."""
    if digest is None:
        return None
    cached = journal.meta(PLAN_CACHE)
    if cached is None or cached.get("digest") != digest:
        return None
    return Fingerprints(cached["fingerprints"])


def record(journal: Journal, digest: str | None, fingerprints: Iterable[tuple[str, str]]) -> None:
    """Record (position key, fingerprint) pairs as the plan of ``digest``."""
    if digest is not None:
        by_hash = {short_key(key): fingerprint for key, fingerprint in fingerprints}
        journal.set_meta(PLAN_CACHE, {"digest": digest, "fingerprints": by_hash})
