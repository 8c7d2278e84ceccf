"""[register] and [tracker]: each workbook's sheet, key column and columns, as a SheetSchema.

A column (``[[register.columns]]``) has a name (what the toolkit calls it), the header staff see,
an English header, other header texts accepted when reading (``aliases``, a text or a list), a
type, who owns it (staff type it; the toolkit computes it), its choice list, a width, for a number
column the range of its values (``range = [1, 5]``: the satisfaction score; a value outside it is a
problem on its cell, and counted nowhere), and whether it is read at all (``read = false``: a column
staff keep for themselves, such as 备注).

The office's own header texts go under ``[register.aliases]`` / ``[tracker.aliases]``, one list per
column name (``account_owner = ["AM", "客户主管"]``): added to the shipped aliases, never replacing them
(``toolkit init --adopt`` writes this table for the headers it could not place).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toolkit.errors import SettingsError
from toolkit.i18n import _
from toolkit.model.headers import map_columns
from toolkit.model.schema import COLUMN_TYPES, OWNERS, Column, SheetSchema
from toolkit.settings.choices import Choices
from toolkit.settings.fields import text_list
from toolkit.settings.problems import expect, expect_known_keys

COLUMN_KEYS = {
    "name",
    "header",
    "english",
    "aliases",
    "type",
    "required",
    "owner",
    "choices",
    "width",
    "range",
    "read",
}


def read_sheet(role: str, data: Mapping[str, Any], source: str | Path, choices: Choices) -> SheetSchema:
    """The schema of the workbook `role` ("register" or "tracker")."""
    section = data.get(role)
    expect(isinstance(section, dict), source, role, _("a table"), section)
    assert isinstance(section, dict)
    columns = []
    seen = set()
    office_aliases: Any = section.get("aliases", {})
    expect(
        isinstance(office_aliases, dict),
        source,
        f"{role}.aliases",
        "a table of column name = [header texts]",
        office_aliases,
    )
    for n, entry in enumerate(section.get("columns", [])):
        key = f"{role}.columns[{n + 1}]"
        expect_known_keys(entry, COLUMN_KEYS, source, key)
        name = entry.get("name")
        expect(
            isinstance(name, str) and name.isidentifier(),
            source,
            f"{key}.name",
            _("a name of letters, digits and _"),
            name,
        )
        expect(name not in seen, source, f"{key}.name", _("a name used once"), name)
        seen.add(name)
        header = entry.get("header")
        expect(
            isinstance(header, str) and header.strip() != "",
            source,
            f"{role}.{name}.header",
            _("a non-empty text"),
            header,
        )
        ctype = entry.get("type", "text")
        expect(
            ctype in COLUMN_TYPES,
            source,
            f"{role}.{name}.type",
            _("one of {values}").format(values=", ".join(COLUMN_TYPES)),
            ctype,
        )
        owner = entry.get("owner", "staff")
        expect(owner in OWNERS, source, f"{role}.{name}.owner", _("staff or toolkit"), owner)
        aliases = text_list(entry.get("aliases", []), source, f"{role}.{name}.aliases", _("a list of texts"))
        if name in office_aliases:
            aliases = (
                *aliases,
                *text_list(office_aliases[name], source, f"{role}.aliases.{name}", _("a list of texts")),
            )
        values: tuple[str, ...] = ()
        aliases_map: dict[str, str] = {}
        if ctype == "choice":
            list_name = entry.get("choices", name)
            expect(
                list_name in choices.lists,
                source,
                f"{role}.{name}.choices",
                _("the name of a list under [choices]"),
                list_name,
            )
            values = choices.lists[list_name]
            aliases_map = dict(choices.aliases.get(list_name, {}))
            for alias, target in aliases_map.items():
                expect(
                    target in values,
                    source,
                    f"choice_aliases.{list_name}.{alias}",
                    _("one of {values}").format(values=", ".join(values)),
                    target,
                )
        read = entry.get("read", True)
        expect(isinstance(read, bool), source, f"{role}.{name}.read", "true or false", read)
        width = entry.get("width")
        expect(width is None or isinstance(width, (int, float)), source, f"{role}.{name}.width", _("a number"), width)
        bounds = entry.get("range")
        if bounds is not None:
            expect(
                ctype in ("integer", "decimal")
                and isinstance(bounds, list)
                and len(bounds) == 2
                and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
                and bounds[0] <= bounds[1],
                source,
                f"{role}.{name}.range",
                _("[lowest, highest] of a number column, e.g. [1, 5]"),
                bounds,
            )
        columns.append(
            Column(
                name=name,
                header=header.strip(),
                english=str(entry.get("english", "")).strip(),
                aliases=aliases,
                type=ctype,
                required=bool(entry.get("required", False)),
                owner=owner,
                choices=values,
                choice_aliases=aliases_map,
                width=width,
                read=read,
                range=(bounds[0], bounds[1]) if bounds is not None else None,
            )
        )
    sheet: Any = section.get("sheet")
    expect(isinstance(sheet, str) and sheet != "", source, f"{role}.sheet", _("a sheet name"), sheet)
    for name in office_aliases:
        expect(name in seen, source, f"{role}.aliases.{name}", _("the name of one of its columns"), name)
    key_column: Any = section.get("key")
    expect(key_column in seen, source, f"{role}.key", _("the name of one of its columns"), key_column)
    schema = SheetSchema(role=role, sheet=sheet, key=key_column, columns=tuple(columns))
    try:
        map_columns((), schema.expected_headers())  # one header text names one column
    except ValueError as exc:
        raise SettingsError(str(exc), path=source) from None
    return schema
