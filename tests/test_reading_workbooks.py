"""Reading the register and tracker: header finding, typed values, and problems reported precisely."""

import datetime as dt
from decimal import Decimal

import pytest
import xlsxwriter

from toolkit.cli import main
from toolkit.errors import WorkbookRefused
from toolkit.i18n import use_language
from toolkit.model.records import read_table
from toolkit.settings import load_settings

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)


def write(path, sheet, rows, date_cells=()):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, dt.datetime):
                ws.write_datetime(r, c, v, fmt)
            elif isinstance(v, str):
                ws.write_string(r, c, v)
            else:
                ws.write(r, c, v)
    wb.close()


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path)


def test_header_below_a_title_row_and_columns_in_any_order(tmp_path, settings):
    path = tmp_path / "complaints.xlsx"
    write(
        path,
        "投诉跟踪",
        [
            ["投诉跟踪表 2025"],
            [],
            ["内部备忘", "Customer ID", "ＣＯＭＰＬＡＩＮＴ　ＮＯ．", "受理时间 ", "满意度"],
            ["staff note", "C001 ", "TS-1", dt.datetime(2025, 3, 5, 14, 30), 5],
            [],
            [None, "Ｃ００２", "TS-2", "2025年3月6日 9:15", "4"],
        ],
    )
    t = read_table(path, settings.tracker)
    assert t.header_row == 3
    assert t.rows == [4, 6]  # the blank row 5 is skipped
    assert t.values("customer_id") == ["C001", "C002"]  # trailing space, full-width digits
    assert t.values("received_at") == [dt.datetime(2025, 3, 5, 14, 30), dt.datetime(2025, 3, 6, 9, 15)]
    assert t.values("satisfaction") == [5, 4]
    assert t.unknown == {1: "内部备忘"}
    assert t.columns["complaint_id"] == 3
    assert t.cell_ref("received_at", 1) == "D6"
    assert [p for p in t.problems if p.severity == "error"] == []


def test_values_typed_by_hand_are_parsed_and_bad_ones_reported_with_location(tmp_path, settings):
    path = tmp_path / "complaints.xlsx"
    rows = [["投诉编号", "受理时间", "客户编号", "满意度", "渠道"]]
    for i in range(1, 1201):  # enough rows that the reader's type sampling sees clean dates first
        rows.append([f"TS-{i}", dt.datetime(2025, 1, 1, 9, 0), f"C{i:03d}", 4, "电话"])
    rows.append(["TS-X1", "2025/3/5 14:30", "C1", "很好", "phone"])
    rows.append(["TS-X2", "2025-02-30", "C2", 3.5, "传真"])
    rows.append(["TS-X3", "2025.3.5", "C3", "5", "邮件"])
    write(path, "投诉跟踪", rows)
    t = read_table(path, settings.tracker)
    assert len(t) == 1203
    assert t.values("received_at")[-3:] == [dt.datetime(2025, 3, 5, 14, 30), None, dt.datetime(2025, 3, 5)]
    assert t.values("satisfaction")[-3:] == [None, None, 5]
    assert t.values("channel")[-3:] == ["电话", None, "邮件"]  # an English alias is accepted
    found = {(p.row, p.column, p.value) for p in t.problems}
    assert (1202, "满意度", "很好") in found
    assert (1203, "受理时间", "2025-02-30") in found
    assert (1203, "满意度", 3.5) in found
    assert (1203, "渠道", "传真") in found
    bad_date = next(p for p in t.problems if p.value == "2025-02-30")
    assert "no such date" in bad_date.reason
    assert bad_date.file == str(path) and bad_date.sheet == "投诉跟踪"
    # the rest of that row is still read
    assert t.values("complaint_id")[-2] == "TS-X2"


def test_missing_required_column_is_reported(tmp_path, settings):
    path = tmp_path / "complaints.xlsx"
    write(path, "投诉跟踪", [["投诉编号", "客户编号"], ["TS-1", "C1"]])
    t = read_table(path, settings.tracker)
    assert any(p.column == "受理时间" and "missing" in p.reason for p in t.problems)


def test_the_one_sheet_holding_the_columns_is_used_when_the_named_sheet_is_absent(tmp_path, settings):
    path = tmp_path / "complaints.xlsx"
    write(path, "Cases", [["投诉编号", "客户编号", "受理时间"], ["TS-1", "C1", "2026-06-01 09:00"]])
    with use_language("en"):
        t = read_table(path, settings.tracker)
    assert t.sheet == "Cases" and t.values("complaint_id") == ["TS-1"]
    [note] = [p for p in t.problems if p.severity == "warning"]
    assert "'投诉跟踪'" in note.reason and "'Cases'" in note.reason and 'sheet = "Cases"' in note.reason


def test_wrong_sheet_name_lists_the_sheets(tmp_path, settings):
    path = tmp_path / "complaints.xlsx"
    write(path, "Sheet1", [["投诉跟踪表"], ["TS-1", "C1"]])  # no sheet holds the columns: no guess
    with pytest.raises(WorkbookRefused) as err:
        read_table(path, settings.tracker)
    assert "'Sheet1'" in str(err.value) and "投诉跟踪" in str(err.value)


def test_no_header_row_shows_the_rows_looked_at_and_what_each_lacks(tmp_path, settings):
    path = tmp_path / "customers.xlsx"
    write(path, "客户台账", [["客户台账 2026"], ["Client Ref", "Firm", "Mobile"], ["K-1", "甲公司", "138"]])
    with pytest.raises(WorkbookRefused) as err, use_language("en"):
        read_table(path, settings.register)
    text = str(err.value)
    assert "row 1: 客户台账 2026 - lacks 客户编号, 客户名称" in text
    assert "row 2: Client Ref | Firm | Mobile - lacks 客户编号, 客户名称" in text
    assert "toolkit columns" in text


def test_decimals_and_integers_from_numbers_and_text(tmp_path, settings):
    path = tmp_path / "customers.xlsx"
    write(
        path,
        "客户台账",
        [
            ["客户编号", "客户名称", "近12个月营收", "近12个月订单数"],
            [10023, "甲公司", 12345.6, 12],
            ["C2", "乙公司", "1,234.50", "３"],
            ["C3", "丙公司", "￥88", 2.5],
        ],
    )
    t = read_table(path, settings.register)
    assert t.values("customer_id") == ["10023", "C2", "C3"]  # an ID typed as a number stays an ID
    assert t.values("revenue_12m") == [Decimal("12345.6"), Decimal("1234.50"), Decimal("88")]
    assert t.values("orders_12m") == [12, 3, None]
    assert [(p.row, p.column) for p in t.problems] == [(4, "近12个月订单数")]


def test_sheet_starting_right_of_column_a_keeps_positions(tmp_path, settings):
    path = tmp_path / "customers.xlsx"
    write(
        path,
        "客户台账",
        [[], [None, None, "客户编号", "客户名称"], [None, None, "C1", "甲"], [None, "stray note", "C2", "乙"]],
    )
    t = read_table(path, settings.register)
    assert t.columns == {"customer_id": 3, "name": 4}
    assert t.values("name") == ["甲", "乙"]
    assert t.rows == [3, 4]


def test_check_command_prints_problems_and_exits_1(tmp_path, capsys):
    write(
        tmp_path / "customers.xlsx", "客户台账", [["客户编号", "客户名称"], ["C1", "甲"], ["C1", "甲二"], ["C2", "乙"]]
    )
    write(
        tmp_path / "complaints.xlsx",
        "投诉跟踪",
        [
            ["投诉编号", "受理时间", "客户编号"],
            ["TS-1", dt.datetime(2025, 3, 5, 10), "C1"],
            ["TS-2", "2025-13-01", "C9"],
        ],
    )
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "duplicate" in out and "C9" in out and "2025-13-01" in out
    assert "C1 (similar ID)" in out  # the unknown ID with the IDs it probably meant, as every job reports it
    lines = [ln for ln in out.splitlines() if "C9" in ln]
    assert lines and "complaints.xlsx" in lines[0] and "客户编号" in lines[0]


def test_check_command_on_clean_workbooks_exits_0(tmp_path, capsys):
    write(tmp_path / "customers.xlsx", "客户台账", [["客户编号", "客户名称"], ["C1", "甲"]])
    write(
        tmp_path / "complaints.xlsx",
        "投诉跟踪",
        [["投诉编号", "受理时间", "客户编号"], ["TS-1", dt.datetime(2025, 3, 5, 10), "C1"]],
    )
    with use_language("en"):
        assert main(["check", str(tmp_path)]) == 0
    assert "0 problems, 0 warnings." in capsys.readouterr().out


def test_check_refuses_a_csv_with_a_clear_message(tmp_path, capsys):
    (tmp_path / "customers.xlsx").write_text("客户编号,客户名称\nC1,甲\n", encoding="utf-8")
    write(tmp_path / "complaints.xlsx", "投诉跟踪", [["投诉编号", "受理时间", "客户编号"]])
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "not an Excel workbook" in out
