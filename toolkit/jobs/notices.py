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
from toolkit.i18n import _, get_language
from toolkit.jobs.changelog import append_changes
from toolkit.jobs.changes import CellChange, TablePlan, plan_changes
from toolkit.jobs.office import job_time
from toolkit.jobs.run import FileWorkbook
from toolkit.model.records import Table
from toolkit.progress import NoProgress
from toolkit.rules.notices import due_rows, marker_of, stamp_text
from toolkit.settings import Settings, load_settings
from toolkit.settings.notices import NoticeKind, NoticeSettings
from toolkit.xlsx.safety import clean_stale_temps, folder_lock

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
class NoticeResult:
    as_of: dt.datetime
    dry_run: bool
    kinds: tuple[str, ...]
    out_dir: Path
    made: list[Notice] = field(default_factory=list)
    failures: list[NoticeFailure] = field(default_factory=list)
    already: dict[str, int] = field(default_factory=dict)  # rows skipped because their notice was made before
    merged: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # kind -> its title in the messages' language
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

    def title(self, kind: str) -> str:
        """The notice kind as the clerk calls it (受理回执), in the messages' language."""
        return self.titles.get(kind, kind)

    def counts(self) -> dict[str, int]:
        """Notices made per kind, in the order they were made."""
        out: dict[str, int] = {}
        for n in self.made:
            out[n.kind] = out.get(n.kind, 0) + 1
        return out


# ------------------------------------------------------------------------------------------ file names

_BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_name_part(text, limit: int = 40) -> str:
    """Text fit for a file name on Windows, macOS and Linux."""
    text = _BAD_CHARS.sub("_", "" if text is None else str(text))
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
    stem = _BAD_CHARS.sub("_", stem)
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
        self.reg_cols = {c.name: register.values(c.name) for c in register.schema.columns}
        self.trk_cols = {c.name: tracker.values(c.name) for c in tracker.schema.columns}
        self.reg_names = [c.name for c in register.schema.columns]
        self.trk_names = [c.name for c in tracker.schema.columns]
        self.reg_alias = _aliases(register)
        self.trk_alias = _aliases(tracker)
        self.customer_row: dict[str, int] = {}
        for i, cid in enumerate(self.reg_cols["customer_id"]):
            if cid and cid not in self.customer_row:
                self.customer_row[cid] = i
        office = dict(ns.office)
        if language == "en" and office.get("name_en"):
            office["name"] = office["name_en"]
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
        return {
            "as_of": self.as_of,
            "notice_date": today,
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
            ctx["contact"] = (
                rec.get("contact_person")
                or cust.get("contact_person")
                or ctx["customer_name"]
                or self._zh("客户", "Customer")
            )
            promised = rec.get("promised_date") or rec.get("resolve_due")
            ctx["settlement_date"] = promised.date() if isinstance(promised, dt.datetime) else promised
        else:
            rec = self._mask(self.customer(i), kind)
            ctx = dict(rec)
            _add_aliases(ctx, self.reg_alias, rec)
            ctx["customer"] = rec
            ctx["customer_name"] = rec.get("name") or ""
            ctx["contact"] = rec.get("contact_person") or rec.get("name") or self._zh("客户", "Customer")
            ctx["tier_label"] = self.ns.tier_labels.get(rec.get("tier") or "", rec.get("tier") or "")
            ctx["previous_tier_label"] = self.ns.tier_labels.get(
                rec.get("previous_tier") or "", rec.get("previous_tier") or ""
            )
            ctx["visit_months"] = self.visits.months_for(rec.get("tier"))
        ctx.update(self._common(kind))
        return ctx

    # -- a group of rows (internal notices)

    def item(self, kind: NoticeKind, i: int | None, new: bool) -> dict:
        if kind.table == "tracker":
            rec = self._mask(self.complaint(i), kind)
            cid = rec.get("customer_id")
            cust = self._mask(self.customer(self.customer_row.get(cid) if cid else None), kind)
            level = _level(rec.get("escalation_level"))
            dept = rec.get("department")
            head = ""
            if level >= 2:
                head = self.escalation.department_head_text(dept)
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
    """(the template, where it came from) for a notice kind: the office's templates folder, then the shipped ones."""
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
    settings = settings or load_settings(folder)
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
    result.titles = {k: ns.kinds[k].title_for(get_language()) for k in ns.kinds}
    if pdf and not dry_run:
        require_soffice()
    books = {path: source(path) for path in (settings.register_path, settings.tracker_path)}
    if not dry_run:
        for book in books.values():
            book.check_writable()
    with folder_lock(folder):
        if not dry_run:
            clean_stale_temps(folder)
        progress.step(_("reading the workbooks"))
        for book in books.values():
            book.snapshot()
        register = books[settings.register_path].read(settings.register)
        tracker = books[settings.tracker_path].read(settings.tracker)
        result.problems += register.problems + tracker.problems
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
        rendered_by_kind: dict[str, list] = {}
        for k in kinds:
            spec = ns.kinds[k]
            tpl = templates[k]
            table = tracker if spec.table == "tracker" else register
            cols = ctxs.trk_cols if spec.table == "tracker" else ctxs.reg_cols
            started = dt.datetime.now()
            jobs, already = _plan(spec, ctxs, cols, len(table), as_of, force)
            result.already[k] = already
            title = spec.title_for(language)
            for job in jobs:
                rows = [table.rows[i] for i in job.rows]
                if job.error:
                    result.failures.append(NoticeFailure(k, job.key, job.name, rows, job.error))
                    continue
                try:
                    parts = tpl.render_parts(job.context or {})
                except RenderError as exc:
                    result.failures.append(NoticeFailure(k, job.key, job.name, rows, str(exc)))
                    continue
                except TemplateError as exc:  # the template itself breaks Word's XML: none of this kind
                    for rest in jobs[jobs.index(job) :]:
                        result.failures.append(
                            NoticeFailure(k, rest.key, rest.name, [table.rows[i] for i in rest.rows], str(exc))
                        )
                    break
                stem = file_stem(ns.filename, kind=k, title=title, key=job.key, name=job.name, date=as_of.date())
                stem = _unique(stem, used_names)
                path = out / f"{stem}.docx"
                if not dry_run:
                    try:
                        tpl.write(path, parts)
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
                shown = _shown_path(path, folder)
                marker_col = cols.get(spec.renotify_on) if spec.renotify_on else None
                for i in job.rows:
                    marker = marker_of(marker_col[i]) if marker_col is not None else None
                    stamp_values[spec.table].setdefault(spec.stamp, {})[i] = stamp_text(
                        as_of, spec.title, marker, shown
                    )
            result.seconds[k] = (dt.datetime.now() - started).total_seconds()
        if dry_run:
            _plan_stamps(result, register, tracker, stamp_values, settings)
            return result

        for k, parts_list in rendered_by_kind.items():
            all_in_one = "合订本" if language == "zh" else "all"  # a file name in the notices' language
            merged_stem = f"{safe_name_part(ns.kinds[k].title_for(language))}_{all_in_one}_{as_of:%Y-%m-%d}"
            path = out / f"{_unique(merged_stem, used_names)}.docx"
            path.write_bytes(templates[k].merge(parts_list))
            result.merged.append(path)

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

    if pdf:
        progress.step(_("converting to PDF"))

        docs = [n.path for n in result.made if n.path is not None] + result.merged
        converted = convert_to_pdf(docs, out, timeout=ns.pdf_timeout)
        for n in result.made:
            n.pdf = converted.pdfs.get(n.path) if n.path is not None else None
        result.pdfs = list(converted.pdfs.values())
        result.pdf_calls, result.pdf_seconds = converted.calls, converted.seconds
        for doc, why in converted.failed.items():
            owner = next((n for n in result.made if n.path == doc), None)
            result.failures.append(
                NoticeFailure(
                    owner.kind if owner else "pdf",
                    owner.key if owner else doc.stem,
                    owner.name if owner else "",
                    owner.rows if owner else [],
                    _("no PDF: {reason} (the Word file was made)").format(reason=why),
                )
            )
    return result


def _plan(
    spec: NoticeKind, ctxs: _Contexts, cols: dict[str, list], n: int, as_of: dt.datetime, force: bool
) -> tuple[list[_Job], int]:
    matching, due, already = due_rows(cols, n, spec, as_of, force)
    jobs: list[_Job] = []
    key_col = "complaint_id" if spec.table == "tracker" else "customer_id"
    if not spec.group_by:
        name_col = "customer_name" if spec.table == "tracker" else "name"
        for i in due:
            key = cols[key_col][i] or f"row{i + 1}"
            try:
                context, error = ctxs.single(spec, i), None
            except Exception as exc:  # noqa: BLE001 - a row whose data cannot be prepared fails alone
                context, error = None, _("the row's data could not be prepared ({reason})").format(reason=exc)
            name = (context or {}).get("customer_name") or cols.get(name_col, [None] * n)[i] or ""
            jobs.append(_Job(spec, str(key), str(name), [i], context, error))
        return jobs, already
    groups: dict[object, list[int]] = {}
    for i in matching:
        groups.setdefault(cols[spec.group_by][i], []).append(i)
    due_set = set(due)
    for value in sorted(groups, key=lambda v: (v is None, str(v or ""))):
        rows = groups[value]
        if not any(i in due_set for i in rows):
            continue
        context = ctxs.group(spec, value, rows, due_set)
        key = str(value) if value not in (None, "") else ctxs._zh("未指定", "unassigned")
        jobs.append(_Job(spec, key, "", rows, context))
    return jobs, already


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
