"""Where settings come from: the shipped defaults, merged with the office's ``toolkit.toml``.

Defaults are ``toolkit/defaults/settings.toml`` and every other ``defaults/*.toml`` (one per job:
sla, tiers, notices, summary, excel) merged over it. The office's file in the workbook folder is
merged over those: a key it leaves out keeps its default; tables merge key by key; a list is
replaced as a whole, except the ``[[register.columns]]`` / ``[[tracker.columns]]`` lists, which
merge by column name (so an office can change one column's header without copying the others).
"""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit.settings.problems import not_toml, not_utf8, unnamed_entry

SETTINGS_FILE = "toolkit.toml"
SHIPPED = "shipped defaults"  # the source named in messages about a shipped setting


def default_settings_text() -> str:
    return resources.files("toolkit").joinpath("defaults/settings.toml").read_text(encoding="utf-8")


def default_settings() -> dict[str, Any]:
    """settings.toml, then every other defaults/*.toml (one per job: sla, tiers, ...) merged over it."""
    data = tomllib.loads(default_settings_text())
    folder = resources.files("toolkit").joinpath("defaults")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and entry.name != "settings.toml":
            data = merge(data, tomllib.loads(entry.read_text(encoding="utf-8")), source=f"defaults/{entry.name}")
    return data


def read_office_file(path: Path) -> dict[str, Any]:
    """The office's settings file as TOML data (a byte-order mark, as Notepad writes it, is fine)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise not_toml(path, str(exc)) from None
    except UnicodeDecodeError:
        raise not_utf8(path) from None


def merge(base: dict, override: dict, *, source: str, where: str = "") -> dict:
    """`override` deep-merged into a copy of `base`; lists of columns merge by column name."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        path = f"{where}.{key}" if where else key
        if key == "columns" and isinstance(value, list):
            out[key] = _merge_columns(out.get(key, []), value, path, source)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value, source=source, where=path)
        else:
            out[key] = value
    return out


def _merge_columns(base: list[dict], override: list[dict], where: str, source: str) -> list[dict]:
    merged = [dict(c) for c in base]
    index = {c["name"]: i for i, c in enumerate(merged)}
    for n, entry in enumerate(override):
        if not isinstance(entry, dict) or "name" not in entry:
            raise unnamed_entry(source, where, n + 1)
        if entry["name"] in index:
            merged[index[entry["name"]]].update(entry)
        else:
            merged.append(dict(entry))
            index[entry["name"]] = len(merged) - 1
    return merged
