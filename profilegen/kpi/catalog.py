"""The KPI folder: department files, templates and the optional explicit mapping."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from profilegen.errors import InputError
from profilegen.kpi.model import KpiFile
from profilegen.kpi.parser import parse_kpi_file
from profilegen.kpi.workbook import Workbook, read_workbook
from profilegen.yamlsafe import load_yaml

SHIPPED_TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(slots=True)
class KpiCatalog:
    """Everything in a KPI folder, parsed."""

    root: Path
    files: list[KpiFile] = field(default_factory=list)
    templates: list[KpiFile] = field(default_factory=list)
    generic: KpiFile | None = None
    explicit: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # what the user should hear once per run
    workbooks: list[Workbook] = field(default_factory=list)  # HR's .xlsx KPI workbooks (cards)
    workbook_units: dict[str, str] = field(default_factory=dict)  # mapping.yaml `workbooks:` FILE[/SHEET] → unit
    card_units: list[dict[str, str]] = field(default_factory=list)  # mapping.yaml `cards:` {file, sheet, column, unit}
    workbook_hashes: list[tuple[str, str]] = field(default_factory=list)

    def by_name(self, name: str) -> KpiFile:
        for kpi_file in (*self.files, *self.templates, *([self.generic] if self.generic else [])):
            if kpi_file.name == name:
                return kpi_file
        raise KeyError(name)


def load_catalog(root: Path, required: bool = True) -> KpiCatalog:
    """Parse every `*.md` of the folder, `templates/*.md` and `mapping.yaml`.

    Templates the folder lacks (or a folder that is not there, when not ``required``) are served by the
    ones shipped with profilegen, and the catalog's notices say so.
    """
    catalog = KpiCatalog(root=root)
    if not root.is_dir():
        if required:
            raise InputError("KPI folder not found", source=str(root))
        catalog.notices.append(
            f"no KPI folder ({root}): profiles get the KPI templates shipped with profilegen (--kpi-dir DIR)"
        )
    else:
        catalog.files = [parse_kpi_file(p, root) for p in sorted(root.glob("*.md")) if p.name.lower() != "readme.md"]
        _add_workbooks(catalog, root)
        _add_templates(catalog, root / "templates", root)
    stems = {t.name for t in catalog.templates} | ({catalog.generic.name} if catalog.generic else set())
    _add_templates(catalog, SHIPPED_TEMPLATES, SHIPPED_TEMPLATES.parent, skip=stems)
    added = ({t.name for t in catalog.templates} | ({catalog.generic.name} if catalog.generic else set())) - stems
    if added and (root / "templates").is_dir():  # some of its own: the rest are said to come from the package
        catalog.notices.append(
            f"{root / 'templates'} lacks {', '.join(sorted(added))}: the templates shipped with profilegen serve"
        )
    elif added and root.is_dir():  # a folder of KPI files alone (HR's workbooks): the package's templates serve
        catalog.notices.append(f"{root}: no templates/ folder, so the KPI templates shipped with profilegen serve")
    mapping_file = root / "mapping.yaml"
    if mapping_file.exists():
        catalog.explicit = _read_mapping(mapping_file, catalog)
    return catalog


def _add_workbooks(catalog: KpiCatalog, root: Path) -> None:
    """Every `.xlsx` of the folder that holds KPI cards; one that cannot be read is said, and the rest load."""
    for path in sorted(root.glob("*.xlsx")):
        if path.name.startswith("~$"):  # Excel's lock file beside an open workbook
            continue
        try:
            workbook = read_workbook(path, path.name)
        except InputError as exc:
            catalog.notices.append(f"KPI workbook skipped: {exc}")
            continue
        if workbook is not None:
            catalog.workbooks.append(workbook)
            catalog.workbook_hashes.append((path.name, hashlib.sha256(path.read_bytes()).hexdigest()))


def _add_templates(catalog: KpiCatalog, folder: Path, root: Path, skip: set[str] | None = None) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.md")):
        parsed = parse_kpi_file(path, root)
        if skip is not None and parsed.name in skip:
            continue
        if path.stem == "generic":
            catalog.generic = parsed
        else:
            catalog.templates.append(parsed)


def _read_card_entries(workbooks: object, cards: object, catalog: KpiCatalog, path: Path) -> None:
    """`workbooks: {FILE or FILE/SHEET: unit}` and `cards: [{file, sheet, column, unit}]` of mapping.yaml."""
    if workbooks is not None:
        if not isinstance(workbooks, dict):
            raise InputError("`workbooks:` must map a workbook (or workbook/sheet) to a unit", source=str(path))
        catalog.workbook_units = {str(k): str(v) for k, v in workbooks.items()}
    if cards is not None:
        if not isinstance(cards, list) or not all(isinstance(c, dict) for c in cards):
            raise InputError("`cards:` must be a list of {file, sheet, column, unit}", source=str(path))
        for number, entry in enumerate(cards, start=1):
            missing = [k for k in ("file", "column", "unit") if not entry.get(k)]
            if missing:
                raise InputError(f"`cards:` entry {number} lacks {', '.join(missing)}", source=str(path))
            catalog.card_units.append({k: str(v) for k, v in entry.items()})


def _read_mapping(path: Path, catalog: KpiCatalog) -> dict[str, str]:
    data = load_yaml(path) or {}
    if isinstance(data, dict):
        data = dict(data)
        _read_card_entries(data.pop("workbooks", None), data.pop("cards", None), catalog, path)
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
