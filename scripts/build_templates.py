"""Rebuild the shipped notice and report templates in toolkit/templates/, byte for byte.

    python scripts/build_templates.py

The templates are made by code (toolkit/documents/stock.py, summary_template.py) with python-docx,
so a change to a template is a change to that code, reviewed like any other; running this again
gives the same files. They ship inside the package (package data), so an installed toolkit has
them. Offices do not edit these: they copy one into the templates/ folder beside their workbooks
and change the copy in Word.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from toolkit.documents.templates import build_shipped  # noqa: E402 - the checkout's toolkit, found above


def main() -> int:
    for path in build_shipped():
        print(f"{path.relative_to(REPO)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
