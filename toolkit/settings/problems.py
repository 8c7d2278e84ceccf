"""Every message about a bad setting is made here, and only here.

A setting that is not as expected is reported with four things, in the words the staff read:
the file it came from, the key, what was expected and what was found::

    toolkit.toml: setting 'sla.closed_statuses' should be one of 待处理, 处理中, ... (the list [choices] status), but is '关'

:func:`setting_error` builds that text (and the translation of it, when messages are translated,
belongs here too); :func:`expect` raises it when a condition fails. The few messages about the
file itself (not TOML, not UTF-8, an entry without a name) are the other functions below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from toolkit.errors import SettingsError


class _Missing:
    """The value of a key that is not there: shown as "missing" rather than as a Python value."""

    def __repr__(self) -> str:
        return "missing"


MISSING = _Missing()


def setting_error(source: str | Path, key: str, expected: str, found: object) -> SettingsError:
    """The error for setting `key` in `source`: it should be `expected`, but is `found`."""
    return SettingsError(f"setting '{key}' should be {expected}, but is {found!r}", path=source)


def expect(condition: object, source: str | Path, key: str, expected: str, found: object) -> None:
    """Refuse setting `key` unless `condition` holds, naming the file, the key, what was expected and what it is."""
    if not condition:
        raise setting_error(source, key, expected, found)


def expect_known_keys(table: Mapping[str, object], known: Iterable[str], source: str | Path, where: str) -> None:
    """Refuse a key of the table `where` that is none of `known`; the first such key, as written, is named."""
    known = set(known)
    for key in table:
        if key not in known:
            raise setting_error(source, f"{where}.{key}", "one of " + ", ".join(sorted(known)), "an unknown key")


def not_toml(path: Path, reason: str) -> SettingsError:
    return SettingsError(f"is not valid TOML: {reason}", path=path)


def not_utf8(path: Path) -> SettingsError:
    return SettingsError("is not a UTF-8 text file", path=path)


def unnamed_entry(source: str | Path, table: str, number: int) -> SettingsError:
    """An entry of a [[table]] list that must name what it changes (a column) but does not."""
    return SettingsError(f"entry {number} of [[{table}]] needs a 'name' key", path=source)
