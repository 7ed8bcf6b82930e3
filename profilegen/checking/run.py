"""`profilegen check`: the selected positions' profiles on disk, read against their facts and each other."""

from __future__ import annotations

import functools
import gc
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen.approval import APPROVED, UNAPPROVED, Approvals
from profilegen.checking.cache import CheckCache, Entry, Stamp, file_stamp, inputs_digest, org_digest, text_digest
from profilegen.checking.files import profiles_of, with_stamps
from profilegen.checking.findings import ERROR, Located, Owner, near_duplicate_findings
from profilegen.checking.keys import context_keys, facts_salt, kpis_key
from profilegen.checking.reading import Read, ToRead, read_all
from profilegen.checking.replay import answer_key, input_files, record, replayed
from profilegen.checking.rules import RULES
from profilegen.checking.seen import Seen
from profilegen.checking.similar import Shingles, Sketch, near_duplicates
from profilegen.codebase import code_stamp
from profilegen.collector import paused
from profilegen.config import Settings
from profilegen.export.layout import OutputLayout
from profilegen.export.paths import Listing
from profilegen.forking import behind, can_fork, in_two, settle
from profilegen.generation.context import PositionContext
from profilegen.generation.document import Form
from profilegen.inputs import ContextMaker, Selection, load_inputs, position_kpis, positions_for
from profilegen.journal import Journal
from profilegen.org.model import Position
from profilegen.template.loader import load_template
from profilegen.workspace import layout_base

# positions to read from which a second process pays for itself (reading, checking and signing a profile takes
# half a millisecond: 4,661 profiles changed among 100,000 took 11.1 s to check on one core)
READ_FORK_FROM = 2_000
READ_TOGETHER = 200  # positions whose files are read a step at a time over them all (`read_all`)
PROGRESS_EVERY = 250  # positions checked between two words to `progress`


@dataclass(slots=True)
class CheckResult:
    findings: list[Located] = field(default_factory=list)
    profiles: int = 0
    not_generated: int = 0
    approved_skipped: int = 0  # left out by `--unapproved`
    unreadable: list[str] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)  # near-duplicate groups
    language: str = "ru"
    judge: dict[str, Any] | None = None  # what `--judge` did

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.finding.severity == ERROR)

    def summary(self) -> dict[str, Any]:
        by_rule = Counter(f.finding.rule for f in self.findings)
        return {
            "profiles": self.profiles,
            "not_generated": self.not_generated,
            "approved_skipped": self.approved_skipped,
            "unreadable": self.unreadable,
            "findings": len(self.findings),
            "errors": self.errors,
            "warnings": len(self.findings) - self.errors,
            "positions_with_findings": len({(f.unit_path, f.title, f.employee) for f in self.findings}),
            "by_rule": {rule: by_rule[rule] for rule in RULES if by_rule[rule]},
            "near_duplicate_groups": self.groups,
        } | ({"judge": self.judge} if self.judge is not None else {})


def check_profiles(
    settings: Settings,
    selection: Selection,
    state: Path | None = None,
    unapproved_only: bool = False,
    seen: list[Seen] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CheckResult:
    """Findings for the selected positions' profiles in OUT. Approvals are read from the journal in `state`:
    with `unapproved_only`, profiles HR signed off as they are now are left out. `seen` collects every
    selected profile with its file, status, approval and journaled score (for `report` and the judge);
    `progress(done, total)` hears how many of the selected positions are checked, every few hundred."""
    approvals, scores = None, None
    if state is not None and state.is_dir() and (unapproved_only or seen is not None):
        with Journal(state) as reading:  # read at once: no journal as the check goes (it forks, records)
            approvals = Approvals.of(reading)
            if seen is not None:
                scores = {key: found["judge"] for key, found in reading.position_fields(("judge",), "judge").items()}
    with paused():  # millions of objects made from the records: the collector's passes over them took 2 s of 9.5
        return _check(settings, selection, unapproved_only, seen, state, approvals, scores, progress)


def _check(
    settings: Settings,
    selection: Selection,
    unapproved_only: bool,
    seen: list[Seen] | None,
    state: Path | None,
    approvals: Approvals | None = None,
    scores: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CheckResult:
    settle()  # the records an earlier check left being written, written
    started = time.time_ns()
    known = state is not None and state.is_dir()
    skipped = approvals if unapproved_only else None  # the approvals that leave profiles out
    signed = skipped.signed if skipped is not None else None
    answer = answer_key(settings, selection, code_stamp(), signed or None) if known else None
    # nothing read has changed since the last check: its answer (`seen` wants every file, and reads them anyway)
    if state is not None and answer is not None and seen is None:
        again = replayed(state, answer, CheckResult)
        if again is not None:
            return again
    inputs = load_inputs(settings, remember_in=state if state is not None and state.is_dir() else None)
    template = load_template(settings.template, settings.language)
    positions, employee = positions_for(inputs, selection)
    cache, salt = None, b""
    if known and state is not None:  # what an earlier check found in files unchanged since
        code = code_stamp()
        digests = (inputs_digest(settings, inputs, template, code), text_digest(settings, template, code))
        cache = CheckCache.load(state, *digests, org_digest(settings, inputs, employee))
        salt = facts_salt(settings)

    # kept from one stretch of the list to the next (each process has its own after a fork)
    forms: dict[str, Form] = {}
    layout = OutputLayout(inputs.org, settings.out, layout_base(settings))
    listing = Listing()
    # made at the first file not in the check cache (its memos take seconds)
    maker = functools.cache(lambda: ContextMaker(inputs, settings, employee))

    def looked_at(path: str, employee_name: str | None, position: Position, stamp: Stamp | None = None) -> Read:
        """A file as its stamp (taken now unless given) and approval say: signed off as it is, unchanged since the
        records, or to read."""
        stamp = (stamp or file_stamp(path)) if cache is not None else None
        entry = cache.get(path, stamp) if cache is not None else None
        text = cache.text_of(path, stamp) if cache is not None and entry is None else None
        recorded = entry or text
        owner = (position.unit_path, position.title, recorded.employee if recorded else employee_name)
        if skipped is not None and skipped.status(*owner, Path(path)) == APPROVED:
            # signed off as it is: neither read nor its context made (its stamp is recorded)
            return Read(owner, approved=True, path=path, stamp=stamp)
        if entry is not None:  # its findings and shingles are taken from the records as the answer is put together
            return Read(owner, path=path, stamp=stamp, cached=True)
        # to be read (for its facts alone when its text was checked under other inputs, and not at all when its
        # position's facts are still the ones it was checked against)
        return Read(owner, path=path, stamp=stamp, text_known=text is not None)

    def part(chosen: Sequence[Position]) -> Iterator[list[Read]]:
        """Each position's files as the check meets them (a list a position: one pickled message), the files to
        read read a few hundred positions at a time (`read_all`)."""
        gc.freeze()  # the org and its KPI files stay: kept out of the collector's full scans
        try:
            for start in range(0, len(chosen), READ_TOGETHER):
                yield from together(chosen[start : start + READ_TOGETHER])
        finally:
            gc.unfreeze()

    def together(chosen: Sequence[Position]) -> list[list[Read]]:
        # each position's files as their stamps and approvals say; then, for those not settled by that, its facts
        # (the keys of them, and its context when they are not the recorded ones); then every file to read
        found = [profiles_of(layout, listing, position) for position in chosen]
        met = [
            [looked_at(path, name, position) for path, name in paths]
            for position, paths in zip(chosen, found, strict=True)
        ]
        slots: list[tuple[list[Read], int, tuple[int, int]]] = []  # where a file read goes, and its keys
        to_read: list[ToRead] = []
        for position, paths, files in zip(chosen, found, met, strict=True):
            context: PositionContext | None = None
            keys = (0, 0)  # its context's `facts_key` and `kpis_key`
            for at, placed in enumerate(files):
                if placed.approved or placed.cached:
                    continue
                recorded = cache.texts[placed.path] if cache is not None and placed.text_known else None
                if recorded is not None and context is None and cache is not None and cache.same_org:
                    # the org and the settings as they were: its facts but the KPIs are the recorded ones
                    keys = (recorded.facts, kpis_key(*position_kpis(inputs, position)))
                if context is None and not _as_recorded(recorded, keys):
                    context = maker()(position)
                    keys = context_keys(context, salt) if cache is not None else keys
                # checked against the very facts it has now (and so no context made): not read
                if context is None or _as_recorded(recorded, keys):
                    placed.same_facts = True
                    continue
                slots.append((files, at, keys))
                to_read.append(ToRead(placed.path, paths[at][1], context, placed.text_known))
        for (files, at, keys), read in zip(slots, read_all(to_read, template, forms, settings, skipped), strict=True):
            placed = files[at]
            read.path, read.stamp, read.text_known = placed.path, placed.stamp, placed.text_known
            read.facts, read.kpis = keys
            files[at] = read
        return met

    # first each file's stamp against the records when there are records of these inputs or approvals (records of
    # other inputs alone leave every position to read, for its facts at least): the files and their
    # stamps found on two cores (plain findings), sent back as plain rows (a forked half sending back each file
    # as the check meets it cost more than it saved), then looked up here; then the positions with a file to
    # read, on two cores when they are many
    looked: deque[list[Read] | None] = deque()
    pending = positions
    if (cache is not None and cache.entries) or skipped is not None:
        pending = []
        stamping = functools.partial(with_stamps, layout, listing, cache is not None)
        stamped = in_two(positions, stamping)
        for position, rows in zip(positions, stamped, strict=True):
            files = [looked_at(path, name, position, stamp) for path, name, stamp in rows]
            known = all(file.approved or file.cached for file in files)
            looked.append(files if known else None)
            if not known:
                pending.append(position)
    if pending is positions and can_fork(len(pending), READ_FORK_FROM):
        maker()  # every position's files looked at, in both processes: its memos made once, before the fork
    worked = in_two(pending, part, least=READ_FORK_FROM)

    def each_position() -> Iterator[list[Read]]:
        if pending is positions:
            yield from worked
            return
        while looked:
            taken = looked.popleft()  # let go as the answer grows
            yield next(worked) if taken is None else taken
        deque(worked, maxlen=0)  # its end reached: a forked child reaped

    def in_order() -> Iterator[Read]:
        total = len(positions)
        for done, files in enumerate(each_position(), 1):
            yield from files
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total)

    reads = in_order()
    result = CheckResult(language=template.language)
    texts: list[Shingles] = []
    sketches: list[Sketch] = []
    owners: list[Owner] = []
    read_paths: list[str] = []  # with their stamps as taken before reading, for the answer's record
    read_stamps: list[Stamp | None] = []
    try:
        for read in reads:
            as_recorded = None  # its record, true still (checked against the very facts its position has now)
            read_paths.append(read.path)
            read_stamps.append(read.stamp)
            if read.cached and cache is not None:
                entry = cache.entries[read.path]
                read.findings, read.shingles, read.sketch = list(entry.findings), entry.shingles, entry.sketch
                read.from_text = entry.from_text
            elif read.text_known and cache is not None and not (read.unreadable or read.missing or read.approved):
                entry = cache.texts.pop(read.path)  # what its text decides, with what its facts decide now
                as_recorded = entry if read.same_facts else None
                read.findings = (
                    list(entry.findings) if as_recorded else [*entry.findings[: entry.from_text], *read.findings]
                )
                read.shingles, read.sketch, read.from_text = entry.shingles, entry.sketch, entry.from_text
            unit = inputs.org.units.get(read.owner[0])
            # the org's own unit path, one per unit, and each title once (a forked half sends each file's own copies:
            # a report's 100,000 profiles kept 50 MB of them)
            where = unit.path if unit is not None else read.owner[0]
            read.owner = (where, sys.intern(read.owner[1]), read.owner[2])
            if seen is not None and read.unreadable is None and (read.owner[2] is None or not read.missing):
                seen.append(_seen(read, approvals, scores))
            if read.unreadable is not None:
                result.unreadable.append(read.unreadable)
            elif read.missing:
                result.not_generated += read.owner[2] is None
            elif read.approved:
                result.approved_skipped += 1
            elif read.shingles is not None and read.sketch is not None:
                result.profiles += 1
                result.findings += [Located(*read.owner, f) for f in read.findings]
                texts.append(read.shingles)
                sketches.append(read.sketch)
                owners.append(read.owner)
                if cache is not None and read.stamp is not None:  # one checked now is recorded for the next check
                    found = None
                    if not read.cached:
                        found = as_recorded or Entry(
                            read.stamp,
                            read.owner[2],
                            tuple(read.findings),
                            read.shingles,
                            read.sketch,
                            read.from_text,
                            read.facts,
                            read.kpis,
                        )
                    cache.note(read.path, read.owner[:2], read.shingles, found)
    except BaseException:  # Ctrl-C, SIGTERM, an error: what was checked so far recorded, the next check goes on
        if cache is not None:
            cache.save()
        raise
    maker.cache_clear()  # every file read: the memos of the positions' facts let go (50 MB at 100,000) before
    # the near-duplicates, the answer's peak
    threshold = settings.check.near_duplicate
    key = cache.files_key(threshold, len(texts)) if cache is not None else None
    groups = cache.near_duplicates(key) if cache is not None and key is not None else None
    if groups is None:
        labels = [(path, title) for path, title, _employee in owners]
        groups = near_duplicates(texts, labels, threshold, sketches=sketches)
        del labels
        if cache is not None and key is not None:
            cache.keep_near_duplicates(key, groups)
    # what near-duplicates needed let go before their findings are written (100,000 labels: 35 MB), and the
    # record once saved before the answer
    del texts, sketches
    result.groups, near = near_duplicate_findings(groups, owners, template.language)
    result.findings += near
    del near
    del owners, groups
    result.findings.sort(key=lambda f: (f.unit_path, f.title, f.employee or "", RULES.index(f.finding.rule)))
    # the records written by a forked copy while the answer is shown here (at 100,000 profiles, a second)
    kept = functools.partial(_records, settings, state, cache, answer, read_paths, read_stamps, result, started)
    if cache is not None or (state is not None and answer is not None):
        behind(kept)
    return result


def _records(
    settings: Settings,
    state: Path | None,
    cache: CheckCache | None,
    answer: str | None,
    read_paths: list[str],
    read_stamps: list[Stamp | None],
    result: CheckResult,
    started: int,
) -> None:
    """What the check found in each file, and its answer with every file and folder it read, kept for the next."""
    if cache is not None:
        cache.save()
    if state is not None and answer is not None:
        folders = {os.path.dirname(path) for path in read_paths}
        others = [*map(str, input_files(settings)), *sorted(folders)]
        record(state, answer, read_paths, read_stamps, others, result, started)


def _as_recorded(recorded: Entry | None, keys: tuple[int, int]) -> bool:
    """Whether a file's record was made against the facts its position has now (keys of 0: not known)."""
    return recorded is not None and 0 not in keys and (recorded.facts, recorded.kpis) == keys


def _seen(read: Read, approvals: Approvals | None, scores: dict[str, Any] | None) -> Seen:
    """A file as `report` shows it: its status and approval, and its journaled score (of whatever content)."""
    if read.missing:
        return Seen(read.owner, None, UNAPPROVED, None)
    if approvals is None:
        return Seen(read.owner, read.path, UNAPPROVED, None)
    key = approvals.key(*read.owner)
    status = APPROVED if read.approved else approvals.status(*read.owner, Path(read.path))
    return Seen(read.owner, read.path, status, approvals.signed.get(key), (scores or {}).get(key))
