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
    The face that talks to the person chooses once per process with :func:`choose_language`: what
    the person asked for (the command line's ``--lang``, the desktop panel's own setting), else the
    environment variable ``TOOLKIT_LANG`` (one person's choice), else the office's ``[files]
    language`` in toolkit.toml, else the system's locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``,
    e.g. ``zh_CN.UTF-8``), else ``zh``. ``en`` shows the message ids themselves.
    :func:`use_language` switches for a block (the tests run one command in both languages).

Words with two Chinese renderings
    Where one English word is rendered two ways in Chinese depending on where it stands, the id
    carries a context: ``P_("notice kind", "ack")`` (gettext's ``pgettext``).

What does not pass here
    Texts that are the office's data rather than messages — the words written into workbook cells
    (逾期, 按时完成), the headers, the notice titles and the letters' own wording — are settings and
    templates, chosen by ``header_language`` and the notices' ``language``, not by this module.
    Message ids hold no Chinese (a test checks), so the English catalog is the code itself.

Showing values
    Dates, times, money, hours and percentages are written by :mod:`toolkit.formats`, never as a
    Python repr.
"""

from __future__ import annotations

import gettext
import io
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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


def choose_language(
    asked: str | None = None, office: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """The language to speak: `asked` (--lang), else TOOLKIT_LANG, else `office` ([files] language), else the
    locale (LC_ALL, LC_MESSAGES, LANG), else zh. Texts that name no language we speak ("C.UTF-8") are passed over."""
    environ = os.environ if environ is None else environ
    for text in (
        asked,
        environ.get(ENV_VAR),
        office,
        environ.get("LC_ALL"),
        environ.get("LC_MESSAGES"),
        environ.get("LANG"),
    ):
        code = normalise_language(text)
        if code is not None:
            return code
    return DEFAULT_LANGUAGE


def get_language() -> str:
    """The language in use: the one set, else what :func:`choose_language` finds in the environment."""
    if _chosen is not None:
        return _chosen
    return choose_language()


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


def P_(context: str, message: str) -> str:
    """`message` as rendered in `context` (one English word, two Chinese words), in the language in use."""
    return translations().pgettext(context, message)


def N_(message: str) -> str:
    """Marks a message id for the catalog where it is defined (a constant); translate it with _() where shown."""
    return message
