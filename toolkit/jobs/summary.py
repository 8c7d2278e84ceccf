"""The monthly service report (月度服务报告): a Word report and one row per month in monthly_summary.xlsx.

::

    from toolkit.jobs.summary import make_summary
    result = make_summary("客服台账", "2026-10")
    result.docx        # reports/月度服务报告_2026-10.docx: KPIs against the targets, charts, breakdowns, lists
    result.xlsx        # monthly_summary.xlsx, the month's row added or replaced
    result.figures     # toolkit.rules.monthly.MonthlyFigures

Like every job: read both workbooks once -> decide (the pure figures in toolkit.rules.monthly,
the charts) -> write (the .docx from the template, the month's row through the in-place
engine, and with pdf=True one LibreOffice run). The workbooks themselves are only read.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.documents import charts
from toolkit.documents.check import check_template
from toolkit.documents.pdf import convert_to_pdf, require_soffice
from toolkit.documents.pictures import Picture, insert_pictures
from toolkit.documents.stock import template_file_name
from toolkit.documents.template import DocxTemplate, RenderError, TemplateError
from toolkit.documents.templates import REPORT_TEMPLATE, find_template
from toolkit.errors import Problem, ToolkitError
from toolkit.i18n import _
from toolkit.jobs.notices import safe_name_part
from toolkit.jobs.office import job_time, office_calendar
from toolkit.jobs.problems import data_problems
from toolkit.jobs.summary_report import (  # noqa: F401 - the report's presentation, used here and by the command
    DASH,
    ROW_FIELDS,
    STEP_LABELS_EN,
    chart_titles,
    context_shapes,
    definitions,
    make_charts,
    num,
    pct,
)
from toolkit.jobs.summary_report import report_context as _report_context
from toolkit.jobs.summary_workbook import place_month
from toolkit.jobs.tier_history import read_history
from toolkit.model.new_workbook import write_workbook
from toolkit.model.records import read_table
from toolkit.model.schema import Column, SheetSchema
from toolkit.progress import NoProgress
from toolkit.rules import monthly
from toolkit.rules import sla as sla_rules
from toolkit.rules.monthly import Kpis, Month, MonthlyFigures, Rate
from toolkit.settings import Settings, load_settings, require_folder
from toolkit.settings.summary import SummarySettings
from toolkit.xlsx import WorkbookEditor, add_column
from toolkit.xlsx.safety import folder_lock, owner_files, refuse_if_open

TEMPLATE = REPORT_TEMPLATE
CHART_WIDTH_CM = 15.5


# ------------------------------------------------------------------------------------------ result


@dataclass
class SummaryResult:
    month: str  # "2026-10"
    as_of: dt.datetime
    docx: Path
    xlsx: Path
    figures: MonthlyFigures
    pdf: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    template: str = ""  # where the template came from
    xlsx_row: int | None = None  # the month's row in monthly_summary.xlsx
    xlsx_replaced: bool = False  # True: the month's row was there and was replaced
    charts: dict[str, bytes] = field(default_factory=dict)  # name -> PNG
    context: dict = field(default_factory=dict)  # what the template was given
    seconds: dict[str, float] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ the job


def make_summary(
    folder, month: str | None = None, *, as_of=None, pdf: bool = False, out_dir=None, settings=None, progress=None
) -> SummaryResult:
    """Make the monthly report for `month` ("2026-10"; None: the calendar month before `as_of`).

    `as_of` (default now): figures are as of the month's end, or as of `as_of` when the month is
    not over. `pdf`: also a PDF beside the .docx (LibreOffice). `out_dir`: default
    `<folder>/reports`. The month's row in `<folder>/monthly_summary.xlsx` is added, or replaced
    when the month is there already.
    """
    clock = time.perf_counter()
    progress = progress or NoProgress()
    folder = Path(folder)
    settings = settings or load_settings(require_folder(folder))
    ss = settings.summary
    as_of = job_time(as_of)
    if month is None:
        the_month = monthly.month_before(as_of)
    elif isinstance(month, Month):
        the_month = month
    else:
        try:
            the_month = monthly.parse_month(month)
        except ValueError as exc:
            raise ToolkitError(f"--month: {exc}") from None
    if as_of <= the_month.start:
        raise ToolkitError(
            _("the month {the_month} has not begun at {as_of:%Y-%m-%d %H:%M}; nothing to report").format(
                the_month=the_month, as_of=as_of
            ),
            hint=_("give a month that has begun, e.g. --month {month}").format(month=monthly.month_before(as_of)),
        )
    out = Path(out_dir) if out_dir is not None else folder / ss.output_dir
    xlsx_path = folder / ss.workbook
    language = ss.language
    stem = (ss.filename_en if language == "en" else ss.filename).format(month=str(the_month))
    docx_path = out / f"{_safe_stem(stem)}.docx"
    if pdf:
        require_soffice()
    if xlsx_path.exists():
        refuse_if_open(xlsx_path)  # before the work, not after it
    _refuse_if_open_in_word(docx_path)

    with folder_lock(folder):
        progress.step(_("reading the workbooks"))
        register = read_table(settings.register_path, settings.register)
        tracker = read_table(settings.tracker_path, settings.tracker)
        problems = data_problems(settings, register, tracker, as_of)  # the list every command gives
        for table, needed in ((tracker, ("complaint_id", "received_at")), (register, ("customer_id",))):
            missing = [table.schema.column(n).header for n in needed if not table.has(n)]
            if missing:
                raise ToolkitError(
                    _("sheet '{sheet}' has no {join} column; no report was made").format(
                        sheet=table.sheet, join=", ".join(missing)
                    ),
                    path=table.path,
                    hint=_("run `toolkit check` for details"),
                )
        seconds = {"read": time.perf_counter() - clock}

        progress.step(_("working out the figures"))
        t = time.perf_counter()
        cal, warn = office_calendar(folder, settings)
        rules = settings.sla
        needed_t = set(sla_rules.INPUT_COLUMNS) | {
            "complaint_id",
            "customer_id",
            "customer_name",
            "satisfaction",
            "solution",
            "status",
            *monthly.DIMENSIONS,
        }
        tcols = {name: tracker.values(name) for name in needed_t if name in tracker.schema}
        rcols = {name: register.values(name) for name in monthly.REGISTER_COLUMNS}
        history = read_history(settings)
        problems += history.problems
        figures = monthly.monthly_figures(
            tcols,
            rcols,
            the_month,
            as_of=as_of,
            cal=cal,
            sla_rules=rules,
            rules=ss.rules,
            tier_history=history.events,
            score_scale=settings.tracker.column("satisfaction").range,
        )
        if not cal.is_known(the_month.start.date()):
            warn(the_month.year)
        seconds["figures"] = time.perf_counter() - t
        result = SummaryResult(
            month=str(the_month),
            as_of=as_of,
            docx=docx_path,
            xlsx=xlsx_path,
            figures=figures,
            problems=problems,
            notes=list(figures.notes),
        )
        if not any(register.values("tier")):
            result.notes.append(_("the register has no tiers yet (run `toolkit run` first): the tier table is empty"))
        result.notes += history.notes_for(figures)

        progress.step(_("drawing the charts"))
        t = time.perf_counter()
        result.charts = make_charts(figures, language)
        font = charts.cjk_font()
        if font is None:
            result.notes.append(
                _("no Chinese font is installed, so the charts' Chinese labels show as boxes (install fonts-noto-cjk)")
            )
        seconds["charts"] = time.perf_counter() - t

        progress.step(_("writing the report"))
        t = time.perf_counter()
        context = report_context(figures, language, ss, as_of)
        result.context = context
        result.template = _render(settings, ss, language, context, result.charts, docx_path)
        seconds["docx"] = time.perf_counter() - t

        progress.step(_("writing {name}").format(name=xlsx_path.name))
        t = time.perf_counter()
        row, replaced, notes = write_month_row(
            xlsx_path,
            ss.sheet,
            kpi_row(figures.kpis, as_of),
            language=settings.header_language,
            keep_backups=settings.backups_kept,
        )
        result.xlsx_row, result.xlsx_replaced = row, replaced
        result.notes += notes
        seconds["xlsx"] = time.perf_counter() - t

    if pdf:
        progress.step(_("converting to PDF"))
        t = time.perf_counter()
        converted = convert_to_pdf([docx_path], out, timeout=ss.pdf_timeout)
        result.pdf = converted.pdfs.get(docx_path)
        if result.pdf is None:  # the report itself was made: say so rather than fail the whole job
            why = converted.failed.get(docx_path, _("LibreOffice wrote no PDF"))
            result.notes.append(_("no PDF could be made: {why} (the Word file was made)").format(why=why))
        seconds["pdf"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - clock
    result.seconds = seconds
    return result


def report_context(figures: MonthlyFigures, language: str, ss: SummarySettings, as_of: dt.datetime) -> dict:
    """Everything the report template can use (names listed in docs/templates.md)."""
    return _report_context(
        figures,
        language,
        office=ss.office,
        as_of=as_of,
        overdue_list_limit=ss.overdue_list_limit,
        review_list_limit=ss.review_list_limit,
    )


def _safe_stem(stem: str) -> str:
    return safe_name_part(stem, limit=120) or "report"


def _refuse_if_open_in_word(path: Path) -> None:
    """Word (like Excel) keeps an owner file beside a document it has open; replacing the document then
    fails on Windows, so say so before doing the work."""
    if path.exists() and owner_files(path):
        raise ToolkitError(_("is open in Word (or another program); close it and run the report again"), path=path)


# ------------------------------------------------------------------------------------------ templates


def _render(
    settings: Settings, ss: SummarySettings, language: str, context: dict, pngs: dict[str, bytes], target: Path
) -> str:
    source, label = find_template(TEMPLATE, language, settings.folder / ss.templates_dir)
    try:
        tpl = DocxTemplate.open(source, language=language, name=template_file_name(TEMPLATE, language))
        check_template(tpl, set(context), context_shapes(context), what=_("the monthly report"))
        data = tpl.render(context)
    except (TemplateError, RenderError) as exc:
        raise ToolkitError(
            _("the report template cannot be used: {reason}").format(reason=exc)
            if not getattr(exc, "path", None)
            else str(exc),
            path=None if getattr(exc, "path", None) else label,
        ) from None
    titles = chart_titles(language)
    pictures = {name: Picture(png, CHART_WIDTH_CM, titles[name]) for name, png in pngs.items()}
    data, _unused = insert_pictures(data, pictures)  # a template may leave a chart out
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ToolkitError(
            _("could not be written ({value}); is it open in Word?").format(value=exc.strerror or exc), path=target
        ) from None
    return label


# ------------------------------------------------------------------------------------------ monthly_summary.xlsx


def _col(name, zh, en, kind="decimal", width=None) -> Column:
    return Column(name=name, header=zh, english=en, type=kind, owner="toolkit", width=width, required=name == "month")


SUMMARY_COLUMNS = (
    _col("month", "月份", "Month", "text", 10),
    _col("received", "受理数", "Received", "integer"),
    _col("closed", "闭环数", "Closed", "integer"),
    _col("resolved", "月内解决数", "Resolved", "integer"),
    _col("resolution_rate", "解决率(%)", "Resolution Rate (%)"),
    _col("open_at_end", "月末未结数", "Open at Month End", "integer"),
    _col("overdue_at_end", "月末逾期数", "Overdue at Month End", "integer"),
    _col("overdue_open", "月末逾期未结数", "Open and Overdue at Month End", "integer"),
    _col("overdue_closing", "已解决待回访逾期数", "Resolved, Feedback Overdue", "integer"),
    _col("overdue_survey", "满意度调查逾期数", "Satisfaction Survey Overdue", "integer"),
    *(
        _col(f"{s}_on_time", f"{sla_rules.STEP_NAMES[s]}按时率(%)", f"{STEP_LABELS_EN[s]} On Time (%)")
        for s in monthly.STEPS
    ),
    _col("respond_hours_median", "响应工时中位数", "Respond Hours (median)"),
    _col("respond_hours_mean", "响应工时平均", "Respond Hours (mean)"),
    _col("resolve_hours_median", "解决工时中位数", "Resolve Hours (median)"),
    _col("resolve_hours_mean", "解决工时平均", "Resolve Hours (mean)"),
    _col("surveyed", "评价数", "Scores", "integer"),
    _col("satisfaction_mean", "平均满意度", "Mean Satisfaction"),
    _col("satisfied_share", "满意率(%)", "Satisfied (%)"),
    _col("low_scores", "低分复盘数", "Cases to Review", "integer"),
    _col("repeats", "重复投诉数", "Repeat Complaints", "integer"),
    _col("repeat_rate", "重复投诉率(%)", "Repeat Rate (%)"),
    _col("tier_changes", "等级变更数", "Tier Changes", "integer"),
    _col("cutoff", "统计截至", "Figures As Of", "datetime", 17),
    _col("made_at", "生成时间", "Made At", "datetime", 17),
)


def summary_schema(sheet: str) -> SheetSchema:
    return SheetSchema(role="summary", sheet=sheet, key="month", columns=SUMMARY_COLUMNS)


def _r(value: float | None, digits: int = 2):
    return None if value is None else round(value, digits)


def _pct_value(rate: Rate) -> float | None:
    return None if rate.value is None else round(rate.value * 100, 2)


def kpi_row(k: Kpis, made_at: dt.datetime) -> dict[str, object]:
    """One month's figures as monthly_summary.xlsx values (rates in per cent, 2 decimals)."""
    row = {
        "month": str(k.month),
        "received": k.received,
        "closed": k.closed,
        "resolved": k.resolution.part,
        "resolution_rate": _pct_value(k.resolution),
        "open_at_end": k.open_at_end,
        "overdue_at_end": k.overdue_at_end,
        "overdue_open": k.overdue_open,
        "overdue_closing": k.overdue_closing,
        "overdue_survey": k.overdue_survey,
        "respond_hours_median": _r(k.respond_hours.median),
        "respond_hours_mean": _r(k.respond_hours.mean),
        "resolve_hours_median": _r(k.resolve_hours.median),
        "resolve_hours_mean": _r(k.resolve_hours.mean),
        "surveyed": k.surveyed,
        "satisfaction_mean": _r(k.satisfaction_mean),
        "satisfied_share": _pct_value(k.satisfied),
        "low_scores": k.low_scores,
        "repeats": k.repeats.part,
        "repeat_rate": _pct_value(k.repeats),
        "tier_changes": k.tier_changes,
        "cutoff": k.cutoff,
        "made_at": made_at,
    }
    for s in monthly.STEPS:
        row[f"{s}_on_time"] = _pct_value(k.on_time[s])
    return row


def _month_of(value) -> Month | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return Month(value.year, value.month)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            return monthly.parse_month(text)
        except ValueError:
            try:
                return monthly.parse_month(text[:7])  # "2026-10-01" (Excel turns a typed 2026-10 into a date)
            except ValueError:
                return None
    return None


def write_month_row(
    path: Path, sheet: str, row: dict[str, object], *, language: str = "zh", keep_backups: int = 10
) -> tuple[int | None, bool, list[str]]:
    """Put the month's row into monthly_summary.xlsx: (sheet row, replaced?, notes).

    A new file is made with XlsxWriter (Chinese headers, the English ones as their comments, or
    the other way round). An existing one is edited in place: the month's row (found by its 月份
    cell, wherever staff moved the columns) has its cells replaced, or a new month's row is put in
    month order (toolkit/jobs/summary_workbook.py: after the last month, else in its place, the later
    rows moving down with everything on them); every other cell, sheet, chart and format stays as it
    was. Columns staff deleted are added back at the right; cells holding formulas are left alone
    and noted.
    """
    schema = summary_schema(sheet)
    notes: list[str] = []
    if not path.exists():
        write_workbook(path, schema, [row], language=language, keep_backups=keep_backups)
        return 2, False, notes
    table = read_table(path, schema)
    missing = [c for c in schema.columns if not table.has(c.name)]
    if missing:
        for c in missing:
            add_column(
                path, table.sheet, c.header_for(language), header_row=table.header_row, keep_backups=keep_backups
            )
        notes.append(
            _("{file}: the columns {columns} were missing and were added at the right").format(
                file=path.name, columns=_(", ").join(c.header_for(language) for c in missing)
            )
        )
        table = read_table(path, schema)
    wanted = _month_of(row["month"])
    matches = [i for i, v in enumerate(table.values("month")) if _month_of(v) == wanted]
    editor = WorkbookEditor(path)
    sheet_row: int | None
    if matches:
        sheet_row = table.rows[matches[0]]
        if len(matches) > 1:
            notes.append(
                _("{file}: the month {month} is in rows {rows}; row {row} was updated").format(
                    file=path.name,
                    month=row["month"],
                    rows=_(", ").join(str(table.rows[i]) for i in matches),
                    row=sheet_row,
                )
            )
        for name, value in row.items():
            editor.set(table.sheet, (sheet_row, table.columns[name]), value)
        replaced = True
    else:  # a new month: in month order (toolkit/jobs/summary_workbook.py), else at the end
        width = max(table.columns.values())
        values: list[object] = [None] * width
        for name, value in row.items():
            values[table.columns[name] - 1] = value
        place = place_month(
            path,
            table.sheet,
            [(r, _month_of(v)) for r, v in zip(table.rows, table.values("month"))],
            wanted,
            values,
            set(table.columns.values()),
        )
        for cell, value in place.cells.items():
            editor.set(table.sheet, cell, value)
        editor.append_rows(table.sheet, [place.last_row if place.target else values])
        if place.why:
            notes.append(place.why)
        sheet_row = place.target
        replaced = False
    report = editor.save(keep_backups=keep_backups, on_formula="skip")
    if report.skipped_formulas:
        notes.append(
            _("{file}: the cells {cells} hold formulas and were left alone").format(
                file=path.name, cells=_(", ").join(report.skipped_formulas[:5])
            )
        )
    if sheet_row is None:
        sheet_row = report.rows_appended[0] if report.rows_appended else None
    return sheet_row, replaced, notes
