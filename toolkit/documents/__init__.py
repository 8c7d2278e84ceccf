"""Word documents from the workbooks: a fast .docx template renderer and the office's notices.

Public API::

    from toolkit.documents import DocxTemplate, check_template, make_notices

The renderer keeps python-docx's split: the zip package (`package`), the XML work on Word's
runs, fields and tags (`runs`, `mergefield`), and the API (`template`, `check`).
"""

from toolkit.documents.check import check_template, field_issues
from toolkit.documents.template import DocxTemplate, RenderError, TemplateError

__all__ = [
    "DocxTemplate",
    "TemplateError",
    "RenderError",
    "check_template",
    "field_issues",
    "make_notices",
    "NoticeResult",
]


def __getattr__(name):  # the notices job imports the workbook side; load it only when asked for
    if name in ("make_notices", "NoticeResult"):
        from toolkit.documents import notices

        return getattr(notices, name)
    raise AttributeError(name)
