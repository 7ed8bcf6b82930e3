"""What a check finds: a finding (its rule, severity and detail), where it was found, and the plain row a
check's record keeps of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from profilegen.checking.said import count, say

if TYPE_CHECKING:
    from profilegen.checking.similar import Group

ERROR, WARNING = "error", "warning"
MAX_NAMED = 5  # the other members a near-duplicate finding names
Owner = tuple[tuple[str, ...], str, str | None]  # unit path, title, employee (None: the position's profile)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    detail: str

    def __reduce__(self) -> tuple[Any, ...]:
        # the detail goes into a pickle (the check's records, the forked half's results) as UTF-8 bytes:
        # pickling a str keeps its UTF-8 form on the string for as long as it lives
        return (_finding, (self.rule, self.severity, self.detail.encode()))


def _finding(rule: str, severity: str, detail: bytes) -> Finding:
    return Finding(rule, severity, detail.decode())


@dataclass(frozen=True, slots=True)
class Located:
    """A finding where it was found."""

    unit_path: tuple[str, ...]
    title: str
    employee: str | None
    finding: Finding

    def as_json(self) -> dict[str, Any]:
        f = self.finding
        return {
            "unit_path": list(self.unit_path),
            "title": self.title,
            "employee": self.employee,
            "rule": f.rule,
            "severity": f.severity,
            "detail": f.detail,
        }


def owner_label(owner: Owner) -> str:
    """'Unit / Path — Title (Employee)': how findings and near-duplicate groups name a profile."""
    path, title, employee = owner
    return f"{' / '.join(path)} — {title}" + (f" ({employee})" if employee else "")


def near_duplicate_findings(
    groups: Sequence[Group], owners: Sequence[Owner], language: str = "en"
) -> tuple[list[dict[str, Any]], list[Located]]:
    """Each group as the answer lists it, and its members told whom they nearly repeat (a position's personal
    profiles may agree), in the language."""

    shown: list[dict[str, Any]] = []
    found: list[Located] = []
    for group in groups:
        members = [owners[i] for i in group.members]
        labels = [owner_label(m) for m in members]
        shown.append({"similarity": group.similarity, "positions": labels})
        others = len(members) - 1
        more = say(language, "more", count=others - MAX_NAMED) if others > MAX_NAMED else ""
        similarity = f"{group.similarity:.2f}"
        said = say(language, "near_duplicate", similarity=similarity, others=count(language, others, "position"))
        # a member after the first few names the same others: one finding serves them all (a group of
        # 100,000 offline drafts held 200 MB of copies of its text)
        common = Finding("near_duplicate", WARNING, f"{said}{'; '.join(labels[:MAX_NAMED])}{more}")
        for number, member in enumerate(members):
            finding = common
            if number < MAX_NAMED:
                named = "; ".join([label for k, label in enumerate(labels[: MAX_NAMED + 1]) if k != number][:MAX_NAMED])
                finding = Finding("near_duplicate", WARNING, f"{said}{named}{more}")
            found.append(Located(member[0], member[1], member[2], finding))
    return shown, found


FoundRow = tuple[tuple[str, ...], str, str | None, int]  # unit path, title, employee, the finding's number


def as_rows(found: Sequence[Located]) -> tuple[list[tuple[str, str, bytes]], list[FoundRow]]:
    """Findings as a record keeps them: plain tuples, each distinct finding once (a near-duplicate group's
    members share one) with its detail as UTF-8 bytes — pickled some ten times faster than the objects and
    read back three times faster (170,000 findings in a check's answer took 0.3 s to write, 0.65 s to read)."""
    numbers: dict[int, int] = {}
    distinct: list[tuple[str, str, bytes]] = []
    rows: list[FoundRow] = []
    for located in found:
        finding = located.finding
        number = numbers.get(id(finding))
        if number is None:
            number = numbers[id(finding)] = len(distinct)
            distinct.append((finding.rule, finding.severity, finding.detail.encode()))
        rows.append((located.unit_path, located.title, located.employee, number))
    return distinct, rows


def of_rows(distinct: Sequence[tuple[str, str, bytes]], rows: Sequence[FoundRow]) -> list[Located]:
    """`as_rows` read back: the same findings, those shared shared again."""
    findings = [Finding(rule, severity, detail.decode()) for rule, severity, detail in distinct]
    return [Located(unit_path, title, employee, findings[number]) for unit_path, title, employee, number in rows]
