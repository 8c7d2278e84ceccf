"""Rebuild the shipped notice and report templates in this folder, byte for byte (python templates/build.py).

The templates are made by code (toolkit/documents/stock.py, summary_template.py) with python-docx, so a change to a
template is a change to that code, reviewed like any other; running this again gives the same
files. Offices do not edit these: they copy one into the templates/ folder beside their
workbooks and change the copy in Word.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from toolkit.documents.stock import build_all  # noqa: E402
from toolkit.documents.summary_template import build_all as build_summary  # noqa: E402


def main() -> int:
    for path in build_all(HERE) + build_summary(HERE):
        print(f"{path.relative_to(HERE.parent)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
