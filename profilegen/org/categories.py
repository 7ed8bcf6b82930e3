"""Position categories on the company's scale: which unit kinds' heads sit where, and what HR calls each level.

A101's scale is the default: Специалист; Линейный руководитель (группа, направление); Руководитель
среднего уровня (отдел, управление); Руководитель высшего уровня (департамент, блок). `unit_kinds` and
`category_labels` in the config change it.
"""

from __future__ import annotations

Category = str  # "senior_manager" | "middle_manager" | "line_manager" | "specialist"

# Unit kinds by the word that names them (any form), and the category of their heads.
DEFAULT_UNIT_KINDS: dict[str, Category] = {
    "блок": "senior_manager",
    "дирекция": "senior_manager",
    "департамент": "senior_manager",
    "центр": "middle_manager",
    "управление": "middle_manager",
    "служба": "middle_manager",
    "отдел": "middle_manager",
    "сектор": "line_manager",
    "группа": "line_manager",
    "направление": "line_manager",
    "бригада": "line_manager",
    "block": "senior_manager",
    "directorate": "middle_manager",
    "department": "middle_manager",
    "division": "middle_manager",
    "office": "middle_manager",
    "section": "line_manager",
    "team": "line_manager",
    "group": "line_manager",
}
# A101's category scale, the default labels (`category_labels` in the config)
DEFAULT_CATEGORY_LABELS: dict[Category, str] = {
    "specialist": "Специалист",
    "line_manager": "Линейный руководитель (группа, направление)",
    "middle_manager": "Руководитель среднего уровня (отдел, управление)",
    "senior_manager": "Руководитель высшего уровня (департамент, блок)",
}
CATEGORY_ORDER: tuple[Category, ...] = ("specialist", "line_manager", "middle_manager", "senior_manager")
