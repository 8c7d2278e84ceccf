"""The `toolkit` command: a thin face over the library's jobs.

Exit codes: 0 success, 1 problems found, 2 usage or fatal error.
"""

from __future__ import annotations

import argparse
import sys

from toolkit import __version__
from toolkit.errors import ToolkitError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="toolkit",
        description="Keeps the customer register and the complaint tracker in order.",
    )
    parser.add_argument("--version", action="version", version=f"toolkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full Python traceback on errors")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except ToolkitError as exc:
        if args.debug:
            raise
        print(f"toolkit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("toolkit: stopped by the user; no workbook was half-written", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
