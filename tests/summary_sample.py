"""The shipped sample as the monthly report's tests use it: a copy, graded by `toolkit run` on 5 September and
5 October 2026 (so October has tier changes and the tier history begins on 5 September), and the report for
October 2026 made as of 20 November 2026; plus an independent count of what was overdue at a cut-off."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.datetime(2026, 11, 20, 18, 0)
RUNS = (dt.datetime(2026, 9, 5, 18, 0), dt.datetime(2026, 10, 5, 18, 0))
TIMES = (
    "received_at",
    "recorded_at",
    "responded_at",
    "settlement_told_at",
    "resolved_at",
    "feedback_at",
    "closed_at",
    "survey_at",
    "wait_started_at",
    "wait_ended_at",
)
FINISHING = ("resolved_at", "closed_at", "survey_at", "feedback_at")


def graded_sample(target: Path) -> Path:
    from toolkit.jobs.run import run_jobs

    folder = target / "客服台账"
    shutil.copytree(REPO / "workbooks", folder)
    for when in RUNS:
        run_jobs(folder, as_of=when)
    return folder


def english_report(folder: Path, month: str, out_dir: Path, *, pdf: bool = False):
    """The report made with the office's setting ``[summary] language = "en"`` (the setting is removed after)."""
    from toolkit.jobs.summary import make_summary

    (folder / "toolkit.toml").write_text('[summary]\nlanguage = "en"\n', encoding="utf-8")
    try:
        return make_summary(folder, month, as_of=AS_OF, out_dir=out_dir, pdf=pdf)
    finally:
        (folder / "toolkit.toml").unlink()


def overdue_at(folder: Path, cutoff: dt.datetime) -> dict[str, list[tuple]]:
    """Every complaint received before `cutoff` with a step overdue at it, by kind (open, closing, survey), worked
    out one complaint at a time with sla.evaluate on the tracker as it stood then (times typed later blanked, a
    finished status whose finishing times are all later taken as still being handled): the handbook's reading,
    not the report's code. Each entry: (complaint ID, escalation level, working hours late, received at)."""
    from toolkit.jobs.office import office_calendar
    from toolkit.model.records import read_table
    from toolkit.rules import sla
    from toolkit.settings import load_settings

    settings = load_settings(folder)
    tracker = read_table(settings.tracker_path, settings.tracker)
    cal, _warn = office_calendar(folder, settings)
    rules = settings.sla
    closed = set(rules.closed_statuses)
    out: dict[str, list[tuple]] = {"open": [], "closing": [], "survey": []}
    for rec in tracker.records():
        received = rec.get("received_at")
        if not isinstance(received, dt.datetime) or received >= cutoff:
            continue
        snap = dict(rec)
        for name in TIMES:
            value = snap.get(name)
            snap[name] = value if isinstance(value, dt.datetime) and value < cutoff else None
        if (
            snap.get("status") in closed
            and snap["resolved_at"] is None
            and snap["closed_at"] is None
            and any(rec.get(name) is not None for name in FINISHING)
        ):
            snap["status"] = "处理中"
        elif (
            snap.get("status") in rules.waiting_statuses
            and rec.get("wait_started_at") is not None
            and snap["wait_started_at"] is None
        ):
            snap["status"] = "处理中"
        result = sla.evaluate(snap, None, cutoff, rules, cal)
        if not result.sla_state.startswith("逾期"):
            continue
        if snap["resolved_at"] is None and snap["closed_at"] is None and snap.get("status") not in closed:
            kind = "open"
        elif result.steps["survey"].state.startswith("逾期"):
            kind = "survey"
        else:
            kind = "closing"
        out[kind].append((rec["complaint_id"], result.escalation_level, float(result.hours_late), received))
    return out
