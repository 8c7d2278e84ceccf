"""The monthly report's headlines, on the shipped sample: what is overdue at the month's end is told apart
(open complaints to act on; resolved ones whose feedback is late; missed satisfaction surveys), each count
recomputed here one complaint at a time; the overdue list holds the open ones, worst first; and every change
(变化) in the report equals the difference of the two figures printed beside it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from docx import Document
from summary_sample import AS_OF, english_report, graded_sample, overdue_at

from toolkit.jobs.summary import make_summary
from toolkit.rules.monthly import LEVEL_ORDER


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return graded_sample(tmp_path_factory.mktemp("headlines"))


@pytest.fixture(scope="module")
def report(folder, tmp_path_factory):
    return make_summary(folder, "2026-10", as_of=AS_OF, out_dir=tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def counted(folder):
    return overdue_at(folder, dt.datetime(2026, 11, 1))


def _text(docx) -> str:
    return "\n".join(p.text for p in Document(docx).paragraphs)


def _table(docx, first_header: str) -> list[list[str]]:
    for t in Document(docx).tables:
        rows = [[c.text for c in r.cells] for r in t.rows]
        if rows and rows[0][0] == first_header:
            return rows
    raise AssertionError(f"no table headed {first_header}")


def _worst_first(entries):
    return sorted(entries, key=lambda e: (LEVEL_ORDER.index(e[1]), -e[2], e[3], e[0]))


# ------------------------------------------------------------------------------------------ overdue at month end


def test_headline_counts_open_overdue_complaints_apart_from_missed_surveys(report, counted):
    k = report.figures.kpis
    opened, closing, survey = counted["open"], counted["closing"], counted["survey"]
    assert (k.overdue_open, k.overdue_closing, k.overdue_survey) == (len(opened), len(closing), len(survey))
    assert k.overdue_at_end == len(opened) + len(closing) + len(survey)
    # the sample as the issue found it: 546 overdue, of which 430 missed surveys; 120 open, 113 of them overdue
    assert (k.overdue_at_end, k.overdue_survey, k.open_at_end, k.overdue_open, k.overdue_closing) == (
        546,
        430,
        120,
        113,
        3,
    )
    levels = {lv: sum(1 for e in opened if e[1] == lv) for lv in ("L3", "L2", "L1")}
    older = sum(1 for e in opened if e[3] < dt.datetime(2026, 10, 1))
    text = _text(report.docx)
    assert (
        f"月末未结投诉 {k.open_at_end} 件，其中逾期 {len(opened)} 件需督办（L3 {levels['L3']} 件、"
        f"L2 {levels['L2']} 件、L1 {levels['L1']} 件），{older} 件受理于本月之前"
    ) in text
    assert f"另有已解决待回访逾期 {len(closing)} 件、满意度调查逾期 {len(survey)} 件。" in text
    kpis = {row[0]: row for row in _table(report.docx, "指标")}
    assert kpis["月末逾期未结数"][1] == str(len(opened))
    assert kpis["满意度调查逾期数"][1] == str(len(survey))
    assert kpis["已解决待回访逾期数"][1] == str(len(closing))
    assert "月末逾期数" not in kpis  # the muddled total is no headline any more (it stays in monthly_summary.xlsx)


def test_overdue_list_shows_the_open_ones_worst_first_and_counts_the_rest(report, counted):
    opened = _worst_first(counted["open"])
    rows = _table(report.docx, "级别")[1:]
    assert len(rows) == 50 < len(opened)  # overdue_list_limit
    assert [(r[0], r[1]) for r in rows] == [(e[1], e[0]) for e in opened[:50]]
    assert [r[6] for r in rows] == [f"{e[2]:,.1f}" for e in opened[:50]]
    text = _text(report.docx)
    assert f"列出前 50 件，其余 {len(opened) - 50} 件见投诉跟踪表" in text
    older = sum(1 for e in opened if e[3] < dt.datetime(2026, 10, 1))
    assert f"其中 {older} 件受理于本月之前" in text
    # by step due and level: the grid adds up, row by row and column by column
    grid = _table(report.docx, "待办环节")
    assert grid[0] == ["待办环节", "L3", "L2", "L1", "L0", "合计"]
    body, total = grid[1:-1], grid[-1]
    assert all(int(r[5]) == sum(int(x) for x in r[1:5]) for r in grid[1:])
    assert total[0] == "合计" and int(total[5]) == len(opened)
    assert [int(x) for x in total[1:5]] == [sum(int(r[i]) for r in body) for i in range(1, 5)]
    assert {r[0] for r in body} <= {"登记", "响应", "解决", "当日告知"}  # open complaints have no survey due


# ------------------------------------------------------------------------------------------ changes as shown

_CHANGE = re.compile(r"^(?:—|0(?:\.0+)?|[+−][\d,]+(?:\.\d+)?)(?P<unit> 个百分点| pp)?$")


def _number(text: str) -> Decimal | None:
    if text == "—":
        return None
    return Decimal(text.replace(",", "").replace("%", "").replace("−", "-").split(" ")[0])


def _places(text: str) -> int:
    number = text.split(" ")[0].rstrip("%")
    return len(number.split(".")[1]) if "." in number else 0


def _check_changes(docx, now: str, before: str, change: str) -> int:
    """Every table with a change column: the change equals the figures beside it as printed. Returns rows checked."""
    checked = 0
    for t in Document(docx).tables:
        head = [c.text for c in t.rows[0].cells]
        if change not in head or now not in head:
            continue
        i, j, k = head.index(now), head.index(before), head.index(change)
        for row in t.rows[1:]:
            cells = [c.text for c in row.cells]
            a, b, shown = _number(cells[i]), _number(cells[j]), cells[k]
            m = _CHANGE.match(shown)
            assert m, f"{cells[0]}: change {shown!r} is not a signed figure"
            if a is None or b is None:
                assert shown == "—", cells
                continue
            assert _number(shown.replace("+", "")) == a - b, f"{cells[0]}: {cells[i]} - {cells[j]} is not {shown}"
            assert _places(shown) == max(_places(cells[i]), _places(cells[j])), cells
            assert bool(m.group("unit")) == cells[i].endswith("%"), cells  # percentage points for rates only
            assert (shown[0] == "+") == (a > b) and (shown[0] == "−") == (a < b), cells
            checked += 1
    return checked


def test_every_change_equals_the_figures_beside_it(report):
    assert _check_changes(report.docx, "本月", "上月", "变化") >= 15
    assert _check_changes(report.docx, "按时率", "上月", "变化") == 6
    kpis = {row[0]: row for row in _table(report.docx, "指标")}
    # the three the issue found wrong: rounded figures beside changes of unrounded ones
    assert kpis["月内解决率"][1:] == ["83.8%", "≥ 95%", "未达标", "83.7%", "+0.1 个百分点"]
    assert (kpis["响应工时（平均）"][1], kpis["响应工时（平均）"][4], kpis["响应工时（平均）"][5]) == (
        "4.0",
        "5.5",
        "−1.5",
    )
    steps = {row[0]: row for row in _table(report.docx, "环节")}
    # (a step done after its deadline with no working time late counts as on time: issue 15)
    assert (steps["响应"][2], steps["响应"][5], steps["响应"][6]) == ("82.7%", "76.8%", "+5.9 个百分点")


def test_every_change_equals_the_figures_beside_it_in_english(folder, tmp_path):
    result = english_report(folder, "2026-10", tmp_path)
    assert _check_changes(result.docx, "This month", "Last month", "Change") >= 15
    assert _check_changes(result.docx, "On time", "Last month", "Change") == 6
    text = _text(result.docx)
    k = result.figures.kpis
    assert f"{k.open_at_end} complaints were open at the month's end, {k.overdue_open} of them overdue" in text
