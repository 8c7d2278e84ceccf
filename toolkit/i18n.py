"""Messages in the clerk's language: Simplified Chinese by default, English where the office says so.

Every text a person reads (command output, ``--help``, problems, errors, progress, the panels'
messages) is written in the code as an English message id and shown through this module::

    from toolkit.i18n import _, ngettext

    _("{file} is open in Excel: save and close it, then run the job again").format(file=name)
    ngettext("{n} problem", "{n} problems", n).format(n=n)

The Chinese texts live in the gettext catalog ``toolkit/locale/zh_CN/LC_MESSAGES/toolkit.po``, kept
with Babel (``scripts/messages``: extract the ids from the code, update the catalog, compile it).
The compiled ``.mo`` is made by ``scripts/setup`` for a checkout and by the package build for a wheel;
a catalog whose ``.po`` is newer than its ``.mo`` (a translator's edit not compiled yet) is read from
the ``.po`` directly, so what a person sees is never older than the catalog.

Which language
    The face that talks to the person chooses once per process: the command line's ``--lang``,
    else the office's ``language`` setting, else the environment variable ``TOOLKIT_LANG``, else
    ``zh``. ``en`` shows the message ids themselves. :func:`use_language` switches for a block (the
    tests run one command in both languages).

What does not pass here
    Texts that are the office's data rather than messages — the words written into workbook cells
    (逾期, 按时完成), the headers, the notice titles and the letters' own wording — are settings and
    templates, chosen by ``header_language`` and the notices' ``language``, not by this module.
    Message ids hold no Chinese (a test checks), so the English catalog is the code itself.

Showing values
    :func:`show` writes a cell value the way people write it, never as a Python repr:
    2026-10-17, 2026-10-17 14:30, 14:30, 1234.5, and an empty cell as nothing. :func:`show_date`
    is the long form for sentences (2026年10月17日 / 17 October 2026) and :func:`show_money` the
    currency form (¥1,234.00).
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

DOMAIN = "toolkit"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
ENV_VAR = "TOOLKIT_LANG"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CATALOG_LOCALES = {"zh": "zh_CN"}  # language -> the catalog that holds it ("en" is the ids themselves)

_ALIASES = {
    "zh": "zh",
    "zh_cn": "zh",
    "zh-cn": "zh",
    "zh_hans": "zh",
    "zh-hans": "zh",
    "cn": "zh",
    "chinese": "zh",
    "中文": "zh",
    "简体中文": "zh",
    "en": "en",
    "en_us": "en",
    "en-us": "en",
    "en_gb": "en",
    "en-gb": "en",
    "english": "en",
    "英文": "en",
}

_chosen: str | None = None
_catalogs: dict[str, gettext.NullTranslations] = {}


def normalise_language(text: object) -> str | None:
    """ "zh", "zh_CN", "zh-Hans", "中文" -> "zh"; "en", "en_US", "English" -> "en"; anything else -> None."""
    if not isinstance(text, str):
        return None
    key = text.strip().lower().split(".")[0]  # "zh_CN.UTF-8" -> "zh_cn"
    return _ALIASES.get(key)


def set_language(language: str | None) -> str:
    """Choose the language for this process; None goes back to the environment and the default."""
    global _chosen
    if language is None:
        _chosen = None
        return get_language()
    code = normalise_language(language)
    if code is None:
        raise ValueError(f"unknown language {language!r}; the toolkit speaks {', '.join(LANGUAGES)}")
    _chosen = code
    return code


def get_language() -> str:
    """The language in use: the one set, else TOOLKIT_LANG, else zh."""
    if _chosen is not None:
        return _chosen
    return normalise_language(os.environ.get(ENV_VAR, "")) or DEFAULT_LANGUAGE


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Speak `language` inside the block, then go back to what was chosen before."""
    global _chosen
    before = _chosen
    try:
        yield set_language(language)
    finally:
        _chosen = before


def catalog_path(language: str, suffix: str) -> Path:
    return LOCALE_DIR / CATALOG_LOCALES[language] / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def translations(language: str | None = None) -> gettext.NullTranslations:
    """The catalog of `language` (default: the one in use), loaded once."""
    language = language or get_language()
    if language not in _catalogs:
        _catalogs[language] = _load(language)
    return _catalogs[language]


def _load(language: str) -> gettext.NullTranslations:
    if language not in CATALOG_LOCALES:
        return gettext.NullTranslations()
    mo, po = catalog_path(language, ".mo"), catalog_path(language, ".po")
    if mo.is_file() and not (po.is_file() and po.stat().st_mtime > mo.stat().st_mtime):
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    if po.is_file():
        # Babel compiles it here only in a checkout whose catalog was edited since `scripts/setup`;
        # an installed toolkit ships the .mo alone.
        from babel.messages.mofile import write_mo  # noqa: PLC0415 - Babel is a build and test tool only
        from babel.messages.pofile import read_po  # noqa: PLC0415

        with po.open("rb") as f:
            catalog = read_po(f, locale=CATALOG_LOCALES[language])
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    raise FileNotFoundError(f"the message catalog {mo} is missing: reinstall the toolkit (or run scripts/setup)")


def _(message: str) -> str:
    """`message` (an English message id) in the language in use."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for `n`, in the language in use (Chinese has one form)."""
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message id for the catalog where it is defined (a constant); translate it with _() where shown."""
    return message


# ------------------------------------------------------------------------------------------ values


def show(value: object) -> str:
    """A cell value as people write it: no Python repr ever reaches a person."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows a logical value, in both languages
    if isinstance(value, dt.datetime):
        if value.second or value.microsecond:
            return f"{value:%Y-%m-%d %H:%M:%S}"
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"
    if isinstance(value, dt.timedelta):
        hours = value.total_seconds() / 3600
        return _("{hours} hours").format(hours=show(round(hours, 2)))
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return _("(not a number)")
        # no thousands separators: a customer number typed as a number must read as it was typed
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".12g")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def show_date(day: dt.date | dt.datetime, *, with_time: bool | None = None) -> str:
    """The long form for sentences: 2026年10月17日 (14:30) / 17 October 2026 (14:30)."""
    with_time = isinstance(day, dt.datetime) if with_time is None else with_time
    if get_language() == "zh":
        text = f"{day.year}年{day.month}月{day.day}日"
    else:
        text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"  # not %B: that follows the process's locale
    if with_time and isinstance(day, dt.datetime):
        text += f" {day:%H:%M}"
    return text


def show_money(amount: float | Decimal) -> str:
    """¥1,234.00 in both languages (the office's currency is the yuan)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(Decimal(str(amount))):,.2f}"
