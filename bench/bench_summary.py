"""Bench: the monthly report (`toolkit summary`) at office scale, beside the obvious way of getting its figures.

Side by side in the same run, on copies of the same workbooks (100,000 customers / 300,000
complaints by default), each in a fresh Python process (time and peak memory):

  toolkit    make_summary: read both workbooks (fastexcel), every figure for the month and the
             month before (the SLA worked out at both month ends with the batch rules), three
             charts, the Word report, the month's row in monthly_summary.xlsx
  baseline   the figures only, the obvious way: openpyxl (read-only) reads the tracker row by row,
             each cell through the toolkit's own value rules (parse_value), then a plain per-row loop: each complaint's deadlines with the one-complaint
             rule (`sla.evaluate`) at both month ends, working hours per row, satisfaction and
             repeats. No charts, no report, no workbook written.

Afterwards the headline figures of both are compared (they must agree), so the baseline is the
same work, not a strawman.

    .venv/bin/python bench/bench_summary.py [--customers N --complaints N] [--month 2026-10] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import json
import shutil

from common import OUT, data_folder, measure, report

AS_OF = "2026, 11, 20, 18, 0"

TOOLKIT = """
import datetime as dt, json
from toolkit.jobs.summary import make_summary
r = make_summary({folder!r}, {month!r}, as_of=dt.datetime({as_of}))
k, p = r.figures.kpis, r.figures.previous
print("@@figures " + json.dumps({{"received": k.received, "closed": k.closed, "resolved": k.resolution.part,
      "overdue": k.overdue_at_end, "open": k.open_at_end, "satisfied": [k.satisfied.part, k.satisfied.whole],
      "repeats": k.repeats.part, "respond_median": round(k.respond_hours.median or 0, 6),
      "resolve_mean": round(k.resolve_hours.mean or 0, 6),
      "on_time": {{s: [r.part, r.whole] for s, r in k.on_time.items()}},
      "previous_received": p.received, "previous_overdue": p.overdue_at_end}}))
print("@@seconds " + json.dumps(r.seconds))
"""

# The obvious way: openpyxl rows, one complaint at a time.
BASELINE = """
import datetime as dt, json, statistics
import openpyxl
from toolkit.calendar import working_hours_between
from toolkit.jobs.office import office_calendar
from toolkit.settings import load_settings
from toolkit.rules import sla

folder = {folder!r}
settings = load_settings(folder)
cal, _ = office_calendar(folder, settings)
rules = settings.sla
closed_statuses = set(rules.closed_statuses)
from toolkit.model.records import as_id
from toolkit.model.values import parse_value
headers = {{c.header: c for c in settings.tracker.columns}}
wb = openpyxl.load_workbook(settings.tracker_path, read_only=True)
ws = wb[settings.tracker.sheet]
rows = ws.iter_rows(values_only=True)
columns = [headers.get(h) for h in next(rows)]
complaints = []
for values in rows:   # every cell read by the toolkit's own rules (text dates, aliases, full-width IDs)
    rec = {{}}
    for col, raw in zip(columns, values):
        if col is None:
            continue
        value, _err = parse_value(raw, col.type, choices=col.choices, choice_aliases=col.choice_aliases)
        if col.name in ("customer_id", "complaint_id") and isinstance(value, str):
            value = as_id(value)
        rec[col.name] = value
    if any(v is not None for v in rec.values()):
        complaints.append(rec)
wb.close()

TIMES = ("received_at", "recorded_at", "responded_at", "settlement_told_at", "resolved_at", "feedback_at",
         "closed_at", "survey_at", "wait_started_at", "wait_ended_at")

def month_figures(year, month):
    start = dt.datetime(year, month, 1)
    cutoff = dt.datetime(year + month // 12, month % 12 + 1, 1)
    out = dict(received=0, closed=0, resolved=0, overdue=0, open=0, sat=0, scores=0, repeats=0)
    on_time = {{s: [0, 0] for s in sla.STEPS}}
    respond, resolve = [], []
    for c in complaints:
        rec = c.get("received_at")
        if not isinstance(rec, dt.datetime):
            continue
        score = c.get("satisfaction")
        when = c.get("survey_at") or c.get("closed_at") or c.get("resolved_at")
        if isinstance(score, int) and 1 <= score <= 5 and isinstance(when, dt.datetime) and start <= when < cutoff:
            out["scores"] += 1
            out["sat"] += score >= 4
        if isinstance(c.get("closed_at"), dt.datetime) and start <= c["closed_at"] < cutoff:
            out["closed"] += 1
        if rec >= cutoff:
            continue
        snap = dict(c)
        for k in TIMES:
            v = snap.get(k)
            snap[k] = v if isinstance(v, dt.datetime) and v < cutoff else None
        if snap.get("status") in closed_statuses and snap["resolved_at"] is None and snap["closed_at"] is None and \\
                any(isinstance(c.get(k), dt.datetime) for k in ("resolved_at", "closed_at", "survey_at", "feedback_at")):
            snap["status"] = "处理中"
        elif snap.get("status") in rules.waiting_statuses and isinstance(c.get("wait_started_at"), dt.datetime) \\
                and snap["wait_started_at"] is None:
            snap["status"] = "处理中"
        result = sla.evaluate(snap, None, cutoff, rules, cal)
        done = snap["resolved_at"] or snap["closed_at"]
        if result.sla_state.startswith("逾期"):
            out["overdue"] += 1
        if done is None and snap.get("status") not in closed_statuses:
            out["open"] += 1
        if rec < start:
            continue
        out["received"] += 1
        out["resolved"] += done is not None
        for s in sla.STEPS:
            state = result.steps[s].state.removesuffix(" (暂定)")
            if state == "按时完成":
                on_time[s][0] += 1
                on_time[s][1] += 1
            elif state in ("超时完成", "逾期", "过早"):
                on_time[s][1] += 1
        ws_, we_ = snap["wait_started_at"], snap["wait_ended_at"]
        responded = snap["responded_at"] or min([t for t in (snap["resolved_at"], snap["closed_at"]) if t], default=None)
        for when, bucket in ((responded, respond), (done, resolve)):
            if when is not None:
                pauses = [(ws_, we_)] if ws_ and we_ and rec <= ws_ < we_ <= when else []
                h = working_hours_between(cal, rec, when, pauses)
                if h >= 0:
                    bucket.append(h)
    # repeats: a complaint whose customer had another in the 30 days before (sorted per customer)
    by_customer = {{}}
    for i, c in enumerate(complaints):
        if isinstance(c.get("received_at"), dt.datetime) and c.get("customer_id"):
            by_customer.setdefault(c["customer_id"], []).append((c["received_at"], i))
    for entries in by_customer.values():
        entries.sort()
        for k, (at, i) in enumerate(entries):
            if start <= at < cutoff and k and entries[k - 1][0] >= at - dt.timedelta(days=30):
                out["repeats"] += 1
    out["on_time"] = on_time
    out["respond_median"] = round(statistics.median(respond), 6) if respond else 0
    out["resolve_mean"] = round(statistics.fmean(resolve), 6) if resolve else 0
    return out

y, m = map(int, {month!r}.split("-"))
cur = month_figures(y, m)
prev = month_figures(y - (m == 1), (m - 2) % 12 + 1)
print("@@figures " + json.dumps({{"received": cur["received"], "closed": cur["closed"], "resolved": cur["resolved"],
      "overdue": cur["overdue"], "open": cur["open"], "satisfied": [cur["sat"], cur["scores"]],
      "repeats": cur["repeats"], "respond_median": cur["respond_median"], "resolve_mean": cur["resolve_mean"],
      "on_time": cur["on_time"], "previous_received": prev["received"], "previous_overdue": prev["overdue"]}}))
"""


def _marked(result: dict, mark: str):
    for line in result.get("stdout", "").splitlines():
        if line.startswith(mark + " "):
            return json.loads(line[len(mark) + 1 :])
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--complaints", type=int, default=300_000)
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("--skip-baseline", action="store_true", help="leave out the baseline (minutes at full scale)")
    args = ap.parse_args()
    src = data_folder(args.customers, args.complaints)
    folder = OUT / f"summary-{args.customers}-{args.complaints}"
    shutil.rmtree(folder, ignore_errors=True)  # the job writes reports/ and monthly_summary.xlsx: a copy
    folder.mkdir(parents=True)
    for name in ("customers.xlsx", "complaints.xlsx"):
        shutil.copy(src / name, folder / name)
    code = dict(folder=str(folder), month=args.month, as_of=AS_OF)
    ours = measure(TOOLKIT.format(**code))
    print(
        f"   toolkit   {ours['seconds']:8.2f} s   peak {ours['peak_mb']:7.0f} MB   steps: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in _marked(ours, "@@seconds").items()),
        flush=True,
    )
    again = measure(TOOLKIT.format(**code))  # the month again: its row is replaced
    print(f"   again     {again['seconds']:8.2f} s   peak {again['peak_mb']:7.0f} MB", flush=True)
    if args.skip_baseline:
        return
    base = measure(BASELINE.format(**code))
    print(f"   baseline  {base['seconds']:8.2f} s   peak {base['peak_mb']:7.0f} MB", flush=True)
    print(
        report(
            f"monthly report for {args.month} on {args.customers:,} customers / {args.complaints:,} complaints",
            ours,
            base,
            "openpyxl+loop",
        )
    )
    a, b = _marked(ours, "@@figures"), _marked(base, "@@figures")
    if a == b:
        print(
            f"   figures agree: received {a['received']}, resolved {a['resolved']}, overdue at month end "
            f"{a['overdue']}, satisfied {a['satisfied'][0]}/{a['satisfied'][1]}, repeats {a['repeats']}"
        )
    else:
        diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
        print(f"   FIGURES DIFFER (toolkit, baseline): {diff}")


if __name__ == "__main__":
    main()
