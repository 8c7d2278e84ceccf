"""Customer tiers (客户分级): thresholds as data, manual overrides, and no flip-flopping.

Pure functions over plain values; "today" is the `as_of` parameter.

How a customer's tier is decided (settings in ``[tiers]``, shipped in ``defaults/tiers.toml``):

1. A valid manual override (手动等级 set, 调整有效期至 blank or not before `as_of`) wins over
   everything, at once. An expired override is ignored and reported.
2. Otherwise the *computed* tier: the new-customer tier while the first contact is fewer than
   ``new_customer_days`` ago, else the first of ``[[tiers.rules]]`` (best to worst) whose
   conditions all hold; the last rule has no conditions.
3. Hysteresis: when the computed tier differs from the current one, the tier changes only
   - at once when the change is clear: the *robust* tier - the first match with every
     threshold moved by ``margin`` in favour of the current tier (thresholds of better tiers
     made harder, of the current and worse tiers made easier) - equals the computed tier; or
   - after ``confirmations`` evaluations in a row, in different evaluation periods, found the
     same new tier. Progress is kept in ``tier_pending`` as "C 1/2 (2026-11)": candidate,
     count / needed, the last period counted. A second run in the same period counts nothing.
   A customer without a (known) tier, a change to or from the new-customer tier, and the end of
   a manual override (the current reason starts with "手动调整") change at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from toolkit.i18n import N_, _
from toolkit.rules.plain import day_of, text_of, the_day
from toolkit.settings.tiers import CONDITION_KINDS, Condition, TierRule, TierSettings
from toolkit.textout import format_table

OUTPUT_COLUMNS = ("tier", "previous_tier", "tier_changed_on", "tier_reason", "tier_pending")
OVERRIDE_PREFIX = "手动调整"

# metric index in the per-customer tuple
_REVENUE, _ORDERS, _DAYS_SINCE_ORDER, _TENURE, _COMPLAINTS = range(5)


@dataclass(frozen=True)
class _Spec:
    metric: int
    is_min: bool  # True: value >= limit; False: value <= limit
    missing_passes: bool  # a missing value (no date) meets the condition
    label: str  # in a failed comparison: "近12个月营收 48,200 < 50,000 (B级门槛)"
    short: str  # in a met comparison: "营收 612,000 ≥ 500,000"
    unit: str = ""


def _spec(key: str, metric: int, missing_passes: bool, label: str, short: str, unit: str = "") -> _Spec:
    return _Spec(metric, CONDITION_KINDS[key].is_min, missing_passes, label, short, unit)


# What each condition of [[tiers.rules]] (toolkit.settings.tiers.CONDITION_KINDS) compares, and how it reads.
CONDITIONS: dict[str, _Spec] = {
    "revenue_12m_min": _spec("revenue_12m_min", _REVENUE, False, "近12个月营收", "营收"),
    "orders_12m_min": _spec("orders_12m_min", _ORDERS, False, "近12个月订单", "订单"),
    "days_since_last_order_max": _spec(
        "days_since_last_order_max", _DAYS_SINCE_ORDER, False, "距上次下单", "距上次下单", "天"
    ),
    "tenure_days_min": _spec("tenure_days_min", _TENURE, True, "合作时长", "合作", "天"),
    "complaints_12m_max": _spec("complaints_12m_max", _COMPLAINTS, False, "近12个月投诉", "投诉"),
}
_PENDING = re.compile(r"^\s*(\S+)\s+(\d+)\s*/\s*(\d+)\s*[(（]\s*([^()（）]*?)\s*[)）]\s*$")


class _Prepared:
    """The [tiers] settings with what evaluation needs worked out once: each rule's thresholds for
    every way of reading them (as written, tightened, loosened by the margin) and the pieces of the
    reason texts."""

    def __init__(self, settings: TierSettings):
        self.settings = settings
        self.rules = settings.rules
        self.new_customer_days = settings.new_customer_days
        self.new_customer_tier = settings.new_customer_tier
        self.confirmations = settings.confirmations
        self.rank = {r.tier: i for i, r in enumerate(settings.rules)}
        # (metric, is_min, limit, missing_passes) per rule, for each way of reading the thresholds
        self.checks = {
            mode: tuple(
                tuple(
                    (
                        CONDITIONS[c.key].metric,
                        CONDITIONS[c.key].is_min,
                        getattr(c, mode),
                        CONDITIONS[c.key].missing_passes,
                    )
                    for c in r.conditions
                )
                for r in settings.rules
            )
            for mode in ("limit", "tight", "loose")
        }
        # pre-formatted pieces of the reason texts, per rule and condition
        texts = []
        for r in settings.rules:
            gate = f" ({tier_label(r.tier)}门槛)"
            pieces = []
            for c in r.conditions:
                spec = CONDITIONS[c.key]
                pieces.append(
                    (
                        spec.metric,
                        spec.is_min,
                        c.limit,
                        spec.unit,
                        f"{spec.short} ",
                        f"{spec.unit} {'≥' if spec.is_min else '≤'} {_num(c.limit)}",
                        f"{spec.label} ",
                        f"{spec.unit} {'<' if spec.is_min else '>'} {_num(c.limit)}{gate}",
                        f"无下单记录{gate}" if not spec.missing_passes else None,
                    )
                )
            texts.append(tuple(pieces))
        self.texts = tuple(texts)
        self.met_heads = tuple(f"满足{tier_label(r.tier)}: " for r in settings.rules)


@lru_cache(maxsize=16)
def _prepared(settings: TierSettings) -> _Prepared:
    return _Prepared(settings)


@dataclass(frozen=True)
class TierDecision:
    tier: str | None
    previous_tier: str | None
    tier_changed_on: dt.date | None
    tier_reason: str
    tier_pending: str | None
    override_expired: bool
    changed: bool
    computed: str | None = None  # the tier the rules give, before overrides and hysteresis


# ------------------------------------------------------------------------------ helpers


def _num(v) -> str:
    """48200 -> "48,200"; 48200.5 -> "48,200.50"."""
    if type(v) is int:
        return _NUM_CACHE.get(v) or f"{v:,}"
    i = int(v)
    if i == v:
        return f"{i:,}"
    return f"{Decimal(repr(v)) if isinstance(v, float) else v:,.2f}"


def tier_label(tier: str | None) -> str:
    """ "A" -> "A级"; longer names such as "新客户" stay as they are."""
    if not tier:
        return "无等级"
    return f"{tier}级" if len(tier) <= 2 and tier.isascii() else tier


def _days_since(day, as_of: dt.date) -> int | None:
    day = day_of(day)
    return None if day is None else (as_of - day).days


def _metrics(revenue, orders, last_order, first_contact, complaints, as_of: dt.date) -> tuple:
    return (
        revenue if revenue is not None else 0,
        orders if orders is not None else 0,
        _days_since(last_order, as_of),
        _days_since(first_contact, as_of),
        complaints if complaints is not None else 0,
    )


def _meets(checks, m) -> bool:
    for idx, is_min, limit, missing_passes in checks:
        v = m[idx]
        if v is None:
            if not missing_passes:
                return False
        elif is_min:
            if v < limit:
                return False
        elif v > limit:
            return False
    return True


def _first_match(rules: _Prepared, m, modes=None) -> int:
    """Index of the first rule met; `modes[i]` says how rule i reads its thresholds (default: as written)."""
    checks = rules.checks
    if modes is None:
        exact = checks["limit"]
        for i in range(len(exact) - 1):
            if _meets(exact[i], m):
                return i
        return len(exact) - 1
    last = len(rules.rules) - 1
    for i in range(last):
        if _meets(checks[modes[i]][i], m):
            return i
    return last


def _is_new(rules: _Prepared, m) -> bool:
    tenure = m[_TENURE]
    return tenure is not None and tenure < rules.new_customer_days


_NUM_CACHE = {i: f"{i:,}" for i in range(-1000, 10000)}


def _met_text(rules: _Prepared, idx: int, m) -> str:
    parts = []
    for metric, _is_min, _limit, _unit, head, tail, _fhead, _ftail, _missing in rules.texts[idx]:
        v = m[metric]
        if v is None:  # only tenure: a blank first contact date counts as long-standing
            parts.append(f"{head}首次接触日期未填")
        else:
            parts.append(f"{head}{_num(v)}{tail}")
    return rules.met_heads[idx] + ", ".join(parts)


def _failed_text(rules: _Prepared, idx: int, m) -> str:
    parts = []
    for metric, is_min, limit, _unit, _head, _tail, fhead, ftail, missing in rules.texts[idx]:
        v = m[metric]
        if v is None:
            if missing is not None:
                parts.append(missing)
        elif (v < limit) if is_min else (v > limit):
            parts.append(f"{fhead}{_num(v)}{ftail}")
    return "; ".join(parts)


def _computed(rules: _Prepared, m) -> tuple[str, int | None]:
    """(computed tier, rule index or None for a new customer)."""
    if _is_new(rules, m):
        return rules.new_customer_tier, None
    i = _first_match(rules, m)
    return rules.rules[i].tier, i


def _computed_reason(rules: _Prepared, m, idx: int | None) -> str:
    if idx is None:
        return f"{rules.new_customer_tier}: 首次接触至今 {m[_TENURE]}天 < {rules.new_customer_days}"
    rule = rules.rules[idx]
    met = _met_text(rules, idx, m) if rule.conditions else ""
    failed = _failed_text(rules, idx - 1, m) if idx > 0 else ""
    if met and failed:
        return f"{met}; {failed}"
    return met or failed or f"{tier_label(rule.tier)} (未设门槛)"


def override_expired(override, expires, as_of: dt.date) -> bool:
    """Whether a manual tier (`override`, typed in 手动等级) has expired by `as_of`: its 调整有效期至 is
    before that day. The one definition, for the tiers job and for the problems every command counts."""
    if not text_of(override):
        return False
    day = day_of(expires)
    return day is not None and day < the_day(as_of)


def _same_decision(old_reason, new_reason: str) -> bool:
    """Whether the reason written last time states the same decision as `new_reason`: the same verdict
    ("满足A级", "新客户", "维持B级, 待确认: 满足C级", the thresholds missed) with only the figures moved.

    A reason's text then changes only when the decision behind it does, not every day because
    "距上次下单 590天" became "591天" (issue 15: 184 cells of change log a day for nothing).
    """
    old = text_of(old_reason)
    if not old or old.startswith(OVERRIDE_PREFIX):
        return False
    return _verdict(old) == _verdict(new_reason)


def _verdict(reason: str) -> str:
    """The decision a reason states: its words and comparisons without the figures ("距上次下单 # 天 > #")."""
    return _FIGURES.sub("#", reason)


_FIGURES = re.compile(r"\d[\d,.]*")


def _robust(rules: _Prepared, m, current_rank: int) -> str:
    """The first match with the thresholds moved by the margin in favour of the current tier."""
    modes = ["tight" if i < current_rank else "loose" for i in range(len(rules.rules))]
    return rules.rules[_first_match(rules, m, modes)].tier


def parse_pending(text) -> tuple[str, int, str] | None:
    """ "C 1/2 (2026-11)" -> ("C", 1, "2026-11"); None when blank or not in that form."""
    if not text:
        return None
    mt = _PENDING.match(str(text))
    if not mt:
        return None
    return mt.group(1), int(mt.group(2)), mt.group(4)


def format_pending(candidate: str, count: int, needed: int, period: str) -> str:
    return f"{candidate} {count}/{needed} ({period})"


def _later(period: str, last: str) -> bool:
    """Whether `period` is a later evaluation period than `last` (a different format counts as later)."""
    if period == last:
        return False
    return not (len(period) == len(last) and period < last)


def override_reason(reason, approver, expires: dt.date | None) -> str:
    until = f"有效期至 {expires.isoformat()}" if expires else "长期有效"
    return f"{OVERRIDE_PREFIX}: {text_of(reason) or '未注明原因'} (审批: {text_of(approver) or '未填'}, {until})"


# ------------------------------------------------------------------------------ one customer


def _decide(
    rules: _Prepared,
    as_of: dt.date,
    period: str,
    m,
    current,
    previous,
    changed_on,
    old_reason,
    pending,
    override,
    override_why,
    approver,
    expires,
) -> tuple:
    """(tier, previous_tier, tier_changed_on, tier_reason, tier_pending, override_expired, changed, computed)."""
    if current is not None:
        current = text_of(current) or None
    expired = False
    if override is not None and (override := text_of(override) or None) is not None:
        expires = day_of(expires)
        if not override_expired(override, expires, as_of):
            changed = override != current
            return (
                override,
                current if changed else previous,
                as_of if changed else changed_on,
                override_reason(override_why, approver, expires),
                None,
                False,
                changed,
                _computed(rules, m)[0],
            )
        expired = True

    computed, idx = _computed(rules, m)
    reason = _computed_reason(rules, m, idx)
    if expired:
        reason += f"; 手动等级{override}已过期 (有效期至 {expires.isoformat()})"

    rank = rules.rank
    if computed == current:
        if not expired and _same_decision(old_reason, reason):
            reason = text_of(old_reason)  # quiet: the figures moved (days since the last order), the decision did not
        return current, previous, changed_on, reason, None, expired, False, computed
    immediate = (
        current is None
        or current == rules.new_customer_tier
        or computed == rules.new_customer_tier
        or current not in rank
        or text_of(old_reason).startswith(OVERRIDE_PREFIX)
        or _robust(rules, m, rank[current]) == computed
    )
    if not immediate:
        state = parse_pending(pending)
        if state is not None and state[0] == computed and state[1] >= 1:
            count, last = state[1], state[2]
            if _later(period, last):
                count, last = count + 1, period
        else:
            count, last = 1, period
        if count < rules.confirmations:
            held = f"维持{tier_label(current)}, 待确认: {reason}"
            if format_pending(computed, count, rules.confirmations, last) == text_of(pending) and _same_decision(
                old_reason, held
            ):
                held = text_of(old_reason)  # the same pending decision: its text stays
            return (
                current,
                previous,
                changed_on,
                held,
                format_pending(computed, count, rules.confirmations, last),
                expired,
                False,
                computed,
            )
    return computed, current, as_of, reason, None, expired, True, computed


def evaluate_tier(customer: Mapping, as_of: dt.date, settings: TierSettings) -> TierDecision:
    """The tier decision for one customer.

    `customer` holds its inputs (revenue_12m, orders_12m, last_order_date, first_contact_date,
    complaints_12m, tier_override, override_reason, override_approver, override_expires) and
    its current outputs (tier, previous_tier, tier_changed_on, tier_reason, tier_pending);
    missing keys count as blank.
    """
    as_of = the_day(as_of)
    rules = _prepared(settings)
    g = customer.get
    m = _metrics(
        g("revenue_12m"), g("orders_12m"), g("last_order_date"), g("first_contact_date"), g("complaints_12m"), as_of
    )
    return TierDecision(
        *_decide(
            rules,
            as_of,
            settings.period_of(as_of),
            m,
            g("tier"),
            g("previous_tier"),
            day_of(g("tier_changed_on")),
            g("tier_reason"),
            g("tier_pending"),
            g("tier_override"),
            g("override_reason"),
            g("override_approver"),
            g("override_expires"),
        )
    )


# ------------------------------------------------------------------------------ the whole register

_INPUTS = (
    "revenue_12m",
    "orders_12m",
    "last_order_date",
    "first_contact_date",
    "tier",
    "previous_tier",
    "tier_changed_on",
    "tier_reason",
    "tier_pending",
    "tier_override",
    "override_reason",
    "override_approver",
    "override_expires",
)


def evaluate_all(
    columns: Mapping[str, Sequence], complaints_12m: Sequence, as_of: dt.date, settings: TierSettings
) -> tuple[dict[str, list], list[int]]:
    """New tier columns for every register row, and the rows whose manual override has expired.

    `columns` maps column names to values by row (a missing column counts as blank). Rows whose
    customer_id is blank (when that column is given) keep their current values.
    """
    as_of = the_day(as_of)
    rules = _prepared(settings)
    period = settings.period_of(as_of)
    ids = columns.get("customer_id")
    n = len(ids) if ids is not None else max((len(v) for v in columns.values()), default=0)
    blank = [None] * n
    cols = [columns.get(name) if columns.get(name) is not None else blank for name in _INPUTS]
    complaints = complaints_12m if complaints_12m is not None else blank
    out = {name: [None] * n for name in OUTPUT_COLUMNS}
    o_tier, o_prev, o_on, o_reason, o_pending = (out[k] for k in OUTPUT_COLUMNS)
    expired_rows = []
    for i, (rev, orders, last, first, tier, prev, on, reason, pending, ovr, why, appr, exp) in enumerate(zip(*cols)):
        if ids is not None and ids[i] is None:
            o_tier[i], o_prev[i], o_on[i], o_reason[i], o_pending[i] = tier, prev, on, reason, pending
            continue
        m = _metrics(rev, orders, last, first, complaints[i] if i < len(complaints) else None, as_of)
        d = _decide(rules, as_of, period, m, tier, prev, on, reason, pending, ovr, why, appr, exp)
        o_tier[i], o_prev[i], o_on[i], o_reason[i], o_pending[i] = d[0], d[1], d[2], d[3], d[4]
        if d[5]:
            expired_rows.append(i)
    return out, expired_rows


# ------------------------------------------------------------------------------ suggested thresholds

DEFAULT_SHARES = (0.10, 0.40, 0.70, 0.90)


def nice_round(value, digits: int = 2) -> Decimal:
    """Round to `digits` significant figures, half up: 612,345 -> 610,000; 48,213 -> 48,000; 7 -> 7."""
    v = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if v == 0:
        return Decimal(0)
    exp = v.adjusted() - digits + 1
    step = Decimal(1).scaleb(exp)
    out = (v / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return out.quantize(Decimal(1)) if exp >= 0 else out.normalize()


def top_share_value(values: Sequence, share: float):
    """The smallest value among the top `share` of `values` (nearest rank); None when empty."""
    ordered = sorted(values, reverse=True)
    if not ordered:
        return None
    k = max(1, math.ceil(share * len(ordered) - 1e-9))
    return ordered[min(k, len(ordered)) - 1]


def _with_thresholds(settings: TierSettings, new: dict[str, dict[str, Decimal]]) -> TierSettings:
    """The settings with the limits in `new` (tier -> condition -> limit), read as written (no margin)."""
    out = []
    for r in settings.rules:
        changes = new.get(r.tier, {})
        conds = tuple(
            Condition(c.key, changes[c.key], changes[c.key], changes[c.key]) if c.key in changes else c
            for c in r.conditions
        )
        out.append(TierRule(r.tier, conds))
    return dataclasses.replace(settings, rules=tuple(out))


def suggest_thresholds(
    columns: Mapping[str, Sequence],
    rules: TierSettings,
    quantiles: Mapping[str, float] | None = None,
    *,
    as_of: dt.date | None = None,
    complaints_12m: Sequence | None = None,
) -> list[dict]:
    """Revenue and order thresholds suggested from the register's own figures; nothing is applied.

    `quantiles` maps a tier to the share of established customers it should hold counted from
    the top (cumulative): the default {"A": 0.10, "B": 0.40} means A = the top 10% by revenue,
    B = the top 40%. For each tier with a revenue or orders condition the suggestion is the
    value at that share (revenue rounded to 2 significant figures); its other conditions stay.
    New customers (by first contact, as of `as_of`, default: the latest date in the register)
    are left out of the shares. Each entry: tier, share, current and suggested thresholds, the
    exact quantile values, and how many customers the tier gets now and with the suggestion
    (ignoring manual overrides and hysteresis); a last entry (rule False) counts new customers.
    """
    conditioned = [r.tier for r in rules.rules if r.conditions]
    if quantiles is None:
        quantiles = dict(zip(conditioned, DEFAULT_SHARES))
    for tier, share in quantiles.items():
        if tier not in conditioned:
            raise ValueError(
                _("tier '{tier}' has no thresholds to suggest (tiers with thresholds: {conditioned})").format(
                    tier=tier, conditioned=conditioned
                )
            )
        if not (0 < share <= 1):
            raise ValueError(
                _("share for tier '{tier}' should be above 0 and at most 1, not '{share}'").format(
                    tier=tier, share=share
                )
            )
    n = max((len(v) for v in columns.values()), default=0)
    blank = [None] * n

    def col(name):
        return columns.get(name) if columns.get(name) is not None else blank

    if as_of is None:
        dates = [
            the_day(d)
            for name in ("last_order_date", "first_contact_date", "last_visit_date")
            for d in col(name)
            if isinstance(d, dt.date)
        ]
        as_of = max(dates) if dates else dt.date.today()
    as_of = the_day(as_of)
    ids = columns.get("customer_id")
    complaints = complaints_12m if complaints_12m is not None else col("complaints_12m")
    metrics = []
    for i in range(n):
        if ids is not None and ids[i] is None:
            continue
        metrics.append(
            _metrics(
                col("revenue_12m")[i],
                col("orders_12m")[i],
                col("last_order_date")[i],
                col("first_contact_date")[i],
                complaints[i] if i < len(complaints) else None,
                as_of,
            )
        )
    established = [m for m in metrics if not _is_new(_prepared(rules), m)]
    new_count = len(metrics) - len(established)
    revenues = [m[_REVENUE] for m in established]
    orders = [m[_ORDERS] for m in established]

    changes: dict[str, dict[str, Decimal]] = {}
    quantile_values: dict[str, dict] = {}
    for r in rules.rules:
        if r.tier not in quantiles:
            continue
        share = quantiles[r.tier]
        rq, oq = top_share_value(revenues, share), top_share_value(orders, share)
        quantile_values[r.tier] = {"revenue_12m": rq, "orders_12m": oq}
        keys = {c.key for c in r.conditions}
        ch = {}
        if "revenue_12m_min" in keys and rq is not None:
            ch["revenue_12m_min"] = nice_round(rq)
        if "orders_12m_min" in keys and oq is not None:
            ch["orders_12m_min"] = Decimal(int(oq))
        changes[r.tier] = ch
    suggested_rules = _with_thresholds(rules, changes)

    def counts(rs: _Prepared) -> dict[str, int]:
        c = {r.tier: 0 for r in rs.rules}
        for m in established:
            c[rs.rules[_first_match(rs, m)].tier] += 1
        return c

    now, then = counts(_prepared(rules)), counts(_prepared(suggested_rules))
    out = []
    for r, s in zip(rules.rules, suggested_rules.rules):
        out.append(
            {
                "tier": r.tier,
                "rule": True,
                "share": quantiles.get(r.tier),
                "current": {c.key: c.limit for c in r.conditions},
                "suggested": {c.key: c.limit for c in s.conditions},
                "quantiles": quantile_values.get(r.tier, {}),
                "customers_now": now[r.tier],
                "customers_suggested": then[r.tier],
            }
        )
    out.append(
        {
            "tier": rules.new_customer_tier,
            "rule": False,
            "share": None,
            "current": {},
            "suggested": {},
            "quantiles": {},
            "customers_now": new_count,
            "customers_suggested": new_count,
        }
    )
    return out


_KEY_NAMES = {
    "revenue_12m_min": N_("revenue ≥"),
    "orders_12m_min": N_("orders ≥"),
    "days_since_last_order_max": N_("days since last order ≤"),
    "tenure_days_min": N_("days as a customer ≥"),
    "complaints_12m_max": N_("complaints ≤"),
}


def _toml_number(v: Decimal) -> str:
    return str(int(v)) if v == v.to_integral_value() else str(v.normalize())


def _tier_name(tier: str) -> str:
    """ "A" -> "A级" / "tier A" in messages; longer names such as "新客户" stay as they are."""
    return _("tier {tier}").format(tier=tier) if len(tier) <= 2 and tier.isascii() else tier


def format_suggestion(suggestions: Sequence[Mapping]) -> str:
    """The suggestions as a table, then [[tiers.rules]] to paste into toolkit.toml (in the clerk's language)."""
    total = sum(s["customers_now"] for s in suggestions) or 1
    rows = []
    unchanged = _("(unchanged)")
    for s in suggestions:
        cur, sug = s["current"], s["suggested"]
        limits = "; ".join(
            f"{_(_KEY_NAMES[k])} {_num(cur[k])}" + (f" → {_num(sug[k])}" if sug.get(k) != cur[k] else f" {unchanged}")
            for k in cur
        ) or ("-" if s["share"] is None else "")
        share = _("top {share}%").format(share=f"{s['share'] * 100:g}") if s["share"] is not None else ""
        q = s["quantiles"]
        qtext = ", ".join(
            (_("revenue {value}") if k == "revenue_12m" else _("orders {value}")).format(value=_num(v))
            for k, v in q.items()
            if v is not None
        )
        rows.append(
            [
                _tier_name(s["tier"]),
                share,
                f"{s['customers_now']} ({s['customers_now'] * 100 / total:.0f}%)",
                f"{s['customers_suggested']} ({s['customers_suggested'] * 100 / total:.0f}%)",
                qtext,
                limits,
            ]
        )
    headers = [
        _("tier"),
        _("target share"),
        _("customers now"),
        _("customers with the suggestion"),
        _("at the data's quantile"),
        _("thresholds (now → suggested)"),
    ]
    lines = [
        _(
            "Suggested thresholds (from how the register's data is spread; not applied; the customer counts leave "
            "out manual overrides and changes waiting for confirmation)"
        ),
        "",
        format_table(headers, rows),
        "",
        _("To use them, copy these lines into toolkit.toml (every tier must be written out):"),
        "",
    ]
    for s in suggestions:
        if not s.get("rule", True):
            continue  # the new-customer line is not a rule
        lines.append("[[tiers.rules]]")
        lines.append(f'tier = "{s["tier"]}"')
        for k, v in s["suggested"].items():
            lines.append(f"{k} = {_toml_number(v)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
