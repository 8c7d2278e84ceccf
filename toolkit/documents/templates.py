"""Where a document's template comes from: the office's own, else the one shipped with the toolkit.

The shipped templates are package data (``toolkit/templates/*.docx``), made by code
(:mod:`toolkit.documents.stock` for the notices, :mod:`toolkit.documents.summary_template` for
the monthly report) and rebuilt byte for byte by ``python scripts/build_templates.py``. Offices copy
one into the templates folder beside their workbooks and change the copy in Word; a template
found there wins. Should the shipped file be missing, the same template is built in memory.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.documents import stock, summary_template
from toolkit.documents.stock import template_file_name

SHIPPED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
REPORT_TEMPLATE = "summary"  # the monthly report's template; every other name is a notice's


def find_template(name: str, language: str, office_templates: Path) -> tuple[Path | bytes, str]:
    """(the template, where it came from) for the template `name` ("ack", "summary", ...) in `language`:
    the file in `office_templates`, else the shipped file, else the shipped template built now.

    Raises KeyError when `name` is none of the shipped templates and the office has no such file.
    """
    file_name = template_file_name(name, language)
    for folder in (office_templates, SHIPPED_TEMPLATES):
        path = folder / file_name
        if path.is_file():
            return path, str(path)
    built = summary_template.build(language) if name == REPORT_TEMPLATE else stock.build(name, language)
    return built, f"shipped template {file_name} (built)"


def build_shipped(folder: Path = SHIPPED_TEMPLATES) -> list[Path]:
    """Write every shipped template (notices and report, zh and en) into `folder`; the paths written."""
    return stock.build_all(folder) + summary_template.build_all(folder)
