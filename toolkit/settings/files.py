"""[files]: the two workbooks' file names, how many backups are kept, the language of new headers, and the
language the toolkit speaks in the office (``language``: its messages, ``--help``, both panels).

``language`` is ``"zh"``, ``"en"`` or empty (None: the person's environment decides, see
:func:`toolkit.i18n.choose_language`). :func:`office_language` peeks at it before the settings are
loaded, so that a command's ``--help`` and its usage errors already speak the office's language.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.i18n import _, normalise_language
from toolkit.settings.problems import expect


@dataclass(frozen=True)
class FileSettings:
    register: str  # the customer register's file name, e.g. "customers.xlsx"
    tracker: str  # the complaint tracker's file name, e.g. "complaints.xlsx"
    backups_kept: int  # backups kept per workbook in .toolkit-backups/
    header_language: str  # "zh" or "en": headers written by `toolkit init` and for new columns
    language: str | None = None  # "zh", "en" or None: what the toolkit says (None: the environment, else zh)


def read_files(data: Mapping[str, Any], source: str | Path) -> FileSettings:
    files = data.get("files", {})
    expect(isinstance(files, Mapping), source, "files", _("a table [files]"), files)
    assert isinstance(files, Mapping)
    for key in ("register", "tracker"):
        expect(
            isinstance(files.get(key), str) and files[key].lower().endswith((".xlsx", ".xlsm")),
            source,
            f"files.{key}",
            _("a file name ending in .xlsx or .xlsm"),
            files.get(key),
        )
    kept: Any = files.get("backups_kept")
    expect(
        isinstance(kept, int) and not isinstance(kept, bool) and kept >= 0,
        source,
        "files.backups_kept",
        _("a whole number of at least 0"),
        kept,
    )
    language = files.get("header_language")
    expect(language in ("zh", "en"), source, "files.header_language", _("zh or en"), language)
    spoken = files.get("language", "")
    expect(
        isinstance(spoken, str) and (not spoken.strip() or normalise_language(spoken) is not None),
        source,
        "files.language",
        _("zh, en or empty"),
        spoken,
    )
    return FileSettings(
        files["register"], files["tracker"], int(kept), str(language), normalise_language(spoken) if spoken else None
    )


def office_language(folder: str | Path) -> str | None:
    """``[files] language`` of the folder's toolkit.toml, or None (not set, no file, or a file that does not
    read: the job reports that itself when it loads the settings)."""
    path = Path(folder) / "toolkit.toml"
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, ValueError):
        return None
    files = data.get("files")
    return normalise_language(files.get("language")) if isinstance(files, Mapping) else None
