"""SLA deadlines, states and escalation (toolkit.rules.sla).

Expected datetimes are worked out by hand from the statutory schedules (office hours 09:00-12:00
and 13:00-18:00):
- National Day 2025: Oct 1-8 off; Sun Sep 28 and Sat Oct 11 are make-up working days.
- Spring Festival 2026: Feb 15-23 off; Sat Feb 14 and Sat Feb 28 are make-up working days.
- March 2025: Mon 3 .. Fri 7 and Mon 10 .. working days; Sat 8 / Sun 9 off.
- 2027 is not known to the statutory calendar (chinese_calendar 1.11): deadlines are 暂定.

Every hand-computed case runs through both paths of the code: one complaint (calendar
functions) and a batch of 250 copies (the fast working-time timeline); they must agree.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.calendar import (
    WorkCalendar,
    parse_duration,
)
from toolkit.errors import SettingsError
from toolkit.rules import sla
from toolkit.rules.sla import OUTPUT_COLUMNS, evaluate, evaluate_all
from toolkit.settings import default_settings
from toolkit.settings.sla import read_sla

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

CAL = WorkCalendar()
DEFAULTS = read_sla(default_settings(), "shipped defaults")
HEADS = {
    **default_settings(),
    "escalation": {**default_settings()["escalation"], "department_heads": {"售后服务部": "王经理"}},
}
RULES = read_sla(HEADS, "test")


def dt(*args):
    return datetime(*args)


def run(complaint, as_of, rules=RULES, tier=None):
    """evaluate() for one complaint, checked against the batch path (250 rows use the timeline)."""
    one = evaluate(complaint, tier, as_of, rules, CAL).columns()
    n = 250
    columns = {name: [complaint.get(name)] * n for name in sla.INPUT_COLUMNS}
    batch = evaluate_all(columns, [tier] * n, as_of, rules, CAL)
    assert set(batch) == set(OUTPUT_COLUMNS)
    assert {name: batch[name][0] for name in OUTPUT_COLUMNS} == one
    assert {name: batch[name][n - 1] for name in OUTPUT_COLUMNS} == one
    return one


def complaint(**values):
    base = {
        "request_type": "投诉",
        "category": "客户投诉",
        "priority": "重要不紧急",
        "channel": "电话",
        "status": "处理中",
        "handler": "张三",
        "department": "售后服务部",
    }
    base.update(values)
    return base


def fault(**values):
    return complaint(request_type="故障", priority="紧急重要", **values)


def with_rules(*rules, **sla_keys):
    data = default_settings()
    data["sla"] = {**data["sla"], "rules": list(rules), **sla_keys}
    return read_sla(data, "test rules")


# -- settings -------------------------------------------------------------------------------------


def test_default_rules_follow_the_handbook():
    fault_rule, standard = DEFAULTS.rules
    assert fault_rule.name == "故障" and dict(fault_rule.match) == {"request_type": frozenset({"故障"})}
    assert fault_rule.respond == parse_duration("2 working hours")
    assert fault_rule.resolve == parse_duration("24 hours")
    assert fault_rule.same_day is False
    assert standard.name == "标准" and standard.match == ()
    assert standard.record == parse_duration("24 hours")
    assert standard.respond == parse_duration("48 hours")
    assert standard.resolve == parse_duration("72 hours")
    assert standard.feedback == parse_duration("3 working days")
    assert standard.survey == parse_duration("48 hours")
    assert standard.same_day is True
    assert DEFAULTS.due_soon_working_hours == 4
    assert DEFAULTS.survey_earliest == parse_duration("24 hours")
    assert DEFAULTS.waiting_statuses == {"待客户回复"}
    assert DEFAULTS.closed_statuses == {"已解决", "已关闭"}
    esc = DEFAULTS.escalation
    assert esc.levels == (Decimal(0), Decimal(8), Decimal(24))
    assert esc.l3_notify == "客服中心主任" and esc.department_head_fallback == "部门负责人"
    assert DEFAULTS.rule_for(request_type="故障", priority="紧急重要").name == "故障"
    assert DEFAULTS.rule_for(request_type="投诉").name == "标准"


def test_first_matching_rule_wins_with_tier_priority_and_channel():
    rules = with_rules(
        {"name": "重点客户紧急", "tier": "A", "priority": ["紧急重要", "紧急不重要"], "respond": "4 working hours"},
        {"name": "故障", "request_type": "fault", "respond": "2 working hours"},  # an alias of 故障
        {"name": "电话投诉", "channel": "电话", "respond": "24 hours"},
        {"name": "标准", "respond": "48 hours"},
    )
    assert rules.rule_for(request_type="故障", priority="紧急重要", channel="电话", tier="A").name == "重点客户紧急"
    assert rules.rule_for(request_type="故障", priority="紧急重要", channel="电话", tier="B").name == "故障"
    assert rules.rule_for(request_type="投诉", priority="重要不紧急", channel="电话", tier="A").name == "电话投诉"
    assert rules.rule_for(request_type="投诉", priority="紧急不重要", channel="邮件", tier=None).name == "标准"

    received = dt(2025, 3, 4, 9, 0)  # Tuesday
    as_of = dt(2025, 3, 4, 9, 30)
    key = run(fault(received_at=received, channel="电话"), as_of, rules, tier="A")
    assert key["sla_rule"] == "重点客户紧急" and key["respond_due"] == dt(2025, 3, 4, 14, 0)  # 9-12, 13-14
    other = run(fault(received_at=received, channel="电话"), as_of, rules, tier="B")
    assert other["sla_rule"] == "故障" and other["respond_due"] == dt(2025, 3, 4, 11, 0)
    phone = run(complaint(received_at=received), as_of, rules, tier="A")
    assert phone["sla_rule"] == "电话投诉" and phone["respond_due"] == dt(2025, 3, 5, 9, 0)
    # a step the rule gives no target is not tracked
    assert phone["record_state"] == "" and phone["record_due"] is None and phone["same_day_state"] == ""


def test_no_matching_rule():
    rules = with_rules({"name": "故障", "request_type": "故障", "respond": "2 working hours"})
    out = run(complaint(received_at=dt(2025, 3, 4, 9, 0)), dt(2025, 3, 4, 10, 0), rules)
    assert out["sla_state"] == "无适用规则" and out["sla_rule"] == ""
    assert all(out[f"{s}_state"] == "" for s in sla.STEPS)


@pytest.mark.parametrize(
    "rule, key, expected",
    [
        ({"name": "x", "respond": "two hours"}, "sla.rules[2].respond", "duration"),
        ({"name": "x", "respnd": "2 hours"}, "sla.rules[2].respnd", "left out"),
        ({"name": "x", "feedback": "1.5 working days"}, "sla.rules[2].feedback", "duration"),
        ({"name": "", "respond": "2 hours"}, "sla.rules[2].name", "non-empty"),
        ({"name": "x", "priority": "非常紧急"}, "sla.rules[2].priority", "紧急重要"),
        ({"name": "x", "tier": []}, "sla.rules[2].tier", "a text or a list"),
        ({"name": "x", "same_day": "yes"}, "sla.rules[2].same_day", "true or false"),
    ],
)
def test_bad_rules_name_the_source_and_key(rule, key, expected):
    with pytest.raises(SettingsError) as err:
        with_rules({"name": "故障", "request_type": "故障", "respond": "2 working hours"}, rule)
    text = str(err.value)
    assert "test rules" in text and f"'{key}'" in text and expected in text


@pytest.mark.parametrize(
    "change, key",
    [
        ({"sla": {"due_soon_working_hours": -1}}, "sla.due_soon_working_hours"),
        ({"sla": {"survey_earliest": "soon"}}, "sla.survey_earliest"),
        ({"sla": {"waiting_statuses": ["等客户"]}}, "sla.waiting_statuses"),
        ({"sla": {"rules": []}}, "sla.rules"),
        ({"sla": {"colsed_statuses": []}}, "sla.colsed_statuses"),
        ({"escalation": {"levels": {"L1": 0, "L2": 30, "L3": 24}}}, "escalation.levels.L3"),
        ({"escalation": {"levels": {"L1": 0, "L2": "8"}}}, "escalation.levels.L2"),
        ({"escalation": {"l3_notify": ""}}, "escalation.l3_notify"),
        ({"escalation": {"department_heads": {"售后服务部": 1}}}, "escalation.department_heads"),
        ({"escalation": {"steps": ["survey", "reply"]}}, "escalation.steps"),
    ],
)
def test_bad_settings_name_the_key(change, key):
    data = default_settings()
    for section, values in change.items():
        data[section] = {**data[section], **values}
    with pytest.raises(SettingsError, match=key.replace(".", r"\.")) as err:
        read_sla(data, "toolkit.toml")
    assert str(err.value).startswith("toolkit.toml: ")


def test_missing_sla_section():
    with pytest.raises(SettingsError, match="'sla'"):
        read_sla({}, "toolkit.toml")


# -- deadlines across holidays, lunch and closing time ------------------------------------------


def test_fault_over_golden_week_2025():
    out = run(fault(received_at=dt(2025, 9, 30, 17, 0)), dt(2025, 9, 30, 17, 30))
    assert out["sla_rule"] == "故障"
    # 17:00-18:00 on Tue Sep 30, then Oct 1-8 off, 09:00-10:00 on Thu Oct 9
    assert out["respond_due"] == dt(2025, 10, 9, 10, 0)
    assert out["resolve_due"] == dt(2025, 10, 1, 17, 0)  # 24 clock hours
    assert out["record_due"] == dt(2025, 10, 1, 17, 0)
    assert out["respond_state"] == "即将到期"  # 1.5 working hours left
    # "due soon" counts working hours even for clock-hour deadlines: 30 min left before the holiday
    assert out["resolve_state"] == "即将到期"
    # seen that morning (before receipt): 9 and 8 working hours left
    out = run(fault(received_at=dt(2025, 9, 30, 17, 0)), dt(2025, 9, 30, 9, 0))
    assert out["respond_state"] == "进行中" and out["resolve_state"] == "进行中"
    assert out["same_day_state"] == ""  # faults: no same-day rule


def test_spring_festival_2026_make_up_saturdays():
    as_of = dt(2026, 2, 13, 17, 45)
    # Fri Feb 13 17:30: 30 min that day, then Sat Feb 14 is a working day: 09:00-10:30
    out = run(fault(received_at=dt(2026, 2, 13, 17, 30)), as_of)
    assert out["respond_due"] == dt(2026, 2, 14, 10, 30)
    # Sat Feb 14 17:00: 1 hour that day, then Feb 15-23 off: Tue Feb 24 09:00-10:00
    out = run(fault(received_at=dt(2026, 2, 14, 17, 0)), as_of)
    assert out["respond_due"] == dt(2026, 2, 24, 10, 0)
    # resolved Fri Feb 13: 3 working days = Sat Feb 14, Tue Feb 24, Wed Feb 25 (closing time)
    out = run(
        complaint(
            received_at=dt(2026, 2, 12, 10, 0),
            recorded_at=dt(2026, 2, 12, 10, 5),
            responded_at=dt(2026, 2, 12, 11, 0),
            resolved_at=dt(2026, 2, 13, 11, 0),
        ),
        dt(2026, 2, 24, 9, 0),
    )
    assert out["feedback_due"] == dt(2026, 2, 25, 18, 0)
    assert out["feedback_state"] == "进行中"  # 16 working hours left
    # the standard same-day notice: received Thu Feb 12 10:00, not resolved that day
    assert out["same_day_due"] == dt(2026, 2, 12, 18, 0)
    # Feb 27 (Fri) 17:00 + 2 working hours: Sat Feb 28 is a make-up working day
    out = run(fault(received_at=dt(2026, 2, 27, 17, 0)), dt(2026, 2, 27, 17, 0))
    assert out["respond_due"] == dt(2026, 2, 28, 10, 0)


@pytest.mark.parametrize(
    "received, due",
    [
        (dt(2025, 3, 4, 10, 0), dt(2025, 3, 4, 12, 0)),  # lands on 12:00 and stays there
        (dt(2025, 3, 4, 11, 30), dt(2025, 3, 4, 14, 30)),  # 30 min before lunch, 90 after
        (dt(2025, 3, 4, 12, 0), dt(2025, 3, 4, 15, 0)),  # received at lunch: clock starts 13:00
        (dt(2025, 3, 4, 12, 30), dt(2025, 3, 4, 15, 0)),
        (dt(2025, 3, 4, 16, 0), dt(2025, 3, 4, 18, 0)),  # lands on closing time and stays there
        (dt(2025, 3, 4, 17, 0), dt(2025, 3, 5, 10, 0)),  # 1 hour today, 1 tomorrow
        (dt(2025, 3, 4, 18, 0), dt(2025, 3, 5, 11, 0)),  # received at closing time
        (dt(2025, 3, 4, 7, 45), dt(2025, 3, 4, 11, 0)),  # received before opening
        (dt(2025, 3, 7, 17, 30), dt(2025, 3, 10, 10, 30)),  # Friday evening -> Monday
        (dt(2025, 3, 8, 10, 0), dt(2025, 3, 10, 11, 0)),  # Saturday -> Monday
        (dt(2025, 3, 4, 10, 15, 40), dt(2025, 3, 4, 13, 16)),  # 13:15:40, rounded to the minute
        (dt(2025, 3, 4, 10, 15, 20), dt(2025, 3, 4, 13, 15)),  # 13:15:20
    ],
)
def test_working_hour_deadlines_around_lunch_and_closing(received, due):
    out = run(fault(received_at=received), dt(2025, 3, 4, 7, 0))
    assert out["respond_due"] == due


# -- waiting on the customer --------------------------------------------------------------------


def test_a_closed_wait_stops_the_respond_and_resolve_clocks():
    base = dict(
        received_at=dt(2025, 3, 3, 9, 0), recorded_at=dt(2025, 3, 3, 9, 10), settlement_told_at=dt(2025, 3, 3, 15, 0)
    )
    as_of = dt(2025, 3, 4, 12, 0)
    plain = run(complaint(**base), as_of)
    assert plain["respond_due"] == dt(2025, 3, 5, 9, 0)  # 48 clock hours
    assert plain["resolve_due"] == dt(2025, 3, 6, 9, 0)  # 72 clock hours
    waited = run(complaint(**base, wait_started_at=dt(2025, 3, 3, 10, 0), wait_ended_at=dt(2025, 3, 4, 10, 0)), as_of)
    assert waited["respond_due"] == dt(2025, 3, 6, 9, 0)  # + the 24 hours waited
    assert waited["resolve_due"] == dt(2025, 3, 7, 9, 0)
    assert waited["record_due"] == dt(2025, 3, 4, 9, 0)  # recording is not paused
    assert waited["record_state"] == "按时完成"
    # a fault's working-hour clock: 09:00-10:00, wait 10:00-14:00, then 14:00-15:00
    f = run(
        fault(
            received_at=dt(2025, 3, 3, 9, 0),
            recorded_at=dt(2025, 3, 3, 9, 5),
            wait_started_at=dt(2025, 3, 3, 10, 0),
            wait_ended_at=dt(2025, 3, 3, 14, 0),
        ),
        dt(2025, 3, 3, 14, 30),
    )
    assert f["respond_due"] == dt(2025, 3, 3, 15, 0)
    assert f["respond_state"] == "即将到期"


def test_an_open_wait_puts_respond_and_resolve_on_hold():
    base = dict(
        received_at=dt(2025, 3, 3, 9, 0), recorded_at=dt(2025, 3, 3, 9, 10), settlement_told_at=dt(2025, 3, 3, 15, 0)
    )
    out = run(complaint(**base, wait_started_at=dt(2025, 3, 3, 10, 0)), dt(2025, 3, 10, 12, 0))
    for step in ("respond", "resolve"):
        assert out[f"{step}_state"] == "暂停(待客户)"
        assert out[f"{step}_due"] is None and out[f"{step}_late_hours"] is None
    assert out["sla_state"] == "暂停(待客户)"
    assert out["next_step"] == "响应" and out["next_deadline"] is None
    assert out["escalation_level"] == "L0" and out["notify"] == ""
    # the status alone (no wait times) also stops the clock, from as_of on
    out = run(complaint(**base, status="待客户回复"), dt(2025, 3, 4, 12, 0))
    assert out["respond_state"] == "暂停(待客户)" and out["resolve_state"] == "暂停(待客户)"
    # a deadline already passed when the wait began stays overdue; lateness stops at the wait
    out = run(
        fault(
            received_at=dt(2025, 3, 3, 9, 0), recorded_at=dt(2025, 3, 3, 9, 5), wait_started_at=dt(2025, 3, 3, 14, 0)
        ),
        dt(2025, 3, 5, 16, 0),
    )
    assert out["respond_state"] == "逾期" and out["respond_due"] == dt(2025, 3, 3, 11, 0)
    assert out["respond_late_hours"] == Decimal("2.0")  # 11-12 and 13-14
    assert out["resolve_state"] == "暂停(待客户)"
    # a step done while waiting was done in time
    out = run(
        fault(
            received_at=dt(2025, 3, 3, 9, 0),
            recorded_at=dt(2025, 3, 3, 9, 5),
            wait_started_at=dt(2025, 3, 3, 10, 0),
            responded_at=dt(2025, 3, 4, 16, 0),
        ),
        dt(2025, 3, 5, 9, 0),
    )
    assert out["respond_state"] == "按时完成"


# -- same-day notice, feedback, survey ----------------------------------------------------------


def test_same_day_notice():
    # received 10:00, not resolved that day: due at closing time that day
    out = run(complaint(received_at=dt(2025, 3, 4, 10, 0)), dt(2025, 3, 4, 15, 0))
    assert out["same_day_due"] == dt(2025, 3, 4, 18, 0)
    assert out["same_day_state"] == "即将到期"  # 3 working hours left
    out = run(complaint(received_at=dt(2025, 3, 4, 10, 0), recorded_at=dt(2025, 3, 4, 10, 5)), dt(2025, 3, 5, 10, 0))
    assert out["same_day_state"] == "逾期" and out["same_day_late_hours"] == Decimal("1.0")
    # received after closing: closing time of the next working day
    out = run(complaint(received_at=dt(2025, 3, 4, 19, 0)), dt(2025, 3, 4, 19, 30))
    assert out["same_day_due"] == dt(2025, 3, 5, 18, 0)
    # received on Saturday: Monday's closing time
    out = run(complaint(received_at=dt(2025, 3, 8, 10, 0)), dt(2025, 3, 8, 11, 0))
    assert out["same_day_due"] == dt(2025, 3, 10, 18, 0)
    # resolved the same day, or told the settlement date that day: met
    out = run(complaint(received_at=dt(2025, 3, 4, 10, 0), resolved_at=dt(2025, 3, 4, 16, 0)), dt(2025, 3, 4, 17, 0))
    assert out["same_day_state"] == "按时完成"
    out = run(
        complaint(received_at=dt(2025, 3, 4, 10, 0), settlement_told_at=dt(2025, 3, 4, 17, 0)), dt(2025, 3, 5, 10, 0)
    )
    assert out["same_day_state"] == "按时完成"
    # told the next morning: late by 1 working hour (18:00 -> 09:00 -> 10:00)
    out = run(
        complaint(received_at=dt(2025, 3, 4, 10, 0), settlement_told_at=dt(2025, 3, 5, 10, 0)), dt(2025, 3, 5, 11, 0)
    )
    assert out["same_day_state"] == "超时完成" and out["same_day_late_hours"] == Decimal("1.0")
    # told that evening, after the 18:00 deadline but before the office opens again: no working time
    # late, so on time (one rule: 超时完成 never shows 0.0 hours late)
    out = run(
        complaint(received_at=dt(2025, 3, 4, 10, 0), settlement_told_at=dt(2025, 3, 4, 21, 30)), dt(2025, 3, 5, 11, 0)
    )
    assert out["same_day_state"] == "按时完成" and out["same_day_late_hours"] is None


def _closed_complaint(**changes):
    values = dict(
        received_at=dt(2025, 3, 3, 9, 0),
        recorded_at=dt(2025, 3, 3, 9, 30),
        responded_at=dt(2025, 3, 3, 11, 0),
        settlement_told_at=dt(2025, 3, 3, 16, 0),
        resolved_at=dt(2025, 3, 6, 8, 0),
        feedback_at=dt(2025, 3, 7, 9, 0),
        closed_at=dt(2025, 3, 7, 10, 0),
        status="已关闭",
    )
    values.update(changes)
    return complaint(**values)


def test_feedback_in_working_days_after_resolution():
    # resolved Thu Mar 6 15:00: Fri 7, Mon 10, Tue 11 -> Tue 18:00
    out = run(
        _closed_complaint(resolved_at=dt(2025, 3, 6, 15, 0), feedback_at=None, closed_at=None, status="已解决"),
        dt(2025, 3, 7, 9, 0),
    )
    assert out["feedback_due"] == dt(2025, 3, 11, 18, 0)
    assert out["feedback_state"] == "进行中"
    assert out["survey_state"] == ""  # not closed yet: not applicable
    out = run(
        _closed_complaint(
            resolved_at=dt(2025, 3, 6, 15, 0),
            feedback_at=dt(2025, 3, 12, 10, 0),
            closed_at=dt(2025, 3, 12, 11, 0),
            survey_at=dt(2025, 3, 13, 12, 0),
        ),
        dt(2025, 3, 20, 9, 0),
    )
    assert out["feedback_state"] == "超时完成"
    assert out["feedback_late_hours"] == Decimal("1.0")  # Wed 09:00-10:00
    assert out["sla_state"] == "已完成(有超时)"


@pytest.mark.parametrize(
    "survey_at, state, late",
    [
        (dt(2025, 3, 7, 16, 0), "过早", None),  # sooner than 24 hours after closing
        (dt(2025, 3, 8, 12, 0), "按时完成", None),
        (dt(2025, 3, 9, 10, 0), "按时完成", None),  # exactly at the deadline
        (dt(2025, 3, 10, 10, 0), "超时完成", Decimal("1.0")),  # due Sun 10:00; Mon 09:00-10:00 late
    ],
)
def test_survey_window(survey_at, state, late):
    out = run(_closed_complaint(survey_at=survey_at), dt(2025, 3, 20, 9, 0))
    assert out["survey_due"] == dt(2025, 3, 9, 10, 0)  # closed Fri 10:00 + 48 hours
    assert out["survey_state"] == state
    assert out["survey_late_hours"] == late


def test_a_finished_complaint():
    out = run(_closed_complaint(survey_at=dt(2025, 3, 8, 15, 0)), dt(2025, 3, 20, 9, 0))
    assert out["record_state"] == out["respond_state"] == out["resolve_state"] == "按时完成"
    assert out["same_day_state"] == out["feedback_state"] == out["survey_state"] == "按时完成"
    assert out["sla_state"] == "已完成"
    assert out["next_step"] == "" and out["next_deadline"] is None and out["hours_late"] is None
    assert out["sla_rule"] == "标准" and out["escalation_level"] == "L0" and out["notify"] == ""
    # missing done times fall back to a later milestone: a resolution is a response
    out = run(
        _closed_complaint(responded_at=None, recorded_at=None, survey_at=dt(2025, 3, 8, 15, 0)), dt(2025, 3, 20, 9, 0)
    )
    assert out["respond_state"] == "超时完成"  # due Wed 09:00, resolved Thu 08:00
    assert out["respond_late_hours"] == Decimal("8.0")
    assert out["record_state"] == "超时完成"
    # a closed status without any completion time
    out = run(complaint(received_at=dt(2025, 3, 3, 9, 0), status="已关闭"), dt(2025, 3, 20, 9, 0))
    assert out["record_state"] == out["respond_state"] == out["resolve_state"] == "缺少完成时间"
    assert out["sla_state"] == "已完成(缺少时间)" and out["escalation_level"] == "L0"


def test_met_late_with_late_hours():
    # standard complaint received Mon 09:00: respond due Wed 09:00; responded Wed 11:30 -> 2.5 h late
    out = run(
        _closed_complaint(responded_at=dt(2025, 3, 5, 11, 30), survey_at=dt(2025, 3, 8, 15, 0)), dt(2025, 3, 20, 9, 0)
    )
    assert out["respond_due"] == dt(2025, 3, 5, 9, 0)
    assert out["respond_state"] == "超时完成"
    assert out["respond_late_hours"] == Decimal("2.5")
    assert out["sla_state"] == "已完成(有超时)" and out["hours_late"] is None


# -- overall state and escalation ---------------------------------------------------------------


def _late_fault():
    return fault(received_at=dt(2025, 3, 3, 9, 0), recorded_at=dt(2025, 3, 3, 9, 30))


@pytest.mark.parametrize(
    "as_of, hours, level, notify",
    [
        (dt(2025, 3, 3, 11, 0), None, "L0", ""),  # exactly on the deadline
        (dt(2025, 3, 3, 11, 30), Decimal("0.5"), "L1", "处理人 张三"),
        (dt(2025, 3, 4, 10, 54), Decimal("7.9"), "L1", "处理人 张三"),
        (dt(2025, 3, 4, 11, 0), Decimal("8.0"), "L2", "部门负责人 王经理 (售后服务部)"),
        (dt(2025, 3, 6, 10, 54), Decimal("23.9"), "L2", "部门负责人 王经理 (售后服务部)"),
        (dt(2025, 3, 6, 11, 0), Decimal("24.0"), "L3", "客服中心主任; 部门负责人 王经理 (售后服务部)"),
    ],
)
def test_escalation_levels_at_the_thresholds(as_of, hours, level, notify):
    # respond due Mon 11:00; late: Mon 11-12 + 13-18 (6) + Tue 9-11 (2) = 8.0 at Tue 11:00
    out = run(_late_fault(), as_of)
    assert out["respond_due"] == dt(2025, 3, 3, 11, 0)
    assert out["hours_late"] == hours
    assert out["escalation_level"] == level
    assert out["notify"] == notify
    if hours is not None:
        assert out["sla_state"] == "逾期" and out["respond_state"] == "逾期"
        assert out["respond_late_hours"] == hours


def test_overall_picks_the_worst_and_the_earliest_open_step():
    out = run(_late_fault(), dt(2025, 3, 4, 11, 0))
    # respond 8.0 late, resolve (due Tue 09:00) 2.0 late: the largest counts
    assert out["resolve_state"] == "逾期" and out["resolve_late_hours"] == Decimal("2.0")
    assert out["hours_late"] == Decimal("8.0")
    assert out["next_step"] == "响应" and out["next_deadline"] == dt(2025, 3, 3, 11, 0)
    assert out["record_state"] == "按时完成"
    out = run(fault(received_at=dt(2025, 3, 3, 9, 0)), dt(2025, 3, 3, 9, 30))
    assert out["sla_state"] == "即将到期" and out["next_step"] == "响应"
    out = run(
        complaint(received_at=dt(2025, 3, 3, 9, 0), settlement_told_at=dt(2025, 3, 3, 9, 30)), dt(2025, 3, 3, 9, 30)
    )
    assert out["sla_state"] == "进行中" and out["next_step"] == "登记"  # record due Tue 09:00 first
    assert out["next_deadline"] == dt(2025, 3, 4, 9, 0)


def test_notify_without_a_known_department_head_or_handler():
    out = run(
        fault(received_at=dt(2025, 3, 3, 9, 0), recorded_at=dt(2025, 3, 3, 9, 30), department="技术支持部"),
        dt(2025, 3, 4, 11, 0),
    )
    assert out["notify"] == "部门负责人 (技术支持部)"
    out = run(
        fault(received_at=dt(2025, 3, 3, 9, 0), recorded_at=dt(2025, 3, 3, 9, 30), handler=None), dt(2025, 3, 3, 12, 0)
    )
    assert out["escalation_level"] == "L1" and out["notify"] == "处理人"


def test_unknown_year_is_provisional():
    out = run(fault(received_at=dt(2027, 3, 1, 9, 0)), dt(2027, 3, 1, 9, 30))  # a Monday by Mon-Fri rule
    assert out["respond_due"] == dt(2027, 3, 1, 11, 0)
    assert out["respond_state"] == "即将到期 (暂定)"
    assert out["sla_state"] == "即将到期 (暂定)"
    assert out["record_state"] == "进行中"  # clock hours are never provisional
    out = run(complaint(received_at=dt(2026, 12, 31, 17, 0)), dt(2026, 12, 31, 17, 0))
    assert out["same_day_due"] == dt(2026, 12, 31, 18, 0) and out["same_day_state"] == "即将到期"
    out = run(complaint(received_at=dt(2026, 12, 31, 19, 0)), dt(2026, 12, 31, 19, 0))
    # 2027 is unknown, so Friday Jan 1 counts as a working day by the Monday-Friday rule
    assert out["same_day_due"] == dt(2027, 1, 1, 18, 0)
    assert out["same_day_state"] == "进行中 (暂定)"


def test_missing_received_at():
    out = run(
        complaint(received_at=None, resolved_at=dt(2025, 3, 3, 9, 0), closed_at=dt(2025, 3, 4, 9, 0)),
        dt(2025, 3, 20, 9, 0),
    )
    assert out["sla_state"] == "缺少受理时间"
    assert all(v in ("", None) for k, v in out.items() if k != "sla_state")


# -- batch behaviour ----------------------------------------------------------------------------


def _random_batch(n, seed):
    rnd = random.Random(seed)
    start = dt(2024, 12, 20)
    cols = {name: [] for name in sla.INPUT_COLUMNS}
    tiers = []
    for _ in range(n):
        rec = start + timedelta(minutes=rnd.randrange(0, 60 * 24 * 500), seconds=rnd.choice([0, 0, 0, 29, 31]))

        def maybe(base, lo, hi, p=0.8):
            return base + timedelta(minutes=rnd.randrange(lo, hi)) if base is not None and rnd.random() < p else None

        resolved = maybe(rec, 30, 6000, 0.7)
        closed = maybe(resolved, 10, 4000, 0.7)
        wait = maybe(rec, 5, 3000, 0.15)
        row = dict(
            received_at=rec if rnd.random() > 0.02 else None,
            request_type=rnd.choice(["投诉", "服务需求", "故障"]),
            category="客户投诉",
            priority=rnd.choice(["紧急重要", "重要不紧急"]),
            channel=rnd.choice(["电话", "邮件"]),
            status=rnd.choice(["处理中", "待客户回复", "已关闭", "已解决"]),
            recorded_at=maybe(rec, 1, 2000),
            responded_at=maybe(rec, 1, 4000),
            settlement_told_at=maybe(rec, 1, 1500, 0.4),
            resolved_at=resolved,
            feedback_at=maybe(resolved, 10, 5000),
            closed_at=closed,
            survey_at=maybe(closed, 60, 4000),
            wait_started_at=wait,
            wait_ended_at=maybe(wait, 10, 3000, 0.6),
            handler=rnd.choice(["张三", None]),
            department=rnd.choice(["售后服务部", "技术支持部", None]),
        )
        for k, v in row.items():
            cols[k].append(v)
        tiers.append(rnd.choice(["A", "B", None]))
    return cols, tiers


def test_batch_equals_one_by_one_and_is_deterministic():
    cols, tiers = _random_batch(600, seed=11)
    as_of = dt(2026, 1, 15, 10, 0)
    first = evaluate_all(cols, tiers, as_of, RULES, CAL)
    again = evaluate_all(cols, tiers, as_of, RULES, WorkCalendar())
    assert first == again
    for i in range(len(tiers)):
        one = evaluate({k: v[i] for k, v in cols.items()}, tiers[i], as_of, RULES, CAL).columns()
        assert one == {k: first[k][i] for k in OUTPUT_COLUMNS}, i
    assert {len(v) for v in first.values()} == {600}


def test_other_value_types_are_read():
    received = dt(2025, 3, 4, 10, 0)
    as_text = run(complaint(received_at="2025-03-04 10:00", recorded_at=received.date()), dt(2025, 3, 5, 12, 0))
    assert as_text["record_due"] == dt(2025, 3, 5, 10, 0)
    assert as_text["record_state"] == "按时完成"  # the date counts from midnight


@settings(max_examples=150, deadline=None)
@given(
    first=st.datetimes(min_value=dt(2025, 1, 1), max_value=dt(2027, 6, 30)),
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    hours=st.integers(min_value=1, max_value=120).map(lambda q: q / 4),
)
def test_a_later_receipt_never_gives_an_earlier_respond_deadline(first, gap, hours):
    rules = with_rules({"name": "x", "respond": f"{hours} working hours"})
    as_of = dt(2025, 1, 1)
    early = evaluate(complaint(received_at=first), None, as_of, rules, CAL).steps["respond"].due
    late = evaluate(complaint(received_at=first + gap), None, as_of, rules, CAL).steps["respond"].due
    assert early <= late


def test_a_missed_survey_is_overdue_but_escalates_only_when_the_office_says_so():
    # closed Fri Mar 7 10:00, survey due Sun Mar 9 10:00 (48 hours); no survey by Mar 20 09:00
    late_survey = _closed_complaint(survey_at=None)
    out = run(late_survey, dt(2025, 3, 20, 9, 0))
    assert out["survey_state"] == "逾期" and out["sla_state"] == "逾期"
    # late from Mon Mar 10 09:00: 8 working days (Mar 10-14, 17-19) x 8 hours by Thu Mar 20 09:00
    assert out["hours_late"] == out["survey_late_hours"] == Decimal("64.0")
    assert out["escalation_level"] == "L0" and out["notify"] == ""
    data = {**HEADS, "escalation": {**HEADS["escalation"], "steps": list(sla.STEPS)}}
    out = run(late_survey, dt(2025, 3, 20, 9, 0), rules=read_sla(data, "test"))
    assert out["escalation_level"] == "L3" and out["notify"].startswith("客服中心主任")
