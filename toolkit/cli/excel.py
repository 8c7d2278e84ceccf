"""`toolkit excel build-panel`: the Excel control panel (built by toolkit.excel.panel).

    toolkit excel build-panel [FOLDER] [--out PATH] [--interpreter-win PATH] [--interpreter-mac PATH]
                              [--pythonpath PATH] [--lang zh|en]

Exit codes as for every command: 0 done, 2 nothing could be done (one line says why).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from toolkit.cli.common import EXIT_OK
from toolkit.i18n import _

# A command imports its job when it runs, so that `toolkit --help` and a usage error answer at once
# instead of first loading pyarrow, lxml and the other heavy libraries every job needs.


def cmd_build_panel(args) -> int:
    from toolkit.excel.panel import build_panel
    from toolkit.excel.vba import MACROS_MODULE
    from toolkit.settings import load_settings

    settings = load_settings(args.folder)
    spec = settings.excel.panel
    changes = {
        k: v
        for k, v in (
            ("interpreter_win", args.interpreter_win),
            ("interpreter_mac", args.interpreter_mac),
            ("pythonpath", args.pythonpath),
            ("language", args.lang),
        )
        if v is not None
    }
    spec = dataclasses.replace(spec, **changes)
    out = Path(args.out) if args.out else Path(args.folder) / spec.file
    build_panel(out, spec)
    print(
        _("wrote {file}: {n} buttons ({macros}), each running {module} through xlwings' RunPython.").format(
            file=out, n=len(spec.buttons), macros=", ".join(b.macro for b in spec.buttons), module=MACROS_MODULE
        )
    )
    from toolkit.panel.launchers import launchers_note, write_launchers  # the panel without macros, offered too

    launchers = write_launchers(args.folder, settings, win=args.interpreter_win, mac=args.interpreter_mac)
    print(
        _("wrote {files}: {note}").format(files=_(", ").join(str(p) for p in launchers), note=launchers_note(launchers))
    )
    if not (spec.interpreter_win or spec.interpreter_mac):
        print(
            _(
                "Put the full path of the Python that has the toolkit installed into the sheet xlwings.conf "
                "(Interpreter_Win / Interpreter_Mac), or build with --interpreter-win/--interpreter-mac."
            )
        )
    return EXIT_OK


def add_excel_commands(sub) -> None:
    p = sub.add_parser(
        "excel",
        help=_("Excel buttons: build the control panel workbook"),
        description=_(
            "The Excel face of the toolkit: a macro-enabled control panel whose buttons "
            "run the jobs through xlwings (no add-in needed)."
        ),
    )
    excel = p.add_subparsers(dest="excel_command", metavar=_("SUBCOMMAND"), parser_class=type(p), title=_("commands"))
    excel.required = True
    b = excel.add_parser(
        "build-panel",
        help=_("write the control panel (.xlsm) with one button per job"),
        description=_(
            "Write the control panel: xlwings' standalone VBA project with our Subs in "
            "Module1, one labelled button per job, and an xlwings.conf sheet for the "
            "interpreter. The same settings always give the same file."
        ),
    )
    b.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar=_("FOLDER"),
        help=_("workbook folder whose toolkit.toml is used (default: here); the panel goes there"),
    )
    b.add_argument(
        "--out", type=Path, metavar=_("FILE"), help=_("where to write the panel (default: FOLDER/control_panel.xlsm)")
    )
    b.add_argument(
        "--interpreter-win",
        metavar=_("PATH"),
        help=_("Python on Windows, e.g. {example}").format(example=r"C:\toolkit\.venv\Scripts\pythonw.exe"),
    )
    b.add_argument(
        "--interpreter-mac",
        metavar=_("PATH"),
        help=_("Python on a Mac, e.g. {example}").format(example="/Users/me/toolkit/.venv/bin/python"),
    )
    b.add_argument("--pythonpath", metavar=_("PATH"), help=_("folder holding the toolkit package, if not installed"))
    b.add_argument(
        "--lang", choices=("zh", "en"), help=_("button captions and messages in Chinese (default) or English")
    )
    b.set_defaults(run=cmd_build_panel)
