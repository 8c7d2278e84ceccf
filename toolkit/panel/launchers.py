"""Double-click launchers for the desktop panel, written beside the workbooks.

Clerks do not use a terminal, so ``toolkit init`` and ``toolkit excel build-panel`` put two small
files into the workbook folder (names from ``[panel] launcher``):

``客服工具箱.cmd`` (Windows)
    ``start "" "<python>" -m toolkit panel "%~dp0."``: the panel opens on the folder the file is in
    (``%~dp0`` ends in a backslash, and ``\\"`` would reach Python as a quote, hence the ``.``). The
    file is UTF-8 with ``chcp 65001`` first and CRLF line ends (cmd.exe needs them for ``goto``), so a
    Python under ``C:\\Users\\张三\\`` works; ``start`` lets the console close at once (with
    pythonw.exe no console shows at all). No parenthesised blocks: a path holding ``)``, such as
    ``C:\\Program Files (x86)``, would end them early.
``客服工具箱.command`` (Mac; bash, executable)
    ``exec "<python>" -m toolkit panel "<its folder>" "$@"``: Finder opens .command files in Terminal.

Both first check that the Python is still there and otherwise say so (and wait for a key), instead
of flashing a window that closes. Which Python (:func:`interpreters`): ``[panel] interpreter_win`` /
``interpreter_mac`` when set; else the one running the toolkit now, when it is for that system (on
Windows its pythonw.exe beside python.exe); else ``[excel.panel]``'s interpreter for the Excel
buttons; else ``pythonw`` / ``python3`` from the PATH.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path, PureWindowsPath

from toolkit.i18n import _, get_language, use_language
from toolkit.settings import Settings, load_settings
from toolkit.settings.panel import PanelSettings

WINDOWS_SUFFIX = ".cmd"
MAC_SUFFIX = ".command"


def interpreters(settings: Settings, *, win: str | None = None, mac: str | None = None) -> tuple[str, str]:
    """(Windows Python, Mac Python) for the launchers; `win`/`mac` given on the command line win."""
    ps, excel = settings.panel, settings.excel.panel
    running = os.path.abspath(sys.executable) if sys.executable else ""
    if win is None:
        win = ps.interpreter_win
        if not win and os.name == "nt" and running:
            pythonw = Path(running).with_name("pythonw.exe")
            win = str(pythonw) if pythonw.exists() else running
        win = win or excel.interpreter_win.strip() or "pythonw"
    if mac is None:
        mac = ps.interpreter_mac
        if not mac and os.name == "posix" and running:
            mac = running
        mac = mac or excel.interpreter_mac.strip() or "python3"
    return win, mac


def windows_launcher(python: str) -> str:
    """The .cmd text (lines joined with CRLF when written)."""
    batch_python = python.replace("%", "%%")
    bare = not PureWindowsPath(python).parent.parts  # a name to find on the PATH, e.g. pythonw
    check = f'where /q "{batch_python}" && goto run' if bare else f'if exist "{batch_python}" goto run'
    lines = [
        "@echo off",
        "chcp 65001 >nul",
        "rem " + _("Double-click to open the toolkit's desktop panel on the workbooks in this folder."),
        "rem "
        + _(
            "Written by the toolkit (toolkit init, toolkit excel build-panel, toolkit panel "
            "--write-launchers); write it again after moving Python."
        ),
        check,
        "echo " + _('Python with the toolkit was not found: "{python}"').format(python=batch_python),
        "echo "
        + _("Ask whoever installed the toolkit to write this file again: toolkit panel FOLDER --write-launchers"),
        "pause",
        "exit /b 1",
        ":run",
        f'start "" "{batch_python}" -m toolkit panel "%~dp0."',
    ]
    return "\r\n".join(lines) + "\r\n"


def mac_launcher(python: str) -> str:
    """The .command text: a bash script that opens the panel on its own folder."""
    missing = _('Python with the toolkit was not found: "{python}"').format(python=python)
    close = _("Press Enter to close this window.")
    again = _("Ask whoever installed the toolkit to write this file again: toolkit panel FOLDER --write-launchers")
    lines = [
        "#!/bin/bash",
        "# " + _("Double-click to open the toolkit's desktop panel on the workbooks in this folder."),
        "# "
        + _(
            "Written by the toolkit (toolkit init, toolkit excel build-panel, toolkit panel "
            "--write-launchers); write it again after moving Python."
        ),
        f"PY={shlex.quote(python)}",
        'HERE="$(cd "$(dirname "$0")" && pwd)"',
        'if ! command -v "$PY" >/dev/null 2>&1; then',
        f"    echo {shlex.quote(missing)}",
        f"    echo {shlex.quote(again)}",
        f"    read -r -p {shlex.quote(close)} _ || true",
        "    exit 1",
        "fi",
        'exec "$PY" -m toolkit panel "$HERE" "$@"',
    ]
    return "\n".join(lines) + "\n"


def launcher_paths(folder: Path, ps: PanelSettings, language: str | None = None) -> tuple[Path, Path]:
    name = ps.launcher_name(language or ps.language or get_language())
    return Path(folder) / f"{name}{WINDOWS_SUFFIX}", Path(folder) / f"{name}{MAC_SUFFIX}"


def write_launchers(
    folder: str | Path, settings: Settings | None = None, *, win: str | None = None, mac: str | None = None
) -> list[Path]:
    """Write both launchers into `folder` (replacing earlier ones) and return their paths."""
    folder = Path(folder)
    settings = settings or load_settings(folder)
    ps = settings.panel
    language = ps.language or get_language()
    win_python, mac_python = interpreters(settings, win=win, mac=mac)
    cmd_path, command_path = launcher_paths(folder, ps, language)
    with use_language(language):
        _write(cmd_path, windows_launcher(win_python).encode("utf-8"), 0o644)
        _write(command_path, mac_launcher(mac_python).encode("utf-8"), 0o755)
    return [cmd_path, command_path]


def launchers_note(paths: list[Path]) -> str:
    """The line telling staff what the launchers are for."""
    win = next((p.name for p in paths if p.suffix == WINDOWS_SUFFIX), "")
    mac = next((p.name for p in paths if p.suffix == MAC_SUFFIX), "")
    return _(
        "Staff open the toolkit's panel by double-clicking {windows} (Windows) or {mac} (Mac); no Excel macros needed."
    ).format(windows=win, mac=mac)


def _write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
