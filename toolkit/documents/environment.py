"""The Jinja environment templates are rendered in: sandboxed, XML-escaped, strict about unknown names.

- `ImmutableSandboxedEnvironment`: a template can read the values it is given but cannot reach
  Python internals or change lists and dicts (templates are files staff edit, so they are not trusted).
- Every value is escaped for XML (``A&B <联合> 公司`` stays text) and stripped of characters XML
  cannot hold; a line break in a value becomes a Word line break, a tab a Word tab.
- A name the data does not have is an error (`StrictUndefined`), reported per notice, never an
  empty gap in a letter sent to a customer.
- Values without a filter are shown the office's way: dates 2025年10月10日, times 2025年10月10日 14:30,
  blank cells as nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jinja2 import StrictUndefined, Undefined, pass_context, pass_environment
from jinja2.exceptions import UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing
from markupsafe import Markup, escape

from toolkit.documents import filters as f
from toolkit.i18n import _

_PLAIN = (str, int, float, Decimal, dt.date, type(None), list, tuple, dict)
BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
TAB = '</w:t><w:tab/><w:t xml:space="preserve">'


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """One per language ("zh" or "en"): the language decides how dates are written."""

    def __init__(self, language: str = "zh"):
        self.language = language
        super().__init__(
            autoescape=True,
            undefined=StrictUndefined,
            finalize=self._finalize,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self.filters.update(
            {
                "date": _date,
                "datetime": _datetime,
                "weekday": _weekday,
                "money": f.format_money,
                "number": f.format_number,
                "mask": f.mask,
                "mask_phone": f.mask_phone,
                "mask_email": f.mask_email,
                "mask_address": f.mask_address,
                "word_date": _word_date,
                "word_number": f.word_number,
                "around": _around,
            }
        )
        self.globals["mergefield"] = _mergefield

    def _finalize(self, value):
        if isinstance(value, Markup):
            return value
        if isinstance(value, Undefined):
            value._fail_with_undefined_error()  # a name the data does not have: an error, never a gap
        if not isinstance(value, _PLAIN):
            raise TypeError(
                _(
                    "a {name} value cannot be put into a document: only text, numbers and dates can (pictures, sub-documents and rich-text objects are not supported)"
                ).format(name=type(value).__name__)
            )
        text = f.strip_control(f.display(value, self.language))
        out = escape(text)
        if "\n" in text or "\t" in text or "\r" in text:
            out = Markup(str(out).replace("\r\n", "\n").replace("\r", "\n").replace("\n", BREAK).replace("\t", TAB))
        return out


@pass_environment
def _date(env, value):
    return f.format_date(value, env.language)


@pass_environment
def _datetime(env, value):
    return f.format_datetime(value, env.language)


@pass_environment
def _weekday(env, value):
    return f.format_weekday(value, env.language)


@pass_environment
def _word_date(env, value, picture: str):
    return f.word_date(value, picture, env.language)


@pass_environment
def _around(env, value, before: str = "", after: str = ""):
    """Word's \\b and \\f switches: text before and after a value that is not blank."""
    if value is None or value == "":
        return ""
    return f"{before}{f.display(value, env.language)}{after}"


@pass_context
def _mergefield(context, name: str):
    """A merge field whose name is not a plain name, e.g. MERGEFIELD "Naam klant"."""
    value = context.resolve_or_missing(name)
    if value is missing:
        raise UndefinedError(f"'{name}' is undefined")
    return value
