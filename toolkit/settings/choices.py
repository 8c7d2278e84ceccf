"""The choice lists ([choices]) and the other spellings accepted for their values ([choice_aliases]).

A value that names a choice is resolved here, once: an alias ("closed", in any case) becomes the
value it stands for ("已关闭"). Settings that name choices (the SLA's statuses and match keys, the
notices' conditions on choice columns) and the reader of the workbooks use the same lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.i18n import _
from toolkit.settings.fields import text_list
from toolkit.settings.problems import expect, setting_error


def resolve_choice(value: str, allowed: tuple[str, ...], aliases: Mapping[str, str]) -> str | None:
    """`value` if it is one of `allowed`, else the value its alias stands for (the alias as written, or
    in lower case), else None."""
    if value in allowed:
        return value
    return aliases.get(value, aliases.get(value.lower()))


@dataclass(frozen=True)
class Choices:
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # list name -> its values, in order
    aliases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # list name -> {alias: value}

    def resolve(self, list_name: str, value: str) -> str | None:
        """`value` as written in the list: itself, or the value its alias stands for; None when neither."""
        return resolve_choice(value, self.lists.get(list_name, ()), self.aliases.get(list_name, {}))

    def value(self, list_name: str, value: str, source: str | Path, key: str) -> str:
        """`value` resolved in the list `list_name`; a list that is not there or is empty takes any value."""
        if not self.lists.get(list_name):
            return value
        found = self.resolve(list_name, value)
        if found is None:
            allowed = self.lists[list_name]
            raise setting_error(
                source,
                key,
                _("one of {values} (the list [choices] {list_name})").format(
                    values=", ".join(allowed), list_name=list_name
                ),
                value,
            )
        return found


def read_choices(data: Mapping[str, Any], source: str | Path) -> Choices:
    """[choices] (each list a text or a list of texts) and [choice_aliases] (alias = value, per list)."""
    lists = data.get("choices", {})
    expect(isinstance(lists, Mapping), source, "choices", _("a table [choices] of lists"), lists)
    aliases = data.get("choice_aliases", {})
    expect(isinstance(aliases, Mapping), source, "choice_aliases", _("a table [choice_aliases]"), aliases)
    read_aliases = {}
    for name, table in aliases.items():
        expect(isinstance(table, Mapping), source, f"choice_aliases.{name}", _("a table of alias = value"), table)
        read_aliases[str(name)] = {str(k): str(v) for k, v in table.items()}
    return Choices(
        lists={str(name): text_list(values, source, f"choices.{name}") for name, values in lists.items()},
        aliases=read_aliases,
    )
