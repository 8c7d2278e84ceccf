"""What the desktop panel remembers for each user between runs: the workbook folder last used.

A small JSON file in the user's settings folder, as desktop programs keep theirs:

- Windows: ``%APPDATA%\\office-toolkit\\panel.json``
- macOS: ``~/Library/Application Support/office-toolkit/panel.json``
- elsewhere: ``$XDG_CONFIG_HOME/office-toolkit/panel.json`` (default ``~/.config``)

It is a convenience, never a source of truth: a file that is missing, unreadable or names a folder
that no longer exists is treated as "nothing remembered"; it is written in one step (a temp file
renamed over it), so a crash cannot leave half a file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

APP_DIR = "office-toolkit"
FILE = "panel.json"


def config_dir() -> Path:
    """The folder for this user's settings of the toolkit's desktop programs."""
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_DIR


def memory_path() -> Path:
    return config_dir() / FILE


def load() -> dict:
    try:
        data = json.loads(memory_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remembered_folder() -> Path | None:
    """The folder used last time, if it is still there."""
    folder = load().get("folder")
    if isinstance(folder, str) and folder and Path(folder).is_dir():
        return Path(folder)
    return None


def remember_folder(folder: Path) -> bool:
    """Keep `folder` for next time; False when the settings folder cannot be written (not an error)."""
    data = load()
    data["folder"] = str(Path(folder).resolve())
    path = memory_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        return False
    return True
