"""The `toolkit` command: a thin face over the library's jobs, one module per family of commands.

Exit codes (toolkit.cli.common): 0 success, 1 problems found, 2 usage or fatal error. Expected
errors print one line naming the file (and sheet, row, column where known); `--debug` shows the
traceback.

The language is chosen before the parser is built, so that ``--help`` and usage errors speak it too:
``--lang`` wherever it stands on the command line, else TOOLKIT_LANG, else the ``[files] language`` of
the folder the command names (or of the current folder), else the locale, else Chinese
(:func:`command_language`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from toolkit import __version__
from toolkit.cli.columns import add_columns_command
from toolkit.cli.common import EXIT_FATAL, EXIT_OK, ToolkitParser, language_option
from toolkit.cli.due import add_due_command
from toolkit.cli.excel import add_excel_commands
from toolkit.cli.folders import add_folder_commands
from toolkit.cli.history import add_history_commands
from toolkit.cli.jobs import add_job_commands
from toolkit.cli.notices import add_notice_commands
from toolkit.cli.panel import add_panel_commands
from toolkit.cli.summary import add_summary_commands
from toolkit.errors import ToolkitError
from toolkit.i18n import _, choose_language, use_language
from toolkit.settings.files import office_language


def build_parser() -> argparse.ArgumentParser:
    parser = ToolkitParser(
        prog="toolkit", description=_("Keeps the customer register and the complaint tracker in order.")
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"toolkit {__version__}",
        help=_("show program's version number and exit"),  # Python 3.11's argparse does not translate its own
    )
    parser.add_argument(
        "--debug", action="store_true", help=_("show the full details of an error, for whoever maintains the toolkit")
    )
    language_option(parser, dest="top_lang")
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=ToolkitParser, title=_("commands"))
    for add in (
        add_folder_commands,
        add_columns_command,
        add_due_command,
        add_job_commands,
        add_history_commands,
        add_notice_commands,
        add_summary_commands,
        add_excel_commands,
        add_panel_commands,
    ):
        add(sub)
    return parser


def asked_language(argv: list[str]) -> str | None:
    """The value of --lang (or --lang=xx) anywhere on the command line, or None."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def named_folders(argv: list[str]) -> list[Path]:
    """The folders the command line names (a folder, a workbook's folder, --folder's), then the current one."""
    found = []
    for i, arg in enumerate(argv):
        text = arg.partition("=")[2] if arg.startswith("--folder=") else arg
        if text.startswith("-") and not (i and argv[i - 1] == "--folder"):
            continue
        path = Path(text)
        try:
            if path.is_dir():
                found.append(path)
            elif path.suffix.lower() in (".xlsx", ".xlsm") and path.parent.is_dir():
                found.append(path.parent)
        except OSError:
            continue
    return [*found, Path(".")]


def command_language(argv: list[str], environ=None) -> str:
    """The language this command speaks (see the module's docstring)."""
    office = next((lang for folder in named_folders(argv) if (lang := office_language(folder))), None)
    asked = asked_language(argv)
    return choose_language(asked if asked in ("zh", "en") else None, office, environ)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with use_language(command_language(argv)):
        return _main(argv)


def _main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_FATAL
    try:
        return int(args.run(args) or 0)
    except ToolkitError as exc:
        if args.debug:
            raise
        print(f"toolkit: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print(_("toolkit: stopped; workbooks are written in one step, so none was half-written"), file=sys.stderr)
        return EXIT_FATAL
