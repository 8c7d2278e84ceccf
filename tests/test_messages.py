"""Messages in the clerk's language: the catalog covers the code exactly, and values never show as Python.

The message ids are extracted from the code the way `scripts/messages update` does (Babel, same
keywords), and compared with the Chinese catalog: every id translated, every entry used, the same
placeholders on both sides, no Chinese inside an id.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from toolkit import i18n
from toolkit.formats import show, show_date, show_money
from toolkit.i18n import _, ngettext, use_language

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "toolkit" / "locale" / "zh_CN" / "LC_MESSAGES" / "toolkit.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "P_": ((1, "c"), 2)}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _ids_in_code() -> dict[str, tuple[str, int]]:
    """message id (the singular of a plural pair) -> where it is first used."""
    return {text: where for (text, _context), where in _keys_in_code().items()}


def _keys_in_code() -> dict[tuple[str, str | None], tuple[str, int]]:
    """(message id, context) -> where it is first used; the context is P_'s, else None."""
    found: dict[tuple[str, str | None], tuple[str, int]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT / "toolkit"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for text in ids:
            if text:
                found.setdefault((text, context), (filename, lineno))
    return found


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="zh_CN")


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_every_message_in_the_code_has_a_chinese_translation():
    catalog = _catalog()
    missing = []
    for (text, context), (filename, lineno) in sorted(
        _keys_in_code().items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
    ):
        entry = catalog.get(text, context=context)
        if entry is None:
            # the plural of a pair is stored under its singular
            if any(isinstance(m.id, tuple) and text in m.id for m in catalog):
                continue
            missing.append(f"{filename}:{lineno}: {text!r} is not in the catalog")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(s.strip() for s in strings):
            missing.append(f"{filename}:{lineno}: {text!r} has no (or only a fuzzy) Chinese text")
    assert not missing, "run scripts/messages update, then translate:\n" + "\n".join(missing)


def test_every_catalog_entry_is_used_by_the_code():
    used = set(_keys_in_code())
    unused = [
        m.id
        for m in _catalog()
        if m.id and not {(i, m.context) for i in (m.id if isinstance(m.id, tuple) else (m.id,))} & used
    ]
    assert not unused, "entries no code uses (scripts/messages update drops them):\n" + "\n".join(map(repr, unused))


def test_translations_keep_every_placeholder():
    wrong = []
    for m in _catalog():
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set().union(*(_fields(i) for i in ids))
        for s in strings:
            if _fields(s) != wanted:
                wrong.append(f"{ids[0]!r}: {sorted(_fields(s))} instead of {sorted(wanted)}")
    assert not wrong, "\n".join(wrong)


def test_message_ids_are_english():
    chinese = [text for text in _ids_in_code() if CJK.search(text)]
    assert not chinese, "message ids hold no Chinese (the Chinese goes into the catalog):\n" + "\n".join(chinese)


def test_chinese_is_the_default_and_english_the_ids(monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    with use_language(None):
        assert i18n.get_language() == "zh"
        assert _("{hours} hours") == "{hours} 小时"
    with use_language("en"):
        assert _("{hours} hours") == "{hours} hours"
        assert ngettext("{hours} hours", "{hours} hours", 2) == "{hours} hours"
    monkeypatch.setenv(i18n.ENV_VAR, "en_US.UTF-8")
    with use_language(None):
        assert i18n.get_language() == "en"
    with use_language("中文"):
        assert _("(not a number)") == "（不是数字）"


def test_an_unknown_language_is_refused_by_name():
    with pytest.raises(ValueError, match="'klingon'"):
        i18n.set_language("klingon")


def test_a_catalog_edited_after_compiling_is_read_from_its_po(tmp_path, monkeypatch):
    po_dir = tmp_path / "zh_CN" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    (po_dir / "toolkit.mo").write_bytes(b"not a catalog")  # older than the .po below: must not be read
    text = PO.read_text(encoding="utf-8").replace('msgstr "（不是数字）"', 'msgstr "（不是一个数字）"')
    (po_dir / "toolkit.po").write_text(text, encoding="utf-8")
    import os

    os.utime(po_dir / "toolkit.mo", (1, 1))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_catalogs", {})
    with use_language("zh"):
        assert _("(not a number)") == "（不是一个数字）"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (dt.date(2026, 10, 17), "2026-10-17"),
        (dt.datetime(2026, 10, 17, 14, 30), "2026-10-17 14:30"),
        (dt.datetime(2026, 10, 17, 14, 30, 5), "2026-10-17 14:30:05"),
        (dt.time(14, 30), "14:30"),
        (10086.0, "10086"),
        (3.3000000000000003, "3.3"),
        (Decimal("150000.50"), "150000.50"),
        (True, "TRUE"),
        ("C00042", "C00042"),
    ],
)
def test_values_are_shown_as_people_write_them(value, shown):
    assert show(value) == shown
    assert "datetime." not in show(value) and "Decimal(" not in show(value)


def test_long_dates_and_money_follow_the_language():
    with use_language("zh"):
        assert show_date(dt.date(2026, 10, 17)) == "2026年10月17日"
        assert show_date(dt.datetime(2026, 10, 17, 14, 30)) == "2026年10月17日 14:30"
        assert show(float("nan")) == "（不是数字）"
    with use_language("en"):
        assert show_date(dt.date(2026, 10, 17)) == "17 October 2026"
    assert show_money(1234) == "¥1,234.00"
    assert show_money(Decimal("-5.5")) == "-¥5.50"
