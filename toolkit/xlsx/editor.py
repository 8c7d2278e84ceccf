"""Edits to a workbook on disk, gathered first and written in one safe step.

A rewritten sheet is streamed: read, patched and packed piece by piece into a spool file beside
the workbook (never held whole in memory), then copied into the new workbook with the other parts.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError, WorkbookRefused
from toolkit.i18n import _
from toolkit.xlsx.cells import CellEncoder, CellValueError
from toolkit.xlsx.package import Deflated, Package, deflate_chunks, read_rels, rels_name, resolve_target
from toolkit.xlsx.refs import column_letter, make_ref, parse_ref
from toolkit.xlsx.safety import TEMP_PREFIX, FileStamp, atomic_write, folder_lock, os_reason, refuse_unless_writable
from toolkit.xlsx.sheetxml import FormulaCells, SheetEdit, SheetXml
from toolkit.xlsx.styles import StyleBook, StylesError
from toolkit.xlsx.tables import grow_down, grow_right, sheet_tables
from toolkit.xlsx.workbook import read_workbook


@dataclass
class WriteReport:
    path: Path
    cells_written: int = 0
    rows_appended: list[int] = field(default_factory=list)
    columns_added: dict[str, str] = field(default_factory=dict)  # header -> column letter
    skipped_formulas: list[str] = field(default_factory=list)  # "Sheet!D7"
    skipped_merged: list[tuple[str, str, object]] = field(default_factory=list)  # ("Sheet!D7", "D7:E8", value)
    backup: Path | None = None
    parts_rewritten: list[str] = field(default_factory=list)


class FormulaCellsRefused(ToolkitError):
    def __init__(self, path: Path, sheet: str, refs: list[str]):
        shown = ", ".join(refs[:10]) + (f" and {len(refs) - 10} more" if len(refs) > 10 else "")
        super().__init__(
            f"sheet '{sheet}': cells {shown} hold formulas; the toolkit did not overwrite them and wrote nothing",
            path=path,
            hint="clear the formulas from the toolkit's columns, or pass on_formula='skip'",
        )
        self.refs = refs


@dataclass
class _SheetPlan:
    edit: SheetEdit = field(default_factory=SheetEdit)
    appends: list[tuple[Sequence[Any], int]] = field(default_factory=list)  # (row values, first col)
    headers: list[tuple[str, int]] = field(default_factory=list)  # (text, header row)


class WorkbookEditor:
    """Collect cell edits for one workbook, then `save()` them in one atomic write.

    >>> ed = WorkbookEditor("complaints.xlsx")          # doctest: +SKIP
    >>> ed.set("投诉跟踪", "D7", "已关闭")                # doctest: +SKIP
    >>> ed.save()                                       # doctest: +SKIP
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._plans: dict[str, _SheetPlan] = {}

    def _plan(self, sheet: str) -> _SheetPlan:
        return self._plans.setdefault(sheet, _SheetPlan())

    def set(self, sheet: str, ref: str | tuple[int, int], value: Any) -> None:
        row, col = parse_ref(ref) if isinstance(ref, str) else ref
        self._plan(sheet).edit.set(row, col, value)

    def fill(self, sheet: str, ref: str | tuple[int, int], rgb: str) -> None:
        row, col = parse_ref(ref) if isinstance(ref, str) else ref
        self._plan(sheet).edit.fill(row, col, rgb)

    def edit_for(self, sheet: str) -> SheetEdit:
        """The underlying (row, col) -> value edit of a sheet, for jobs that build many edits."""
        return self._plan(sheet).edit

    def append_rows(self, sheet: str, rows: Iterable[Sequence[Any]], first_col: int = 1) -> None:
        self._plan(sheet).appends.extend((list(r), first_col) for r in rows)

    def add_header(self, sheet: str, text: str, header_row: int = 1) -> None:
        self._plan(sheet).headers.append((text, header_row))

    def save(
        self, *, keep_backups: int = 10, on_formula: str = "refuse", expect: FileStamp | None = None
    ) -> WriteReport:
        if on_formula not in ("refuse", "skip", "overwrite"):
            raise ValueError("on_formula must be 'refuse', 'skip' or 'overwrite'")
        report = WriteReport(path=self.path)
        if not any(p.edit or p.appends or p.headers for p in self._plans.values()):
            return report
        refuse_unless_writable(self.path)
        with folder_lock(self.path.parent), Package.open(self.path) as pkg, contextlib.ExitStack() as spools:
            stamp = expect or FileStamp.of(self.path)
            replaced, removed = self._build(pkg, report, on_formula, spools)
            report.parts_rewritten = sorted(replaced)
            report.backup = atomic_write(
                self.path,
                lambda tmp: pkg.write_copy(tmp, replaced, removed=removed),
                keep_backups=keep_backups,
                expect=stamp,
            )
        return report

    # ------------------------------------------------------------------ building the new parts
    def _build(self, pkg: Package, report: WriteReport, on_formula: str, spools: contextlib.ExitStack):
        wb = read_workbook(pkg)
        styles_part = _styles_part(pkg, wb.workbook_part)
        try:
            styles = StyleBook(pkg.read(styles_part)) if styles_part else None
        except StylesError as exc:
            raise WorkbookRefused(
                _("its cell formats (styles.xml) cannot be read safely ({reason})").format(reason=exc), path=self.path
            ) from None
        replaced: dict[str, bytes | Deflated] = {}
        removed: set[str] = set()
        overwrote_formula = False
        for sheet_name, plan in self._plans.items():
            info = wb.sheet(sheet_name, path=self.path)
            try:
                sheet = SheetXml(lambda part=info.part, what=f"sheet '{info.name}'": pkg.stream(part, what=what))
            except ValueError as exc:
                raise WorkbookRefused(
                    _("sheet '{name}' cannot be read safely ({reason})").format(name=info.name, reason=exc),
                    path=self.path,
                ) from None
            edit = plan.edit
            if plan.appends or plan.headers:  # these look for the last cells cell by cell
                edit.materialize()
            tables = sheet_tables(pkg, info.part) if (plan.appends or plan.headers) else []
            if plan.appends or plan.headers:
                try:
                    scan = sheet.scan(tuple({h for _t, h in plan.headers}))
                except ValueError as exc:
                    raise WorkbookRefused(
                        _("sheet '{name}' cannot be read safely ({reason})").format(name=info.name, reason=exc),
                        path=self.path,
                    ) from None
                for text, header_row in plan.headers:
                    col = (
                        max(
                            scan.header_last_col.get(header_row, 0),
                            *(c for c in edit.values.get(header_row, {}) if edit.values[header_row][c] is not None),
                            0,
                        )
                        + 1
                    )
                    edit.set(header_row, col, text)
                    report.columns_added[text] = column_letter(col)
                    for t in tables:
                        r1, c1, r2, c2 = t.ref
                        if t.header_row and r1 == header_row and c2 == col - 1:
                            try:
                                t.xml = grow_right(t, text)
                            except ValueError as exc:
                                raise ToolkitError(
                                    _("sheet '{name}': {reason}").format(name=info.name, reason=exc), path=self.path
                                ) from None
                            t.ref = (r1, c1, r2, c2 + 1)
                            replaced[t.part] = t.xml
                last = max(scan.last_row, max(edit.values, default=0))
                first_new = last + 1
                for n, (values, first_col) in enumerate(plan.appends):
                    r = first_new + n
                    for k, v in enumerate(values):
                        if v is not None:
                            edit.set(r, first_col + k, v)
                    report.rows_appended.append(r)
                if plan.appends:
                    new_last = first_new + len(plan.appends) - 1
                    for t in tables:
                        if t.ref[0] <= last <= t.ref[2]:  # the new rows continue this table
                            grown = grow_down(t, new_last)
                            if grown is not None:
                                t.xml = grown
                                replaced[t.part] = grown
            if edit.headers_added:  # columns added at a table's right edge join the table
                tables = tables or sheet_tables(pkg, info.part)
                for header_row, col, text in sorted(edit.headers_added, key=lambda h: h[1]):
                    for t in tables:
                        r1, c1, r2, c2 = t.ref
                        if t.header_row and r1 == header_row and c2 == col - 1:
                            try:
                                t.xml = grow_right(t, text)
                            except ValueError as exc:
                                raise ToolkitError(f"sheet '{info.name}': {exc}", path=self.path) from None
                            t.ref = (r1, c1, r2, c2 + 1)
                            replaced[t.part] = t.xml
            encoder = CellEncoder(styles, sheet.prefix, wb.date1904)
            mode = "skip" if on_formula == "skip" else ("overwrite" if on_formula == "overwrite" else "refuse")
            try:
                spool = spools.enter_context(
                    tempfile.TemporaryFile(dir=self.path.parent, prefix=TEMP_PREFIX, buffering=0)
                )
                new_xml = deflate_chunks(sheet.apply_chunks(edit, encoder, mode), into=spool)
                skipped = sheet.skipped_refs
                report.skipped_merged += [(f"{info.name}!{r}", rng, v) for r, rng, v in sheet.merged_refs]
            except FormulaCells as exc:
                raise FormulaCellsRefused(self.path, info.name, exc.refs) from None
            except (CellValueError, StylesError) as exc:
                raise ToolkitError(
                    _("sheet '{name}': {reason}").format(name=info.name, reason=exc), path=self.path
                ) from None
            except UnicodeDecodeError:
                raise WorkbookRefused(
                    _("is damaged: sheet '{name}' holds text that is not valid UTF-8; nothing was written").format(
                        name=info.name
                    ),
                    path=self.path,
                ) from None
            except ValueError as exc:  # damage found while streaming: no end of the cells, a row over 64 MB
                raise WorkbookRefused(
                    _("sheet '{name}' cannot be read safely ({reason}); nothing was written").format(
                        name=info.name, reason=exc
                    ),
                    path=self.path,
                ) from None
            except OSError as exc:  # the spool beside the workbook: a full disk, a read-only folder
                raise ToolkitError(
                    _("could not be saved: {os_reason}; the workbook was left as it was").format(
                        os_reason=os_reason(exc)
                    ),
                    path=self.path,
                ) from None
            overwrote_formula = overwrote_formula or sheet.overwrote_formula
            report.skipped_formulas += [f"{info.name}!{r}" for r in skipped]
            report.cells_written += edit.cell_count() - len(skipped)
            replaced[info.part] = new_xml
        if styles is not None and styles.changed and styles_part is not None:
            replaced[styles_part] = styles.xml
        if overwrote_formula:
            _drop_calc_chain(pkg, wb.workbook_part, replaced, removed)
        return replaced, removed


def _styles_part(pkg: Package, workbook_part: str) -> str | None:
    for rel in read_rels(pkg, workbook_part):
        if rel.get("Type", "").endswith("/styles"):
            part = resolve_target(workbook_part, rel["Target"])
            return part if pkg.has(part) else None
    return None


def _drop_calc_chain(pkg: Package, workbook_part: str, replaced: dict, removed: set) -> None:
    """Excel rebuilds the calculation chain; a stale one pointing at overwritten formulas makes it complain."""
    rels_part = rels_name(workbook_part)
    for rel in read_rels(pkg, workbook_part):
        if rel.get("Type", "").endswith("/calcChain"):
            part = resolve_target(workbook_part, rel["Target"])
            removed.add(part)
            rels_xml = pkg.read(rels_part)
            replaced[rels_part] = re.sub(
                rb"<(?:\w+:)?Relationship\b[^>]*?Id=\"%s\"[^>]*/>" % re.escape(rel["Id"].encode()), b"", rels_xml
            )
            ct = pkg.read("[Content_Types].xml")
            replaced["[Content_Types].xml"] = re.sub(
                rb"<(?:\w+:)?Override\b[^>]*?PartName=\"/%s\"[^>]*/>" % re.escape(part.encode()), b"", ct
            )


def update_cells(
    path: str | Path,
    sheet: str,
    updates: Mapping[str, Any],
    *,
    fills: Mapping[str, str] | None = None,
    keep_backups: int = 10,
    on_formula: str = "refuse",
) -> WriteReport:
    """Change the cells named by A1 references, in place; everything else stays as it was.

    `updates` maps references such as "D7" to str, int, float, Decimal, date, datetime, bool,
    or None (clear the cell). `fills` optionally colours cells (e.g. {"D7": "FFC7CE"}).
    Cells holding formulas are not overwritten: on_formula="refuse" (default) raises and writes
    nothing, "skip" leaves them and lists them in the report, "overwrite" replaces them.
    """
    ed = WorkbookEditor(path)
    for ref, value in updates.items():
        ed.set(sheet, ref, value)
    for ref, rgb in (fills or {}).items():
        ed.fill(sheet, ref, rgb)
    return ed.save(keep_backups=keep_backups, on_formula=on_formula)


def append_rows(
    path: str | Path, sheet: str, rows: Iterable[Sequence[Any]], *, first_col: int = 1, keep_backups: int = 10
) -> WriteReport:
    """Add rows after the last row that holds data; a table ending at that row grows with them."""
    ed = WorkbookEditor(path)
    ed.append_rows(sheet, rows, first_col)
    return ed.save(keep_backups=keep_backups)


def add_column(path: str | Path, sheet: str, header: str, *, header_row: int = 1, keep_backups: int = 10) -> str:
    """Write `header` just right of the last header cell; returns the new column's letter."""
    ed = WorkbookEditor(path)
    ed.add_header(sheet, header, header_row)
    return ed.save(keep_backups=keep_backups).columns_added[header]


__all__ = ["WorkbookEditor", "WriteReport", "update_cells", "append_rows", "add_column", "make_ref"]
