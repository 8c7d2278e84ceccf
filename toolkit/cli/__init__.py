"""The command line: `toolkit COMMAND ...` (see toolkit.cli.main)."""

from toolkit.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
