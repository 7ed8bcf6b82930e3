"""Career maps from the org: where a position's people come from (feeders) and where they go (targets).

- A rung of a grade ladder (see `ladders`): its feeders are the rung just below, its targets the rung
  just above — looked for in its own unit first, then in sibling units (the same kind first), so a
  rung missing in one group is found in the next (a bottom rung there: the nearest lower rung of its
  profession anywhere, its own block first; the lowest rung of its profession in the whole organisation:
  the nearest grade at or below its own of another profession in its unit, else in a sibling unit, else
  under the unit above its parent).
  The top rung of its unit leads to the unit's head,
  or (when it heads the unit) to the head above. The same rung elsewhere is a horizontal move; a
  главный-specialist or expert rung is the expert track.
- A head: fed by the heads of the units under him (the general director: the heads of the blocks),
  the top rungs of headless units under him, his deputies and his unit's top rungs — never by his
  advisers or assistants, and by a junior rung (стажёр, младший) only when he leads a group or a line.
  His targets: the head above, and the same head role in the next larger unit nearest him (under his parent
  unit, then the unit above it, and so on below his block).
- A deputy aims at the head he deputises; anyone else who is not a rung, at his unit's head.
Each candidate carries its track (`vertical`, `horizontal`, `expert`) and the reason it was chosen.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import NamedTuple

from profilegen.org.candidates import Candidate, Career, told_apart, unique
from profilegen.org.ladders import BASE_LEVEL, NO_FIELD, Grade, read_grade
from profilegen.org.model import OrgStructure, Position, UnitPath
from profilegen.org.roles import ASSISTANT_WORDS, Roles
from profilegen.org.tree_order import InTree
from profilegen.text import normalize, words

MAX_CANDIDATES = 12
MAX_HORIZONTAL = 2
MAX_SCANNED = 200  # positions a bottom rung's neighbourhood is searched for, at most

_NONE: list[tuple[Position, Grade]] = []  # a unit's rungs of a profession it lacks (never changed)


class _Title(NamedTuple):
    """What career maps read from a title (once per title: titles repeat across an organisation's units)."""

    normal: str
    grade: Grade | None
    assistant: bool


def _assistant(title: str) -> bool:
    found = words(title)
    return bool(found) and found[0] in ASSISTANT_WORDS


class Careers:
    """Career maps of one organisation's positions (computed on demand)."""

    def __init__(self, org: OrgStructure, roles: Roles) -> None:
        self.org = org
        self.roles = roles
        self._titles: dict[str, _Title] = {}  # by the title as written
        # a block is a top unit, or a unit under the company when the org's one top unit is the company
        self._block = 2 if len(org.roots) == 1 else 1
        # per title: its positions in the tree's order, so that those under any unit are one stretch of them, found by
        # bisection ("the same title nearby" is a few steps for the 5th and the 50,000th position alike; an index by
        # title and unit above held 40 MB at 100,000 positions)
        self._by_title: dict[str, InTree] = {}
        for path in sorted(org.units):
            for position in org.units[path].positions:
                self._by_title.setdefault(self._read(position.title).normal, InTree()).add(path, position)
        self._sibling_memo: dict[UnitPath, list[UnitPath]] = {}
        # per unit: its rungs by profession (only those it has: most units asked about a profession lack it)
        self._rung_memo: dict[UnitPath, dict[tuple[str, ...], list[tuple[Position, Grade]]]] = {}
        self._graded_memo: dict[UnitPath, list[tuple[Position, Grade]]] = {}
        # graded positions of other professions under the unit above a unit's parent, by (parent, profession)
        self._neighbouring: dict[tuple[UnitPath, tuple[str, ...]], list[tuple[Position, Grade]]] = {}
        self._lower: dict[tuple[str, ...], dict[int, InTree]] | None = None  # graded positions, by profession and rank
        self._heads: dict[str, InTree] | None = None  # the heads by title, in the tree's order

    def _read(self, title: str) -> _Title:
        found = self._titles.get(title)
        if found is None:
            found = self._titles[title] = _Title(normalize(title), read_grade(title), _assistant(title))
        return found

    def of(self, position: Position) -> Career:
        """The position's career map (worked out each time it is asked for: a run asks once per position, and
        100,000 maps kept took some 60 MB; what they are made of is remembered per unit)."""
        return self._career(position)

    def _career(self, position: Position) -> Career:
        role = self.roles.role(position)
        _, grade, assistant = self._read(position.title)
        if role.is_head:
            feeders, targets = self._head_feeders(position), self._head_targets(position)
            if grade is not None:  # a head by seniority is still a rung of his ladder
                feeders += self._rung(position, grade)[0]
        elif grade is not None:
            feeders, targets = self._rung(position, grade)
        else:
            feeders, targets = [], []
        manager = role.manager_position
        if manager is not None and manager is not position and not any(t.title == manager.title for t in targets):
            if role.deputy_of is not None:
                targets.insert(0, Candidate(manager.title, manager.unit_path, "vertical", "the head he deputises"))
            elif not targets or grade is None:
                targets.append(Candidate(manager.title, manager.unit_path, "vertical", role.manager_reason))
        if not role.is_head and grade is None and not assistant:
            feeders += self._top_rungs(position.unit_path, exclude=position, why="a top rung of the unit")
        path, title = position.unit_path, position.title
        return Career(
            told_apart(unique(feeders)[:MAX_CANDIDATES], title, path),
            told_apart(unique(targets)[:MAX_CANDIDATES], title, path),
        )

    # -- ladders ------------------------------------------------------------------------------------
    def _rung(self, position: Position, grade: Grade) -> tuple[list[Candidate], list[Candidate]]:
        path = position.unit_path
        own = self._rungs(path, grade.profession)
        near = [x for sibling in self._siblings(path) for x in self._rungs(sibling, grade.profession)]
        ranks = sorted({g.rank for _, g in own + near})
        below = [r for r in ranks if r < grade.rank]
        above = [r for r in ranks if r > grade.rank]
        feeders = self._at(below[-1], own, near, "the rung below") if below else self._below_elsewhere(position, grade)
        if not feeders:  # the lowest rung of its profession anywhere: its unit's neighbours, never an invention
            feeders = self._neighbours(position, grade)
        targets = self._at(above[0], own, near, "the rung above") if above else []
        own_below = [g.rank for _, g in own if g.rank < grade.rank]
        own_above = [g.rank for _, g in own if g.rank > grade.rank]
        if own_below and max(own_below) != below[-1]:  # the nearest rung of its own unit as well
            feeders += self._at(max(own_below), own, [], "the nearest rung below")
        if own_above and min(own_above) != above[0]:
            targets += self._at(min(own_above), own, [], "the nearest rung above")
        top_of_unit = all(g.rank <= grade.rank for _, g in own)
        if top_of_unit:
            head = self.roles.head(path)
            if head is not None and head is not position:
                why = "the head of the unit (the top rung's next step)"
                targets.append(Candidate(head.title, path, "vertical", why))
        across = self._same_elsewhere(position)  # a move across, either way
        return feeders + across, targets + across

    def _at(
        self, rank: int, own: list[tuple[Position, Grade]], near: list[tuple[Position, Grade]], why: str
    ) -> list[Candidate]:
        """The positions at ``rank``: in the unit itself, else in the nearest sibling units holding it."""
        here = [p for p, g in own if g.rank == rank]
        if here:
            return [Candidate(p.title, p.unit_path, _track(g), f"{why} in the unit") for p, g in own if g.rank == rank]
        there = [(p, g) for p, g in near if g.rank == rank][:MAX_HORIZONTAL]
        return [
            Candidate(p.title, p.unit_path, _track(g), f"{why}, found in a sibling unit ('{p.unit_path[-1]}')")
            for p, g in there
        ]

    def _below_elsewhere(self, position: Position, grade: Grade) -> list[Candidate]:
        """A bottom rung here: the nearest lower rung of its profession elsewhere — nearest in the tree within its
        block (under its own unit, its parent, the unit above…), then in other blocks unless the profession names no
        field (`NO_FIELD`)."""
        if self._lower is None:
            self._lower = {}
            for path in sorted(self.org.units):
                for other in self.org.units[path].positions:
                    found = self._read(other.title).grade
                    if found is not None:
                        self._lower.setdefault(found.profession, {}).setdefault(found.rank, InTree()).add(path, other)
        ranks = self._lower.get(grade.profession, {})
        lower = [rank for rank in ranks if rank < grade.rank]
        if not lower:
            return []
        rung, path = ranks[max(lower)], position.unit_path
        depths = range(len(path), self._block - 1, -1)  # the units under its own first
        nearest = [p for p, _ in self._nearest(path, lambda scope: islice(rung.positions, *rung.within(scope)), depths)]
        if len(nearest) < MAX_HORIZONTAL and grade.profession not in NO_FIELD:
            start, end = rung.within(path[: self._block])  # other blocks, in the tree's order
            others = chain(islice(rung.positions, start), islice(rung.positions, end, None))
            nearest += islice((p for p in others if all(p is not n for n in nearest)), MAX_HORIZONTAL - len(nearest))
        return [
            Candidate(p.title, p.unit_path, "vertical", f"the rung below, found elsewhere ('{p.unit_path[-1]}')")
            for p in nearest
        ]

    def _neighbours(self, position: Position, grade: Grade) -> list[Candidate]:
        """A bottom rung of a profession nobody in the organisation is below: the nearest grade at or below
        its own of another profession in its unit, else in a sibling unit, else under the unit above its
        parent (an engineer of a neighbouring discipline) — real positions, each with the reason; none when
        nobody there is at or below it."""
        for why, found in self._neighbourhoods(position.unit_path, grade.profession):
            lower = [(p, g) for p, g in found if g.rank <= grade.rank]
            if lower:
                nearest = max(g.rank for _, g in lower)
                what = "the same grade" if nearest == grade.rank else "a lower grade"
                reason = f"{what} of another profession {why} (no lower rung of this one in the organisation)"
                chosen = [p for p, g in lower if g.rank == nearest][:MAX_HORIZONTAL]
                return [Candidate(p.title, p.unit_path, "horizontal", reason) for p in chosen]
        return []

    def _neighbourhoods(
        self, path: UnitPath, profession: tuple[str, ...]
    ) -> Iterator[tuple[str, list[tuple[Position, Grade]]]]:
        """The graded positions of other professions than ``profession`` (its head aside) in the unit, then in
        the units beside it, then under the unit above its parent, nearest first — each worked out only when
        the one before holds nobody at or below the grade asked about."""
        head = self.roles.head(path)

        def others(where: UnitPath) -> list[tuple[Position, Grade]]:
            return [x for x in self._graded(where) if x[1].profession != profession and x[0] is not head]

        yield "in the unit", others(path)
        yield "in a sibling unit", [x for sibling in self._siblings(path) for x in others(sibling)]
        # the same for every unit beside this one (its own unit and head are never among them): worked out once
        key = (path[:-1], profession)
        found = self._neighbouring.get(key)
        if found is None:
            found = self._neighbouring[key] = []
            queue = deque(self.org.units[path[:-2]].children if len(path) >= 3 else ())
            while queue and len(found) < MAX_SCANNED:
                unit = queue.popleft()
                if unit[:-1] != path[:-1]:  # its own unit and siblings were looked at already
                    found += others(unit)
                queue += self.org.units[unit].children
        yield "in a neighbouring unit", found

    def _rungs(self, path: UnitPath, profession: tuple[str, ...]) -> list[tuple[Position, Grade]]:
        found = self._rung_memo.get(path)
        if found is None:
            found = self._rung_memo[path] = {}
            for rung in self._graded(path):
                found.setdefault(rung[1].profession, []).append(rung)
        return found.get(profession, _NONE)

    def _graded(self, path: UnitPath) -> list[tuple[Position, Grade]]:
        """A unit's positions whose titles read as a grade, with it (worked out once per unit: a unit is asked
        about by each of its positions and its siblings')."""
        found = self._graded_memo.get(path)
        if found is None:
            graded = ((p, self._read(p.title).grade) for p in self.org.units[path].positions)
            found = self._graded_memo[path] = [(p, g) for p, g in graded if g is not None]
        return found

    def _siblings(self, path: UnitPath) -> list[UnitPath]:
        """Units beside this one, those of the same kind first (worked out once per unit)."""
        found = self._sibling_memo.get(path)
        if found is None:
            kind = self.roles.kind(path) if len(path) > 1 else None
            siblings = [s for s in self.org.units[path[:-1]].children if s != path] if len(path) > 1 else []
            found = self._sibling_memo[path] = sorted(siblings, key=lambda s: self.roles.kind(s) != kind)
        return found

    def _same_elsewhere(self, position: Position) -> list[Candidate]:
        """The same title in another unit nearest it, within its block: a horizontal move (a generic title —
        «Ведущий специалист» — in another block is another field: five blocks' were sent to the security service).
        Under each unit the units after its own come first, so that ten groups alike do not all name the first."""
        path, same = position.unit_path, self._by_title[self._read(position.title).normal]

        def after_own(scope: UnitPath) -> Iterable[Position]:
            start, end = same.under(scope)
            at = bisect_right(same.paths, path, start, end)
            return chain(islice(same.positions, at, end), islice(same.positions, start, at))

        found = self._nearest(path, after_own, range(len(path), self._block - 1, -1))
        return [
            Candidate(p.title, p.unit_path, "horizontal", f"the same position in another unit of {scope}")
            for p, scope in found
        ]

    def _nearest(
        self, path: UnitPath, under: Callable[[UnitPath], Iterable[Position]], depths: range
    ) -> list[tuple[Position, str]]:
        """Up to MAX_HORIZONTAL of the positions ``under`` the units above ``path`` at ``depths``, the nearest
        first, none in ``path`` itself; each with the name of the unit it was found under."""
        found: list[tuple[Position, str]] = []
        for depth in depths:
            for other in under(path[:depth]):
                if len(found) == MAX_HORIZONTAL:
                    return found
                if other.unit_path != path and all(other is not f for f, _ in found):
                    found.append((other, path[depth - 1]))
        return found

    def _top_rungs(self, path: UnitPath, exclude: Position | None, why: str, least: int = 0) -> list[Candidate]:
        """The highest rung(s) of a unit's ladders (assistants, advisers and deputies aside), of grade ``least`` at
        least."""
        ranked = [
            (p, g)
            for p, g in self._graded(path)
            if p is not exclude and not self._read(p.title).assistant and g.level >= least
        ]
        if not ranked:
            return []
        best = max(g.rank for _, g in ranked)
        return [Candidate(p.title, p.unit_path, "vertical", why) for p, g in ranked if g.rank == best]

    # -- heads --------------------------------------------------------------------------------------
    def _head_feeders(self, head: Position) -> list[Candidate]:
        path = head.unit_path
        found: list[Candidate] = []
        # a junior (стажёр, младший) steps up to lead a group or a line, not a department or a block
        least = 0 if self.roles.role(head).category == "line_manager" else BASE_LEVEL
        for position in self.org.units[path].positions:
            role = self.roles.role(position)
            if role.deputy_of is head:
                found.append(Candidate(position.title, path, "vertical", "his deputy"))
        for below in self.roles.headed_units(path):
            if below == path:
                continue
            sub_head = self.roles.head(below)
            if sub_head is not None:
                found.append(Candidate(sub_head.title, below, "vertical", "heads a unit under him"))
            else:
                found += self._top_rungs(below, None, "a top rung of a unit under him (it has no head)", least)
        found += self._top_rungs(path, head, "a top rung of his unit", least)
        return found

    def _head_targets(self, head: Position) -> list[Candidate]:
        role = self.roles.role(head)
        found: list[Candidate] = []
        if role.manager_position is not None:
            found.append(
                Candidate(role.manager_position.title, role.manager_position.unit_path, "vertical", role.manager_reason)
            )
        found += self._sideways(head)
        return found

    def _sideways(self, head: Position) -> list[Candidate]:
        """The same head role in the next larger unit nearest him: under his parent unit, then under the unit above
        it, and so on below his block (a block's departments can be of any field, and a head's title says nothing
        of his: the largest such units of the whole company were every such head's move — a CRM department's head
        to real-estate handover)."""
        if self._heads is None:
            self._heads = {}
            for path, choice in sorted(self.roles.heads.items(), key=lambda item: item[0]):
                if choice is not None:
                    self._heads.setdefault(self._read(choice.position.title).normal, InTree()).add(
                        path, choice.position
                    )
        same, size = self._heads.get(self._read(head.title).normal, InTree()), self.org.total_headcount(head.unit_path)

        def larger(scope: UnitPath) -> list[Position]:
            start, end = same.under(scope)
            sized = ((self.org.total_headcount(p.unit_path), p) for p in islice(same.positions, start, end))
            bigger = sorted((e for e in sized if e[0] > size), key=lambda e: (e[0], e[1].unit_path))
            return [p for _, p in bigger if p.unit_path != head.unit_path[: len(p.unit_path)]]  # not a unit above

        found = self._nearest(head.unit_path, larger, range(len(head.unit_path) - 1, self._block, -1))
        return [
            Candidate(p.title, p.unit_path, "horizontal", f"the same head role in a larger unit of {scope}")
            for p, scope in found
        ]


def _track(grade: Grade) -> str:
    return "expert" if grade.expert else "vertical"
