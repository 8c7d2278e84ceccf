"""How the live adapter groups a sheet's changed cells into writes (toolkit/excel/blocks.py), and the
text rule that keeps text as text. Pure functions: the Excel side is in test_excel_macros.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from toolkit.excel.blocks import excel_value, merge_refs, needs_text_prefix, plan_blocks, rewritable
from toolkit.excel.live import _grid


def _region(rows: int, cols: int, fill=None):
    return [["" if fill is None else fill[0] for _ in range(cols)] for _ in range(rows)], [
        [None if fill is None else fill[1] for _ in range(cols)] for _ in range(rows)
    ]


def test_adjacent_clean_columns_are_one_rectangle():
    changes = {5: {2: "a", 9: "b"}, 6: {3: 1.5}, 7: {2: "c", 10: "d"}}
    formulas, values = _region(9, 3)  # rows 2..10, columns 5..7, all empty
    plan = plan_blocks(changes, 2, 5, formulas, values)
    assert [(b.top, b.left, b.bottom, b.right) for b in plan.blocks] == [(2, 5, 10, 7)]
    block = plan.blocks[0]
    assert block.values[0] == ["a", None, "c"] and block.values[1] == [None, 1.5, None]
    assert block.values[7] == ["b", None, None] and block.values[8] == [None, None, "d"]
    assert block.ref == "E2:G10" and block.cells == 27


def test_cells_that_cannot_be_put_back_split_a_column_and_formulas_are_left():
    changes = {3: {1: "x", 2: "y", 4: "z", 6: "w", 7: "v"}, 4: {1: 1, 7: 2}}
    formulas = [["", ""], ["", ""], ["3/5/2026", ""], ["", ""], ["=A1", "7"], ["", ""], ["#N/A", ""]]
    values = [
        [None, None],
        [None, None],
        [dt.datetime(2026, 3, 5), None],
        [None, None],
        [4.0, 7.0],
        [None, None],
        [None, None],
    ]
    plan = plan_blocks(changes, 1, 3, formulas, values)
    # column 4 is clean (an unchanged number is put back as it is); column 3 is split at the date in
    # row 3 and the formula in row 5; row 7 holds an error value typed in and is changed (overwritten)
    assert [(b.top, b.left, b.bottom, b.right) for b in plan.blocks] == [
        (1, 3, 2, 3),
        (4, 3, 4, 3),
        (6, 3, 7, 3),
        (1, 4, 7, 4),
    ]
    assert plan.blocks[-1].values[4] == [7.0]
    assert plan.formulas == set()
    changes[3][5] = "over the formula"
    plan = plan_blocks(changes, 1, 3, formulas, values)
    assert plan.formulas == {(5, 3)}
    assert not any(b.left == 3 and b.top <= 5 <= b.bottom for b in plan.blocks)


def test_text_entered_with_the_prefix_is_not_taken_for_a_formula():
    # a text "=x" typed with the prefix has Formula "=x" and Value "=x": a value to change, not a formula
    plan = plan_blocks({2: {1: "new"}}, 1, 2, [["=x"]], [["=x"]])
    assert plan.formulas == set() and plan.blocks[0].values == [["new"]]


@pytest.mark.parametrize(
    "formula, value, ok",
    [
        ("", None, True),
        ("12.5", 12.5, True),
        ("TRUE", True, True),
        ("逾期", "逾期", True),
        ("L2", "L2", False),
        ("2026-03-05", "2026-03-05", False),
        ("3/5/2026", dt.datetime(2026, 3, 5), False),
        ("=A1", 4.0, False),
        ("#N/A", None, False),
        ("'x", "'x", False),
    ],
)
def test_which_unchanged_cells_may_be_written_back(formula, value, ok):
    assert rewritable(formula, value) is ok


@pytest.mark.parametrize(
    "text",
    [
        "001",
        "5-Mar",
        "March 5",
        "#N/A",
        "=1",
        "+1",
        "-x",
        "@x",
        "'",
        "TRUE",
        " false ",
        "１２３",
        "２０２５年３月５日",
        "＝SUM(A1)",
        "L1",
        "第3次",
        "1,234",
        "12:30",
    ],
)
def test_text_excel_might_convert_gets_the_prefix(text):
    assert needs_text_prefix(text)
    assert excel_value(text) == "'" + text


@pytest.mark.parametrize("text", ["", "逾期", "按时完成", "A", "Mar", "说明：已处理", "TRUE story"])
def test_plain_text_is_written_as_it_is(text):
    assert excel_value(text) == text


def test_values_excel_holds_as_they_are():
    assert excel_value(Decimal("12.00")) == 12 and excel_value(Decimal("0.1")) == 0.1
    assert excel_value(dt.date(2026, 3, 5)) == dt.datetime(2026, 3, 5)
    assert excel_value(None) is None and excel_value(True) is True


def test_cells_are_listed_as_runs():
    cells = [(2, 3), (3, 3), (4, 3), (9, 3), (2, 4)]
    assert merge_refs(cells) == "C2:C4, C9, D2"
    assert merge_refs([(r, c) for r in range(2, 3002) for c in range(32, 57)]) == "AF2:BD3001"
    assert merge_refs([(r, 1) for r in range(1, 40, 2)], limit=3) == "A1, A3, A5, … (+17)"


def test_range_formula_in_every_shape_the_engines_give():
    assert _grid("=A1", 1, 1) == [["=A1"]]
    assert _grid((("a", "b"), ("c", "d")), 2, 2) == [["a", "b"], ["c", "d"]]  # COM
    assert _grid(["a", "b", "c"], 1, 3) == [["a", "b", "c"]]  # appscript: one row
    assert _grid(["a", "b", "c"], 3, 1) == [["a"], ["b"], ["c"]]  # appscript: one column
    with pytest.raises(ValueError):
        _grid((("a",),), 2, 1)
