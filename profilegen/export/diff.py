"""What differs between two versions of a profile, section by section (items, not characters)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SCALARS = (
    "position_title",
    "category",
    "direct_manager",
    "primary_activity",
    "working_conditions",
    "additional_information",
)
Getter = Callable[[dict[str, Any]], list[str]]
LISTS: dict[str, Getter] = {
    "corporate_competencies": lambda p: p["corporate_competencies"],
    "personal_qualities": lambda p: p["personal_qualities"],
    "software": lambda p: p["workplace"]["software"],
    "hardware": lambda p: p["workplace"]["hardware"],
    "feeder_positions": lambda p: p["career"]["feeder_positions"],
    "target_positions": lambda p: [f"{t['position']} ({t['unit']})" for t in p["career"]["target_positions"]],
    "subordinate_units": lambda p: p["subordinates"]["units"],
}


@dataclass(slots=True)
class SectionDiff:
    section: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _tasks(profile: dict[str, Any]) -> list[str]:
    return [f"{a['area']}: {t}" for a in profile["responsibility_areas"] for t in a["tasks"]]


def _skills(profile: dict[str, Any]) -> dict[str, int]:
    return {s["name"]: int(s["level"]) for c in profile["professional_skills"] for s in c["skills"]}


def _kpis(profile: dict[str, Any]) -> dict[str, tuple[str, str, Any, str]]:
    return {k["name"]: (k["target"], k["unit"], k["weight"], k["period"]) for k in profile["kpis"]}


def _items(section: str, old: list[str], new: list[str]) -> SectionDiff:
    old_set, new_set = set(old), set(new)
    return SectionDiff(section, [x for x in new if x not in old_set], [x for x in old if x not in new_set])


def diff_profiles(old: dict[str, Any], new: dict[str, Any]) -> list[SectionDiff]:
    """Section differences from ``old`` (say, the file on disk) to ``new`` (the generated version)."""
    result = [_items("responsibility_areas", _tasks(old), _tasks(new))]
    old_skills, new_skills = _skills(old), _skills(new)
    skills = _items("professional_skills", list(old_skills), list(new_skills))
    skills.changed = [
        f"{name}: level {old_skills[name]} → {new_skills[name]}"
        for name in old_skills
        if name in new_skills and old_skills[name] != new_skills[name]
    ]
    result.append(skills)
    old_kpis, new_kpis = _kpis(old), _kpis(new)
    kpis = _items("kpis", list(old_kpis), list(new_kpis))
    for name in old_kpis:
        if name in new_kpis and old_kpis[name] != new_kpis[name]:
            (t0, u0, w0, p0), (t1, u1, w1, p1) = old_kpis[name], new_kpis[name]
            kpis.changed.append(f"{name}: target {t0} {u0} → {t1} {u1}, weight {w0} → {w1}, period {p0} → {p1}")
    result.append(kpis)
    result += [_items(section, get(old), get(new)) for section, get in LISTS.items()]
    for key in SCALARS:
        if old.get(key) != new.get(key):
            result.append(SectionDiff(key, changed=[f"{old.get(key)!r} → {new.get(key)!r}"]))
    edu_old, edu_new = old["education"], new["education"]
    if edu_old != edu_new:
        result.append(
            SectionDiff(
                "education",
                changed=[
                    f"{k}: {edu_old.get(k)!r} → {edu_new.get(k)!r}" for k in edu_new if edu_old.get(k) != edu_new.get(k)
                ],
            )
        )
    return [d for d in result if d]


def _md_sections(text: str) -> dict[str, list[str]]:
    """Markdown split at its headings: heading → the section's non-blank lines."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            current = stripped.lstrip("#").strip()
            sections.setdefault(current, [])
        elif stripped:
            sections.setdefault(current, []).append(stripped)
    return sections


def diff_markdown(on_disk: str, newer: str) -> list[SectionDiff]:
    """Section by section (by heading), the lines one Markdown text has and the other lacks."""
    old, new = _md_sections(on_disk), _md_sections(newer)
    result = []
    for name in dict.fromkeys([*old, *new]):
        before, after = old.get(name, []), new.get(name, [])
        section = SectionDiff(
            f"markdown: {name or '(top)'}",
            added=[line for line in after if line not in before],
            removed=[line for line in before if line not in after],
        )
        if section:
            result.append(section)
    return result
