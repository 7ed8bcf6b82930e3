"""Who heads what: each unit's head (by evidence, with the reason), each position's direct manager, its
direct reports and headcount below, and its category — computed once per organisation.

A unit's head is chosen by evidence, not list order. In order of strength: a head marked in the sheet
or named in the config (`heads:`); "Генеральный директор" in a top unit; a head title that names the
unit's own kind ("Руководитель управления" in an Управление) or the unit itself ("Директор по
закупкам" in "Департамент закупок", "Бизнес-директор" in "Блок бизнес-директора"); any other head
title. A title that names another kind of unit ("Руководитель направления", "Руководитель группы")
heads only a unit of that kind; advisers and assistants never head; deputies head only a unit they
are alone in. A head title that deputies or assistants of the unit refer to ("Заместитель директора
по коммуникациям") counts as more evidence, and "директор" outranks "руководитель" as a tie-breaker.
A unit with no head title is headed by its single highest rung (by seniority): a head title of
another kind's unit ("Руководитель направления …" in an отдел of specialists), else the top of the
grade ladder ("Главный архитектор проекта" in an architects' group); equals leave it headless.

A deputy ("Заместитель …") reports to the head of his unit, whom he deputises, and takes that head's
category (or the one below, with `deputy_category: below`). Categories are the company's scale:
heads of блоки and департаменты are top level, of управления and отделы middle, of группы and
направления line managers (`unit_kinds`), with the labels of `category_labels`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from profilegen.org.categories import CATEGORY_ORDER, DEFAULT_CATEGORY_LABELS, DEFAULT_UNIT_KINDS, Category
from profilegen.org.ladders import read_grade
from profilegen.org.model import DEFAULT_HEAD_TITLES, OrgStructure, Position, UnitPath
from profilegen.org.problems import Problem
from profilegen.text import words
from profilegen.words.lexicon import FILLER_WORDS, same_word

ASSISTANT_WORDS = frozenset(
    {"советник", "помощник", "ассистент", "референт", "секретарь", "adviser", "advisor", "assistant"}
)
_DEPUTY = frozenset({"заместитель", "зам", "deputy", "vice"})
_CEO = (("генеральный", "директор"), ("chief", "executive"), ("general", "director"), ("ceo",))
_STRONG_HEAD = frozenset({"директор", "director"})


@dataclass(frozen=True, slots=True)
class HeadChoice:
    """A unit's head and why; ``tied`` names other titles with the same evidence."""

    position: Position
    reason: str
    tied: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Role:
    """What the org says about one position (the same for every slot of it)."""

    is_head: bool
    manager: str  # "Title (Unit)", or "" for the top of the organisation
    category: Category
    subordinate_units: tuple[str, ...] = ()
    direct_reports: int = 0  # people reporting to it directly: its unit's other members, heads of units below
    headcount_below: int = 0  # everyone in the units it heads, itself excepted
    manager_position: Position | None = None
    manager_reason: str = ""
    category_reason: str = ""
    head_reason: str = ""  # why it heads its unit (heads only)
    deputy_of: Position | None = None  # the head a deputy deputises


@lru_cache(maxsize=1 << 12)
def _kind_of_word(word: str, kinds: tuple[str, ...]) -> str | None:
    return next((k for k in kinds if same_word(k, word)), None)


def unit_kind(name: str, kinds: Sequence[str]) -> str | None:
    """The kind of a unit ("Проектная группа" → группа), from the first words of its name."""
    for word in words(name)[:3]:
        kind = _kind_of_word(word, tuple(kinds))
        if kind is not None:
            return kind
    return None


@dataclass(frozen=True, slots=True)
class _Title:
    """A title read for evidence: what it is, and what it names."""

    words: tuple[str, ...]
    head_word: int | None  # index of the head word among the first two words
    deputy: bool
    never: bool
    ceo: bool
    names_kind: str | None  # the unit kind named right after the head word ("руководитель отдела")
    topic: tuple[str, ...]  # content words other than the head word and a named kind


@lru_cache(maxsize=1 << 14)
def _read_title(title: str, head_titles: tuple[str, ...], kinds: tuple[str, ...]) -> _Title:
    found = tuple(words(title))
    first = found[:1]
    heads = {h.casefold() for h in head_titles}
    head_word = next((i for i, w in enumerate(found[:2]) if w in heads), None)
    names_kind = None
    if head_word is not None and head_word + 1 < len(found):
        names_kind = _kind_of_word(found[head_word + 1], kinds)
    skip = set() if head_word is None else {head_word, head_word + 1 if names_kind else head_word}
    topic = tuple(w for i, w in enumerate(found) if i not in skip and w not in FILLER_WORDS and len(w) > 1)
    return _Title(
        words=found,
        head_word=head_word,
        deputy=bool(first) and first[0] in _DEPUTY,
        never=bool(first) and first[0] in ASSISTANT_WORDS,
        ceo=any(found[: len(c)] == c for c in _CEO),
        names_kind=names_kind,
        topic=topic,
    )


class Roles:
    """Heads, managers, reports and categories of one organisation (computed once, read many times)."""

    def __init__(
        self,
        org: OrgStructure,
        head_titles: Sequence[str] = DEFAULT_HEAD_TITLES,
        heads: Mapping[UnitPath, str | None] | None = None,
        unit_kinds: Mapping[str, Category] | None = None,
        category_labels: Mapping[str, str] | None = None,
        deputy_category: str = "head",
    ) -> None:
        self.org = org
        self.head_titles = tuple(head_titles)
        self.unit_kinds = {**DEFAULT_UNIT_KINDS, **(unit_kinds or {})}
        self.category_labels: dict[str, str] = {**DEFAULT_CATEGORY_LABELS, **(category_labels or {})}
        self.deputy_category = deputy_category
        self._kinds = tuple(self.unit_kinds)
        self._labels: dict[Position, str] = {}
        self._named: dict[tuple[tuple[str, ...], str], bool] = {}
        self._kind_of: dict[str, str | None] = {}
        overrides = {**org.marked_heads, **(heads or {})}
        self.heads: dict[UnitPath, HeadChoice | None] = {path: self._choose(path, overrides) for path in org.units}
        self._named.clear()  # asked only while the heads are chosen (88,000 pairs at 100,000 positions)
        self.top = self._top()
        self._roles: dict[tuple[UnitPath, str], Role] = {}

    # -- heads ------------------------------------------------------------------------------------
    def head(self, path: UnitPath) -> Position | None:
        choice = self.heads.get(path)
        return choice.position if choice is not None else None

    def kind(self, path: UnitPath) -> str | None:
        name = path[-1]
        if name not in self._kind_of:  # names repeat across an organisation's units
            self._kind_of[name] = unit_kind(name, self._kinds)
        return self._kind_of[name]

    def _names_unit(self, topic: tuple[str, ...], name: str) -> bool:
        """Whether a title's content words all occur in a unit's name (asked once per title and unit name:
        both repeat across an organisation — 100,000 positions, some 600 titles)."""
        key = (topic, name)
        found = self._named.get(key)
        if found is None:
            found = self._named[key] = _all_in(topic, words(name))
        return found

    def _choose(self, path: UnitPath, overrides: Mapping[UnitPath, str | None]) -> HeadChoice | None:
        unit = self.org.units[path]
        if path in overrides:
            title = overrides[path]
            chosen = next((p for p in unit.positions if p.title == title), None)
            return HeadChoice(chosen, "set by HR (config `heads:` or the sheet's head column)") if chosen else None
        if not unit.positions:
            return None
        read = {p.title: _read_title(p.title, self.head_titles, self._kinds) for p in unit.positions}
        if len(unit.positions) == 1:
            only = unit.positions[0]
            info = read[only.title]
            if not info.never and (info.head_word is not None or info.deputy or only.headcount == 1):
                return HeadChoice(only, "the only position of the unit")
        kind = self.kind(path)
        referred = [read[p.title].words[1:] for p in unit.positions if read[p.title].deputy or read[p.title].never]
        scored: list[tuple[float, str, Position]] = []
        for position in unit.positions:
            info = read[position.title]
            if info.deputy or info.never:
                continue
            names_unit = bool(info.topic) and self._names_unit(info.topic, path[-1])
            referred_to = any(_refers_to(r, info.words) for r in referred)
            if info.head_word is None:  # "Главный энергетик" in "Служба главного энергетика", "Главный бухгалтер"
                if names_unit or referred_to:
                    why = "names the unit" if names_unit else "its deputies or assistants refer to it"
                    score = 3.0 + 0.1 * len(info.topic) if names_unit else 2.5  # the fuller name is the head's
                    scored.append((score, why, position))
                continue
            if info.names_kind is not None and info.names_kind != kind:
                continue  # it heads a unit of another kind ("Руководитель направления" in a Департамент)
            if info.ceo and len(path) == 1:
                score, why = 5.0, "the general director of a top unit"
            elif info.names_kind is not None:
                score, why = 4.0, f"names the unit's kind ('{info.names_kind}')"
            elif names_unit:
                score, why = 3.5 + 0.1 * len(info.topic), "names the unit"
            else:
                score, why = 2.0, f"a head title ('{info.words[info.head_word]}')"
            if referred_to:
                score, why = score + 1.0, f"{why}; its deputies or assistants refer to it"
            if info.words[info.head_word] in _STRONG_HEAD:
                score += 0.5
            scored.append((score, why, position))
        if not scored:
            return self._by_seniority(unit.positions, read)
        best = max(s for s, _, _ in scored)
        winners = [(why, p) for s, why, p in scored if s == best]
        why, chosen = winners[0]
        return HeadChoice(chosen, why, tuple(p.title for _, p in winners[1:]))

    @staticmethod
    def _by_seniority(positions: Sequence[Position], read: Mapping[str, _Title]) -> HeadChoice | None:
        """A unit without a head title: its single highest rung, if one stands above all the others."""
        ranked: list[tuple[int, str, Position]] = []
        for position in positions:
            info = read[position.title]
            if info.deputy or info.never:
                continue
            grade = read_grade(position.title)
            if info.head_word is not None:
                ranked.append((1000, f"the highest rung of the unit (a head title: '{position.title}')", position))
            elif grade is not None:
                ranked.append(
                    (grade.rank, f"the highest rung of the unit's grade ladder ('{position.title}')", position)
                )
        if not ranked:
            return None
        best = max(rank for rank, _, _ in ranked)
        winners = [(why, p) for rank, why, p in ranked if rank == best]
        return HeadChoice(winners[0][1], winners[0][0]) if len(winners) == 1 else None

    def _top(self) -> UnitPath | None:
        """The unit whose head tops the organisation: a top unit headed by its general director."""
        for unit in self.org.roots:
            choice = self.heads.get(unit.path)
            if choice is not None and _read_title(choice.position.title, self.head_titles, self._kinds).ceo:
                return unit.path
        return None

    def problems(self) -> list[Problem]:
        """Units whose head is a guess between equals, and units with positions but no head."""
        found = []
        for path, choice in self.heads.items():
            where = " / ".join(path)
            if choice is not None and choice.tied:
                others = ", ".join(repr(t) for t in choice.tied)
                found.append(
                    Problem(
                        "head_tie",
                        f"head chosen between equals: {choice.position.title!r} over {others} ({choice.reason}); "
                        "set `heads:` in the config to decide",
                        where,
                    )
                )
            elif choice is None and self.org.units[path].positions:
                found.append(Problem("no_head", "no position heads this unit (set `heads:` in the config)", where))
        return found

    # -- roles --------------------------------------------------------------------------------------
    def role(self, position: Position) -> Role:
        key = position.key
        role = self._roles.get(key)
        if role is None:
            role = self._roles[key] = self._role(position)
        return role

    def _role(self, position: Position) -> Role:
        path = position.unit_path
        choice = self.heads.get(path)
        if choice is None or choice.position != position:
            return self._member(position)
        units = self.headed_units(path)
        reports = self._reports(path, units)
        below = sum(self.org.total_headcount(u) for u in units if len(u) == len(path)) - 1  # its unit (and top units)
        names = tuple(u[-1] for u in units if u != path)
        manager, manager_reason = self._manager_above(path)
        category, category_reason = self._category(path)
        return Role(
            True,
            self._label(manager),
            category,
            names,
            reports,
            max(0, below),
            manager,
            manager_reason,
            category_reason,
            choice.reason,
        )

    def _member(self, position: Position) -> Role:
        """A position that does not head its unit: reports to the unit's head (a deputy deputises him)."""
        path = position.unit_path
        head = self.head(path)
        manager: Position | None = head
        headless = ""
        if head is not None:
            manager_reason = "the head of the unit"
        else:
            manager, manager_reason = self._manager_above(path)
            headless = "the unit has no head: "
        info = _read_title(position.title, self.head_titles, self._kinds)
        if info.deputy and manager is not None:
            head_category = self.role(manager).category
            category = head_category
            if self.deputy_category == "below":
                category = CATEGORY_ORDER[max(0, CATEGORY_ORDER.index(head_category) - 1)]
            reason = f"a deputy of {manager.title!r}: the category of the head he deputises"
            if category != head_category:
                reason = f"a deputy of {manager.title!r}: one level below the head he deputises"
            return Role(
                False,
                self._label(manager),
                category,
                manager_position=manager,
                manager_reason=f"{headless}deputises {manager_reason}",
                category_reason=reason,
                deputy_of=manager,
            )
        return Role(
            False,
            self._label(manager),
            "specialist",
            manager_position=manager,
            manager_reason=f"{headless}{manager_reason}",
            category_reason="does not head a unit",
        )

    def headed_units(self, path: UnitPath) -> list[UnitPath]:
        """The unit itself and the units directly under it (for the top: the other top units as well)."""
        units = [path, *self.org.units[path].children]
        if path == self.top:
            units += [u.path for u in self.org.roots if u.path != path]
        return units

    def _reports(self, path: UnitPath, units: Iterable[UnitPath]) -> int:
        """Its unit's other members, plus per unit below: its head, or (headless) whoever reports up."""
        count = self.org.units[path].headcount - 1
        for below in units:
            if below != path:
                count += self._reporting_up(below)
        return count

    def _reporting_up(self, path: UnitPath) -> int:
        if self.head(path) is not None:
            return 1
        unit = self.org.units[path]
        return unit.headcount + sum(self._reporting_up(c) for c in unit.children)

    def _manager_above(self, path: UnitPath) -> tuple[Position | None, str]:
        """The head of the nearest unit above that has one (for a top unit: the general director)."""
        for depth in range(len(path) - 1, 0, -1):
            head = self.head(path[:depth])
            if head is not None:
                return head, "the head of the unit above" if depth == len(path) - 1 else "the nearest head above"
        if self.top is not None and path[:1] != self.top:
            head = self.head(self.top)
            return head, "the general director (a top unit)"
        return None, ""

    def _label(self, head: Position | None) -> str:
        """The head as a manager is named (one string per head: every member of its units names it)."""
        if head is None:
            return ""
        found = self._labels.get(head)
        if found is None:
            found = self._labels[head] = f"{head.title} ({head.unit_path[-1]})"
        return found

    def category_label(self, category: Category) -> str:
        return self.category_labels.get(category, category)

    def _category(self, path: UnitPath) -> tuple[Category, str]:
        """By place for the top (the CEO and heads of top units), else by the unit's kind, else by depth."""
        if len(path) == 1:
            return "senior_manager", "heads a top unit"
        kind = self.kind(path)
        if kind is not None:
            return self.unit_kinds[kind], f"heads a unit of kind '{kind}'"
        if len(path) == 2:
            return "middle_manager", "heads a unit of unknown kind on the second level"
        return "line_manager", "heads a unit of unknown kind below the second level"


def _all_in(topic: Sequence[str], name_words: Sequence[str]) -> bool:
    """Every content word of a title occurs in the unit's name, in any form."""
    return all(any(same_word(t, w) for w in name_words) for t in topic)


def _refers_to(rest: Sequence[str], title_words: Sequence[str]) -> bool:
    """A deputy's or assistant's title names this title ("заместитель директора по коммуникациям")."""
    if len(rest) < len(title_words):
        return False
    return all(same_word(t, r) for t, r in zip(title_words, rest, strict=False))
