"""Every message about a bad setting is made here, and only here.

A setting that is not as expected is reported with four things, in the words the staff read:
the file it came from, the key, what was expected and what was found::

    toolkit.toml: setting 'sla.closed_statuses' should be one of 待处理, 处理中, ... (the list [choices] status), but is '关'

:func:`setting_error` builds that text in the clerk's language (the callers give what was expected
through toolkit.i18n's ``_``), with the value as it is written in TOML, never as a Python repr; :func:`expect` raises it when a condition fails. The few messages about the
file itself (not TOML, not UTF-8, an entry without a name) are the other functions below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from toolkit.errors import SettingsError
from toolkit.formats import show
from toolkit.i18n import _


class _Missing:
    """The value of a key that is not there: shown as "missing" rather than as a Python value."""

    def __repr__(self) -> str:
        return _("missing")


class _Unknown:
    """A key the table does not know: shown as "an unknown key"."""

    def __repr__(self) -> str:
        return _("an unknown key")


MISSING = _Missing()
UNKNOWN_KEY = _Unknown()


def shown_setting(value: object) -> str:
    """A setting's value as it is written in toolkit.toml (never a Python repr): 'text', 12, true, [1, 2]."""
    if isinstance(value, (_Missing, _Unknown)):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(shown_setting(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {shown_setting(v)}" for k, v in value.items()) + "}"
    if value is None:
        return _("empty")
    return show(value)


def setting_error(source: str | Path, key: str, expected: str, found: object) -> SettingsError:
    """The error for setting `key` in `source`: it should be `expected`, but is `found`."""
    return SettingsError(
        _("setting '{key}' should be {expected}, but is {found}").format(
            key=key, expected=expected, found=shown_setting(found)
        ),
        path=source,
    )


def expect(condition: object, source: str | Path, key: str, expected: str, found: object) -> None:
    """Refuse setting `key` unless `condition` holds, naming the file, the key, what was expected and what it is."""
    if not condition:
        raise setting_error(source, key, expected, found)


def expect_known_keys(table: Mapping[str, object], known: Iterable[str], source: str | Path, where: str) -> None:
    """Refuse a key of the table `where` that is none of `known`; the first such key, as written, is named."""
    known = set(known)
    for key in table:
        if key not in known:
            raise setting_error(
                source, f"{where}.{key}", _("one of {keys}").format(keys=", ".join(sorted(known))), UNKNOWN_KEY
            )


def not_toml(path: Path, reason: str) -> SettingsError:
    return SettingsError(_("is not valid TOML: {reason}").format(reason=reason), path=path)


def not_utf8(path: Path) -> SettingsError:
    return SettingsError(_("is not a UTF-8 text file"), path=path)


def unnamed_entry(source: str | Path, table: str, number: int) -> SettingsError:
    """An entry of a [[table]] list that must name what it changes (a column) but does not."""
    return SettingsError(
        _("entry {number} of [[{table}]] needs a 'name' key").format(number=number, table=table), path=source
    )
