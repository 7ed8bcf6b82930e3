"""The KPI folder: department files, templates and the optional explicit mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from profilegen.errors import InputError
from profilegen.kpi.model import KpiFile
from profilegen.kpi.parser import parse_kpi_file
from profilegen.yamlsafe import load_yaml


@dataclass(slots=True)
class KpiCatalog:
    """Everything in a KPI folder, parsed."""

    root: Path
    files: list[KpiFile] = field(default_factory=list)
    templates: list[KpiFile] = field(default_factory=list)
    generic: KpiFile | None = None
    explicit: dict[str, str] = field(default_factory=dict)

    def by_name(self, name: str) -> KpiFile:
        for kpi_file in (*self.files, *self.templates, *([self.generic] if self.generic else [])):
            if kpi_file.name == name:
                return kpi_file
        raise KeyError(name)


def load_catalog(root: Path) -> KpiCatalog:
    """Parse every `*.md` of the folder, `templates/*.md` and `mapping.yaml`."""
    if not root.is_dir():
        raise InputError("KPI folder not found", source=str(root))
    catalog = KpiCatalog(root=root)
    catalog.files = [parse_kpi_file(p, root) for p in sorted(root.glob("*.md")) if p.name.lower() != "readme.md"]
    templates_dir = root / "templates"
    if templates_dir.is_dir():
        for path in sorted(templates_dir.glob("*.md")):
            if path.stem == "generic":
                catalog.generic = parse_kpi_file(path, root)
            else:
                catalog.templates.append(parse_kpi_file(path, root))
    mapping_file = root / "mapping.yaml"
    if mapping_file.exists():
        catalog.explicit = _read_mapping(mapping_file, catalog)
    return catalog


def _read_mapping(path: Path, catalog: KpiCatalog) -> dict[str, str]:
    data = load_yaml(path) or {}
    if isinstance(data, dict) and isinstance(data.get("units"), dict):
        data = data["units"]
    if not isinstance(data, dict):
        raise InputError("expected a mapping of unit path or name → KPI file", source=str(path))
    known = {f.name for f in (*catalog.files, *catalog.templates)}
    mapping: dict[str, str] = {}
    for unit, file_name in data.items():
        target = str(file_name).strip()
        if target not in known:
            raise InputError(
                f"unit '{unit}' maps to '{target}', which is not a KPI file in {catalog.root}",
                source=str(path),
            )
        mapping[str(unit)] = target
    return mapping
