"""Settings: shipped defaults, overridden by `toolkit.toml` in the workbook folder.

Everything the office may want to change (file names, headers, choice lists, deadlines,
thresholds) is data in TOML. A key the office file leaves out keeps its default. A wrong key
or value is reported with the file, the key and what was expected.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit.errors import SettingsError, expect_setting
from toolkit.model.schema import COLUMN_TYPES, OWNERS, Column, SheetSchema

SETTINGS_FILE = "toolkit.toml"
_COLUMN_KEYS = {"name", "header", "english", "aliases", "type", "required", "owner", "choices", "width"}


def default_settings_text() -> str:
    return resources.files("toolkit").joinpath("defaults/settings.toml").read_text(encoding="utf-8")


def default_settings() -> dict[str, Any]:
    """settings.toml, then every other defaults/*.toml (one per job: sla, tiers, ...) merged over it."""
    data = tomllib.loads(default_settings_text())
    folder = resources.files("toolkit").joinpath("defaults")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and entry.name != "settings.toml":
            data = _merge(data, tomllib.loads(entry.read_text(encoding="utf-8")), "", f"defaults/{entry.name}")
    return data


@dataclass(frozen=True)
class Settings:
    folder: Path
    source: str  # which file(s) the settings came from, for messages
    data: dict[str, Any]  # the merged TOML, for sections other modules own
    register: SheetSchema
    tracker: SheetSchema

    @property
    def register_path(self) -> Path:
        return self.folder / self.data["files"]["register"]

    @property
    def tracker_path(self) -> Path:
        return self.folder / self.data["files"]["tracker"]

    @property
    def backups_kept(self) -> int:
        return int(self.data["files"]["backups_kept"])

    @property
    def header_language(self) -> str:
        return self.data["files"]["header_language"]

    def section(self, name: str) -> dict[str, Any]:
        return self.data.get(name, {})


def _merge(base: dict, override: dict, where: str, source: str) -> dict:
    """Deep-merge `override` into `base`; lists of columns merge by column name."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        path = f"{where}.{key}" if where else key
        if key == "columns" and isinstance(value, list):
            out[key] = _merge_columns(out.get(key, []), value, path, source)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, path, source)
        else:
            out[key] = value
    return out


def _merge_columns(base: list[dict], override: list[dict], where: str, source: str) -> list[dict]:
    merged = [dict(c) for c in base]
    index = {c["name"]: i for i, c in enumerate(merged)}
    for n, entry in enumerate(override):
        if not isinstance(entry, dict) or "name" not in entry:
            raise SettingsError(f"entry {n + 1} of [[{where}]] needs a 'name' key", path=source)
        if entry["name"] in index:
            merged[index[entry["name"]]].update(entry)
        else:
            merged.append(dict(entry))
            index[entry["name"]] = len(merged) - 1
    return merged


def _build_sheet(role: str, data: dict, source: str) -> SheetSchema:
    section = data.get(role)
    expect_setting(isinstance(section, dict), source, role, "a table", section)
    choices = data.get("choices", {})
    choice_aliases = data.get("choice_aliases", {})
    columns = []
    seen = set()
    for n, entry in enumerate(section.get("columns", [])):
        key = f"{role}.columns[{n + 1}]"
        unknown = set(entry) - _COLUMN_KEYS
        expect_setting(
            not unknown,
            source,
            f"{key}.{sorted(unknown)[0] if unknown else ''}",
            "one of " + ", ".join(sorted(_COLUMN_KEYS)),
            "an unknown key",
        )
        name = entry.get("name")
        expect_setting(
            isinstance(name, str) and name.isidentifier(),
            source,
            f"{key}.name",
            "a name of letters, digits and _",
            name,
        )
        expect_setting(name not in seen, source, f"{key}.name", "a name used once", name)
        seen.add(name)
        header = entry.get("header")
        expect_setting(
            isinstance(header, str) and header.strip() != "",
            source,
            f"{role}.{name}.header",
            "a non-empty text",
            header,
        )
        ctype = entry.get("type", "text")
        expect_setting(ctype in COLUMN_TYPES, source, f"{role}.{name}.type", "one of " + ", ".join(COLUMN_TYPES), ctype)
        owner = entry.get("owner", "staff")
        expect_setting(owner in OWNERS, source, f"{role}.{name}.owner", "staff or toolkit", owner)
        aliases = entry.get("aliases", [])
        expect_setting(
            isinstance(aliases, list) and all(isinstance(a, str) for a in aliases),
            source,
            f"{role}.{name}.aliases",
            "a list of texts",
            aliases,
        )
        values: tuple[str, ...] = ()
        aliases_map: dict[str, str] = {}
        if ctype == "choice":
            list_name = entry.get("choices", name)
            expect_setting(
                list_name in choices, source, f"{role}.{name}.choices", "the name of a list under [choices]", list_name
            )
            values = tuple(str(v) for v in choices[list_name])
            aliases_map = {str(k): str(v) for k, v in choice_aliases.get(list_name, {}).items()}
            for alias, target in aliases_map.items():
                expect_setting(
                    target in values,
                    source,
                    f"choice_aliases.{list_name}.{alias}",
                    "one of " + ", ".join(values),
                    target,
                )
        width = entry.get("width")
        expect_setting(
            width is None or isinstance(width, (int, float)), source, f"{role}.{name}.width", "a number", width
        )
        columns.append(
            Column(
                name=name,
                header=header.strip(),
                english=str(entry.get("english", "")).strip(),
                aliases=tuple(aliases),
                type=ctype,
                required=bool(entry.get("required", False)),
                owner=owner,
                choices=values,
                choice_aliases=aliases_map,
                width=width,
            )
        )
    sheet = section.get("sheet")
    expect_setting(isinstance(sheet, str) and sheet != "", source, f"{role}.sheet", "a sheet name", sheet)
    key = section.get("key")
    expect_setting(key in seen, source, f"{role}.key", "the name of one of its columns", key)
    return SheetSchema(role=role, sheet=sheet, key=key, columns=tuple(columns))


def load_settings(folder: str | Path = ".", *, overrides: dict | None = None) -> Settings:
    """Read the shipped defaults and the folder's `toolkit.toml` (if any)."""
    folder = Path(folder)
    data = default_settings()
    source = "shipped defaults"
    office_file = folder / SETTINGS_FILE
    if office_file.exists():
        try:
            office = tomllib.loads(office_file.read_text(encoding="utf-8-sig"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"is not valid TOML: {exc}", path=office_file) from None
        except UnicodeDecodeError:
            raise SettingsError("is not a UTF-8 text file", path=office_file) from None
        data = _merge(data, office, "", str(office_file))
        source = str(office_file)
    if overrides:
        data = _merge(data, overrides, "", source)
    files = data.get("files", {})
    for key in ("register", "tracker"):
        expect_setting(
            isinstance(files.get(key), str) and files[key].lower().endswith((".xlsx", ".xlsm")),
            source,
            f"files.{key}",
            "a file name ending in .xlsx or .xlsm",
            files.get(key),
        )
    expect_setting(
        isinstance(files.get("backups_kept"), int) and files["backups_kept"] >= 0,
        source,
        "files.backups_kept",
        "a whole number of at least 0",
        files.get("backups_kept"),
    )
    expect_setting(
        files.get("header_language") in ("zh", "en"),
        source,
        "files.header_language",
        "zh or en",
        files.get("header_language"),
    )
    return Settings(
        folder=folder,
        source=source,
        data=data,
        register=_build_sheet("register", data, source),
        tracker=_build_sheet("tracker", data, source),
    )
