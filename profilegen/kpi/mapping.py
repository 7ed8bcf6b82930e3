"""Map every unit to exactly one KPI file: explicit, smart (whole words, any form), inherited, template."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from profilegen.kpi.catalog import KpiCatalog
from profilegen.kpi.model import KpiFile, KpiSource
from profilegen.org.model import OrgStructure, UnitPath, format_path
from profilegen.org.selection import split_query
from profilegen.text import normalize, words
from profilegen.words.lexicon import Bag, Term, TermIndex, matches, same_phrase, terms

STOP_WORDS = frozenset({"и", "по", "для", "с", "в", "на", "of", "and", "for", "the", "&"})
_KIND_RANK = {"department": 3, "code": 2, "acronym": 2, "alias": 1}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One rule that matched a file for a unit, with how specific it is."""

    file: str
    rule: str
    detail: str
    words: int

    @property
    def rank(self) -> tuple[int, int]:
        return (self.words, _KIND_RANK[self.rule])


@dataclass(slots=True)
class Assignment:
    """A unit's KPI file and why."""

    path: UnitPath
    source: KpiSource
    file: str
    reason: str
    inherited_from: UnitPath | None = None
    candidates: list[Candidate] = field(default_factory=list)
    conflict: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # a few hundred reasons among 33,000 units of 100,000 positions: one string each (6 MB of copies), kept so
        self.reason = sys.intern(self.reason)


def _index(phrases: dict[str, list[tuple[Term, ...]]]) -> TermIndex:
    index = TermIndex()
    for name, items in phrases.items():
        for words_ in items:
            index.add(name, words_)
    return index


def acronym(name: str) -> str:
    """First letters of the significant words: "Департамент регионального развития" → "дрр"."""
    return _acronym(words(name))


def _acronym(name_words: Iterable[str]) -> str:
    return "".join(w[0] for w in name_words if w not in STOP_WORDS)


def _as_found(phrase: str, items: tuple[Term, ...], texts: Sequence[str]) -> str:
    """The forms that matched, when they differ from the phrase: " ('закупок')"."""
    found = " ".join(next((t for t in texts if matches(i, t)), i.text) for i in items)
    return "" if found == normalize(phrase) else f" ('{found}')"


def _code_key(code: str) -> str:
    # "УВАиК": lower-case letters inside an upper-case code stand for the skipped conjunctions.
    letters = [c for c in code if c.isalpha()]
    if any(c.isupper() for c in letters) and any(c.islower() for c in letters):
        letters = [c for c in letters if c.isupper()]
    return normalize("".join(letters))


@dataclass(frozen=True, slots=True)
class _UnitWords:
    """A unit's name, taken apart once for every rule."""

    name: str
    normalised: tuple[str, ...]
    words: tuple[str, ...]
    acronym: str

    @classmethod
    def of(
        cls, path: UnitPath, split: Callable[[str], tuple[str, ...]], normalised: Callable[[UnitPath], tuple[str, ...]]
    ) -> _UnitWords:
        name_words = split(path[-1])
        return cls(path[-1], normalised(path), name_words, _acronym(name_words))


class _Along(NamedTuple):
    """A unit's path as the rules read it: its parts normalised, their words, the templates they could match."""

    normalised: tuple[str, ...]
    words: tuple[str, ...]
    templates: frozenset[str]


class KpiMapper:
    """Resolves units to KPI files against one catalog; pure apart from dictionary lookups."""

    def __init__(self, catalog: KpiCatalog) -> None:
        self.catalog = catalog
        self._aliases = {f.name: [terms(a) for a in f.aliases] for f in catalog.files}
        self._departments = {f.name: terms(f.department) for f in catalog.files if f.department}
        self._templates = {t.name: [terms(m) for m in t.match] for t in catalog.templates}
        self._wanted = {f.name: split_query(f.department) for f in catalog.files if f.department}
        self._codes = {f.name: (normalize(f.code), _code_key(f.code)) for f in catalog.files if f.code}
        self._explicit_paths: dict[tuple[str, ...], tuple[str, str]] = {}
        self._explicit_names: dict[str, tuple[str, str]] = {}
        for key, file_name in catalog.explicit.items():
            parts = split_query(key)
            if len(parts) > 1:
                self._explicit_paths.setdefault(parts, (file_name, key))
            elif parts:
                self._explicit_names.setdefault(parts[0], (file_name, key))
        self._parts: dict[str, tuple[str, ...]] = {}
        self._paths: dict[UnitPath, _Along] = {}
        # a unit's candidates depend on its name and, for a path-like department, the last parts of its path:
        # worked out once per such ending (units of one name repeat across an organisation's blocks)
        self._ending = max((len(w) for w in self._wanted.values() if len(w) > 1), default=1)
        self._smart: dict[tuple[str, ...], list[Candidate]] = {}
        # Only files (templates) that could match are tried: by a word of theirs, the unit's name, a code.
        self._file_words = _index({n: [*a, self._departments.get(n, ())] for n, a in self._aliases.items()})
        self._template_words = _index(self._templates)
        self._by_path = {name for name, wanted in self._wanted.items() if len(wanted) > 1}
        self._by_name: dict[str, set[str]] = {}
        for name, wanted in self._wanted.items():
            self._by_name.setdefault(wanted[-1], set()).add(name)
        self._by_code: dict[str, set[str]] = {}
        for name, (code, code_key) in self._codes.items():
            self._by_code.setdefault(code, set()).add(name)
            if len(code_key) >= 3:
                self._by_code.setdefault(code_key, set()).add(name)

    def _words(self, text: str) -> tuple[str, ...]:
        found = self._parts.get(text)
        if found is None:
            found = self._parts[text] = tuple(words(text))
        return found

    def _along(self, path: UnitPath) -> _Along:
        """What the rules read along a unit's path, from its parent's (units are mapped parents first)."""
        found = self._paths.get(path)
        if found is None:
            before = self._along(path[:-1]) if len(path) > 1 else _Along((), (), frozenset())
            name_words = self._words(path[-1])
            found = self._paths[path] = _Along(
                (*before.normalised, normalize(path[-1])),
                (*before.words, *name_words),
                before.templates | self._template_words.hits(name_words),
            )
        return found

    def _normalised(self, path: UnitPath) -> tuple[str, ...]:
        return self._along(path).normalised

    # -- rules ------------------------------------------------------------------
    def explicit(self, path: UnitPath) -> tuple[str, str] | None:
        """The mapping.yaml entry for the unit: a path beats a name."""
        normalised = self._normalised(path)
        if normalised in self._explicit_paths:
            file_name, key = self._explicit_paths[normalised]
            return file_name, f"mapping.yaml names the path '{key}'"
        if normalised[-1] in self._explicit_names:
            file_name, key = self._explicit_names[normalised[-1]]
            return file_name, f"mapping.yaml names the unit '{key}'"
        return None

    def smart_candidates(self, path: UnitPath) -> list[Candidate]:
        """Every file whose department, code or alias matches the unit's own name."""
        ending = path[-self._ending :]
        found = self._smart.get(ending)
        if found is None:
            found = self._smart[ending] = self._smart_candidates(path)
        return list(found)

    def _smart_candidates(self, path: UnitPath) -> list[Candidate]:
        unit = _UnitWords.of(path, self._words, self._normalised)
        possible = self._file_words.hits(unit.words)
        possible.update(self._by_name.get(unit.normalised[-1], ()), self._by_path)
        for key in (*unit.words, unit.acronym):
            possible.update(self._by_code.get(key, ()))
        found: list[Candidate] = []
        if possible:
            bag = Bag(unit.words)
            for kpi_file in self.catalog.files:
                if kpi_file.name in possible:
                    found.extend(self._match_file(kpi_file, unit, bag))
        return found

    def _department_matches(self, file_name: str, unit: _UnitWords) -> bool:
        """A path-like department must end the unit's path; a name must equal it (word by word, in any form)."""
        wanted = self._wanted.get(file_name)
        if not wanted:
            return False
        if len(wanted) > 1:
            return unit.normalised[-len(wanted) :] == wanted
        return wanted[0] == unit.normalised[-1] or same_phrase(self._departments[file_name], unit.words)

    def _match_file(self, kpi_file: KpiFile, unit: _UnitWords, bag: Bag) -> Iterable[Candidate]:
        if self._department_matches(kpi_file.name, unit):
            detail = f"unit name equals department '{kpi_file.department}'"
            yield Candidate(kpi_file.name, "department", detail, len(unit.words))
        if kpi_file.code:
            code, code_key = self._codes[kpi_file.name]
            if code in unit.words:
                yield Candidate(kpi_file.name, "code", f"code '{kpi_file.code}' is a word of the name", 1)
            elif len(code_key) >= 3 and unit.acronym == code_key:
                detail = f"acronym of '{unit.name}' is '{kpi_file.code}'"
                yield Candidate(kpi_file.name, "acronym", detail, len(unit.acronym))
        for alias, alias_terms in zip(kpi_file.aliases, self._aliases[kpi_file.name], strict=True):
            if alias_terms and bag.has_all(alias_terms):
                detail = f"alias '{alias}' occurs as whole words" + _as_found(alias, alias_terms, unit.words)
                yield Candidate(kpi_file.name, "alias", detail, len(alias_terms))

    # -- resolution ---------------------------------------------------------------
    def own(self, path: UnitPath) -> Assignment | None:
        """The unit's own file, by rule 1 or 2, or None."""
        explicit = self.explicit(path)
        if explicit is not None:
            return Assignment(path, KpiSource.EXPLICIT, explicit[0], explicit[1])
        candidates = self.smart_candidates(path)
        if not candidates:
            return None
        best_rank = max(c.rank for c in candidates)
        best = sorted({c.file for c in candidates if c.rank == best_rank})
        winner = next(c for c in candidates if c.file == best[0] and c.rank == best_rank)
        reason = winner.detail
        if len(best) > 1:
            reason += f" (tie with {', '.join(best[1:])}; first file name wins)"
        return Assignment(
            path,
            KpiSource.SMART,
            winner.file,
            reason,
            candidates=candidates,
            conflict=best if len(best) > 1 else [],
        )

    def template_for(self, path: UnitPath) -> tuple[str, str]:
        """A typed template whose match words occur in the path, else the generic template."""
        along = self._along(path)
        items, possible = along.words, along.templates
        path_words = Bag(items if possible else ())
        best: tuple[int, str, str] | None = None
        for name, phrases in self._templates.items():
            if name not in possible:
                continue
            for match, raw in zip(phrases, self.catalog.by_name(name).match, strict=True):
                if match and path_words.has_all(match) and (best is None or len(match) > best[0]):
                    best = (len(match), name, f"template matches '{raw}' in the path" + _as_found(raw, match, items))
        if best is not None:
            return best[1], best[2]
        if self.catalog.generic is None:
            return "", "no KPI file matches and kpi/templates/generic.md is missing"
        return self.catalog.generic.name, "no KPI file matches; generic template"

    def map_org(self, org: OrgStructure) -> dict[UnitPath, Assignment]:
        """An assignment for every unit; parents are resolved before their children."""
        result: dict[UnitPath, Assignment] = {}
        for path in sorted(org.units, key=len):
            own = self.own(path)
            if own is not None:
                result[path] = own
                continue
            ancestor = next(
                (
                    result[path[:i]]
                    for i in range(len(path) - 1, 0, -1)
                    if result[path[:i]].source in (KpiSource.EXPLICIT, KpiSource.SMART)
                ),
                None,
            )
            if ancestor is not None:
                result[path] = Assignment(
                    path,
                    KpiSource.INHERITED,
                    ancestor.file,
                    f"inherited from '{format_path(ancestor.path)}' ({ancestor.reason})",
                    inherited_from=ancestor.path,
                )
                continue
            file_name, reason = self.template_for(path)
            result[path] = Assignment(path, KpiSource.TEMPLATE, file_name, reason)
        return result


MAPPING_VERSION = "3"  # bump when the rules change: cached mappings are then recomputed


def mapping_key(org: OrgStructure, catalog: KpiCatalog, assignments: str | None = None) -> str:
    """What the units' KPIs depend on: what the mapping reads (`assignments_key`, when not given), every KPI
    file's text and the workbooks' cards."""
    files = sorted(
        (f.name, f.text_hash)
        for f in (*catalog.files, *catalog.templates, *([catalog.generic] if catalog.generic else []))
    )
    cards = [catalog.workbook_hashes, sorted(catalog.workbook_units.items()), catalog.card_units]
    payload = [assignments or assignments_key(org, catalog), files, cards]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


def assignments_key(org: OrgStructure, catalog: KpiCatalog) -> str:
    """What `KpiMapper.map_org` reads: the unit paths, each KPI file's name, department, code and aliases (in the
    catalog's order), each template's match phrases, the generic template, mapping.yaml, the rules and the
    dictionary — not a file's rows: a target edited keeps the units' mapping."""
    from importlib import metadata

    try:
        dictionary = metadata.version("pymorphy3-dicts-ru")
    except metadata.PackageNotFoundError:
        dictionary = "?"
    files = [(f.name, f.department, f.code, list(f.aliases)) for f in catalog.files]
    templates = [(t.name, list(t.match)) for t in catalog.templates]
    generic = catalog.generic.name if catalog.generic else None
    explicit = sorted(catalog.explicit.items())
    payload = [MAPPING_VERSION, dictionary, list(org.units), files, templates, generic, explicit]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()
