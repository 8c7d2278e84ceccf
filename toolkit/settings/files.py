"""[files]: the two workbooks' file names, how many backups are kept, the language of new headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.settings.problems import expect


@dataclass(frozen=True)
class FileSettings:
    register: str  # the customer register's file name, e.g. "customers.xlsx"
    tracker: str  # the complaint tracker's file name, e.g. "complaints.xlsx"
    backups_kept: int  # backups kept per workbook in .toolkit-backups/
    header_language: str  # "zh" or "en": headers written by `toolkit init` and for new columns


def read_files(data: Mapping[str, Any], source: str | Path) -> FileSettings:
    files = data.get("files", {})
    expect(isinstance(files, Mapping), source, "files", "a table [files]", files)
    assert isinstance(files, Mapping)
    for key in ("register", "tracker"):
        expect(
            isinstance(files.get(key), str) and files[key].lower().endswith((".xlsx", ".xlsm")),
            source,
            f"files.{key}",
            "a file name ending in .xlsx or .xlsm",
            files.get(key),
        )
    kept: Any = files.get("backups_kept")
    expect(
        isinstance(kept, int) and not isinstance(kept, bool) and kept >= 0,
        source,
        "files.backups_kept",
        "a whole number of at least 0",
        kept,
    )
    language = files.get("header_language")
    expect(language in ("zh", "en"), source, "files.header_language", "zh or en", language)
    return FileSettings(files["register"], files["tracker"], int(kept), str(language))
