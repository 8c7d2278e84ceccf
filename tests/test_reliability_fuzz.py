"""Property tests (hypothesis): values of every type survive a write and a read; random cell XML and
damaged sheets never crash the readers.

- Every kind of value `update_cells` accepts - text with control characters, emoji and a leading
  =, +, -, @; whole numbers; floats; Decimals; dates; times; booleans; None - reads back equal
  through python-calamine (an independent reader), and through `read_table` in the columns of
  the tracker where the toolkit reads them.
- A mutated <c> element inside an otherwise valid sheet, random bytes as the sheet, or a sheet cut
  off anywhere: `peek`, `read_table`, `read_grid` and `update_cells` return values or raise
  WorkbookRefused / ToolkitError - nothing else.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hostile.build import SHEET1, TRACKER_HEADERS, edit_part, office
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from toolkit.errors import ToolkitError
from toolkit.model.records import read_table
from toolkit.settings import load_settings
from toolkit.xlsx import update_cells
from toolkit.xlsx.reader import peek, read_grid
from toolkit.xlsx.refs import make_ref

pytestmark = pytest.mark.slow  # hypothesis over hundreds of generated and damaged workbooks

SHEET = "投诉跟踪"
EXAMPLES = {
    "round trip (calamine)": 150,
    "round trip (read_table)": 80,
    "mutated <c> elements": 150,
    "damaged sheet XML": 80,
}
BASE = settings(
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


SCALE = int(os.environ.get("TOOLKIT_FUZZ_SCALE", "1"))  # e.g. 20 for a long hunt; 1 in the suite


def fuzz(name: str):
    return settings(BASE, max_examples=EXAMPLES[name] * SCALE)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return office(tmp_path_factory.mktemp("fuzz-office"))


def fresh(template: Path, where: Path) -> Path:
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(template, where)
    return where


# ---------------------------------------------------------------------- values

FORMULA_LIKE = st.sampled_from(["=", "+", "-", "@", "\t=", "\r=", "=cmd|' /C calc'!A0", "@SUM(", "-2+3", "+86"])
texts = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=30),
    st.builds(lambda a, b: a + b, FORMULA_LIKE, st.text(max_size=20)),
    st.text(
        st.sampled_from("\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\t\r\n _x000D_&<>\"'😀👨‍👩‍👧客户\u200b\ufeff"),
        min_size=1,
        max_size=20,
    ),
)
ints = st.integers(-(2**53) + 1, 2**53 - 1)
floats = st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda f: abs(f) < 1e300)
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**10), max_value=10**10)
dates = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31))
datetimes = st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)).map(
    lambda d: d.replace(microsecond=0)
)
values = st.one_of(texts, ints, floats, decimals, dates, datetimes, st.booleans(), st.none())


def same(got, want) -> bool:
    """python-calamine's value `got` is the value `want` the engine wrote."""
    if want is None:
        return got in ("", None)
    if isinstance(want, bool):
        return got is want
    if isinstance(want, (int, float)):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and float(got) == float(want)
    if isinstance(want, dt.datetime):
        if type(got) is dt.date:  # calamine gives a date for a whole day, whatever the format
            return want.time() == dt.time() and got == want.date()
        return isinstance(got, dt.datetime) and abs((got - want).total_seconds()) < 0.001
    if isinstance(want, dt.date):
        return got == want or (isinstance(got, dt.datetime) and got == dt.datetime(want.year, want.month, want.day))
    return got == want


refs = st.tuples(st.integers(2, 40), st.integers(1, 30)).map(lambda rc: make_ref(*rc))


@fuzz("round trip (calamine)")
@given(st.dictionaries(refs, values, min_size=1, max_size=8))
def test_every_value_reads_back_equal_through_calamine(template, tmp_path, updates):
    folder = fresh(template, tmp_path / "office")
    path = folder / "complaints.xlsx"
    update_cells(path, SHEET, updates, keep_backups=0)
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    for ref, v in updates.items():
        m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
        r = int(m.group(2)) - 1
        c = sum((ord(ch) - 64) * 26**k for k, ch in enumerate(reversed(m.group(1)))) - 1
        got = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
        assert same(got, float(v) if isinstance(v, Decimal) else v), (ref, v, got)


clean_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=40)
column_values = st.fixed_dictionaries(
    {
        "投诉内容": st.one_of(
            clean_text, st.builds(lambda a, b: a + b, FORMULA_LIKE.filter(lambda p: p[0] not in "\t\r"), clean_text)
        ),
        "满意度": st.one_of(st.integers(1, 5), st.integers(-(10**12), 10**12)),
        "受理时间": datetimes,
        "客户编号": st.from_regex(r"C[0-9]{4}", fullmatch=True),
    }
)


@fuzz("round trip (read_table)")
@given(st.lists(column_values, min_size=1, max_size=5))
def test_values_written_read_back_equal_through_read_table(template, tmp_path, rows):
    folder = fresh(template, tmp_path / "office")
    path = folder / "complaints.xlsx"
    updates = {}
    for k, row in enumerate(rows):
        for header, v in row.items():
            updates[make_ref(k + 2, TRACKER_HEADERS.index(header) + 1)] = v
    update_cells(path, SHEET, updates, keep_backups=0)
    s = load_settings(folder)
    table = read_table(path, s.tracker)
    n = len(rows)
    assert table.values("description")[:n] == [r["投诉内容"] for r in rows]
    # a score outside the satisfaction column's range (1-5) and a date after the calendar's reach (2100) are
    # reported on their cells and read as nothing; everything else reads back equal, without a word
    score_ok = [1 <= r["满意度"] <= 5 for r in rows]
    date_ok = [r["受理时间"] <= dt.datetime(2100, 12, 31, 23, 59, 59) for r in rows]
    assert table.values("satisfaction")[:n] == [r["满意度"] if ok else None for r, ok in zip(rows, score_ok)]
    assert table.values("received_at")[:n] == [r["受理时间"] if ok else None for r, ok in zip(rows, date_ok)]
    assert table.values("customer_id")[:n] == [r["客户编号"] for r in rows]
    reported = {(p.row, p.column) for p in table.problems if p.row <= n + 1}
    expected = {(k + 2, "满意度") for k, ok in enumerate(score_ok) if not ok}
    expected |= {(k + 2, "受理时间") for k, ok in enumerate(date_ok) if not ok}
    assert reported == expected


# ---------------------------------------------------------------------- random cell XML

attr_values = st.one_of(st.text(st.sampled_from("AZ019 -.e\"'<>&x"), max_size=8), st.integers(-5, 10**12).map(str))
cell_types = st.sampled_from(["", "s", "str", "inlineStr", "b", "e", "n", "d", "x", "S", ""])
bodies = st.one_of(
    st.just(""),
    st.text(max_size=20).map(lambda t: "<v>" + t.replace("<", "&lt;").replace("&", "&amp;") + "</v>"),
    st.sampled_from(
        [
            "<v>1e400</v>",
            "<v>-0</v>",
            "<v>nan</v>",
            "<v>2025-02-30T00:00:00</v>",
            "<v>99999999</v>",
            "<v>1</v>",
            "<v>-1</v>",
            "<v></v>",
            "<is><t>x</t></is>",
            "<is><r><t>a</t></r><r><t>b</t></r></is>",
            "<f>1+</f><v>3</v>",
            '<f t="shared" si="0" ref="A1:ZZ9"/>',
            '<f t="array" ref="Q">1</f>',
            "<v>&#0;</v>",
            "<v>_x0000_</v>",
            "<is><t>&amp;#x1b;</t></is>",
            "<v>\u2028</v>",
        ]
    ),
    st.binary(max_size=24).map(lambda b: b.decode("latin-1").replace("<", "").replace("&", "")),
)


@st.composite
def cells(draw):
    attrs = []
    if draw(st.booleans()):
        attrs.append(f'r="{draw(attr_values)}"')
    t = draw(cell_types)
    if t:
        attrs.append(f't="{t}"')
    if draw(st.booleans()):
        attrs.append(f's="{draw(st.integers(-1, 2**40))}"')
    body = draw(bodies)
    open_tag = "<c " + " ".join(attrs) if attrs else "<c"
    return (open_tag + "/>") if not body else f"{open_tag}>{body}</c>"


ALLOWED = (ToolkitError,)


def exercise(folder: Path) -> None:
    """Every reader and a write: values or a refusal in words, nothing else."""
    path = folder / "complaints.xlsx"
    s = load_settings(folder)
    for step in (
        lambda: peek(path, SHEET),
        lambda: read_table(path, s.tracker),
        lambda: read_grid(path, SHEET),
        lambda: update_cells(
            path, SHEET, {"Z2": "写入", "B3": dt.datetime(2026, 1, 2)}, keep_backups=0, on_formula="skip"
        ),
    ):
        try:
            step()
        except ALLOWED:
            pass


@fuzz("mutated <c> elements")
@given(st.lists(cells(), min_size=1, max_size=4), st.integers(0, 4))
@example(['<c r="ZAA1"><v>1</v></c>'], 0)  # beyond column XFD: once crashed peek() with a bare ValueError
def test_mutated_cells_never_crash_the_readers(template, tmp_path, new_cells, where):
    folder = fresh(template, tmp_path / "office")
    inserted = "".join(new_cells).encode("utf-8", "surrogatepass")

    def edit(xml: bytes) -> bytes:
        rows = [m.end() for m in re.finditer(rb"<row\b[^>]*>", xml)]
        at = rows[min(where, len(rows) - 1)]
        return xml[:at] + inserted + xml[at:]

    edit_part(folder / "complaints.xlsx", SHEET1, edit)
    exercise(folder)


@fuzz("damaged sheet XML")
@given(
    st.one_of(
        st.binary(max_size=200).map(lambda b: ("bytes", b)),
        st.floats(0, 1).map(lambda f: ("cut", f)),
        st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)).map(lambda t: ("splice", t)),
    )
)
def test_damaged_sheet_xml_never_crashes_the_readers(template, tmp_path, damage):
    folder = fresh(template, tmp_path / "office")
    kind, arg = damage

    def edit(xml: bytes) -> bytes:
        if kind == "bytes":
            return arg
        if kind == "cut":
            return xml[: int(len(xml) * arg)]
        at, junk = arg
        k = int(len(xml) * at)
        return xml[:k] + junk + xml[k:]

    edit_part(folder / "complaints.xlsx", SHEET1, edit)
    exercise(folder)


def test_fuzz_budget_is_recorded():
    """The numbers the README quotes: examples per property (hypothesis runs this many unless it
    runs out of distinct examples)."""
    assert sum(EXAMPLES.values()) >= 400
