"""Follow-up visits: cadence per tier, month ends, due soon / overdue, never visited."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from toolkit.errors import SettingsError
from toolkit.rules.visits import add_months, evaluate_visits, next_visit
from toolkit.settings import default_settings, load_settings
from toolkit.settings.visits import VisitSettings, read_visits

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

D = dt.date


@pytest.fixture(scope="module")
def rules() -> VisitSettings:
    return read_visits(default_settings(), "shipped defaults")


def test_shipped_defaults(rules):
    assert rules.cadence_months == {"A": 1, "B": 3, "C": 6, "新客户": 1}
    assert (rules.default_months, rules.due_soon_days) == (3, 7)


def test_office_file_changes_one_cadence_and_keeps_the_others(tmp_path):
    (tmp_path / "toolkit.toml").write_text(
        "[visits]\ndue_soon_days = 3\n\n[visits.cadence_months]\nB = 2\n", encoding="utf-8"
    )
    r = load_settings(tmp_path).visits
    assert r.cadence_months == {"A": 1, "B": 2, "C": 6, "新客户": 1}
    assert r.due_soon_days == 3


@pytest.mark.parametrize(
    "change, key, expected",
    [
        (lambda v: v["cadence_months"].update(B=0), "visits.cadence_months.B", "a whole number of months, 1 or more"),
        (lambda v: v["cadence_months"].update(D=1), "visits.cadence_months.D", "a tier in [choices] tier"),
        (lambda v: v.update(due_soon_days=-1), "visits.due_soon_days", "a whole number of days, 0 or more"),
        (lambda v: v.update(default_months=1.5), "visits.default_months", "a whole number of months"),
        (lambda v: v.update(A=1), "visits.A", "one of cadence_months, default_months, due_soon_days"),
    ],
)
def test_a_wrong_setting_names_the_file_the_key_and_what_was_expected(change, key, expected):
    data = copy.deepcopy(default_settings())
    change(data["visits"])
    with pytest.raises(SettingsError) as err:
        read_visits(data, "office/toolkit.toml")
    text = str(err.value)
    assert text.startswith("office/toolkit.toml: ") and f"'{key}'" in text and expected in text


@pytest.mark.parametrize(
    "tier, due",
    [
        ("A", D(2026, 2, 15)),
        ("B", D(2026, 4, 15)),
        ("C", D(2026, 7, 15)),
        ("新客户", D(2026, 2, 15)),
        (None, D(2026, 4, 15)),
        ("X", D(2026, 4, 15)),  # no tier / a tier without a cadence: default_months
    ],
)
def test_cadence_per_tier(rules, tier, due):
    assert next_visit(D(2026, 1, 15), D(2020, 1, 1), tier, D(2026, 1, 20), rules)[0] == due


@pytest.mark.parametrize(
    "day, months, result",
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2025, 8, 31), 1, D(2025, 9, 30)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2025, 12, 31), 1, D(2026, 1, 31)),  # across the year end
        (D(2025, 12, 15), 6, D(2026, 6, 15)),
        (D(2025, 3, 31), 12, D(2026, 3, 31)),
    ],
)
def test_month_arithmetic_keeps_month_ends(day, months, result):
    assert add_months(day, months) == result


def test_a_visit_on_31_january_is_due_at_the_end_of_february(rules):
    assert next_visit(D(2026, 1, 31), None, "A", D(2026, 2, 1), rules) == (D(2026, 2, 28), "", None)


@pytest.mark.parametrize(
    "as_of, flag, days",
    [
        (D(2026, 3, 2), "", None),  # 8 days ahead
        (D(2026, 3, 3), "即将到期", None),  # 7 days ahead
        (D(2026, 3, 10), "即将到期", None),  # due today
        (D(2026, 3, 11), "逾期", 1),
        (D(2026, 4, 9), "逾期", 30),
    ],
)
def test_due_soon_and_overdue(rules, as_of, flag, days):
    assert next_visit(D(2025, 12, 10), D(2020, 1, 1), "B", as_of, rules) == (D(2026, 3, 10), flag, days)


def test_never_visited(rules):
    # due one cadence after the first contact
    assert next_visit(None, D(2026, 1, 10), "B", D(2026, 2, 1), rules) == (D(2026, 4, 10), "", None)
    assert next_visit(None, D(2025, 1, 10), "新客户", D(2026, 2, 1), rules) == (D(2025, 2, 10), "逾期", 356)
    # no visit and no first contact: due at once
    assert next_visit(None, None, "A", D(2026, 2, 1), rules) == (D(2026, 2, 1), "未回访", None)


def test_datetimes_are_taken_as_their_dates(rules):
    assert next_visit(dt.datetime(2026, 1, 15, 16, 30), None, "A", dt.datetime(2026, 2, 16, 9, 0), rules) == (
        D(2026, 2, 15),
        "逾期",
        1,
    )


def test_evaluate_visits_for_the_whole_register(rules):
    out = evaluate_visits(
        [D(2026, 1, 15), None, None, D(2025, 6, 1)],
        [D(2020, 1, 1), D(2026, 1, 1), None, None],
        ["A", "新客户", "C", "C"],
        D(2026, 2, 10),
        rules,
    )
    assert out == {
        "next_visit_due": [D(2026, 2, 15), D(2026, 2, 1), D(2026, 2, 10), D(2025, 12, 1)],
        "visit_flag": ["即将到期", "逾期", "未回访", "逾期"],
        "visit_days_overdue": [None, 9, None, 71],
    }
