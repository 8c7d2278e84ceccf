"""Word documents from the workbooks' data: a fast .docx template renderer, PDF and charts.

This package renders only; the jobs that decide which documents to make are in toolkit.jobs
(notices, summary). Public API::

    from toolkit.documents import DocxTemplate, check_template, find_template

The renderer keeps python-docx's split: the zip package (`package`), the XML work on Word's
runs, fields and tags (`runs`, `mergefield`), the names a template reads (`names`), and the API
(`template`, `check`); `templates` finds the template a document is made from.
"""

from toolkit.documents.check import check_template, field_issues
from toolkit.documents.template import DocxTemplate, RenderError, TemplateError
from toolkit.documents.templates import find_template

__all__ = [
    "DocxTemplate",
    "TemplateError",
    "RenderError",
    "check_template",
    "field_issues",
    "find_template",
]
