"""Grade ladders: positions whose titles share a profession and differ in grade.

A title is read as grade words + a profession + a category: "Ведущий архитектор 1 категории" is the
profession `архитектор` at grade `ведущий`, category 1. Grades go стажёр < младший < — < старший <
ведущий < главный (главный специалист) < the top rung of a profession ("Главный архитектор проекта");
inside a grade, "3 категории" < "2 категории" < "1 категории". "Главный специалист-архитектор" and
"Главный специалист архитектор" are one title; a profession is compared by its words' forms
("архитектора" is `архитектор`). Heads, deputies, advisers and assistants are not rungs: their
careers follow the org's lines, not a ladder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from profilegen.text import words
from profilegen.words.lexicon import FILLER_WORDS, forms_of

# grade word (any form the dictionary gives) → level; "специалист" after "главный" is part of the grade
GRADE_WORDS: dict[str, int] = {
    "стажер": 0,
    "младший": 1,
    "старший": 3,
    "ведущий": 4,
    "главный": 5,
}
BASE_LEVEL = 2  # no grade word
TOP_LEVEL = 6  # "Главный архитектор проекта": the top rung of a profession
_TOP_QUALIFIERS = frozenset({"проекта", "проектов"})
_CATEGORY_WORDS = frozenset({"категории", "категория", "кат", "класса", "класс", "разряда", "разряд"})
_NOT_RUNGS = frozenset(
    {
        "руководитель",
        "директор",
        "начальник",
        "заместитель",
        "зам",
        "советник",
        "помощник",
        "ассистент",
        "референт",
        "head",
        "director",
        "deputy",
        "chief",
    }
)
EXPERT_WORDS = frozenset({"эксперт", "expert"})
# professions that name no field: their rungs in another block are another trade («Ведущий специалист» of IT and of
# construction economics), so career maps look for them in the position's own block only
NO_FIELD = frozenset(
    {
        ("специалист",),
        ("менеджер",),
        ("инженер",),
        ("администратор",),
        ("координатор",),
        ("консультант",),
        ("сотрудник",),
        ("specialist",),
        ("manager",),
        ("engineer",),
        ("officer",),
    }
)


@dataclass(frozen=True, slots=True)
class Grade:
    """A title's place on its profession's ladder: higher ``rank`` is more senior."""

    profession: tuple[str, ...]
    level: int
    category: int  # 0 without one; "3 категории" = 1, "2 категории" = 2, "1 категории" = 3
    # worked out once: career maps compare ranks some 30 times a position
    rank: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rank", self.level * 4 + self.category)

    @property
    def expert(self) -> bool:
        """A главный-specialist or expert rung: the expert track."""
        return self.level >= GRADE_WORDS["главный"] and self.level < TOP_LEVEL


@lru_cache(maxsize=1 << 14)
def read_grade(title: str) -> Grade | None:
    """The grade of a title, or None for a head, deputy, adviser or assistant (or a title of no words)."""
    found = words(title)
    if not found or any(w in _NOT_RUNGS for w in found[:2]):
        return None
    graded: int | None = None
    category = 0
    rest: list[str] = []
    index = 0
    while index < len(found):
        word = found[index]
        if word in GRADE_WORDS and not rest:
            graded = max(graded or 0, GRADE_WORDS[word])
            index += 1
            continue
        if word.isdigit() and index + 1 < len(found) and found[index + 1] in _CATEGORY_WORDS:
            number = int(word)
            category = max(0, 4 - number) if 1 <= number <= 3 else 0
            index += 2
            continue
        if word in _CATEGORY_WORDS:
            index += 1
            continue
        rest.append(word)
        index += 1
    level = BASE_LEVEL if graded is None else graded
    if any(w in EXPERT_WORDS for w in rest):
        level = max(level, GRADE_WORDS["главный"])
    if level == GRADE_WORDS["главный"] and rest and rest[-1] in _TOP_QUALIFIERS and len(rest) > 1:
        level, rest = TOP_LEVEL, rest[:-1]  # "Главный архитектор проекта" (ГАП)
    if len(rest) > 1 and rest[0] == "специалист" and rest[1] not in FILLER_WORDS:
        rest = rest[1:]  # "Главный специалист архитектор" is an architect
    profession = tuple(_lemma(w) for w in rest if w not in EXPERT_WORDS) or ("специалист",)
    return Grade(profession, level, category)


@lru_cache(maxsize=1 << 14)
def _lemma(word: str) -> str:
    """One spelling for every form of a word (the first of its forms), so that forms compare equal."""
    return min(forms_of(word))
