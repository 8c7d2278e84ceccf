"""The notices job: which rows get which Word notice, made in one batch and stamped on their rows.

::

    from toolkit.jobs.notices import make_notices
    result = make_notices("客服台账", as_of=datetime(2026, 11, 20, 17, 0))
    result.made        # every notice written: kind, key, name, file
    result.failures    # rows whose notice could not be made, with the reason (the rest were made)

Like every job: read both workbooks once -> decide (the conditions in [notices.kinds.*]) -> write
(the .docx files, then one stamp per row through the same change machinery as the other jobs:
only the stamp cells change, every change goes to the change log). A row with a stamp gets no
second notice, so running the job again makes nothing new; `force=True` makes them again.
Templates are checked before anything is made: a field no column provides stops the batch with
the closest column names; a value that fails in one notice fails that notice only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.documents import filters
from toolkit.documents.check import check_template
from toolkit.documents.pdf import convert_to_pdf, require_soffice
from toolkit.documents.stock import template_file_name
from toolkit.documents.template import DocxTemplate, RenderError, TemplateError
from toolkit.documents.templates import find_template
from toolkit.errors import Problem, ToolkitError
from toolkit.formats import show
from toolkit.i18n import N_, _, get_language, ngettext
from toolkit.jobs.changelog import append_changes
from toolkit.jobs.changes import CellChange, TablePlan, plan_changes
from toolkit.jobs.office import job_time
from toolkit.jobs.problems import data_problems
from toolkit.jobs.run import FileWorkbook
from toolkit.model.records import Table
from toolkit.progress import NoProgress, phase_of
from toolkit.rules.known import EVENT_COLUMNS, known_as_of
from toolkit.rules.notices import (
    CONTACT_FIELDS,
    LISTED_ONE_BY_ONE,
    NO_CONTACT,
    NO_CONTACT_FIELD,
    NO_CUSTOMER_NAME,
    NO_RECIPIENT,
    NO_RECIPIENT_COLUMN,
    NO_WINDOW_DATE,
    PAST_WINDOW,
    PROMISE_FIELDS,
    PROMISE_PAST,
    UNKNOWN_CUSTOMER,
    Skip,
    customer_recipient,
    due_rows,
    internal_recipient,
    marker_of,
    past_promises,
    stamp_text,
)
from toolkit.settings import Settings, load_settings, require_folder
from toolkit.settings.notices import NoticeKind, NoticeSettings
from toolkit.xlsx.safety import clean_stale_temps, crash_point, folder_lock

JOB = "notices"
_LEVEL = re.compile(r"L(\d+)")


# ------------------------------------------------------------------------------------------ results


@dataclass
class Notice:
    kind: str
    title: str
    key: str  # complaint or customer ID; handler / account owner for internal notices
    name: str  # customer name ("" for internal notices)
    rows: list[int]  # sheet rows stamped
    path: Path | None  # None in a dry run
    pdf: Path | None = None
    items: int = 1


@dataclass
class NoticeFailure:
    kind: str
    key: str
    name: str
    rows: list[int]
    reason: str


@dataclass
class NoticeSkip:
    """A row that was due a notice but got none: why (a reason of toolkit.rules.notices) and the detail."""

    kind: str
    key: str
    name: str
    row: int  # sheet row
    reason: str
    detail: str = ""


@dataclass
class NoticeResult:
    as_of: dt.datetime
    dry_run: bool
    kinds: tuple[str, ...]
    out_dir: Path
    made: list[Notice] = field(default_factory=list)
    failures: list[NoticeFailure] = field(default_factory=list)
    already: dict[str, int] = field(default_factory=dict)  # rows skipped because their notice was made before
    skipped: list[NoticeSkip] = field(default_factory=list)  # due rows that got no notice, with the reason
    recovered: int = 0  # notices of a stopped earlier run finished (PDF made, stamp written) by this one
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)  # kind -> its names (Chinese, English)

    def title(self, kind: str) -> str:
        """A kind's name in the language messages are shown in (which may differ from the letters')."""
        zh, en = self.titles.get(kind, (kind, kind))
        return (en or zh) if get_language() == "en" else zh

    merged: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    log_file: Path | None = None
    templates: dict[str, str] = field(default_factory=dict)  # kind -> template used
    seconds: dict[str, float] = field(default_factory=dict)  # kind -> seconds spent deciding and rendering
    pdf_calls: int = 0  # LibreOffice runs (one per batch)
    pdf_seconds: float = 0.0

    def count(self, kind: str | None = None) -> int:
        return sum(1 for n in self.made if kind is None or n.kind == kind)

    def skipped_counts(self) -> dict[str, dict[str, int]]:
        """Rows skipped per kind and reason."""
        out: dict[str, dict[str, int]] = {}
        for s in self.skipped:
            by = out.setdefault(s.kind, {})
            by[s.reason] = by.get(s.reason, 0) + 1
        return out

    def counts(self) -> dict[str, int]:
        """Notices made per kind, in the order they were made."""
        out: dict[str, int] = {}
        for n in self.made:
            out[n.kind] = out.get(n.kind, 0) + 1
        return out


# ------------------------------------------------------------------------------------------ what a clerk reads

REASONS = {
    PAST_WINDOW: N_("past the time it is of use"),
    NO_WINDOW_DATE: N_("no date in {detail} to tell whether it is still of use"),
    PROMISE_PAST: N_("it would promise a date already past ({detail})"),
    UNKNOWN_CUSTOMER: N_("the customer ID is not in the register"),
    NO_CUSTOMER_NAME: N_("no customer name"),
    NO_CONTACT: N_("no contact person"),
    NO_CONTACT_FIELD: N_("no {detail} for the customer"),
    NO_RECIPIENT_COLUMN: N_("the {detail} column was not recognised"),
    NO_RECIPIENT: N_("no {detail} on the row"),
}


def reason_text(reason: str, detail: str = "") -> str:
    """Why a row got no notice, in the clerk's language."""
    return _(REASONS.get(reason, reason)).format(detail=detail)


def skipped_lines(result: NoticeResult, limit: int = 200) -> list[str]:
    """The due rows that got no notice: one line each for what a clerk can correct (an unknown customer,
    a missing contact, a promise already past), and only a count per kind for rows past their window."""
    lines = []
    listed = [s for s in result.skipped if s.reason in LISTED_ONE_BY_ONE]
    for s in listed[:limit]:
        lines.append(
            _("Not made: {title} {key} {name} (row {row}): {reason}").format(
                title=result.title(s.kind),
                key=s.key,
                name=s.name,
                row=s.row,
                reason=reason_text(s.reason, s.detail),
            )
        )
    if len(listed) > limit:
        lines.append(_("... and {n} more").format(n=len(listed) - limit))
    counted: dict[tuple[str, str, str], int] = {}
    for s in result.skipped:
        if s.reason not in LISTED_ONE_BY_ONE:
            key = (s.kind, s.reason, s.detail if s.reason != PAST_WINDOW else "")
            counted[key] = counted.get(key, 0) + 1
    for (kind, reason, detail), n in counted.items():
        lines.append(
            ngettext(
                "{title}: {n} row not made, {reason}",
                "{title}: {n} rows not made, {reason}",
                n,
            ).format(title=result.title(kind), n=n, reason=reason_text(reason, detail))
        )
    return lines


def recovered_line(result: NoticeResult) -> str | None:
    """The notices a stopped run had made, finished by this one (their PDFs, their stamps)."""
    if not result.recovered:
        return None
    return ngettext(
        "{n} notice made by a run that was stopped was finished now (its stamp written)",
        "{n} notices made by a run that was stopped were finished now (their stamps written)",
        result.recovered,
    ).format(n=result.recovered)


def closing_line(result: NoticeResult) -> str:
    """Made, skipped and failed per kind, in the kinds' own names."""
    failed: dict[str, int] = {}
    for failure in result.failures:
        failed[failure.kind] = failed.get(failure.kind, 0) + 1
    skipped = {k: sum(v.values()) for k, v in result.skipped_counts().items()}
    made = result.counts()
    parts = []
    for kind in result.kinds:
        m, s, n = made.get(kind, 0), skipped.get(kind, 0), failed.get(kind, 0)
        if m or s or n:
            parts.append(
                _("{title} {made} made, {skipped} not made, {failed} failed").format(
                    title=result.title(kind), made=m, skipped=s, failed=n
                )
            )
    if not parts:
        return _("No notices are due.")
    verb = _("Preview (nothing written): ") if result.dry_run else ""
    return verb + _("; ").join(parts)


# ------------------------------------------------------------------------------------------ file names

_BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Bidirectional controls (U+202E shows "gpj.exe" as "exe.jpg"), zero-width and other invisible format
# characters: removed from file names, so a name reads as what it is.
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_name_part(text, limit: int = 40) -> str:
    """Text fit for a file name on Windows, macOS and Linux."""
    text = _INVISIBLE.sub("", "" if text is None else str(text))
    text = _BAD_CHARS.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    return text[:limit].rstrip(" .")


def file_stem(pattern: str, *, kind: str, key, name, date: dt.date, title: str = "") -> str:
    parts = {
        "kind": safe_name_part(kind),
        "title": safe_name_part(title or kind),
        "key": safe_name_part(key),
        "name": safe_name_part(name),
        "date": f"{date:%Y-%m-%d}",
    }
    stem = pattern.format(**parts)
    stem = _BAD_CHARS.sub("_", _INVISIBLE.sub("", stem))
    stem = re.sub(r"_{2,}", "_", stem).strip("_ .")[:150] or kind
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    return stem


def _level(value) -> int:
    m = _LEVEL.search(str(value or ""))
    return int(m.group(1)) if m else 0


class _Contexts:
    """Builds the data each template sees. Field names are the columns' names (and their Chinese
    headers where those are plain names), plus a few derived values listed in `derived`."""

    def __init__(
        self, settings: Settings, ns: NoticeSettings, register: Table, tracker: Table, as_of: dt.datetime, language: str
    ):
        self.settings, self.ns, self.register, self.tracker = settings, ns, register, tracker
        self.as_of, self.language = as_of, language
        self.reg_cols = {c.name: list(register.values(c.name)) for c in register.schema.columns}
        self.trk_cols = {c.name: list(tracker.values(c.name)) for c in tracker.schema.columns}
        # as known at --as-of: event times typed after it are not typed yet (toolkit/rules/known.py)
        self.reg_cols.update(known_as_of(self.reg_cols, EVENT_COLUMNS["register"], as_of))
        self.trk_cols.update(known_as_of(self.trk_cols, EVENT_COLUMNS["tracker"], as_of))
        self.reg_names = [c.name for c in register.schema.columns]
        self.trk_names = [c.name for c in tracker.schema.columns]
        self.reg_alias = _aliases(register)
        self.trk_alias = _aliases(tracker)
        self.customer_row: dict[str, int] = {}
        for i, cid in enumerate(self.reg_cols["customer_id"]):
            if cid and cid not in self.customer_row:
                self.customer_row[cid] = i
        office = dict(ns.office)
        if language == "en":
            for key in ("name", "seal"):
                if office.get(f"{key}_en"):
                    office[key] = office[f"{key}_en"]
        office.setdefault("seal", "")
        self.office = office
        self.escalation = settings.escalation
        self.l3_notify = settings.escalation.l3_notify
        self.visits = settings.visits

    # -- records

    def _rec(self, cols: dict[str, list], names: list[str], i: int | None) -> dict:
        return {n: (cols[n][i] if i is not None else None) for n in names}

    def customer(self, i: int | None) -> dict:
        return self._rec(self.reg_cols, self.reg_names, i)

    def complaint(self, i: int | None) -> dict:
        return self._rec(self.trk_cols, self.trk_names, i)

    def _mask(self, rec: dict, kind: NoticeKind) -> dict:
        if kind.audience != "customer":
            return rec
        out = dict(rec)
        for col, how in self.ns.masking.items():
            if out.get(col) not in (None, ""):
                out[col] = filters.mask(out[col], how)
        return out

    def _common(self, kind: NoticeKind) -> dict:
        today = self.as_of.date()
        reply_days = self.office.get("reply_days", 7)
        reply_days = reply_days if isinstance(reply_days, int) and 0 < reply_days < 366 else 7
        return {
            "as_of": self.as_of,
            "notice_date": today,
            "reply_by": today + dt.timedelta(days=reply_days),
            "today": today,
            "office": self.office,
            "title": kind.title_for(self.language),
            "kind": kind.name,
        }

    def _zh(self, zh: str, en: str) -> str:
        return en if self.language == "en" else zh

    # -- one row

    def single(self, kind: NoticeKind, i: int | None) -> dict:
        if kind.table == "tracker":
            rec = self._mask(self.complaint(i), kind)
            cid = rec.get("customer_id")
            cust = self._mask(self.customer(self.customer_row.get(cid) if cid else None), kind)
            ctx = dict(cust)
            ctx.update(rec)
            _add_aliases(ctx, self.trk_alias, rec)
            _add_aliases(ctx, self.reg_alias, cust)
            ctx["customer"] = cust
            ctx["customer_name"] = rec.get("customer_name") or cust.get("name") or ""
            ctx["contact"] = rec.get("contact_person") or cust.get("contact_person") or ""
            promised = rec.get("promised_date") or rec.get("resolve_due")
            ctx["settlement_date"] = promised.date() if isinstance(promised, dt.datetime) else promised
        else:
            rec = self._mask(self.customer(i), kind)
            ctx = dict(rec)
            _add_aliases(ctx, self.reg_alias, rec)
            ctx["customer"] = rec
            ctx["customer_name"] = rec.get("name") or ""
            ctx["contact"] = rec.get("contact_person") or ""
            ctx["tier_label"] = self.ns.tier_labels.get(rec.get("tier") or "", rec.get("tier") or "")
            ctx["previous_tier_label"] = self.ns.tier_labels.get(
                rec.get("previous_tier") or "", rec.get("previous_tier") or ""
            )
            ctx["visit_months"] = self.visits.months_for(rec.get("tier"))
        ctx.update(self._common(kind))
        return ctx

    def label(self, name: str) -> str:
        """A field as the clerk knows it: the column's header in the workbook (解决时限), else its name."""
        for table in (self.tracker, self.register):
            if name in table.schema:
                return table.headers.get(name) or table.schema.column(name).header
        return {"settlement_date": _("settlement date"), "contact": _("contact person")}.get(name, name)

    def department_head(self, department) -> str:
        """Who heads the department, named as a letter names them: "售后服务部负责人王经理" with the name
        from [escalation.department_heads], "售后服务部负责人" when the office has not named one."""
        dept = str(department).strip() if department not in (None, "") else ""
        name = self.escalation.department_heads.get(dept, "") if dept else ""
        if self.language == "en":
            role = f"head of {dept}" if dept else "the department head"
            return f"{name} ({role})" if name else role
        role = f"{dept}负责人" if dept else (self.escalation.department_head_fallback or "部门负责人")
        return f"{role}{name}"

    # -- a group of rows (internal notices)

    def item(self, kind: NoticeKind, i: int | None, new: bool) -> dict:
        if kind.table == "tracker":
            rec = self._mask(self.complaint(i), kind)
            cid = rec.get("customer_id")
            cust = self._mask(self.customer(self.customer_row.get(cid) if cid else None), kind)
            level = _level(rec.get("escalation_level"))
            dept = rec.get("department")
            head = self.department_head(dept) if level >= 2 else ""
            item = dict(rec)
            item.update({"customer": cust, "department_head": head, "level": level, "new": new})
            item["customer_name"] = rec.get("customer_name") or cust.get("name") or ""
            return item
        rec = self._mask(self.customer(i), kind)
        return {**rec, "new": new}

    def group(self, kind: NoticeKind, value, rows: list[int], due: set[int]) -> dict:
        items = [self.item(kind, i, i in due) for i in rows]
        ctx = self._common(kind)
        ctx[kind.group_by] = value if value is not None else ""
        if kind.table == "tracker":
            items.sort(
                key=lambda it: (-it["level"], it.get("next_deadline") or dt.datetime.max, it.get("complaint_id") or "")
            )
            top = max((it["level"] for it in items), default=0)
            heads = []
            for it in items:
                if it["department_head"] and it["department_head"] not in heads:
                    heads.append(it["department_head"])
            l3 = sum(1 for it in items if it["level"] >= 3)
            ctx.update(
                {
                    "max_level": f"L{top}",
                    "department_heads": heads,
                    "cc": heads + ([self.l3_notify] if l3 else []),
                    "l3_count": l3,
                    "l3_notify": self.l3_notify,
                }
            )
            if kind.name == "escalation" or kind.template == "escalation":
                ctx["title"] = self._zh(
                    "督办通知" if top >= 2 else "催办通知", "Escalation Notice" if top >= 2 else "Overdue Reminder"
                )
        else:
            order = {"逾期": 0, "未回访": 1, "即将到期": 2}
            items.sort(
                key=lambda it: (
                    order.get(it.get("visit_flag") or "", 3),
                    it.get("next_visit_due") or dt.date.max,
                    it.get("customer_id") or "",
                )
            )
        ctx[kind.items] = items
        ctx["count"] = len(items)
        return ctx

    # -- what a template may use (for the check before the batch)

    def provided(self, kind: NoticeKind) -> tuple[set[str], dict[str, set[str]]]:
        shapes = {"office": set(self.office), "customer": set(self.reg_names)}
        if kind.group_by and kind.items:  # a grouped kind always names its items (the settings see to it)
            ctx = self.group(kind, None, [], set())
            shapes[kind.items] = set(self.item(kind, None, False))
        else:
            ctx = self.single(kind, None)
        return set(ctx), shapes


def _aliases(table: Table) -> dict[str, str]:
    """Header texts usable as template names ({{ 投诉编号 }}) -> column name."""
    out = {}
    for col in table.schema.columns:
        for text in (table.headers.get(col.name), col.header):
            if text and text.isidentifier() and text not in out:
                out[text] = col.name
    return out


def _add_aliases(ctx: dict, aliases: dict[str, str], rec: dict) -> None:
    for alias, name in aliases.items():
        if alias not in ctx:
            ctx[alias] = rec.get(name)


# ------------------------------------------------------------------------------------------ templates


def notice_template(
    settings: Settings, ns: NoticeSettings, kind: NoticeKind, language: str
) -> tuple[Path | bytes, str]:
    """(the template, where it came from) for a notice kind: the office's templates folder, then the shipped ones.
    The office's templates folder is inside the office's folder (a setting cannot point elsewhere)."""
    folder = os.path.normpath(settings.folder / ns.templates_dir)
    if os.path.relpath(folder, os.path.normpath(settings.folder)).split(os.sep)[0] == "..":
        raise ToolkitError(
            _("the templates folder {folder} is outside the office's folder").format(folder=ns.templates_dir),
            path=settings.folder,
            hint=_("set notices.templates_dir to a folder inside the office's folder, such as templates"),
        )
    try:
        return find_template(kind.template, language, settings.folder / ns.templates_dir)
    except KeyError:
        file_name = template_file_name(kind.template, language)
        raise ToolkitError(
            _("no template {file} for the notice '{notice}'").format(
                file=file_name, notice=kind.title_for(get_language())
            ),
            path=settings.folder / ns.templates_dir,
            hint=_("put {file} into that folder, or set notices.kinds.{kind}.template").format(
                file=file_name, kind=kind.name
            ),
        ) from None


# ------------------------------------------------------------------------------------------ the job


@dataclass
class _Job:
    kind: NoticeKind
    key: str
    name: str
    rows: list[int]  # row indexes in the table
    context: dict | None
    error: str | None = None


def make_notices(
    folder: str | Path = ".",
    kind: str | Iterable[str] | None = None,
    as_of: dt.datetime | None = None,
    dry_run: bool = False,
    pdf: bool | None = None,
    force: bool = False,
    out_dir: str | Path | None = None,
    *,
    merged: bool | None = None,
    language: str | None = None,
    settings: Settings | None = None,
    progress=None,
    source=FileWorkbook,
) -> NoticeResult:
    """Make the notices due as of `as_of` (default: now) and stamp them on their rows.

    `kind`: one kind or several (default: every enabled kind in the settings). `dry_run`: decide and
    render, write nothing. `pdf`: a PDF beside every .docx (one LibreOffice run). `force`: make
    notices again for rows already stamped. `out_dir`: default `<folder>/notices`. `merged`: also
    one .docx per kind with every notice on its own page. `source(path)`: where each workbook is read
    and stamped (default the file on disk; the Excel button passes the workbook open in Excel, as
    toolkit.jobs.run.run_jobs_with does).
    """
    progress = progress or NoProgress()
    folder = Path(folder)
    settings = settings or load_settings(require_folder(folder))
    ns = settings.notices
    language = language or ns.language
    if language not in ("zh", "en"):
        raise ToolkitError(_("language '{language}': templates exist for zh and en").format(language=language))
    if kind is None:
        kinds = [k for k, spec in ns.kinds.items() if spec.enabled]
    else:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        unknown = [k for k in kinds if k not in ns.kinds]
        if unknown:
            raise ToolkitError(
                _("unknown notice '{kind}'; the notices are: {kinds}").format(
                    kind=unknown[0],
                    kinds=_(", ").join(f"{k} ({ns.kinds[k].title_for(get_language())})" for k in ns.kinds),
                )
            )
    pdf = ns.pdf if pdf is None else pdf
    merged = ns.merged if merged is None else merged
    as_of = job_time(as_of)
    out = Path(out_dir) if out_dir is not None else folder / ns.output_dir
    result = NoticeResult(as_of=as_of, dry_run=dry_run, kinds=tuple(kinds), out_dir=out)
    result.titles = {k: (ns.kinds[k].title, ns.kinds[k].title_en) for k in kinds}
    if pdf and not dry_run:
        require_soffice()
    books = {path: source(path) for path in (settings.register_path, settings.tracker_path)}
    if not dry_run:
        for book in books.values():
            book.check_writable()
    with folder_lock(folder, required=not dry_run):
        if not dry_run:
            clean_stale_temps(folder)
        progress.step(_("reading the workbooks"))
        for book in books.values():
            book.snapshot()
        register = books[settings.register_path].read(settings.register)
        tracker = books[settings.tracker_path].read(settings.tracker)
        result.problems += data_problems(settings, register, tracker, as_of)  # the list every command gives
        for table in (register, tracker):
            key = table.schema.key
            if not table.has(key):
                raise ToolkitError(
                    _("sheet '{sheet}' has no '{column}' column; no notices were made").format(
                        sheet=table.sheet, column=table.schema.column(key).header
                    ),
                    path=table.path,
                    hint=_("`toolkit check` lists the details"),
                )
        ctxs = _Contexts(settings, ns, register, tracker, as_of, language)

        progress.step(_("checking the templates"))
        templates: dict[str, DocxTemplate] = {}
        errors: list[str] = []
        for k in kinds:
            spec = ns.kinds[k]
            source, label = notice_template(settings, ns, spec, language)
            result.templates[k] = label
            try:
                tpl = DocxTemplate.open(source, language=language, name=template_file_name(spec.template, language))
                provided, shapes = ctxs.provided(spec)
                check_template(
                    tpl, provided, shapes, what=_("the notice '{title}'").format(title=spec.title_for(get_language()))
                )
                templates[k] = tpl
            except TemplateError as exc:
                errors.append(str(exc) if exc.path else f"{label}: {exc}")
        if errors:
            raise TemplateError(
                _("no notices were made; the templates need correcting first:") + "\n" + "\n".join(errors), issues=[]
            )

        progress.step(_("making the notices"))
        if not dry_run:
            out.mkdir(parents=True, exist_ok=True)
        used_names: set[str] = set()
        stamp_values: dict[str, dict[str, dict[int, str]]] = {"tracker": {}, "register": {}}
        tables = {"tracker": tracker, "register": register}
        cols_of = {"tracker": ctxs.trk_cols, "register": ctxs.reg_cols}
        journal = _Journal(out / JOURNAL_NAME)
        entries: list[dict] = []  # what this run makes, written to the journal before the first file
        recovered_rows: set[tuple[str, str, int]] = set()
        if not dry_run:
            # notices a stopped run made but did not stamp: their files count, their stamps are written now
            for entry in journal.load():
                found = _rows_of(entry, tables)
                path = Path(entry["docx"])
                if not found or not path.is_file():
                    continue  # never made (or its rows are gone): due again below like any other row
                entry["rows"] = [i for i, _text in found]
                entry["recovered"] = True
                entries.append(entry)
                used_names.add(path.stem.lower())
                column = cols_of[entry["table"]].setdefault(entry["stamp_column"], [None] * len(tables[entry["table"]]))
                for i, text in found:
                    column[i] = text
                    recovered_rows.add((entry["table"], entry["stamp_column"], i))
                    stamp_values[entry["table"]].setdefault(entry["stamp_column"], {})[i] = text
        planned: list[tuple[str, _Job, list[int], str, Path]] = []
        for k in kinds:
            spec = ns.kinds[k]
            table = tables[spec.table]
            cols = cols_of[spec.table]
            started = dt.datetime.now()
            jobs, already, skips = _plan(spec, ctxs, cols, table, as_of, force, templates[k])
            result.already[k] = already
            result.skipped += skips
            for job in jobs:
                if (force or not spec.group_by) and any(
                    (spec.table, spec.stamp, i) in recovered_rows for i in job.rows
                ):
                    continue  # made by the stopped run and finished now (with force too)
                rows = [table.rows[i] for i in job.rows]
                if job.error:
                    result.failures.append(NoticeFailure(k, job.key, job.name, rows, job.error))
                    continue
                title = (job.context or {}).get("title") or spec.title_for(language)
                stem = _unique(
                    file_stem(ns.filename, kind=k, title=str(title), key=job.key, name=job.name, date=as_of.date()),
                    used_names,
                )
                planned.append((k, job, rows, str(title), out / f"{stem}.docx"))
            result.seconds[k] = (dt.datetime.now() - started).total_seconds()
        if not dry_run:
            for k, job, _rows, title, path in planned:
                spec = ns.kinds[k]
                entries.append(
                    {
                        "kind": k,
                        "table": spec.table,
                        "stamp_column": spec.stamp,
                        "rows": job.rows,
                        "keys": [_key_at(cols_of[spec.table], spec.table, i) for i in job.rows],
                        "stamps": _stamps(spec, cols_of, job.rows, as_of, title, _shown_path(path, folder)),
                        "docx": str(path),
                    }
                )
            journal.save(as_of, pdf, entries)
            crash_point()

        rendered_by_kind: dict[str, list] = {}
        over_limit: dict[str, str] = {}
        rendered_ok = [False] * len(planned)
        bar = phase_of(progress, _("Making the notices"), len(planned))
        try:
            for done, (k, job, rows, title, path) in enumerate(planned, 1):
                bar.update(done)
                spec = ns.kinds[k]
                tpl = templates[k]
                if k in over_limit:  # the template went over a limit once: not again for every row
                    result.failures.append(NoticeFailure(k, job.key, job.name, rows, over_limit[k]))
                    continue
                try:
                    parts = tpl.render_parts(job.context or {})
                except RenderError as exc:
                    result.failures.append(NoticeFailure(k, job.key, job.name, rows, str(exc)))
                    if exc.limit:
                        over_limit[k] = str(exc)
                    continue
                except TemplateError as exc:  # the template itself breaks Word's XML: none of this kind
                    result.failures.append(NoticeFailure(k, job.key, job.name, rows, str(exc)))
                    over_limit[k] = str(exc)
                    continue
                if not dry_run:
                    try:
                        tpl.write(path, parts)
                        crash_point()
                    except OSError as exc:
                        result.failures.append(
                            NoticeFailure(
                                k,
                                job.key,
                                job.name,
                                rows,
                                _("could not write {file}: {reason}").format(file=path, reason=exc.strerror or exc),
                            )
                        )
                        continue
                if merged:
                    rendered_by_kind.setdefault(k, []).append(parts)
                result.made.append(
                    Notice(k, title, job.key, job.name, rows, None if dry_run else path, items=len(job.rows))
                )
                rendered_ok[done - 1] = True
        finally:
            bar.close()
        made_paths = {path for (_k, _j, _r, _t, path), ok in zip(planned, rendered_ok) if ok}
        if dry_run:
            for k, job, _rows, title, path in planned:
                if path not in made_paths:
                    continue
                _stamp(stamp_values, ns.kinds[k], cols_of, job.rows, as_of, title, _shown_path(path, folder))
            _plan_stamps(result, register, tracker, stamp_values, settings)
            return result

        for k, parts_list in rendered_by_kind.items():
            all_in_one = "合订本" if language == "zh" else "all"  # a file name in the notices' language
            merged_stem = f"{safe_name_part(ns.kinds[k].title_for(language))}_{all_in_one}_{as_of:%Y-%m-%d}"
            path = out / f"{_unique(merged_stem, used_names)}.docx"
            path.write_bytes(templates[k].merge(parts_list))
            result.merged.append(path)

        recovered = [e for e in entries if e.get("recovered")]
        if pdf:  # a notice counts as made when its PDF exists too: converted before any stamp is written
            progress.step(_("converting to PDF"))
            docs = [n.path for n in result.made if n.path is not None]
            docs += [Path(e["docx"]) for e in recovered if not Path(e["docx"]).with_suffix(".pdf").is_file()]
            docs += result.merged
            bar = phase_of(progress, _("Converting to PDF"), len(docs))
            try:
                converted = convert_to_pdf(docs, out, timeout=ns.pdf_timeout, on_progress=bar.update)
            finally:
                bar.close()
            result.pdf_calls, result.pdf_seconds = converted.calls, converted.seconds
            crash_point()
            for n in result.made:
                n.pdf = converted.pdfs.get(n.path) if n.path is not None else None
            result.pdfs = list(converted.pdfs.values())
            for doc, why in converted.failed.items():
                owner = next((n for n in result.made if n.path == doc), None)
                if owner is not None:  # not made: its .docx goes too, so the next run makes it whole
                    result.made.remove(owner)
                    doc.unlink(missing_ok=True)
                    made_paths.discard(doc)
                    result.failures.append(
                        NoticeFailure(
                            owner.kind,
                            owner.key,
                            owner.name,
                            owner.rows,
                            _("no PDF: {reason} (it is made again on the next run)").format(reason=why),
                        )
                    )
                elif doc in result.merged:
                    result.failures.append(
                        NoticeFailure("pdf", doc.stem, "", [], _("no PDF: {reason}").format(reason=why))
                    )
                else:
                    for e in recovered:
                        if Path(e["docx"]) == doc:
                            e["failed"] = why
        for k, job, _rows, title, path in planned:
            if path in made_paths:
                _stamp(stamp_values, ns.kinds[k], cols_of, job.rows, as_of, title, _shown_path(path, folder))
        for e in recovered:
            if e.get("failed"):  # not made after all: listed, and made from scratch by the next run
                for i in e["rows"]:
                    stamp_values[e["table"]][e["stamp_column"]].pop(i, None)
                Path(e["docx"]).unlink(missing_ok=True)
                table = tables[e["table"]]
                result.failures.append(
                    NoticeFailure(
                        e.get("kind", ""),
                        Path(e["docx"]).stem,
                        "",
                        [table.rows[i] for i in e["rows"]],
                        _("no PDF: {reason} (it is made again on the next run)").format(reason=e["failed"]),
                    )
                )
            else:
                result.recovered += 1

        progress.step(_("stamping the workbooks"))
        plans = _plan_stamps(result, register, tracker, stamp_values, settings)
        for plan in plans:  # a workbook that cannot take the stamps is found before the first one is written
            if plan.changes or plan.new_headers:
                books[plan.table.path].preflight(plan)
        for book in books.values():  # changed since it was read (sorted in Excel meanwhile): stamp neither
            book.check_unchanged()
        for plan in plans:
            if plan.changes or plan.new_headers:
                # stamps on formula cells are left and reported, and dropped from plan.changes (so not logged)
                result.problems += books[plan.table.path].write(plan, settings)
                result.written.append(plan.table.path)
        result.changes = [c for plan in plans for c in plan.changes]
        result.log_file = append_changes(folder, result.changes)
        crash_point()
        journal.remove()  # every notice of the batch is whole: made, converted and stamped
    return result


JOURNAL_NAME = ".notices-journal.json"


class _Journal:
    """The batch's journal in the output folder: every notice it is about to make, with the rows and the
    stamp column, written before the first file. A run that finds one (the last run was stopped) keeps
    the notices whose .docx was made - converting what lacks its PDF and writing their stamps - and
    makes the others as if for the first time, so each notice is made exactly once."""

    def __init__(self, path: Path):
        self.path = path

    def load(self) -> list[dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data.get("entries", [])
            return [e for e in entries if isinstance(e, dict) and {"table", "stamp_column", "docx"} <= set(e)]
        except (OSError, ValueError, AttributeError):
            return []

    def save(self, as_of: dt.datetime, pdf: bool, entries: list[dict]) -> None:
        if not entries:
            return
        tmp = self.path.with_name(self.path.name + ".part")
        try:
            tmp.write_text(
                json.dumps({"as_of": as_of.isoformat(), "pdf": pdf, "entries": entries}, ensure_ascii=False),
                encoding="utf-8",
            )
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _key_at(cols: dict[str, list], table: str, i: int) -> str:
    value = cols["complaint_id" if table == "tracker" else "customer_id"][i]
    return "" if value is None else str(value)


def _rows_of(entry: dict, tables: dict[str, Table]) -> list[tuple[int, str]]:
    """(row index, stamp) of a journal entry's rows in the table as read now, found by their keys
    (rows may have been sorted meanwhile)."""
    table = tables.get(str(entry.get("table", "")))
    if table is None or str(entry.get("stamp_column")) not in table.schema:
        return []
    where: dict[str, int] = {}
    for i, value in enumerate(table.values(table.schema.key)):
        if value is not None:
            where.setdefault(str(value), i)
    keys, stamps = entry.get("keys") or [], entry.get("stamps") or []
    return [(where[k], str(t)) for k, t in zip(keys, stamps) if k in where and t]


def _stamps(spec: NoticeKind, cols_of: dict, rows: list[int], as_of, title: str, shown: str) -> list[str]:
    marker_col = cols_of[spec.table].get(spec.renotify_on) if spec.renotify_on else None
    return [stamp_text(as_of, title, marker_of(marker_col[i]) if marker_col is not None else None, shown) for i in rows]


def _stamp(stamp_values: dict, spec: NoticeKind, cols_of: dict, rows: list[int], as_of, title: str, shown: str) -> None:
    for i, text in zip(rows, _stamps(spec, cols_of, rows, as_of, title, shown)):
        stamp_values[spec.table].setdefault(spec.stamp, {})[i] = text


def _plan(
    spec: NoticeKind,
    ctxs: _Contexts,
    cols: dict[str, list],
    table: Table,
    as_of: dt.datetime,
    force: bool,
    tpl: DocxTemplate,
) -> tuple[list[_Job], int, list[NoticeSkip]]:
    """The notices of one kind to make, the rows already notified, and the due rows that get none (why)."""
    n = len(table)
    matching, due, already, window_skips = due_rows(cols, n, spec, as_of, force)
    skips: list[Skip] = [
        Skip(w.row, w.reason, ctxs.label(w.detail)) if w.reason == NO_WINDOW_DATE else w for w in window_skips
    ]
    jobs: list[_Job] = []
    key_col = "complaint_id" if spec.table == "tracker" else "customer_id"
    name_col = "customer_name" if spec.table == "tracker" else "name"
    used = _used_columns(tpl, ctxs, spec)
    if not spec.group_by:
        for i in due:
            key = cols[key_col][i] or f"row{i + 1}"
            try:
                context, error = ctxs.single(spec, i), None
            except Exception as exc:  # noqa: BLE001 - a row whose data cannot be prepared fails alone
                context, error = None, _("the row's data could not be prepared ({reason})").format(reason=exc)
            if context is not None and spec.audience == "customer":
                skip = _customer_checks(spec, ctxs, cols, i, context, used, as_of)
                if skip is not None:
                    skips.append(skip)
                    continue
            name = (context or {}).get("customer_name") or cols.get(name_col, [None] * n)[i] or ""
            jobs.append(_Job(spec, str(key), str(name), [i], context, error))
        return jobs, already, _described(skips, spec, table, cols, key_col, name_col)
    recognised = table.has(spec.group_by)
    header = table.headers.get(spec.group_by) or table.schema.column(spec.group_by).header
    groups: dict[object, list[int]] = {}
    due_set = set(due)
    for i in matching:
        skip = internal_recipient(i, recognised, cols[spec.group_by][i], header)
        if skip is not None:
            if i in due_set:
                skips.append(skip)
            continue
        groups.setdefault(cols[spec.group_by][i], []).append(i)
    for value in sorted(groups, key=lambda v: str(v)):
        rows = groups[value]
        if not any(i in due_set for i in rows):
            continue
        context = ctxs.group(spec, value, rows, due_set)
        jobs.append(_Job(spec, str(value), "", rows, context))
    return jobs, already, _described(skips, spec, table, cols, key_col, name_col)


def _used_columns(tpl: DocxTemplate, ctxs: _Contexts, spec: NoticeKind) -> set[str]:
    """The names a template reads, with the header aliases ({{ 联系人 }}) read as their columns' names."""
    aliases = {**ctxs.reg_alias, **ctxs.trk_alias} if spec.table == "tracker" else ctxs.reg_alias
    names = tpl.fields()
    return names | {aliases[a] for a in names if a in aliases}


def _customer_checks(
    spec: NoticeKind, ctxs: _Contexts, cols: dict[str, list], i: int, ctx: dict, used: set[str], as_of: dt.datetime
) -> Skip | None:
    """A customer letter's addressee, then the guard: no date it promises may be before its own date."""
    if spec.table == "tracker":
        cid = cols["customer_id"][i]
        known = cid not in (None, "") and cid in ctxs.customer_row
    else:
        known = True
    contacts = {f: ctx.get(f) for f in CONTACT_FIELDS if f in used}
    skip = customer_recipient(i, known, ctx.get("customer_name"), contacts)
    if skip is not None:
        return Skip(skip.row, skip.reason, ctxs.label(skip.detail)) if skip.detail else skip
    promised = {f: ctx.get(f) for f in PROMISE_FIELDS if f in used}
    past = past_promises(promised, as_of)
    if past:
        shown = "; ".join(f"{ctxs.label(f)} {show(v)}" for f, v in past)
        return Skip(i, PROMISE_PAST, shown)
    return None


def _described(
    skips: list[Skip], spec: NoticeKind, table: Table, cols: dict[str, list], key_col: str, name_col: str
) -> list[NoticeSkip]:
    out = []
    for s in skips:
        key = cols[key_col][s.row] if key_col in cols else None
        name = cols[name_col][s.row] if name_col in cols else None
        out.append(
            NoticeSkip(
                spec.name,
                "" if key is None else str(key),
                "" if name is None else str(name),
                table.rows[s.row],
                s.reason,
                s.detail,
            )
        )
    return out


def _plan_stamps(
    result: NoticeResult, register: Table, tracker: Table, stamp_values: dict, settings: Settings
) -> list[TablePlan]:
    plans = []
    for role, table in (("register", register), ("tracker", tracker)):
        plan = TablePlan(table)
        for col, by_row in stamp_values[role].items():
            values = list(table.values(col))
            for i, text in by_row.items():
                values[i] = text
            plan_changes(plan, JOB, {col: values}, language=settings.header_language)
        plans.append(plan)
    result.changes = [c for plan in plans for c in plan.changes]
    return plans


def _unique(stem: str, used: set[str]) -> str:
    candidate, n = stem, 2
    while candidate.lower() in used:
        candidate = f"{stem}-{n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def _shown_path(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(path)
