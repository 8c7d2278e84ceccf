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
from toolkit.documents.pictures import Picture, insert_pictures, picture_token
from toolkit.documents.stock import template_file_name
from toolkit.documents.template import DocxTemplate, RenderError, TemplateError
from toolkit.documents.templates import REPORT_TEMPLATE, find_template
from toolkit.errors import Problem, ToolkitError
from toolkit.jobs.notices import safe_name_part
from toolkit.jobs.office import office_calendar
from toolkit.model.new_workbook import write_workbook
from toolkit.model.records import read_table
from toolkit.model.schema import Column, SheetSchema
from toolkit.progress import NoProgress
from toolkit.rules import monthly
from toolkit.rules import sla as sla_rules
from toolkit.rules.monthly import Kpis, Month, MonthlyFigures, Rate
from toolkit.settings import Settings, load_settings
from toolkit.settings.summary import SummaryRules, SummarySettings
from toolkit.xlsx import WorkbookEditor, add_column
from toolkit.xlsx.safety import folder_lock, owner_files, refuse_if_open

TEMPLATE = REPORT_TEMPLATE
STEP_LABELS_EN = {
    "record": "Record",
    "respond": "Respond",
    "resolve": "Resolve",
    "same_day": "Same-day notice",
    "feedback": "Feedback",
    "survey": "Survey",
}
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
    settings = settings or load_settings(folder)
    ss = settings.summary
    as_of = (as_of or dt.datetime.now()).replace(microsecond=0)
    if month is None:
        the_month = monthly.month_before(as_of)
    elif isinstance(month, Month):
        the_month = month
    else:
        try:
            the_month = monthly.parse_month(month)
        except ValueError as exc:
            raise ToolkitError(f"month {exc}") from None
    if as_of <= the_month.start:
        raise ToolkitError(
            f"the month {the_month} has not begun at {as_of:%Y-%m-%d %H:%M}; nothing to report",
            hint="give a month that has begun, e.g. --month " + str(monthly.month_before(as_of)),
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
        progress.step("reading the workbooks")
        register = read_table(settings.register_path, settings.register)
        tracker = read_table(settings.tracker_path, settings.tracker)
        problems = register.problems + tracker.problems
        for table, needed in ((tracker, ("complaint_id", "received_at")), (register, ("customer_id",))):
            missing = [table.schema.column(n).header for n in needed if not table.has(n)]
            if missing:
                raise ToolkitError(
                    f"sheet '{table.sheet}' has no {', '.join(missing)} column; no report was made",
                    path=table.path,
                    hint="run `toolkit check` for details",
                )
        seconds = {"read": time.perf_counter() - clock}

        progress.step("working out the figures")
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
        rcols = {
            name: register.values(name)
            for name in ("customer_id", "name", "tier", "previous_tier", "tier_changed_on", "tier_reason")
        }
        figures = monthly.monthly_figures(
            tcols, rcols, the_month, as_of=as_of, cal=cal, sla_rules=rules, rules=ss.rules
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
            result.notes.append("the register has no tiers yet (run `toolkit run` first): the tier table is empty")

        progress.step("drawing the charts")
        t = time.perf_counter()

        result.charts = make_charts(figures, language)
        font = charts.cjk_font()
        if font is None:
            result.notes.append(
                "no Chinese font is installed, so the charts' Chinese labels show as boxes (install fonts-noto-cjk)"
            )
        seconds["charts"] = time.perf_counter() - t

        progress.step("writing the report")
        t = time.perf_counter()
        context = report_context(figures, language, ss, as_of)
        result.template = _render(settings, ss, language, context, result.charts, docx_path)
        seconds["docx"] = time.perf_counter() - t

        progress.step(f"writing {xlsx_path.name}")
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
        progress.step("converting to PDF")
        t = time.perf_counter()

        converted = convert_to_pdf([docx_path], out, timeout=ss.pdf_timeout)
        result.pdf = converted.pdfs.get(docx_path)
        if result.pdf is None:  # the report itself was made: say so rather than fail the whole job
            why = converted.failed.get(docx_path, "LibreOffice wrote no PDF")
            result.notes.append(f"no PDF could be made: {why} (the .docx was made)")
        seconds["pdf"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - clock
    result.seconds = seconds
    return result


def _safe_stem(stem: str) -> str:

    return safe_name_part(stem, limit=120) or "report"


def _refuse_if_open_in_word(path: Path) -> None:
    """Word (like Excel) keeps an owner file beside a document it has open; replacing the document then
    fails on Windows, so say so before doing the work."""
    if path.exists() and owner_files(path):
        raise ToolkitError("is open in Word (or another program); close it and run the report again", path=path)


# ------------------------------------------------------------------------------------------ templates


def _render(
    settings: Settings, ss: SummarySettings, language: str, context: dict, pngs: dict[str, bytes], target: Path
) -> str:

    source, label = find_template(TEMPLATE, language, settings.folder / ss.templates_dir)
    try:
        tpl = DocxTemplate.open(source, language=language, name=template_file_name(TEMPLATE, language))
        check_template(tpl, set(context), context_shapes(context), what="the monthly report")
        data = tpl.render(context)
    except (TemplateError, RenderError) as exc:
        raise ToolkitError(
            f"the report template cannot be used: {exc}" if not getattr(exc, "path", None) else str(exc),
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
        raise ToolkitError(f"could not be written ({exc.strerror or exc}); is it open in Word?", path=target) from None
    return label


def context_shapes(context: dict) -> dict[str, set[str]]:
    """The keys of every dict and every list-of-dicts row in the context (for the template check)."""
    shapes = {}
    for name, value in context.items():
        if isinstance(value, dict):
            shapes[name] = set(value)
        elif isinstance(value, list) and name in ROW_FIELDS:
            shapes[name] = set(ROW_FIELDS[name])
    return shapes


# ------------------------------------------------------------------------------------------ presenting

ROW_FIELDS = {
    "kpis": ("label", "value", "target", "status", "previous", "change"),
    "steps": ("label", "counts", "value", "target", "status", "previous", "change"),
    **{
        f"by_{d}": ("name", "received", "resolution", "resolve_on_time", "overdue", "surveyed", "satisfaction")
        for d in monthly.DIMENSIONS
    },
    "top_customers": ("customer_id", "name", "tier", "complaints", "repeats", "open", "low_scores"),
    "tiers": ("tier", "customers", "share"),
    "tier_changes": ("customer_id", "name", "previous_tier", "tier", "changed_on", "reason", "direction"),
    "overdue": (
        "complaint_id",
        "customer_name",
        "handler",
        "department",
        "next_step",
        "next_deadline",
        "hours_late",
        "level",
    ),
    "reviews": ("complaint_id", "customer_name", "score", "handler", "category", "solution"),
}
DASH = "—"


def pct(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.1f}%"


def num(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


def _signed(delta: float, digits: int, unit: str = "") -> str:
    if round(delta, digits) == 0:
        return f"{0:.{digits}f}{unit}" if digits else f"0{unit}"
    sign = "+" if delta > 0 else "−"
    return f"{sign}{abs(delta):,.{digits}f}{unit}"


def change(current, previous, kind: str, language: str) -> str:
    """The change from last month: counts +12, hours −0.8, rates +2.1 个百分点 / +2.1 pp."""
    if current is None or previous is None:
        return DASH
    if kind == "rate":
        return _signed((current - previous) * 100, 1, " 个百分点" if language == "zh" else " pp")
    if kind == "count":
        return _signed(current - previous, 0)
    return _signed(current - previous, 2 if kind == "score" else 1)


def _status(value: float | None, target: float, language: str) -> str:
    if value is None:
        return DASH
    if language == "zh":
        return "达标" if value >= target else "未达标"
    return "met" if value >= target else "not met"


def _blank_label(language: str) -> str:
    return "（未填写）" if language == "zh" else "(blank)"


def _step_label(step: str, language: str) -> str:
    return sla_rules.STEP_NAMES[step] if language == "zh" else STEP_LABELS_EN[step]


def chart_titles(language: str) -> dict[str, str]:
    if language == "zh":
        return {"weekly": "每周受理量", "category": "按投诉类别", "on_time": "各环节按时率"}
    return {
        "weekly": "Complaints received per week",
        "category": "Complaints by category",
        "on_time": "Steps done on time",
    }


def make_charts(figures: MonthlyFigures, language: str) -> dict[str, bytes]:

    titles = chart_titles(language)
    zh = language == "zh"
    weeks = [(f"{w.first.month}/{w.first.day}–{w.last.month}/{w.last.day}", w.received) for w in figures.weeks]
    categories = [(g.key or _blank_label(language), g.received) for g in figures.breakdowns["category"] if g.received]
    steps = [(_step_label(s, language), figures.kpis.on_time[s].value) for s in monthly.STEPS]
    return {
        "weekly": charts.weekly_volume(weeks, title=titles["weekly"], ylabel="件" if zh else "complaints"),
        "category": charts.category_breakdown(
            categories or [(_blank_label(language), 0)], title=titles["category"], xlabel="件" if zh else "complaints"
        ),
        "on_time": charts.on_time_by_step(
            steps, target=figures.rules.on_time_target, title=titles["on_time"], target_label="目标" if zh else "target"
        ),
    }


def _kpi_lines(k: Kpis, p: Kpis, rules: SummaryRules, language: str) -> list[dict]:
    zh = language == "zh"

    def line(label_zh, label_en, value, prev, kind, target=None, show=None):
        shown = show or (
            pct
            if kind == "rate"
            else (lambda v: str(v))
            if kind == "count"
            else (lambda v: num(v, 2))
            if kind == "score"
            else num
        )
        return {
            "label": label_zh if zh else label_en,
            "value": shown(value),
            "previous": shown(prev),
            "target": ("≥ " + pct(target).replace(".0%", "%")) if target is not None else "",
            "status": _status(value, target, language) if target is not None else "",
            "change": change(value, prev, kind, language),
        }

    return [
        line("受理投诉数", "Complaints received", k.received, p.received, "count"),
        line("闭环数", "Complaints closed", k.closed, p.closed, "count"),
        line(
            "月内解决率",
            "Resolved by the month's end",
            k.resolution.value,
            p.resolution.value,
            "rate",
            rules.resolution_target,
        ),
        line("月末未结数", "Open at the month's end", k.open_at_end, p.open_at_end, "count"),
        line("月末逾期数", "Overdue at the month's end", k.overdue_at_end, p.overdue_at_end, "count"),
        line(
            "响应工时（中位数）",
            "Working hours to respond (median)",
            k.respond_hours.median,
            p.respond_hours.median,
            "hours",
        ),
        line(
            "响应工时（平均）", "Working hours to respond (mean)", k.respond_hours.mean, p.respond_hours.mean, "hours"
        ),
        line(
            "解决工时（中位数）",
            "Working hours to resolve (median)",
            k.resolve_hours.median,
            p.resolve_hours.median,
            "hours",
        ),
        line(
            "解决工时（平均）", "Working hours to resolve (mean)", k.resolve_hours.mean, p.resolve_hours.mean, "hours"
        ),
        line("满意度评价数", "Satisfaction scores", k.surveyed, p.surveyed, "count"),
        line("平均满意度（1–5）", "Mean satisfaction (1-5)", k.satisfaction_mean, p.satisfaction_mean, "score"),
        line(
            f"满意率（≥{rules.satisfied_score}分）",
            f"Satisfied (score ≥ {rules.satisfied_score})",
            k.satisfied.value,
            p.satisfied.value,
            "rate",
            rules.satisfied_target,
        ),
        line(
            f"低分复盘数（<{rules.review_below}分）",
            f"Cases to review (score < {rules.review_below})",
            k.low_scores,
            p.low_scores,
            "count",
        ),
        line("重复投诉数", "Repeat complaints", k.repeats.part, p.repeats.part, "count"),
        line("重复投诉率", "Repeat complaint rate", k.repeats.value, p.repeats.value, "rate"),
        line("等级变更客户数", "Customers changing tier", k.tier_changes, p.tier_changes, "count"),
    ]


def report_context(figures: MonthlyFigures, language: str, ss: SummarySettings, as_of: dt.datetime) -> dict:
    """Everything the report template can use (names listed in docs/templates.md)."""

    zh = language == "zh"
    k, p, rules = figures.kpis, figures.previous, figures.rules
    blank = _blank_label(language)
    office = dict(ss.office)
    if not zh and office.get("name_en"):
        office["name"] = office["name_en"]
    steps = []
    for s in monthly.STEPS:
        r, q = k.on_time[s], p.on_time[s]
        steps.append(
            {
                "label": _step_label(s, language),
                "counts": f"{r.part}/{r.whole}",
                "value": pct(r.value),
                "target": "≥ " + pct(rules.on_time_target).replace(".0%", "%"),
                "status": _status(r.value, rules.on_time_target, language),
                "previous": pct(q.value),
                "change": change(r.value, q.value, "rate", language),
            }
        )
    ctx = {
        "office": office,
        "month": str(figures.month),
        "month_label": figures.month.label(language),
        "cutoff": k.cutoff,
        "report_date": as_of.date(),
        "as_of": as_of,
        "partial": figures.partial,
        "previous_month_label": figures.previous.month.label(language),
        "received": k.received,
        "closed": k.closed,
        "resolution_rate": pct(k.resolution.value),
        "resolution_target": pct(rules.resolution_target).replace(".0%", "%"),
        "satisfied_share": pct(k.satisfied.value),
        "satisfied_target": pct(rules.satisfied_target).replace(".0%", "%"),
        "on_time_target": pct(rules.on_time_target).replace(".0%", "%"),
        "satisfaction_mean": num(k.satisfaction_mean, 2),
        "kpis": _kpi_lines(k, p, rules, language),
        "steps": steps,
        "charts": {name: picture_token(name) for name in ("weekly", "category", "on_time")},
        "top_customers": [
            {
                "customer_id": c.customer_id,
                "name": c.name,
                "tier": c.tier or "",
                "complaints": c.complaints,
                "repeats": c.repeats,
                "open": c.open_at_end,
                "low_scores": c.low_scores,
            }
            for c in figures.top_customers
        ],
        "tier_changes": [
            {
                "customer_id": c.customer_id,
                "name": c.name,
                "previous_tier": c.previous_tier or "",
                "tier": c.tier or "",
                "changed_on": c.changed_on,
                "reason": c.reason,
                "direction": {"up": "升级", "down": "降级"}.get(c.direction, "") if zh else c.direction,
            }
            for c in figures.tier_changes
        ],
        "tier_change_count": len(figures.tier_changes),
        "tier_ups": sum(1 for c in figures.tier_changes if c.direction == "up"),
        "tier_downs": sum(1 for c in figures.tier_changes if c.direction == "down"),
        "overdue_count": len(figures.overdue),
        "overdue_shown": min(len(figures.overdue), ss.overdue_list_limit),
        "overdue_by_step": ("、" if zh else ", ").join(
            f"{step if zh else _english_step(step)} {n}" for step, n in figures.overdue_by_step.items()
        ),
        "overdue": [
            {
                "complaint_id": o.complaint_id,
                "customer_name": o.customer_name,
                "handler": o.handler,
                "department": o.department,
                "next_step": o.next_step if zh else _english_step(o.next_step),
                "next_deadline": o.next_deadline,
                "hours_late": num(o.hours_late),
                "level": o.escalation_level,
            }
            for o in figures.overdue[: ss.overdue_list_limit]
        ],
        "review_below": rules.review_below,
        "review_count": len(figures.reviews),
        "review_shown": min(len(figures.reviews), ss.review_list_limit),
        "reviews": [
            {
                "complaint_id": r.complaint_id,
                "customer_name": r.customer_name,
                "score": r.score,
                "handler": r.handler,
                "category": r.category or blank,
                "solution": _clip(r.solution, 60),
            }
            for r in figures.reviews[: ss.review_list_limit]
        ],
        "definitions": definitions(rules, language),
    }
    total = sum(n for _t, n in figures.tier_distribution)
    ctx["tiers"] = [
        {"tier": t or ("未定级" if zh else "(none)"), "customers": n, "share": pct(n / total if total else None)}
        for t, n in figures.tier_distribution
    ]
    for d in monthly.DIMENSIONS:
        ctx[f"by_{d}"] = [
            {
                "name": g.key or blank,
                "received": g.received,
                "resolution": pct(g.resolution.value),
                "resolve_on_time": pct(g.resolve_on_time.value),
                "overdue": g.overdue_at_end,
                "surveyed": g.surveyed,
                "satisfaction": num(g.satisfaction_mean, 2),
            }
            for g in figures.breakdowns[d]
        ]
    return ctx


def _english_step(step: str) -> str:
    names = {v: STEP_LABELS_EN[k] for k, v in sla_rules.STEP_NAMES.items()}
    return names.get(step, step)


def _clip(text: str, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def definitions(rules: SummaryRules, language: str) -> list[str]:
    w = rules.repeat_window_days
    if language == "zh":
        return [
            "统计口径：以次月1日0:00为统计时点；晚于该时点填写的时间不计入本月。",
            "月内解决率：本月受理的投诉中，月末前已解决（解决时间，无则闭环时间）的比例。",
            "按时率：本月受理投诉各环节在月末的时效状态，按时完成计为按时；超时完成、逾期及过早调查计为未按时；"
            "进行中、暂停及不适用的环节不计。",
            "工时：按办公日历计算的工作小时（不含午休、夜间、周末和节假日），扣除已结束的等待客户时间。",
            f"满意率：本月完成调查的评分中，{rules.satisfied_score}分及以上的比例；低于{rules.review_below}分的须复盘。",
            f"重复投诉：同一客户在此前{w}天内已有投诉。",
            "月末逾期：月末时点任一环节已超过时限且未完成的投诉（含以前月份受理的投诉）。",
        ]
    return [
        "Figures are taken as of 00:00 on the 1st of the next month; times typed later than that are not counted.",
        "Resolved by the month's end: complaints received in the month with a resolution (else closing) time "
        "before the month's end.",
        "On time: each step of the month's complaints, in its state at the month's end: done on time counts as on "
        "time; done late, overdue and surveyed too early do not; steps still running, on hold or not applicable are "
        "not judged.",
        "Working hours follow the office calendar (no lunch breaks, nights, weekends or holidays), less finished "
        "waits on the customer.",
        f"Satisfied: scores of {rules.satisfied_score} or more among the month's scores; scores below "
        f"{rules.review_below} are reviewed.",
        f"Repeat complaint: the customer had another complaint in the {w} days before.",
        "Overdue at the month's end: complaints with a step past its deadline and not done, whenever received.",
    ]


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
    cell, wherever staff moved the columns) has its cells replaced, or a row is appended; every
    other cell, sheet, chart and format stays as it was. Columns staff deleted are added back at
    the right; cells holding formulas are left alone and noted.
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
            f"{path.name}: column(s) {', '.join(c.header_for(language) for c in missing)} were missing "
            "and were added at the right"
        )
        table = read_table(path, schema)
    wanted = _month_of(row["month"])
    matches = [i for i, v in enumerate(table.values("month")) if _month_of(v) == wanted]
    editor = WorkbookEditor(path)
    if matches:
        sheet_row = table.rows[matches[0]]
        if len(matches) > 1:
            notes.append(
                f"{path.name}: the month {row['month']} is in rows "
                f"{', '.join(str(table.rows[i]) for i in matches)}; row {sheet_row} was updated"
            )
        for name, value in row.items():
            editor.set(table.sheet, (sheet_row, table.columns[name]), value)
        replaced = True
    else:
        width = max(table.columns.values())
        values: list[object] = [None] * width
        for name, value in row.items():
            values[table.columns[name] - 1] = value
        editor.append_rows(table.sheet, [values])
        sheet_row = None
        replaced = False
    report = editor.save(keep_backups=keep_backups, on_formula="skip")
    if report.skipped_formulas:
        notes.append(f"{path.name}: cells {', '.join(report.skipped_formulas[:5])} hold formulas and were left alone")
    if sheet_row is None:
        sheet_row = report.rows_appended[0] if report.rows_appended else None
    return sheet_row, replaced, notes
