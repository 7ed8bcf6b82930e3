"""A career map's candidates: a position someone comes from or goes to, with its track and why, as a profile names
it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from profilegen.org.model import UnitPath


@dataclass(frozen=True, slots=True)
class Candidate:
    title: str
    unit_path: UnitPath
    track: str  # "vertical" | "horizontal" | "expert"
    reason: str
    where: str = ""  # the unit above that tells it apart from another of its list with the same title and unit name

    @property
    def label(self) -> str:
        """ "Title (Unit)": how a profile names it (a title alone repeats across units); "Title (Unit, Workshop)"
        where its list holds the same title in another unit of the same name."""
        return (
            f"{self.title} ({self.unit_path[-1]}, {self.where})"
            if self.where
            else f"{self.title} ({self.unit_path[-1]})"
        )


@dataclass(frozen=True, slots=True)
class Career:
    feeders: tuple[Candidate, ...] = ()
    targets: tuple[Candidate, ...] = ()


def told_apart(candidates: list[Candidate], title: str, unit_path: UnitPath) -> tuple[Candidate, ...]:
    """Candidates whose labels would read alike (two workshops' «Группа проектирования СС»), or as the position
    itself (``title`` in ``unit_path``: another workshop's «Группа архитекторов №1»), each with the nearest unit above
    it whose name no other of them has on its path."""
    itself = Candidate(title, unit_path, "", "")
    alike: dict[str, list[Candidate]] = {itself.label: [itself]}
    for candidate in candidates:
        alike.setdefault(candidate.label, []).append(candidate)
    return tuple(_apart(c, alike[c.label]) if len(alike[c.label]) > 1 else c for c in candidates)


def _apart(candidate: Candidate, group: list[Candidate]) -> Candidate:
    others = {name for other in group if other is not candidate for name in other.unit_path}
    above = (name for name in candidate.unit_path[-2::-1] if name not in others)
    return replace(candidate, where=next(above, " / ".join(candidate.unit_path[:-1])))


def unique(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[tuple[str, UnitPath]] = set()
    kept = []
    for candidate in candidates:
        key = (candidate.title, candidate.unit_path)
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept
