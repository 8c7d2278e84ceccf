"""[notices]: where notices go, how they are named and masked, and which rows get which notice.

Read and checked here once (``defaults/notices.toml`` says what each key means). A kind's
conditions name columns of its table; a test against values (in, not_in, starts_with) takes a
text or a list of texts, and on a choice column an alias (``"closed"``) means the value it stands
for. Which rows are due is decided by :mod:`toolkit.rules.notices`; the job is
:mod:`toolkit.jobs.notices`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.i18n import _
from toolkit.model.schema import Column, SheetSchema
from toolkit.settings.choices import resolve_choice
from toolkit.settings.fields import as_list
from toolkit.settings.problems import expect as check
from toolkit.settings.problems import expect_known_keys

OPS = ("empty", "in", "not_in", "starts_with", "on_as_of")
MASKS = ("phone", "email", "address", "none")  # how a field of a customer notice is shown (documents.filters)
_KIND_KEYS = {
    "title",
    "title_en",
    "table",
    "template",
    "audience",
    "stamp",
    "when",
    "group_by",
    "items",
    "renotify_on",
    "renotify_after_days",
    "enabled",
    "useful_after",
    "useful_days",
}


@dataclass(frozen=True)
class Condition:
    """One of a notice kind's `when` conditions: the column, the test (one of OPS) and its argument
    (true/false for empty and on_as_of; a tuple of texts for the others, choice aliases resolved)."""

    column: str
    op: str
    arg: bool | tuple[str, ...]


@dataclass(frozen=True)
class NoticeKind:
    name: str
    title: str
    title_en: str
    table: str  # "tracker" or "register"
    template: str
    audience: str  # "customer" or "internal"
    stamp: str
    when: tuple[Condition, ...]
    group_by: str | None = None
    items: str | None = None
    renotify_on: str | None = None
    renotify_after_days: int = 0
    enabled: bool = True
    # The window in which the notice is still useful: while the run's date is at most `useful_days`
    # calendar days after the date in the column `useful_after` (0: that same day only).
    useful_after: str | None = None
    useful_days: int | None = None

    def title_for(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title


@dataclass(frozen=True)
class NoticeSettings:
    output_dir: str
    templates_dir: str
    language: str
    filename: str
    merged: bool
    pdf: bool
    pdf_timeout: float
    office: dict
    masking: dict[str, str]
    tier_labels: dict[str, str]
    kinds: dict[str, NoticeKind]


def _kind(name: str, spec: dict, register: SheetSchema, tracker: SheetSchema, expect, source: str | Path) -> NoticeKind:
    key = f"kinds.{name}"
    expect(isinstance(spec, dict), key, _("a table"), spec)
    expect_known_keys(spec, _KIND_KEYS, source, f"notices.{key}")
    table: Any = spec.get("table")
    expect(table in ("tracker", "register"), f"{key}.table", _("tracker or register"), table)
    schema = tracker if table == "tracker" else register
    for k in ("title", "template", "stamp"):
        expect(isinstance(spec.get(k), str) and spec[k].strip(), f"{key}.{k}", _("a non-empty text"), spec.get(k))
    expect(
        spec.get("audience") in ("customer", "internal"),
        f"{key}.audience",
        _("customer or internal"),
        spec.get("audience"),
    )
    stamp = spec["stamp"]
    expect(
        stamp in schema and schema.column(stamp).owner == "toolkit",
        f"{key}.stamp",
        _('a toolkit column of the {table} (add it under [[{table}.columns]] with owner = "toolkit")').format(
            table=table
        ),
        stamp,
    )
    conditions = []
    when = spec.get("when", [])
    expect(isinstance(when, list), f"{key}.when", _("a list of { column = ..., test } tables"), when)
    assert isinstance(when, list)
    for n, cond in enumerate(when):
        where = f"{key}.when[{n + 1}]"
        expect(
            isinstance(cond, dict) and str(cond.get("column")) in schema,
            f"{where}.column",
            _("the name of a column of the {table}").format(table=table),
            cond.get("column") if isinstance(cond, dict) else cond,
        )
        ops = [o for o in cond if o != "column"]
        expect(len(ops) == 1 and ops[0] in OPS, where, _("one test: {tests}").format(tests=", ".join(OPS)), ops)
        op, arg = ops[0], cond[ops[0]]
        if op in ("empty", "on_as_of"):
            expect(isinstance(arg, bool), f"{where}.{op}", _("true or false"), arg)
        else:
            values = as_list(arg)
            expect(
                isinstance(values, list) and all(isinstance(a, (str, int)) for a in values),
                f"{where}.{op}",
                _("a list of values"),
                arg,
            )
            column = schema.column(cond["column"])
            arg = tuple(_choice(str(a), column) for a in values)
        conditions.append(Condition(cond["column"], op, arg))
    for k in ("group_by", "renotify_on"):
        if spec.get(k) is not None:
            expect(
                spec[k] in schema, f"{key}.{k}", _("the name of a column of the {table}").format(table=table), spec[k]
            )
    group_by = spec.get("group_by")
    items = spec.get("items") or ("complaints" if table == "tracker" else "customers")
    days = spec.get("renotify_after_days", 0)
    expect(isinstance(days, int) and days >= 0, f"{key}.renotify_after_days", _("a whole number of at least 0"), days)
    enabled = spec.get("enabled", True)
    expect(isinstance(enabled, bool), f"{key}.enabled", _("true or false"), enabled)
    useful_after = spec.get("useful_after")
    useful_days = spec.get("useful_days")
    if useful_after is not None or useful_days is not None:
        expect(
            isinstance(useful_after, str)
            and useful_after in schema
            and schema.column(useful_after).type in ("date", "datetime"),
            f"{key}.useful_after",
            _("the name of a date column of the {table}").format(table=table),
            useful_after,
        )
        expect(
            isinstance(useful_days, int) and not isinstance(useful_days, bool) and 0 <= useful_days <= 3660,
            f"{key}.useful_days",
            _("a whole number of days from 0 to 3660"),
            useful_days,
        )
    template = spec["template"].strip()
    expect(
        re.fullmatch(r"[^\\/:*?\"<>|\x00-\x1f]+", template) is not None and template not in (".", ".."),
        f"{key}.template",
        _("a template's name without a folder (ack for templates/ack.docx)"),
        template,
    )
    return NoticeKind(
        name,
        spec["title"].strip(),
        str(spec.get("title_en", "")).strip(),
        table,
        template,
        spec["audience"],
        stamp,
        tuple(conditions),
        group_by,
        items if group_by else None,
        spec.get("renotify_on"),
        days,
        enabled,
        useful_after,
        useful_days,
    )


def read_notices(
    data: Mapping[str, Any], source: str | Path, register: SheetSchema, tracker: SheetSchema
) -> NoticeSettings:
    """``[notices]`` checked and typed; its kinds name columns of the `register` and the `tracker`."""
    data = data.get("notices", {})
    check(isinstance(data, Mapping), source, "notices", _("a table [notices]"), data)

    def expect(cond, key, what, got):
        check(cond, source, f"notices.{key}", what, got)

    for key in ("output_dir", "templates_dir", "filename"):
        expect(isinstance(data.get(key), str) and data[key].strip(), key, _("a non-empty text"), data.get(key))
    expect(data.get("language") in ("zh", "en"), "language", _("zh or en"), data.get("language"))
    for key in ("merged", "pdf"):
        expect(isinstance(data.get(key), bool), key, _("true or false"), data.get(key))
    timeout = data.get("pdf_timeout_seconds", 900)
    expect(isinstance(timeout, (int, float)) and timeout > 0, "pdf_timeout_seconds", _("a positive number"), timeout)
    try:
        data["filename"].format(kind="k", title="t", key="1", name="n", date="2026-01-01")
    except (KeyError, IndexError, ValueError) as exc:
        expect(
            False,
            "filename",
            _("a pattern using only {kind}, {title}, {key}, {name} and {date}"),
            f"{data['filename']} ({exc})",
        )
    masking = {str(k): str(v) for k, v in data.get("masking", {}).items()}
    for col, how in masking.items():
        expect(how in MASKS, f"masking.{col}", _("one of {values}").format(values=", ".join(MASKS)), how)
    office = {str(k): v for k, v in data.get("office", {}).items()}
    kinds = {}
    for name, spec in data.get("kinds", {}).items():
        kinds[name] = _kind(name, spec, register, tracker, expect, source)
    expect(bool(kinds), "kinds", _("at least one [notices.kinds.NAME] table"), kinds)
    return NoticeSettings(
        data["output_dir"],
        data["templates_dir"],
        data["language"],
        data["filename"],
        data["merged"],
        data["pdf"],
        float(timeout),
        office,
        masking,
        {str(k): str(v) for k, v in data.get("tier_labels", {}).items()},
        kinds,
    )


def _choice(value: str, column: Column) -> str:
    """A condition's value on a choice column as the column holds it (an alias resolved)."""
    if column.type != "choice":
        return value
    return resolve_choice(value, column.choices, column.choice_aliases) or value
