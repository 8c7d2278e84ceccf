"""Set up an office folder: the settings file and the two empty workbooks.

:func:`init_folder` creates ``toolkit.toml`` and the empty register and tracker (laid out by
:func:`toolkit.model.new_workbook.write_workbook`).
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.i18n import _
from toolkit.model.new_workbook import write_workbook
from toolkit.settings import SETTINGS_FILE, default_settings_text, load_settings
from toolkit.xlsx.safety import atomic_write, folder_lock

__all__ = ["init_folder", "settings_file_text"]


# --------------------------------------------------------------------------------- init_folder


def settings_file_text() -> str:
    """The starter `toolkit.toml`: a commented header and the [files] table with the defaults."""
    files = tomllib.loads(default_settings_text())["files"]
    try:
        shipped = str(resources.files("toolkit").joinpath("defaults/settings.toml"))
    except Exception:  # pragma: no cover - an unusual install
        shipped = "toolkit/defaults/settings.toml (inside the installed toolkit)"

    def value(v) -> str:
        return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else str(v)

    comments = {
        "register": "客户台账 - the customer register",
        "tracker": "投诉跟踪表 - the complaint / service-request tracker",
        "backups_kept": "backups kept per workbook in .toolkit-backups/",
        "header_language": "zh or en: headers written for new workbooks and new columns",
    }
    lines = [
        "# 工具设置 - settings for the office toolkit in this folder",
        "#",
        "# Write here only what you want to change; every setting left out keeps its shipped default.",
        "# The shipped defaults, with every setting and what it means, are in:",
        f"#   {shipped}",
        "# Copy a line or a whole section from there into this file and change it here, e.g. to add",
        "# a channel to the drop-down list:",
        "#",
        "#   [choices]",
        '#   channel = ["电话", "邮件", "在线", "现场", "书面", "微信"]',
        "#",
        "# What you can change: the workbook file names, how many backups are kept, the header",
        "# language, column headers and the other header texts accepted for a column, the choice",
        "# lists and the English spellings accepted for them, and the rules in the other sections of",
        "# the shipped defaults (deadlines, tiers, ...).",
        "# If you rename a workbook here, rename the file itself too.",
        "",
        "[files]",
    ]
    for key, v in files.items():
        text = f"{key} = {value(v)}"
        note = comments.get(key)
        lines.append(f"{text:<34} # {note}" if note else text)
    return "\n".join(lines) + "\n"


def init_folder(folder: str | Path, *, force: bool = False) -> list[Path]:
    """Create `folder` (if needed) with `toolkit.toml` and the empty register and tracker.

    Refuses if any of those files exists, unless `force` (replaced workbooks are kept in
    .toolkit-backups/). Returns the paths written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ToolkitError(_("is a file, not a folder"), path=folder)
    settings_path = folder / SETTINGS_FILE
    files = tomllib.loads(default_settings_text())["files"]
    targets = [settings_path, folder / files["register"], folder / files["tracker"]]
    keep = int(files["backups_kept"])
    if settings_path.exists():
        try:  # the names an existing settings file gives, too
            current = load_settings(folder)
            targets += [current.register_path, current.tracker_path]
            keep = current.backups_kept
        except ToolkitError:
            pass
    existing = list(dict.fromkeys(p for p in targets if p.exists()))
    if existing and not force:
        names = ", ".join(p.name for p in existing)
        raise ToolkitError(
            _("already has {names}; nothing was changed").format(names=names),
            path=folder,
            hint=_("use force to replace them with new, empty files; the old ones are kept in .toolkit-backups/"),
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ToolkitError(
            _("could not create the folder: {value}").format(value=exc.strerror or exc), path=folder
        ) from None
    with folder_lock(folder):
        text = settings_file_text()
        atomic_write(settings_path, lambda tmp: tmp.write_text(text, encoding="utf-8"), keep_backups=keep)
        settings = load_settings(folder)
        written = [settings_path]
        for path, schema in ((settings.register_path, settings.register), (settings.tracker_path, settings.tracker)):
            write_workbook(
                path, schema, language=settings.header_language, replace=force, keep_backups=settings.backups_kept
            )
            written.append(path)
    return written
