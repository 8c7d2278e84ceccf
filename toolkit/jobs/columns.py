"""How the toolkit reads an office's own workbooks: `toolkit columns` and `toolkit init --adopt`.

For each workbook (the register, the tracker) the report says which sheet and which header row were
chosen, what each header cell became (a field, or unused with the fields it most resembles), which
required fields were not found, and which of the toolkit's own columns a job would add.

Adopting a folder (:func:`adopt_folder`) finds the two workbooks among the folder's .xlsx/.xlsm files
by their headers (whatever their file names), and writes a ``toolkit.toml`` that names those files
and sheets, with the mapping as comments to review and the unplaced headers as ready-to-uncomment
alias lines. It runs no job and changes no workbook.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.i18n import _
from toolkit.model.headers import closest_fields, find_header_row, map_columns
from toolkit.model.records import no_header_message, peek_sheet
from toolkit.model.schema import SheetSchema
from toolkit.settings import SETTINGS_FILE, Settings, default_settings, load_settings, read_settings, require_folder
from toolkit.settings.sources import SHIPPED
from toolkit.xlsx.refs import column_letter
from toolkit.xlsx.safety import atomic_write, folder_lock

__all__ = ["HeaderFate", "WorkbookColumns", "adopt_folder", "columns_report"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class HeaderFate:
    """One header cell: its column letter and text, the field it maps to (or None) and, if none, the closest."""

    column: str
    text: str
    field: str | None
    closest: tuple[str, ...] = ()
    duplicate: bool = False  # a second column with a field's header: not used


@dataclass
class WorkbookColumns:
    """What `toolkit columns` shows for one workbook."""

    role: str  # register / tracker
    path: Path
    schema: SheetSchema
    sheet: str | None = None  # the sheet chosen (None: the workbook could not be read)
    sheet_instead_of: str | None = None  # the configured sheet name, when another sheet was chosen
    header_row: int | None = None
    headers: list[HeaderFate] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    missing_other: list[str] = field(default_factory=list)  # staff columns not found (optional)
    added: list[str] = field(default_factory=list)  # the toolkit's columns a job would add
    refused: str | None = None  # why the workbook could not be mapped

    @property
    def fields_found(self) -> int:
        return sum(1 for h in self.headers if h.field is not None and not h.duplicate)


def survey_workbook(path: Path, schema: SheetSchema) -> WorkbookColumns:
    """Map one workbook's headers to the schema's fields, as every job would read them."""
    report = WorkbookColumns(role=schema.role, path=path, schema=schema)
    if not path.is_file():
        report.refused = _("there is no file {name} in the folder").format(name=path.name)
        return report
    try:
        head, instead = peek_sheet(path, schema.sheet, schema, explicit=False)
    except ToolkitError as exc:
        report.refused = exc.message
        return report
    report.sheet, report.sheet_instead_of = head.sheet, instead
    grid = head.grid()
    expected = schema.expected_headers()
    idx = find_header_row(grid, expected)
    if idx is None:
        report.refused = no_header_message(head.sheet, grid, schema)
        return report
    report.header_row = idx + 1
    hmap = map_columns(grid[idx], expected)
    field_of = {i: name for name, i in hmap.columns.items()}
    dup_of = {i: name for name, where in hmap.duplicates.items() for i in where[1:]}
    for i, cell in enumerate(grid[idx]):
        if cell is None or cell == "":
            continue
        text = " ".join(str(cell).split())
        if i in field_of:
            report.headers.append(HeaderFate(column_letter(i + 1), text, field_of[i]))
        elif i in dup_of:
            report.headers.append(HeaderFate(column_letter(i + 1), text, dup_of[i], duplicate=True))
        else:
            near = tuple(n for n in closest_fields(cell, expected) if n not in hmap.columns)
            report.headers.append(HeaderFate(column_letter(i + 1), text, None, near))
    for name in hmap.missing:
        col = schema.column(name)
        if col.required:
            report.missing_required.append(name)
        elif col.owner == "toolkit":
            report.added.append(name)
        else:
            report.missing_other.append(name)
    return report


def columns_report(folder: str | Path, settings: Settings | None = None) -> list[WorkbookColumns]:
    """The mapping of both workbooks of the folder, as the jobs would read them."""
    folder = Path(folder)
    settings = settings or load_settings(require_folder(folder))
    return [
        survey_workbook(settings.register_path, settings.register),
        survey_workbook(settings.tracker_path, settings.tracker),
    ]


# --------------------------------------------------------------------------------- adopting


def _find_workbook(folder: Path, schema: SheetSchema, taken: set[Path]) -> WorkbookColumns | None:
    """Among the folder's workbooks, the one whose headers best fit the schema (required fields first)."""
    best: tuple[tuple[int, int], WorkbookColumns] | None = None
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in WORKBOOK_SUFFIXES or path.name.startswith(("~$", ".")) or path in taken:
            continue
        report = survey_workbook(path, schema)
        if report.refused or report.missing_required:
            continue
        score = (report.fields_found, -len(report.added))
        if best is None or score > best[0]:
            best = (score, report)
    return best[1] if best else None


def adopt_folder(folder: str | Path, *, force: bool = False) -> tuple[Path, list[WorkbookColumns]]:
    """Write `toolkit.toml` for an office's existing workbooks (found by their headers); run nothing else."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ToolkitError(
            _("{folder} is not a folder; give the folder that holds the workbooks").format(folder=folder)
        )
    target = folder / SETTINGS_FILE
    if target.exists() and not force:
        raise ToolkitError(
            _("{file} already exists; nothing was changed (add --force to replace it, a backup is kept)").format(
                file=target
            )
        )
    settings = read_settings(default_settings(), SHIPPED, folder)  # the office's file is what is being written
    reports: list[WorkbookColumns] = []
    taken: set[Path] = set()
    for schema, configured in ((settings.register, settings.register_path), (settings.tracker, settings.tracker_path)):
        found = _find_workbook(folder, schema, taken)
        if found is None:
            found = survey_workbook(configured, schema)  # reported as it is: missing or unreadable
            if not found.refused and found.missing_required:
                names = ", ".join(schema.column(n).header for n in found.missing_required)
                found.refused = _("lacks the required columns {names}").format(names=names)
        else:
            taken.add(found.path)
        reports.append(found)
    text = adopted_settings_text(reports)
    with folder_lock(folder):
        atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"), keep_backups=settings.backups_kept)
    load_settings(folder)  # what was written reads back as valid settings
    return target, reports


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def adopted_settings_text(reports: list[WorkbookColumns]) -> str:
    """toolkit.toml for the adopted workbooks: files and sheets, the mapping as comments, aliases to review."""
    lines = [
        "# 工具设置 - written by `toolkit init --adopt` from the office's own workbooks.",
        "# Review it: the comments show how each header was read. Headers the toolkit could not place",
        "# are listed with the fields they most resemble; to use one, uncomment its alias line.",
        "# `toolkit columns` shows the mapping again after any change.",
        "",
        "[files]",
    ]
    for r in reports:
        lines.append(f"{r.role} = {_q(r.path.name)}")
    for r in reports:
        schema = r.schema
        lines += ["", f"[{r.role}]"]
        lines.append(f"sheet = {_q(r.sheet or schema.sheet)}")
        if r.refused:
            lines.append("# NOT READ: " + r.refused.replace("\n", "\n# "))
            continue
        lines.append(f"# header row {r.header_row} of sheet {r.sheet}:")
        for h in r.headers:
            if h.field is not None:
                col = schema.column(h.field)
                mark = " (a second column with this header: not used)" if h.duplicate else ""
                lines.append(f"#   {h.column}  {h.text} -> {col.header} / {col.english}{mark}")
            else:
                near = ", ".join(schema.column(n).header for n in h.closest) or "-"
                lines.append(f"#   {h.column}  {h.text} -> not used (closest: {near})")
        if r.missing_other:
            lines.append("# not found (optional): " + ", ".join(schema.column(n).header for n in r.missing_other))
        if r.added:
            lines.append(
                "# added by the jobs at the right of the sheet: " + ", ".join(schema.column(n).header for n in r.added)
            )
        unplaced = [h for h in r.headers if h.field is None and h.closest]
        if unplaced:
            lines += [
                "",
                f"[{r.role}.aliases]",
                "# the office's own header texts, one list per field: uncomment to use",
            ]
            for h in unplaced:
                lines.append(f"# {h.closest[0]} = [{_q(h.text)}]    # {schema.column(h.closest[0]).header}")
    return "\n".join(lines) + "\n"
