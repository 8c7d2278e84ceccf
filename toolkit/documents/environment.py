"""The Jinja environment templates are rendered in: sandboxed, XML-escaped, strict about unknown names.

- `ImmutableSandboxedEnvironment`: a template can read the values it is given but cannot reach
  Python internals or change lists and dicts (templates are files staff edit, so they are not trusted).
- Every value is escaped for XML (``A&B <联合> 公司`` stays text) and stripped of characters XML
  cannot hold; a line break in a value becomes a Word line break, a tab a Word tab.
- A name the data does not have is an error (`StrictUndefined`), reported per notice, never an
  empty gap in a letter sent to a customer.
- Values without a filter are shown the office's way: dates 2025年10月10日, times 2025年10月10日 14:30,
  blank cells as nothing.
- Limits (`Limits`): a template cannot make a number of more than MAX_NUMBER_BITS bits (``9**(9**9)``
  is refused, also when the template is opened: such constants are never folded at compile time), a
  text of more than MAX_TEXT characters in one operation (``'x'*300000000``, ``|center``, ``|replace``,
  ``'%300000000s'``), more than MAX_STEPS ``range`` steps or a big ``lipsum()``; the renderer adds a
  time and an output-size limit per document (:mod:`toolkit.documents.template`).
- Nothing a template does turns a value into raw Word XML: ``|safe``, ``|urlize`` and ``|xmlattr``
  escape like every other value, and ``{% autoescape false %}`` is refused when the template is opened.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from jinja2 import StrictUndefined, Undefined, pass_context, pass_environment
from jinja2.exceptions import UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum, missing
from markupsafe import Markup, escape

from toolkit.documents import filters as f
from toolkit.i18n import _

_PLAIN = (str, int, float, Decimal, dt.date, type(None), list, tuple, dict)
MAX_NUMBER_BITS = 4096  # about 1,200 digits: far more than any figure in a letter
MAX_TEXT = 1_000_000  # characters (or list items) one operation may make
MAX_STEPS = 1_000_000  # range() steps in one document
_WIDTH = re.compile(r"\d{7,}")  # a width of a million or more in a format spec


class LimitError(Exception):
    """A template went over one of the rendering limits."""


def _too_long(n: int) -> None:
    if n > MAX_TEXT:
        raise LimitError(f"a text of {n:,} characters (the limit is {MAX_TEXT:,})")


def _check_number(value) -> None:
    if isinstance(value, int) and value.bit_length() > MAX_NUMBER_BITS:
        raise LimitError(f"a number of more than {MAX_NUMBER_BITS} bits")


def _sized(value) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _check_binop(op: str, left, right) -> None:
    """Refuse an operation whose result would be too big, before computing it."""
    if op == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        if left not in (0, 1, -1) and max(left.bit_length(), 1) * right > MAX_NUMBER_BITS:
            raise LimitError(f"a number of more than {MAX_NUMBER_BITS} bits ({left}**{right})")
    elif op == "*":
        for a, b in ((left, right), (right, left)):
            size = _sized(a)
            if size is not None and isinstance(b, int):
                _too_long(size * max(b, 0))
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
                raise LimitError(f"a number of more than {MAX_NUMBER_BITS} bits")
    elif op == "%" and isinstance(left, str) and _WIDTH.search(left):
        raise LimitError("a format width of a million characters or more")
    elif op == "+":
        a, b = _sized(left), _sized(right)
        if a is not None and b is not None:
            _too_long(a + b)


class _Steps:
    """range() that counts its steps across one document."""

    def __init__(self):
        self.steps = 0

    def range(self, *args):
        for a in args:
            _check_number(a)
        rng = range(*args)
        if len(rng) > MAX_STEPS:
            raise LimitError(f"range() of {len(rng):,} steps (the limit is {MAX_STEPS:,})")
        for item in rng:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise LimitError(f"more than {MAX_STEPS:,} loop steps")
            yield item


def _lipsum(n: int = 5, html: bool = False, min: int = 20, max: int = 100):  # noqa: A002 - Jinja's names
    if not all(isinstance(v, int) for v in (n, min, max)) or n > 20 or max > 200 or min > max:
        raise LimitError("lipsum() of more than 20 paragraphs of 200 words")
    return generate_lorem_ipsum(n=n, html=False, min=min, max=max)


def _escaped(value, *args, **kwargs):
    """|safe, |urlize: the value as it is - escaped like every other value (no raw Word XML from a template)."""
    return value


def _no_xmlattr(*args, **kwargs):
    raise LimitError("|xmlattr makes markup, which a Word document cannot take from a template")


_STR_GROWERS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
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
        self.globals["lipsum"] = _lipsum
        self.filters.update({"safe": _escaped, "urlize": _escaped, "xmlattr": _no_xmlattr})
        for name in ("center", "indent", "wordwrap", "format", "replace", "truncate"):
            self.filters[name] = _bounded_filter(self.filters[name], name)

    # every operator that can make a huge number or text is checked first (and never folded at compile time)
    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

    def call_binop(self, context, operator_name, left, right):
        _check_binop(operator_name, left, right)
        result = super().call_binop(context, operator_name, left, right)
        _check_number(result)
        return result

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        name = getattr(__obj, "__name__", "")
        if isinstance(getattr(__obj, "__self__", None), str):
            if name in _STR_GROWERS:
                for a in args:
                    if isinstance(a, int):
                        _too_long(a)
            elif name in ("format", "format_map") and _WIDTH.search(__obj.__self__):
                raise LimitError("a format width of a million characters or more")
            elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
                text = __obj.__self__
                _too_long(len(text) + text.count(args[0]) * len(args[1]) if args[0] else len(text) * len(args[1]))
        result = super().call(__context, __obj, *args, **kwargs)
        _check_number(result)
        return result

    def wrap_str_format(self, value):
        """str.format / format_map as the sandbox wraps them, refusing a width of a million or more
        (written in the format string or passed as an argument)."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        if _WIDTH.search(value.__self__):

            def refuse(*args, **kwargs):
                raise LimitError("a format width of a million characters or more")

            return refuse

        def checked(*args, **kwargs):
            values = list(args) + list(kwargs.values())
            for v in values + [x for d in values if isinstance(d, dict) for x in d.values()]:
                if isinstance(v, int) and not isinstance(v, bool) and v > MAX_TEXT:
                    raise LimitError("a format width of a million characters or more")
            return wrapped(*args, **kwargs)

        return checked

    def new_steps(self) -> _Steps:
        """A fresh step count for one document; its `range` is the template's range()."""
        return _Steps()

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


def _bounded_filter(func, name: str):
    """A built-in filter that could make a huge text, checked first."""

    def checked(*args, **kwargs):
        values = list(args) + list(kwargs.values())
        texts = [v for v in args if isinstance(v, str)]
        for v in values:
            if isinstance(v, int) and not isinstance(v, bool):
                _too_long(v)
            if isinstance(v, str) and _WIDTH.search(v) and name == "format":
                raise LimitError("a format width of a million characters or more")
        if name == "replace" and len(texts) >= 3:
            text, old, new = texts[:3]
            n = text.count(old) if old else len(text)
            _too_long(len(text) + n * len(new))
        result = func(*args, **kwargs)
        if isinstance(result, str):
            _too_long(len(result))
        return result

    for attr in ("jinja_pass_arg",):
        if hasattr(func, attr):
            setattr(checked, attr, getattr(func, attr))
    return checked


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
