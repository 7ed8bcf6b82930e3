"""Corporate competencies are facts: decided from the org by the company's rule, never by the model.

A101's model (the default, `competencies:` in the config): four base competencies for everyone;
"Лидерство" for whoever leads people (a head, a deputy); "Стратегическое видение и принятие решений"
for top management; "Клиентоориентированность" for roles that work with clients (a word of the title
or of the unit's path starting with one of `client_words`: продаж…, клиент…, сервис…, расчет…).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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

    # worked out once per model: a decision takes one of eight answers, a name (a unit's for all its positions)
    # names clients or not
    _answers: dict[tuple[bool, bool, bool], tuple[str, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _clients: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)

    def decide(
        self, title: str, unit_path: Sequence[str], *, leads_people: bool, top_management: bool
    ) -> tuple[str, ...]:
        client = bool(self.client) and self._works_with_clients(title, unit_path)
        key = (leads_people, top_management, client)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._decided(leads_people, top_management, client)
        return answer

    def _decided(self, leads_people: bool, top_management: bool, client: bool) -> tuple[str, ...]:
        chosen = set(self.base)
        if leads_people and self.leadership:
            chosen.add(self.leadership)
        if top_management and self.strategic:
            chosen.add(self.strategic)
        if client:
            chosen.add(self.client)
        ordered = [c for c in self.order if c in chosen]
        return (*ordered, *sorted(chosen - set(ordered)))

    def _works_with_clients(self, title: str, unit_path: Sequence[str]) -> bool:
        return any(self._names_clients(name) for name in (title, *unit_path))

    def _names_clients(self, name: str) -> bool:
        """A word of the name starts with one of the client words."""
        found = self._clients.get(name)
        if found is None:
            prefixes = tuple(self.client_words)
            found = self._clients[name] = any(word.startswith(prefixes) for word in words(name))
        return found
