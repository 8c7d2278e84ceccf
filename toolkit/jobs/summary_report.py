"""What the monthly report shows: the figures as text for the template, and its charts.

:func:`report_context` turns :class:`~toolkit.rules.monthly.MonthlyFigures` into the names the
report template uses (listed in docs/templates.md). Figures arrive as text already rounded the
way they are shown: rates to 0.1 % ("83.8%"), working hours to 0.1 ("4.0"), the mean score to
0.01 ("4.26"), counts whole.

Every change (变化) is the difference of the two figures *as shown* beside it, so a reader who
subtracts the columns gets the same number: 83.8% against 83.7% is "+0.1 个百分点", 4.0 h against
5.5 h is "−1.5" (:func:`change`). A change is "—" when either figure is.

The overdue section lists what a manager can act on: the complaints still open at the month's end
with a step overdue, worst first (escalation level, then working hours late), counted by step and
level; the resolved ones whose feedback is overdue and the missed satisfaction surveys are counted
apart. Lists that are empty are said in one sentence by the template, not shown as empty tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from toolkit.documents import charts
from toolkit.documents.pictures import picture_token
from toolkit.rules import monthly
from toolkit.rules import sla as sla_rules
from toolkit.rules.monthly import Kpis, MonthlyFigures
from toolkit.settings.summary import SummaryRules

STEP_LABELS_EN = {
    "record": "Record",
    "respond": "Respond",
    "resolve": "Resolve",
    "same_day": "Same-day notice",
    "feedback": "Feedback",
    "survey": "Survey",
}
DASH = "—"
MINUS = "−"  # U+2212, as printed figures use

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
        "received_at",
    ),
    "overdue_grid": ("step", "L3", "L2", "L1", "L0", "total"),
    "reviews": ("complaint_id", "customer_name", "score", "handler", "category", "solution"),
}


# ------------------------------------------------------------------------------------------ figures as text


def pct(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.1f}%"


def num(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


def shown_number(text: str) -> Decimal | None:
    """The number a figure shows: "83.8%" -> 83.8, "1,234" -> 1234, "−1.5" -> -1.5; None for "—" or no number."""
    cleaned = str(text).strip().replace(",", "").replace(MINUS, "-").removesuffix("%")
    for unit in (" 个百分点", " pp"):
        cleaned = cleaned.removesuffix(unit)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _places(number: Decimal) -> int:
    """The decimal places `number` is written with (2 for 83.80)."""
    exponent = number.as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def change(current: str, previous: str, kind: str, language: str) -> str:
    """The change from `previous` to `current`, both as shown: counts +12, hours −0.8, scores +0.08, rates
    +2.1 个百分点 / +2.1 pp. Given at the precision the figures are shown at; "—" when either is "—"."""
    a, b = shown_number(current), shown_number(previous)
    if a is None or b is None:
        return DASH
    places = max(_places(a), _places(b))
    delta = a - b
    unit = (" 个百分点" if language == "zh" else " pp") if kind == "rate" else ""
    text = f"{abs(delta):,.{places}f}"
    sign = "" if delta == 0 else "+" if delta > 0 else MINUS
    return f"{sign}{text}{unit}"


def _status(value: float | None, target: float, language: str) -> str:
    if value is None:
        return DASH
    if language == "zh":
        return "达标" if value >= target else "未达标"
    return "met" if value >= target else "not met"


def _target(target: float) -> str:
    return "≥ " + pct(target).replace(".0%", "%")


def _blank_label(language: str) -> str:
    return "（未填写）" if language == "zh" else "(blank)"


def step_label(step: str, language: str) -> str:
    return sla_rules.STEP_NAMES[step] if language == "zh" else STEP_LABELS_EN[step]


def english_step(step: str) -> str:
    """An SLA step as the tracker names it (解决) -> its English label (Resolve)."""
    names = {v: STEP_LABELS_EN[k] for k, v in sla_rules.STEP_NAMES.items()}
    return names.get(step, step)


def _shown(kind: str):
    if kind == "rate":
        return pct
    if kind == "count":
        return lambda v: DASH if v is None else str(v)
    if kind == "score":
        return lambda v: num(v, 2)
    return num


def kpi_lines(k: Kpis, p: Kpis, rules: SummaryRules, language: str) -> list[dict]:
    """The key figures' table: this month, target, met, last month and the change, each as shown."""
    zh = language == "zh"

    def line(label_zh, label_en, value, prev, kind, target=None):
        shown = _shown(kind)
        now, before = shown(value), shown(prev)
        return {
            "label": label_zh if zh else label_en,
            "value": now,
            "previous": before,
            "target": _target(target) if target is not None else "",
            "status": _status(value, target, language) if target is not None else "",
            "change": change(now, before, kind, language),
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
        line("月末逾期未结数", "Open and overdue at the month's end", k.overdue_open, p.overdue_open, "count"),
        line("已解决待回访逾期数", "Resolved, feedback overdue", k.overdue_closing, p.overdue_closing, "count"),
        line("满意度调查逾期数", "Satisfaction survey overdue", k.overdue_survey, p.overdue_survey, "count"),
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


def step_lines(k: Kpis, p: Kpis, rules: SummaryRules, language: str) -> list[dict]:
    out = []
    for s in monthly.STEPS:
        r, q = k.on_time[s], p.on_time[s]
        now, before = pct(r.value), pct(q.value)
        out.append(
            {
                "label": step_label(s, language),
                "counts": f"{r.part}/{r.whole}",
                "value": now,
                "target": _target(rules.on_time_target),
                "status": _status(r.value, rules.on_time_target, language),
                "previous": before,
                "change": change(now, before, "rate", language),
            }
        )
    return out


# ------------------------------------------------------------------------------------------ sections


def _joined(counts: dict[str, int], language: str, name=lambda key: key) -> str:
    unit = " 件" if language == "zh" else ""
    return ("、" if language == "zh" else ", ").join(f"{name(key)} {n}{unit}" for key, n in counts.items() if n)


def overdue_context(figures: MonthlyFigures, limit: int, language: str) -> dict:
    """The overdue section: the open complaints overdue, by step and level, the worst listed; the rest counted."""
    zh = language == "zh"
    open_rows = figures.overdue
    k = figures.kpis
    step_name = (lambda s: s) if zh else english_step
    grid: list[dict[str, Any]] = []
    for step in figures.overdue_by_step:
        counts = {level: 0 for level in monthly.LEVEL_ORDER}
        for o in open_rows:
            if o.next_step == step and o.escalation_level in counts:
                counts[o.escalation_level] += 1
        grid.append({"step": step_name(step), **counts, "total": figures.overdue_by_step[step]})
    if grid:
        totals = {level: sum(row[level] for row in grid) for level in monthly.LEVEL_ORDER}
        grid.append({"step": "合计" if zh else "Total", **totals, "total": len(open_rows)})
    shown = open_rows[:limit]
    return {
        "overdue_count": len(open_rows),
        "overdue_shown": len(shown),
        "overdue_hidden": len(open_rows) - len(shown),
        "overdue_older": figures.overdue_older,
        "overdue_by_step": _joined(figures.overdue_by_step, language, step_name),
        "overdue_by_level": _joined({lv: n for lv, n in figures.overdue_by_level.items() if lv != "L0"}, language),
        "overdue_grid": grid,
        "overdue_closing": k.overdue_closing,
        "overdue_survey": k.overdue_survey,
        "overdue_total": k.overdue_at_end,
        "overdue": [
            {
                "complaint_id": o.complaint_id,
                "customer_name": o.customer_name or o.customer_id,
                "handler": o.handler,
                "department": o.department,
                "next_step": step_name(o.next_step),
                "next_deadline": o.next_deadline,
                "hours_late": num(o.hours_late),
                "level": o.escalation_level,
                "received_at": o.received_at,
            }
            for o in shown
        ],
    }


def tier_context(figures: MonthlyFigures, language: str) -> dict:
    zh = language == "zh"
    changes = figures.tier_changes
    total = sum(n for _t, n in figures.tier_distribution)
    since = figures.tier_history_since
    return {
        "tiers": [
            {"tier": t or ("未定级" if zh else "(none)"), "customers": n, "share": pct(n / total if total else None)}
            for t, n in figures.tier_distribution
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
            for c in changes
        ],
        "tier_change_count": len(changes),
        "tier_ups": sum(1 for c in changes if c.direction == "up"),
        "tier_downs": sum(1 for c in changes if c.direction == "down"),
        "tier_others": sum(1 for c in changes if not c.direction),
        "tier_source": figures.tier_source,
        "tier_history_since": since.date() if since else None,
    }


def report_context(
    figures: MonthlyFigures,
    language: str,
    *,
    office: Mapping[str, Any],
    as_of: dt.datetime,
    overdue_list_limit: int = 50,
    review_list_limit: int = 50,
) -> dict:
    """Everything the report template can use (names listed in docs/templates.md)."""

    zh = language == "zh"
    k, p, rules = figures.kpis, figures.previous, figures.rules
    blank = _blank_label(language)
    office = dict(office)
    if not zh and office.get("name_en"):
        office["name"] = office["name_en"]
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
        "open_at_end": k.open_at_end,
        "resolution_rate": pct(k.resolution.value),
        "resolution_target": pct(rules.resolution_target).replace(".0%", "%"),
        "satisfied_share": pct(k.satisfied.value),
        "satisfied_target": pct(rules.satisfied_target).replace(".0%", "%"),
        "on_time_target": pct(rules.on_time_target).replace(".0%", "%"),
        "satisfaction_mean": num(k.satisfaction_mean, 2),
        "kpis": kpi_lines(k, p, rules, language),
        "steps": step_lines(k, p, rules, language),
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
        **tier_context(figures, language),
        **overdue_context(figures, overdue_list_limit, language),
        "review_below": rules.review_below,
        "review_count": len(figures.reviews),
        "review_shown": min(len(figures.reviews), review_list_limit),
        "reviews": [
            {
                "complaint_id": r.complaint_id,
                "customer_name": r.customer_name or r.customer_id,
                "score": r.score,
                "handler": r.handler,
                "category": r.category or blank,
                "solution": _clip(r.solution, 60),
            }
            for r in figures.reviews[:review_list_limit]
        ],
        "definitions": definitions(rules, language),
    }
    for d in monthly.DIMENSIONS:
        ctx[f"by_{d}"] = [
            {
                "name": g.key or blank,
                "received": g.received,
                "resolution": pct(g.resolution.value),
                "resolve_on_time": pct(g.resolve_on_time.value),
                "overdue": g.overdue_open,
                "surveyed": g.surveyed,
                "satisfaction": num(g.satisfaction_mean, 2),
            }
            for g in figures.breakdowns[d]
        ]
    return ctx


def context_shapes(context: dict) -> dict[str, set[str]]:
    """The keys of every dict and every list-of-dicts row in the context (for the template check)."""
    shapes = {}
    for name, value in context.items():
        if isinstance(value, dict):
            shapes[name] = set(value)
        elif isinstance(value, list) and name in ROW_FIELDS:
            shapes[name] = set(ROW_FIELDS[name])
    return shapes


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
            "月末未结：月末时点尚未解决、状态也不是已办结的投诉（含以前月份受理的投诉）。",
            "逾期未结：月末未结且任一环节已超过时限的投诉，即需要督办的投诉；待办环节为最早到期的未完成环节，"
            "升级级别按逾期工时确定。清单按级别从高到低、同级按逾期工时从多到少排列。",
            "已解决待回访逾期：月末前已解决、但处理结果回访已超过时限的投诉。",
            "满意度调查逾期：已闭环、但未在规定时间内完成满意度调查的投诉。",
            "变化：本月与上月按表中显示的数值相减（比率为百分点）。",
            "客户等级：取自等级变更记录与客户台账；首次定级不计为等级变更；统计时点之后首次接触的客户不计入。",
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
        "Open at the month's end: complaints not resolved and without a finished status, whenever received.",
        "Overdue (open): open complaints with a step past its deadline - the ones to act on. The step due is the "
        "open step with the earliest deadline; the escalation level follows the working hours late. The list is "
        "ordered by level, highest first, then by working hours late.",
        "Resolved, feedback overdue: complaints resolved by the month's end whose feedback call is past its deadline.",
        "Satisfaction survey overdue: closed complaints whose survey was not made in its window.",
        "Change: this month's figure less last month's, both as shown (rates in percentage points).",
        "Customer tiers: from the tier history and the customer register; a first grading is not a change of tier; "
        "customers first contacted after the cut-off are not counted.",
    ]


# ------------------------------------------------------------------------------------------ charts


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
    steps = [(step_label(s, language), figures.kpis.on_time[s].value) for s in monthly.STEPS]
    return {
        "weekly": charts.weekly_volume(weeks, title=titles["weekly"], ylabel="件" if zh else "complaints"),
        "category": charts.category_breakdown(
            categories or [(_blank_label(language), 0)], title=titles["category"], xlabel="件" if zh else "complaints"
        ),
        "on_time": charts.on_time_by_step(
            steps, target=figures.rules.on_time_target, title=titles["on_time"], target_label="目标" if zh else "target"
        ),
    }
