"""`toolkit panel`: the desktop panel (toolkit.panel), or its double-click launchers.

    toolkit panel [FOLDER] [--lang zh|en] [--check] [--write-launchers]

Opens the desktop panel on FOLDER (default: the folder this user chose last time); --write-launchers
writes the double-click launchers into FOLDER instead; --check opens the window and closes it again.
Exit codes as for every command: 0 done, 2 the window could not be opened (one line says why).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.common import EXIT_OK
from toolkit.i18n import _

# A command imports its job when it runs, so that `toolkit --help` and a usage error answer at once
# instead of first loading Tk, pyarrow, lxml and the other heavy libraries.


def cmd_panel(args) -> int:
    if args.write_launchers:
        from toolkit.panel.launchers import launchers_note, write_launchers

        paths = write_launchers(args.folder or Path("."))
        for path in paths:
            print(_("wrote {path}").format(path=path))
        print(launchers_note(paths))
        return EXIT_OK
    from toolkit.panel.window import open_panel

    return open_panel(args.folder, language=args.lang, check=args.check)


def add_panel_commands(sub) -> None:
    p = sub.add_parser(
        "panel",
        help=_("open the desktop panel: the six jobs as buttons, no Excel macros needed"),
        description=_(
            "Open a window with the same jobs as the Excel control panel (sync, flag, tiers, run all, "
            "notices, monthly report), for WPS, blocked macros or a computer without the Excel setup. "
            "The folder is remembered for next time."
        ),
    )
    p.add_argument(
        "folder", nargs="?", type=Path, default=None, help=_("the workbook folder (default: the one chosen last time)")
    )
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        help=_("the window's language (default: [panel] language, else TOOLKIT_LANG, else Chinese)"),
    )
    p.add_argument("--check", action="store_true", help=_("open the window, check that it shows, and close it again"))
    p.add_argument(
        "--write-launchers",
        action="store_true",
        help=_("write the double-click launchers (.cmd for Windows, .command for a Mac) into FOLDER and exit"),
    )
    p.set_defaults(run=cmd_panel)
