"""Which sections of the company's documents a position's request carries, within the budget.

The company-wide part (the sections headed summary, mission, values) is the same for everyone and goes
first, in the cacheable prefix. A position's own part is ranked by how its words — its title and the names
of its unit and the units above it, nearer ones weighing more — meet each section's words, in any
form the lexicon knows (`Департамент закупок` ↔ `Закупки и снабжение`): a word in a section's own
heading counts three times a word in the headings above it or in its text, rarer words count more, and
organisational words (департамент, отдел, руководитель, ведущий …) not at all. A profession names its
function through `synonyms` (архитектор → проектирование). A section headed by the position's own unit
name (its description) comes first. What does not fit the budget is cut — the best of it shortened to
whole lines, the rest left out — and recorded, so `facts` shows it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from profilegen.company.documents import Library, Section, count_tokens
from profilegen.org.categories import DEFAULT_UNIT_KINDS
from profilegen.text import normalize, words
from profilegen.words.lexicon import FILLER_WORDS, forms_of

EVERYONE = ("Резюме", "Summary", "Миссия", "Mission", "Ценности", "Values")
DEFAULT_SYNONYMS: dict[str, str] = {
    "архитектор": "проектирование",
    "конструктор": "проектирование",
    "проектировщик": "проектирование",
    "гип": "проектирование",
    "генпланист": "проектирование",
    "юрист": "правовой",
    "юрисконсульт": "правовой",
    "программист": "информационный",
    "разработчик": "информационный",
    "бухгалтер": "финансы",
    "экономист": "финансы",
    "казначей": "финансы",
    "рекрутер": "персонал",
    "маркетолог": "маркетинг",
    "сметчик": "смета",
    "прораб": "строительство",
    "технадзор": "строительство",
}
_ORG_WORDS = {
    *DEFAULT_UNIT_KINDS,
    *[
        "руководитель",
        "директор",
        "начальник",
        "заместитель",
        "зам",
        "помощник",
        "советник",
        "специалист",
        "менеджер",
        "ассистент",
        "главный",
        "ведущий",
        "старший",
        "младший",
        "стажер",
        "категория",
        "категории",
        "кат",
        "эксперт",
        "сотрудник",
        "компания",
        "гк",
        "группы",
        "работа",
        "вопрос",
        "поддержка",
        "сопровождение",
        "обеспечение",
    ],
}
STOP_WORDS = frozenset(f for word in _ORG_WORDS for f in forms_of(word)) | FILLER_WORDS
HEADING, PATH, TEXT = 3.0, 1.0, 1.0  # what a word is worth in a section's own heading, above it, in its text
TEXT_SATURATION = 4  # mentions in the text beyond this add nothing
OWN_UNIT = 50.0  # a section headed by the position's own unit name (a unit above it: just relevant)
RELEVANT = 3.0  # the least score of a section worth sending
MAX_SECTIONS = 8  # the most sections a position is told about (sent or cut)
MIN_PART = 150  # a cut section is sent shortened only when this many tokens are left for it
RESERVE = 40  # tokens the headers around the sections take
DEPTH_WEIGHTS = (1.0, 0.7, 0.5)  # the title and own unit, its parent, its grandparent; above: the last


@dataclass(frozen=True, slots=True)
class Picked:
    """A section chosen for a request: what of it is sent (`tokens`, 0 when left out) and whether it was cut."""

    section: Section
    tokens: int
    cut: bool
    score: float

    @property
    def text(self) -> str:
        return self.section.rendered if not self.cut else self.section.cut_to(self.tokens)

    @property
    def sent(self) -> bool:
        return self.tokens > 0

    def fact(self) -> dict[str, object]:
        return {"file": self.section.file, "section": self.section.heading, "tokens": self.tokens, "cut": self.cut}


def _key(text: str) -> tuple[str, ...]:
    """A name's words, each by the least of its forms: two spellings of a name in any case meet here."""
    return tuple(min(forms_of(w)) for w in words(text))


def pack(ranked: Iterable[tuple[Section, float]], budget: int, whole: Iterable[Section] = ()) -> tuple[Picked, ...]:
    """Sections in rank order, each whole while it fits; then the best that did not fit, shortened to what is
    left (when that is worth sending, and the section is not one sent `whole` or not at all); the others
    left out."""
    sent: list[Picked] = []
    pending: list[tuple[Section, float]] = []
    left = budget
    only_whole = set(whole)
    for section, score in ranked:
        if section.tokens + 1 <= left:
            sent.append(Picked(section, section.tokens, False, score))
            left -= section.tokens + 1
        else:
            pending.append((section, score))
    out: list[Picked] = []
    for section, score in pending:
        if left >= MIN_PART and section not in only_whole:
            part = section.cut_to(left - 1)
            tokens = count_tokens(part)
            out.append(Picked(section, tokens, True, score))
            left -= tokens + 1
        else:
            out.append(Picked(section, 0, True, score))
    return (*sent, *out)


class Chooser:
    """Chooses sections for positions; one per run (what it works out per word and per unit is kept)."""

    def __init__(
        self,
        library: Library,
        budget: int,
        everyone: Iterable[str] = EVERYONE,
        synonyms: dict[str, str] | None = None,
        unit_names: Iterable[str] = (),
    ) -> None:
        self.library = library
        marks = {f for word in everyone for w in words(word) for f in forms_of(w)}
        self.everyone = tuple(s for s in library.sections if not marks.isdisjoint(s.heading_words))
        self.shared = pack(((s, 0.0) for s in self.everyone), max(0, budget - RESERVE))
        self.left = max(0, budget - RESERVE - sum(p.tokens + 1 for p in self.shared))
        self.synonyms = {
            normalize(k): normalize(v) for k, v in (DEFAULT_SYNONYMS if synonyms is None else synonyms).items()
        }
        units = {_key(name) for name in unit_names}
        # a section headed by a unit's name describes that unit: it goes to the unit's own positions (and,
        # after what concerns their function, to those under it), never to another unit's for its words
        self._units: dict[tuple[str, ...], list[int]] = {}
        self._rest: list[int] = []
        for i, section in enumerate(library.sections):
            if section in self.everyone:
                continue
            if _key(section.heading) in units:
                self._units.setdefault(_key(section.heading), []).append(i)
            else:
                self._rest.append(i)
        self._heading: dict[str, set[int]] = {}
        self._path: dict[str, set[int]] = {}
        self._text: dict[str, dict[int, int]] = {}
        for i in self._rest:
            section = library.sections[i]
            for word in section.heading_words:
                self._heading.setdefault(word, set()).add(i)
            for word in section.path_words:
                self._path.setdefault(word, set()).add(i)
            for word, count in section.counts.items():
                self._text.setdefault(word, {})[i] = count
        self._memo: dict[tuple[tuple[str, ...], str], tuple[Picked, ...]] = {}
        self._words: dict[str, dict[int, float]] = {}

    @property
    def shared_text(self) -> str:
        return "\n\n".join(p.text for p in self.shared if p.sent)

    def choose(self, unit_path: tuple[str, ...], title: str) -> tuple[Picked, ...]:
        """The sections for a position, best first: those sent, then those cut."""
        key = (unit_path, title)
        if key not in self._memo:
            self._memo[key] = self._choose(unit_path, title)
        return self._memo[key]

    def _choose(self, unit_path: tuple[str, ...], title: str) -> tuple[Picked, ...]:
        scores: dict[int, float] = {}
        for word, weight in self._position_words(unit_path, title).items():
            for index, value in self._word_scores(word).items():
                scores[index] = scores.get(index, 0.0) + weight * value
        above: list[Section] = []  # the descriptions of the units above: whole or not at all
        for depth, name in enumerate(reversed(unit_path)):
            for index in self._units.get(_key(name), []):
                scores[index] = OWN_UNIT if depth == 0 else RELEVANT + 1 / (depth + 1)
                if depth:
                    above.append(self.library.sections[index])
        ranked = sorted(((i, s) for i, s in scores.items() if s >= RELEVANT), key=lambda item: (-item[1], item[0]))[
            :MAX_SECTIONS
        ]
        return pack(((self.library.sections[i], round(s, 2)) for i, s in ranked), self.left, above)

    def _position_words(self, unit_path: tuple[str, ...], title: str) -> dict[str, float]:
        """The words that say what a position does, each with the weight of the nearest place it is in."""
        weights: dict[str, float] = {}
        places = [title, *reversed(unit_path)]
        for depth, place in enumerate(places):
            weight = DEPTH_WEIGHTS[min(max(depth - 1, 0), len(DEPTH_WEIGHTS) - 1)]
            for word in words(place):
                if len(word) < 2 or word.isdigit() or word in STOP_WORDS:
                    continue
                found = [word, *(v for k, v in self.synonyms.items() if k in forms_of(word))]
                for item in found:
                    weights[item] = max(weights.get(item, 0.0), weight)
        return weights

    def _word_scores(self, word: str) -> dict[int, float]:
        """What one word adds to each section's score (rarer words count more), worked out once a run."""
        if word not in self._words:
            self._words[word] = self._score_word(word)
        return self._words[word]

    def _score_word(self, word: str) -> dict[int, float]:
        forms = forms_of(word)
        heading = {i for f in forms for i in self._heading.get(f, ())}
        path = {i for f in forms for i in self._path.get(f, ())}
        text: dict[int, int] = {}
        for f in forms:
            for i, count in self._text.get(f, {}).items():
                text[i] = text.get(i, 0) + count
        found = heading | path | set(text)
        if not found:
            return {}
        idf = math.log((len(self._rest) + 1) / (len(found) + 0.5))
        if idf <= 0:
            return {}
        return {
            i: idf
            * (
                HEADING * (i in heading)
                + PATH * (i in path)
                + TEXT * min(text.get(i, 0), TEXT_SATURATION) / TEXT_SATURATION
            )
            for i in found
        }

    def purpose(self, unit_name: str) -> str | None:
        """A unit's purpose in one line: the first line of a section headed by its name, where there is one."""
        for index in self._units.get(_key(unit_name), []):
            for line in self.library.sections[index].text.split("\n"):
                plain = line.strip().lstrip("*-+ ").replace("**", "").strip()
                if len(plain) > 20 and "сотрудник" not in plain:
                    return plain[:200]
        return None
