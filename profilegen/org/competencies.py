"""Corporate competencies are facts: decided from the org by the company's rule, never by the model.

A101's model (the default, `competencies:` in the config): four base competencies for everyone;
"Лидерство" for whoever leads people (a head, a deputy); "Стратегическое видение и принятие решений"
for top management; "Клиентоориентированность" for roles that work with clients (a word of the title
or of the unit's path starting with one of `client_words`: продаж…, клиент…, сервис…, расчет…).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from profilegen.text import words

BASE = (
    "Инновационность и развитие",
    "Ориентация на результат и эффективность",
    "Эффективная коммуникация",
    "Работа в команде",
)
CLIENT_WORDS = ("продаж", "клиент", "сервис", "расчет", "ипотек", "заселен", "crm", "брокер", "риелтор", "call")


@dataclass(frozen=True)
class CompetencyModel:
    """The company's competencies and the rule that gives them (its order is the order in a profile)."""

    base: Sequence[str] = BASE
    leadership: str = "Лидерство"
    strategic: str = "Стратегическое видение и принятие решений"
    client: str = "Клиентоориентированность"
    client_words: Sequence[str] = field(default=CLIENT_WORDS)
    order: Sequence[str] = (
        "Инновационность и развитие",
        "Стратегическое видение и принятие решений",
        "Ориентация на результат и эффективность",
        "Клиентоориентированность",
        "Лидерство",
        "Эффективная коммуникация",
        "Работа в команде",
    )

    def decide(
        self, title: str, unit_path: Sequence[str], *, leads_people: bool, top_management: bool
    ) -> tuple[str, ...]:
        chosen = set(self.base)
        if leads_people and self.leadership:
            chosen.add(self.leadership)
        if top_management and self.strategic:
            chosen.add(self.strategic)
        if self.client and self._works_with_clients(title, unit_path):
            chosen.add(self.client)
        ordered = [c for c in self.order if c in chosen]
        return (*ordered, *sorted(chosen - set(ordered)))

    def _works_with_clients(self, title: str, unit_path: Sequence[str]) -> bool:
        prefixes = tuple(self.client_words)
        return any(_names_clients(name, prefixes) for name in (title, *unit_path))


@lru_cache(maxsize=1 << 16)
def _names_clients(name: str, prefixes: tuple[str, ...]) -> bool:
    """A word of the name starts with one of the prefixes (names repeat: a unit's for all its positions)."""
    return any(word.startswith(prefixes) for word in words(name))
