"""`init` (settings file and empty workbooks), write_workbook and the sample-data generator."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time
from decimal import Decimal

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from toolkit.demo.sample_data import (
    COMPLAINT_DATE_COLUMNS,
    COMPLAINT_DATETIME_COLUMNS,
    CUSTOMER_DATE_COLUMNS,
    generate,
)
from toolkit.demo.workbooks import write_sample
from toolkit.errors import ToolkitError
from toolkit.jobs.init import init_folder
from toolkit.model.new_workbook import write_workbook
from toolkit.model.values import parse_value
from toolkit.settings import load_settings
from toolkit.xlsx import update_cells
from toolkit.xlsx.cells import excel_serial

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

END = date(2026, 11, 20)


def read_sheet(path, sheet):
    wb = CalamineWorkbook.from_path(str(path))
    try:
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        wb.close()


def letter_of(schema, name):
    return xl_col_to_name([c.name for c in schema.columns].index(name))


@pytest.fixture(scope="module")
def small_sample():
    return generate(120, 900, seed=11)


# ---------------------------------------------------------------------------------- init


def test_init_creates_settings_file_and_empty_workbooks_with_headers(tmp_path):
    folder = tmp_path / "office"
    written = init_folder(folder)

    settings = load_settings(folder)
    assert written == [folder / "toolkit.toml", settings.register_path, settings.tracker_path]
    assert settings.source == str(folder / "toolkit.toml")  # the file is valid TOML the loader accepts
    assert settings.register_path.name == "customers.xlsx"
    assert settings.tracker_path.name == "complaints.xlsx"
    assert "[files]" in (folder / "toolkit.toml").read_text(encoding="utf-8")
    for path, schema in ((settings.register_path, settings.register), (settings.tracker_path, settings.tracker)):
        rows = read_sheet(path, schema.sheet)
        assert rows[0] == [c.header for c in schema.columns]
        assert all(v == "" for row in rows[1:] for v in row)


def test_init_workbook_layout_frozen_header_drop_downs_and_highlighting(tmp_path):
    init_folder(tmp_path)
    settings = load_settings(tmp_path)
    tracker = settings.tracker
    ws = openpyxl.load_workbook(settings.tracker_path)[tracker.sheet]

    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref.startswith("A1:")

    channel = letter_of(tracker, "channel")
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    dv = validations[f"{channel}2:{channel}1000"]
    assert dv.type == "list"
    assert dv.formula1 == '"' + ",".join(tracker.column("channel").choices) + '"'
    # computed (toolkit-owned) columns get no drop-down
    owned = {letter_of(tracker, c.name) for c in tracker.toolkit_columns}
    assert not any(str(sq).split(":")[0].rstrip("0123456789") in owned for sq in validations)

    sla = letter_of(tracker, "sla_state")
    formulas = [f for cf in ws.conditional_formatting for rule in cf.rules for f in rule.formula]
    assert f'ISNUMBER(SEARCH("逾期",${sla}2))' in formulas
    assert f'ISNUMBER(SEARCH("即将到期",${sla}2))' in formulas
    assert any("L2" in f and "L3" in f for f in formulas)

    # English header as a comment; computed columns have a grey header
    assert ws["A1"].value == "投诉编号"
    assert ws["A1"].comment.text == "Complaint No."
    staff_fill = ws["A1"].fill.fgColor.rgb
    owned_cell = ws[f"{letter_of(tracker, 'sla_state')}1"]
    assert owned_cell.fill.fgColor.rgb != staff_fill

    register = settings.register
    ws = openpyxl.load_workbook(settings.register_path)[register.sheet]
    flag = letter_of(register, "visit_flag")
    formulas = [f for cf in ws.conditional_formatting for rule in cf.rules for f in rule.formula]
    assert f'ISNUMBER(SEARCH("逾期",${flag}2))' in formulas
    size = letter_of(register, "company_size")
    assert f"{size}2:{size}1000" in {str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert ws.freeze_panes == "B2"


def test_init_refuses_to_overwrite_without_force(tmp_path):
    init_folder(tmp_path)
    settings = load_settings(tmp_path)
    write_sample(tmp_path, generate(20, 50, seed=1))
    before = settings.register_path.read_bytes()

    with pytest.raises(ToolkitError, match="already has"):
        init_folder(tmp_path)
    assert settings.register_path.read_bytes() == before

    written = init_folder(tmp_path, force=True)
    assert len(written) == 3
    assert len(read_sheet(settings.register_path, settings.register.sheet)) == 1
    assert list((tmp_path / ".toolkit-backups").glob("customers.*.xlsx"))  # the old one was kept


def test_init_refuses_when_only_the_settings_file_exists(tmp_path):
    (tmp_path / "toolkit.toml").write_text("[files]\nbackups_kept = 3\n", encoding="utf-8")
    with pytest.raises(ToolkitError):
        init_folder(tmp_path)
    assert not (tmp_path / "customers.xlsx").exists()


# ---------------------------------------------------------------------------------- write_workbook


@pytest.mark.parametrize("big", [False, True])
def test_write_workbook_keeps_ids_and_phones_as_text(tmp_path, big):
    schema = load_settings(tmp_path).register
    rows = [
        {
            "customer_id": 123,
            "name": "=1+1",
            "phone": 13812345678,
            "orders_12m": 7,
            "revenue_12m": Decimal("1234.50"),
            "first_contact_date": date(2024, 2, 29),
        },
        {"customer_id": "C00002 ", "name": "<r>raw</r> & _x0041_", "phone": 13900000000.0},
    ]
    path = tmp_path / "r.xlsx"
    write_workbook(path, schema, rows, big=big)
    data = read_sheet(path, schema.sheet)
    col = {c.name: i for i, c in enumerate(schema.columns)}
    assert data[1][col["customer_id"]] == "123"
    assert data[1][col["phone"]] == "13812345678"
    assert data[1][col["name"]] == "=1+1"
    assert data[1][col["orders_12m"]] == 7
    assert data[1][col["revenue_12m"]] == 1234.5
    assert data[1][col["first_contact_date"]] == date(2024, 2, 29)
    assert data[2][col["customer_id"]] == "C00002 "
    assert data[2][col["name"]] == "<r>raw</r> & _x0041_"
    assert data[2][col["phone"]] == "13900000000"


AWKWARD_TEXTS = ["A\r\nB", "A\rB", "tab\there", "  padded  ", "_x000D_ typed", "a\x01b", "&<>", "\n"]


@pytest.mark.parametrize("big", [False, True])
def test_text_written_reads_back_identical(tmp_path, big):
    """New workbooks and the in-place engine escape text the same way: a carriage return survives."""
    schema = load_settings(tmp_path).register
    rows = [{"customer_id": f"C{n}", "name": text} for n, text in enumerate(AWKWARD_TEXTS)]
    path = tmp_path / "r.xlsx"
    write_workbook(path, schema, rows, big=big)
    col = {c.name: i for i, c in enumerate(schema.columns)}
    assert [row[col["name"]] for row in read_sheet(path, schema.sheet)[1:]] == AWKWARD_TEXTS
    update_cells(
        path, schema.sheet, {f"{letter_of(schema, 'industry')}{n + 2}": text for n, text in enumerate(AWKWARD_TEXTS)}
    )
    data = read_sheet(path, schema.sheet)[1:]
    assert [row[col["industry"]] for row in data] == [row[col["name"]] for row in data] == AWKWARD_TEXTS


def test_a_big_workbook_writes_the_engines_serial_numbers(tmp_path):
    """The big writer's inline arithmetic gives excel_serial's numbers, microseconds and all."""
    schema = load_settings(tmp_path).register
    moments = [
        datetime(2026, 11, 20, 17, 0),
        datetime(2025, 3, 4, 9, 30, 15, 250000),
        datetime(1900, 3, 1, 0, 0, 0, 1),
        datetime(2099, 12, 31, 23, 59, 59, 999999),
    ]
    path = tmp_path / "big.xlsx"
    write_workbook(
        path, schema, [{"customer_id": f"C{n}", "first_contact_date": m} for n, m in enumerate(moments)], big=True
    )
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    col = letter_of(schema, "first_contact_date")
    written = [re.search(rf'<c r="{col}{n + 2}"[^>]*><v>([^<]*)</v>', xml).group(1) for n in range(len(moments))]
    assert [float(v) for v in written] == [excel_serial(m) for m in moments]


def test_write_workbook_refuses_existing_file_and_unknown_columns(tmp_path):
    schema = load_settings(tmp_path).tracker
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(ToolkitError, match="already exists"):
        write_workbook(path, schema)
    assert path.read_bytes() == b"not a workbook"
    with pytest.raises(ValueError, match="no_such_column"):
        write_workbook(tmp_path / "u.xlsx", schema, [{"no_such_column": 1}])
    assert not (tmp_path / "u.xlsx").exists()


def test_write_workbook_english_headers_with_chinese_comments(tmp_path):
    schema = load_settings(tmp_path).register
    path = tmp_path / "en.xlsx"
    write_workbook(path, schema, language="en")
    ws = openpyxl.load_workbook(path)[schema.sheet]
    assert ws["A1"].value == "Customer ID"
    assert ws["A1"].comment.text == "客户编号"


def test_big_workbook_formats_only_the_data_rows_and_has_no_comments(tmp_path):
    settings = load_settings(tmp_path)
    data = generate(30, 40, seed=5)
    path = tmp_path / "big.xlsx"
    write_workbook(path, settings.tracker, iter(data.complaints), big=True)  # an iterator, not a list
    ws = openpyxl.load_workbook(path)[settings.tracker.sheet]
    channel = letter_of(settings.tracker, "channel")
    assert f"{channel}2:{channel}41" in {str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert ws.freeze_panes == "B2"
    assert ws["A1"].comment is None
    assert ws.max_row == 41


def test_long_choice_lists_go_to_a_hidden_sheet(tmp_path):
    many = ["电话", "邮件", "在线", "现场", "书面"] + [f"渠道{i:03d}" for i in range(75)]
    settings = load_settings(tmp_path, overrides={"choices": {"channel": many}})
    path = tmp_path / "t.xlsx"
    write_workbook(path, settings.tracker, [{"complaint_id": "TS1", "channel": "渠道005"}])
    wb = openpyxl.load_workbook(path)
    channel = letter_of(settings.tracker, "channel")
    dv = next(
        dv
        for dv in wb[settings.tracker.sheet].data_validations.dataValidation
        if str(dv.sqref).startswith(channel + "2")
    )
    assert "_lists" in dv.formula1
    assert wb["_lists"].sheet_state == "hidden"
    assert [wb["_lists"].cell(i + 1, 1).value for i in range(80)] == many


# ---------------------------------------------------------------------------------- sample data


def test_sample_data_is_deterministic_and_has_requested_counts():
    a = generate(60, 400, seed=3)
    b = generate(60, 400, seed=3)
    c = generate(60, 400, seed=4)
    assert a == b
    assert a.customers != c.customers
    assert len(a.customers) == 60 and len(a.complaints) == 400


def test_sample_data_has_staff_columns_only(small_sample, tmp_path):
    settings = load_settings(tmp_path)
    for records, schema in ((small_sample.customers, settings.register), (small_sample.complaints, settings.tracker)):
        staff = {c.name for c in schema.staff_columns}
        for rec in records:
            assert set(rec) <= staff
            assert schema.key in rec


def _when(value, kind):
    """A timestamp from a record, reading text typed by hand; None if unreadable or empty."""
    if isinstance(value, str):
        parsed, _ = parse_value(value, kind)
        return parsed
    return value


@pytest.mark.parametrize("messy", [False, True])
def test_sample_timestamps_are_in_order_and_not_after_end(messy):
    data = generate(80, 1500, seed=9, messy=messy)
    limit = datetime.combine(END, time(18, 0))
    chain = ("received_at", "recorded_at", "responded_at", "resolved_at", "feedback_at", "closed_at", "survey_at")
    for rec in data.complaints:
        present = [t for t in (_when(rec[c], "datetime") for c in chain) if t is not None]
        assert present == sorted(present), rec["complaint_id"]
        for col in chain + ("settlement_told_at", "wait_started_at", "wait_ended_at"):
            t = _when(rec[col], "datetime")
            assert t is None or t <= limit
        received = _when(rec["received_at"], "datetime")
        wait_start, wait_end = _when(rec["wait_started_at"], "datetime"), _when(rec["wait_ended_at"], "datetime")
        if wait_end is not None:
            assert wait_start is not None and wait_start <= wait_end
        told = _when(rec["settlement_told_at"], "datetime")
        if told is not None and received is not None:
            assert received <= told
        status = rec["status"]
        if rec["closed_at"] is not None:
            assert status == "已关闭"
        elif rec["resolved_at"] is not None:
            assert status == "已解决"
        else:
            assert status in ("待处理", "处理中", "待客户回复")
        if status == "待客户回复":
            assert rec["wait_started_at"] is not None and rec["wait_ended_at"] is None
        if rec["satisfaction"] is not None and not isinstance(rec["satisfaction"], str):
            assert rec["survey_at"] is not None and 1 <= rec["satisfaction"] <= 5


def test_sample_data_looks_like_an_office(small_sample):
    complaints = small_sample.complaints
    assert {r["request_type"] for r in complaints} == {"投诉", "服务需求", "故障"}
    assert sum(r["status"] == "已关闭" for r in complaints) > len(complaints) * 0.8
    assert any(r["status"] != "已关闭" for r in complaints)
    scores = [r["satisfaction"] for r in complaints if isinstance(r["satisfaction"], int)]
    assert 3.9 < sum(scores) / len(scores) < 4.5
    assert all(r["complaint_id"].strip()[:2] == "TS" for r in complaints)
    names = [r["name"] for r in small_sample.customers]
    assert any("&" in n or "<" in n for n in names)


def test_messy_sample_contains_each_kind_of_mistake(small_sample):
    data = small_sample
    kinds = {m.kind for m in data.mess}
    assert kinds == {"unknown_customer", "stray_space", "duplicate_id", "date_as_text", "unreadable"}

    register_ids = [r["customer_id"] for r in data.customers]
    assert len(register_ids) - len(set(register_ids)) == 2
    known = {i.strip() for i in register_ids}
    unknown = [r for r in data.complaints if r["customer_id"].strip() not in known]
    assert len(unknown) == sum(m.kind == "unknown_customer" for m in data.mess) >= 1
    assert any(
        r["customer_id"] != r["customer_id"].strip() or r["complaint_id"] != r["complaint_id"].strip()
        for r in data.complaints
    )

    for m in data.mess:
        record = (data.customers if m.table == "customers" else data.complaints)[m.index]
        assert record[m.column] == m.value
        if m.kind == "date_as_text":
            kind = "datetime" if m.column in COMPLAINT_DATETIME_COLUMNS else "date"
            parsed, reason = parse_value(m.value, kind)
            assert reason is None and parsed is not None, m
        if m.kind == "unreadable":
            kind = {"satisfaction": "integer"}.get(m.column, "datetime")
            assert parse_value(m.value, kind)[1] is not None, m
    assert {m.value for m in data.mess if m.kind == "unreadable"} >= {"很好"}


def test_tidy_sample_has_no_mistakes():
    data = generate(100, 800, seed=2, messy=False)
    assert data.mess == []
    ids = [r["customer_id"] for r in data.customers]
    assert len(set(ids)) == len(ids)
    known = set(ids)
    for r in data.complaints:
        assert r["customer_id"] in known
        assert r["complaint_id"] == r["complaint_id"].strip()
        for col in COMPLAINT_DATETIME_COLUMNS:
            assert r[col] is None or isinstance(r[col], datetime)
        for col in COMPLAINT_DATE_COLUMNS:
            assert r[col] is None or type(r[col]) is date
        assert r["satisfaction"] is None or isinstance(r["satisfaction"], int)
    for r in data.customers:
        for col in CUSTOMER_DATE_COLUMNS:
            assert r[col] is None or type(r[col]) is date


# ---------------------------------------------------------------------------------- write_sample


def _as_read(value):
    """What calamine gives back for a value written to a cell."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    return value


@pytest.mark.parametrize("big", [False, True])
def test_written_sample_reads_back_with_the_same_values(tmp_path, small_sample, big):
    write_sample(tmp_path, small_sample, big=big)
    settings = load_settings(tmp_path)
    for path, schema, records in (
        (settings.register_path, settings.register, small_sample.customers),
        (settings.tracker_path, settings.tracker, small_sample.complaints),
    ):
        rows = read_sheet(path, schema.sheet)
        assert len(rows) == len(records) + 1
        names = [c.name for c in schema.columns]
        for rec, row in zip(records, rows[1:]):
            for name, value in rec.items():
                got = row[names.index(name)]
                want = _as_read(value)
                if isinstance(want, datetime) and type(got) is date:
                    got = datetime.combine(got, time())
                assert got == want, (rec[schema.key], name, value, got)
                if type(value) is date:
                    assert type(got) is date


def test_write_sample_refuses_a_workbook_with_data(tmp_path):
    init_folder(tmp_path)
    data = generate(10, 20, seed=1)
    write_sample(tmp_path, data)  # empty workbooks from init may be replaced
    with pytest.raises(ToolkitError, match="already holds data"):
        write_sample(tmp_path, data)
    write_sample(tmp_path, data, force=True)
