"""Sample data written into an office folder's workbooks (see :func:`toolkit.demo.sample_data.generate`)."""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook

from toolkit.errors import ToolkitError
from toolkit.i18n import _
from toolkit.model.new_workbook import write_workbook
from toolkit.settings import load_settings
from toolkit.xlsx.safety import folder_lock

# --------------------------------------------------------------------------------- write_sample


def _is_empty_workbook(path: Path, sheet: str) -> bool:
    """True if `path` holds nothing but a header row on `sheet` (e.g. straight after init)."""
    try:
        wb = CalamineWorkbook.from_path(str(path))
        try:
            if sheet not in wb.sheet_names:
                return False
            rows = wb.get_sheet_by_name(sheet).iter_rows()
            next(rows, None)  # the header row
            for row in rows:
                if any(v is not None and v != "" for v in row):
                    return False
            return True
        finally:
            wb.close()
    except Exception:
        return False


def write_sample(folder: str | Path, data, *, big: bool = False, force: bool = False) -> list[Path]:
    """Write sample data (see :func:`toolkit.demo.sample_data.generate`) into the folder's workbooks.

    The folder's settings decide file names, sheets and headers. An existing workbook is replaced
    only if it holds no data rows (e.g. straight after ``init``) or with `force` (the old one is kept
    in .toolkit-backups/). Returns the paths written.
    """
    folder = Path(folder)
    settings = load_settings(folder)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = (
        (settings.register_path, settings.register, data.customers),
        (settings.tracker_path, settings.tracker, data.complaints),
    )
    for path, schema, _rows in jobs:
        if path.exists() and not force and not _is_empty_workbook(path, schema.sheet):
            raise ToolkitError(
                _("already holds data; sample data would replace it"),
                path=path,
                hint=_("use an empty folder for sample data, or force to replace the file"),
            )
    written = []
    with folder_lock(folder):
        for path, schema, rows in jobs:
            write_workbook(
                path,
                schema,
                rows,
                language=settings.header_language,
                big=big,
                replace=True,
                keep_backups=settings.backups_kept,
            )
            written.append(path)
    return written
