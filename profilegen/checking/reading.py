"""Profile files read and checked a step at a time over a few hundred of them: every file read, then each made
readable, its texts worked out, each rule applied to them all, then their shingles and sketches.

Done a profile at a time, each of the fifteen steps met the interpreter's and the processor's caches cold again:
every step took about twice what it takes over many profiles in a row (555 → 443 µs of CPU a profile at 6,000
profiles of the scale benchmark's OUT, `/tmp/batchexp.py`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from profilegen.approval import APPROVED, Approvals
from profilegen.checking.cache import Stamp
from profilegen.checking.findings import Finding, Owner
from profilegen.checking.rules import CONTENT_RULES, FACT_RULES, Profile, texts_of
from profilegen.checking.similar import Shingles, Sketch, shingles_of, sketch
from profilegen.config import Settings
from profilegen.export.documents import UnreadableProfile, read_profile
from profilegen.generation.context import PositionContext
from profilegen.generation.document import Form
from profilegen.template.documents import readable
from profilegen.template.model import Template


@dataclass(slots=True)
class Read:
    """One profile file as the check met it: unreadable, not generated, left out as approved, or checked."""

    owner: Owner
    unreadable: str | None = None
    missing: bool = False
    approved: bool = False
    findings: list[Finding] = field(default_factory=list)
    shingles: Shingles | None = None
    sketch: Sketch | None = None
    path: str = ""  # the file, and its stamp when it was checked (what the check cache records)
    stamp: Stamp | None = None
    cached: bool = False  # found in the check cache, not read
    text_known: bool = False  # what its text decides found in the check cache, its facts read
    same_facts: bool = False  # its text's record checked against the very facts its position has now: not read
    facts: int = 0  # its position's `facts_key` and `kpis_key` when read (0: not made)
    kpis: int = 0
    from_text: int = 0  # how many of its findings (the first) its text alone decides


@dataclass(frozen=True, slots=True)
class ToRead:
    """A file to read: its path, its person (None: the position's own), its position's facts now, and whether only
    the rules of its facts are to be applied (what its text decides being recorded)."""

    path: str
    employee: str | None
    context: PositionContext
    text_known: bool = False


@dataclass(slots=True)
class _Opened:
    """A file read and made readable, on its way through the rules."""

    at: int  # its place among the files to read
    owner: Owner
    form: Form
    profile: Profile
    every: bool  # all the rules, its shingles and sketch (else those of its facts alone)
    said: list[Finding] = field(default_factory=list)  # what its text alone decides
    found: list[Finding] = field(default_factory=list)  # what its facts decide


def read_all(
    files: Sequence[ToRead],
    template: Template,
    forms: dict[str, Form],
    settings: Settings,
    skipped: Approvals | None,
) -> list[Read]:
    """Each file read and its rules applied, in order (``skipped``: approvals whose profiles, signed off as they
    are, are left out)."""
    done: list[Read | None] = [None] * len(files)
    documents = []
    for at, file in enumerate(files):
        try:
            document = read_profile(Path(file.path))
        except UnreadableProfile as exc:
            done[at] = Read(_owner(file, file.employee), unreadable=str(exc))
            continue
        if document is None:
            done[at] = Read(_owner(file, file.employee), missing=True)
            continue
        documents.append((at, document))
    opened = []
    for at, document in documents:
        file = files[at]
        meta = document.get("meta") or {}
        name = meta.get("employee_name") or file.employee
        owner = _owner(file, name)
        if skipped is not None and skipped.status(*owner, Path(file.path)) == APPROVED:
            done[at] = Read(owner, approved=True)
            continue
        document, own = readable(document, template)  # each profile read in the form it was made in
        form = forms.setdefault(own.sha256, Form(own, settings.prepared_by))
        facts = file.context  # its person's name on it (a position's own profile names none: left as it is)
        if name != facts.employee_name:
            facts = dataclasses.replace(facts, employee_name=name)
        if own is not template and not settings.category_labels:  # its own form's names for categories
            spec = own.fact_field("category")
            facts = dataclasses.replace(facts, category_label=(spec.codes if spec else {}).get(facts.category, ""))
        profile = Profile(document["profile"], meta, facts, texts_of(document["profile"], own, not file.text_known))
        opened.append(_Opened(at, owner, form, profile, not file.text_known))
    check = settings.check
    for rule in FACT_RULES:
        for item in opened:
            item.found += rule(item.profile, item.form, check)
    every = [item for item in opened if item.every]
    for rule in CONTENT_RULES:
        for item in every:
            item.said += rule(item.profile, item.form, check)
    texts = [shingles_of(item.profile.texts.words) for item in every]
    sketches = [sketch(text, check.near_duplicate) for text in texts]
    for item, text, keys in zip(every, texts, sketches, strict=True):
        findings = [*item.said, *item.found]
        done[item.at] = Read(item.owner, findings=findings, shingles=text, sketch=keys, from_text=len(item.said))
    for item in opened:
        if not item.every:
            done[item.at] = Read(item.owner, findings=item.found)
    return cast(list[Read], done)  # each file's place filled


def _owner(file: ToRead, employee: str | None) -> Owner:
    return (file.context.unit_path, file.context.title, employee)
