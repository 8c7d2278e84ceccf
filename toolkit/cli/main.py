"""The `toolkit` command: a thin face over the library's jobs, one module per family of commands.

Exit codes (toolkit.cli.common): 0 success, 1 problems found, 2 usage or fatal error. Expected
errors print one line naming the file (and sheet, row, column where known); `--debug` shows the
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from toolkit import __version__
from toolkit.cli.columns import add_columns_command
from toolkit.cli.common import EXIT_FATAL, EXIT_OK, ToolkitParser
from toolkit.cli.due import add_due_command
from toolkit.cli.excel import add_excel_commands
from toolkit.cli.folders import add_folder_commands
from toolkit.cli.history import add_history_commands
from toolkit.cli.jobs import add_job_commands
from toolkit.cli.notices import add_notice_commands
from toolkit.cli.panel import add_panel_commands
from toolkit.cli.summary import add_summary_commands
from toolkit.errors import ToolkitError


def build_parser() -> argparse.ArgumentParser:
    parser = ToolkitParser(
        prog="toolkit", description="Keeps the customer register and the complaint tracker in order."
    )
    parser.add_argument("--version", action="version", version=f"toolkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full Python traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ToolkitParser)
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


def main(argv: list[str] | None = None) -> int:
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
        print("toolkit: stopped; workbooks are written in one step, so none was half-written", file=sys.stderr)
        return EXIT_FATAL
