"""Everything the org itself says about its positions, bundled: roles, careers and competencies."""

from __future__ import annotations

from dataclasses import dataclass, field

from profilegen.org.careers import Careers
from profilegen.org.competencies import CompetencyModel
from profilegen.org.model import Position
from profilegen.org.roles import Roles


@dataclass
class OrgFacts:
    roles: Roles
    competency_model: CompetencyModel = field(default_factory=CompetencyModel)
    careers: Careers = field(init=False)

    def __post_init__(self) -> None:
        self.careers = Careers(self.roles.org, self.roles)

    def competencies(self, position: Position) -> tuple[str, ...]:
        role = self.roles.role(position)
        return self.competency_model.decide(
            position.title,
            position.unit_path,
            leads_people=role.is_head or role.deputy_of is not None,
            top_management=role.category == "senior_manager",
        )
