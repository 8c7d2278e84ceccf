"""`toolkit restore`: list a workbook's backups and put one of them back.

Every write keeps the previous version in `.toolkit-backups/` beside the workbook
(`complaints.20261120-170512-123456.xlsx`). `list_workbook_backups` numbers them newest first;
`restore_backup` puts number N back in one atomic step - the version being replaced is itself
backed up first, so a restore can be undone with another restore. A workbook open in Excel is
not touched, and neither is a backup that is not a readable workbook.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import SettingsError, ToolkitError
from toolkit.formats import show
from toolkit.i18n import _
from toolkit.settings import load_settings
from toolkit.textout import format_table
from toolkit.xlsx.package import Package
from toolkit.xlsx.safety import BACKUP_DIR, FileStamp, atomic_write, folder_lock, list_backups, refuse_if_open

DEFAULT_KEEP = 10


@dataclass(frozen=True)
class Backup:
    number: int  # 1 = the newest
    path: Path
    taken: dt.datetime | None
    size: int


def _taken(path: Path, workbook: Path) -> dt.datetime | None:
    m = re.fullmatch(re.escape(workbook.stem) + r"\.(\d{8}-\d{6}-\d{6})" + re.escape(workbook.suffix), path.name)
    if not m:
        return None
    try:
        return dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S-%f")
    except ValueError:
        return None


def list_workbook_backups(path: str | Path) -> list[Backup]:
    """The backups of `path`, newest first, numbered from 1."""
    path = Path(path)
    out: list[Backup] = []
    for b in list_backups(path):
        taken = _taken(b, path)
        if taken is None:
            continue  # another workbook whose name starts the same way
        try:
            size = b.stat().st_size
        except OSError:
            continue
        out.append(Backup(len(out) + 1, b, taken, size))
    return out


def _keep_for(folder: Path) -> int:

    try:
        return max(load_settings(folder).backups_kept, 1)
    except SettingsError:
        return DEFAULT_KEEP


@dataclass
class Restored:
    path: Path
    restored_from: Backup
    previous_kept_as: Path | None  # the version that was replaced, now a backup itself


def restore_backup(path: str | Path, number: int, *, keep_backups: int | None = None) -> Restored:
    """Put backup `number` (1 = newest, as listed) back as `path`, atomically."""
    path = Path(path)
    refuse_if_open(path)
    with folder_lock(path.parent):
        backups = list_workbook_backups(path)
        if not backups:
            raise ToolkitError(_("has no backups in {folder}/").format(folder=BACKUP_DIR), path=path)
        if not 1 <= number <= len(backups):
            raise ToolkitError(
                _("has no backup number {number}; the backups are numbered 1 to {last}").format(
                    number=number, last=len(backups)
                ),
                path=path,
                hint=_("list them with `toolkit restore FILE --list`"),
            )
        chosen = backups[number - 1]
        with Package.open(chosen.path):  # refuses a damaged or foreign file before anything is replaced
            pass
        keep = keep_backups if keep_backups is not None else _keep_for(path.parent)
        # The chosen backup is copied into the new version before the current one is backed up
        # (which may prune the oldest backup), so even restoring the oldest one is safe.
        stamp = FileStamp.of(path) if path.exists() else None
        previous = atomic_write(path, lambda tmp: shutil.copyfile(chosen.path, tmp), keep_backups=keep, expect=stamp)
    return Restored(path, chosen, previous)


def format_backups(path: Path, backups: list[Backup]) -> str:

    if not backups:
        return _("{file}: no backups in {folder}").format(file=path, folder=path.parent / BACKUP_DIR)
    rows = [(b.number, show(b.taken) if b.taken else "", f"{b.size:,}", b.path.name) for b in backups]
    return format_table(["#", _("taken at"), _("bytes"), _("backup file")], rows)
