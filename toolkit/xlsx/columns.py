"""New cells of whole columns (a job's first fill), encoded column by column and joined per row.

A first fill writes millions of cells, each new, each right of its row's last cell. Building their XML
cell by cell in Python costs more than everything else the job does, so each column's cells are made
at once (the XML after the row number is remembered per value: a column repeats the same states,
tiers and deadlines), and Arrow joins each row's new cells into one piece. Rows where that shortcut
does not hold (a target cell exists already, the row has its own format) go the ordinary way.

The cells are made a window of rows at a time (`ColumnBlocks.at`), as the writer reaches them, so
only a window's XML is ever held, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import repeat
from operator import is_not

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.xlsx.cells import EPOCH_1900_ORDINAL, CellEncoder

_NO_COLUMN = 1 << 30  # larger than any column number
WINDOW_ROWS = 4096  # the rows whose new cells are made at once


class ColumnBlocks:
    """An edit's column blocks (col, rows, values), in column order and each by row, whose new cells are
    made a window of rows at a time: `at(row)` is the window (ColumnCells) holding `row`.

    The blocks' lists are kept as given (not copied); a block whose rows are not in order is sorted.
    """

    def __init__(self, blocks: list[tuple[int, Sequence[int], Sequence]], encoder: CellEncoder, style_of):
        self._blocks: list[tuple[int, np.ndarray, Sequence]] = []
        arrays: dict[int, np.ndarray] = {}  # blocks of one job share their list of rows: one array for it
        for col, given_rows, values in sorted(blocks, key=lambda block: block[0]):  # a row's cells in column order
            key = id(given_rows)
            if key not in arrays:
                arrays[key] = np.asarray(given_rows, dtype=np.int32)  # (Excel's rows fit in 32 bits)
            rows = arrays[key]
            if len(rows) > 1 and bool(np.any(rows[1:] < rows[:-1])):
                order = np.argsort(rows, kind="stable")
                rows, values = rows[order], [values[i] for i in order.tolist()]
            self._blocks.append((col, rows, values))
        self.rows = _union([rows for _col, rows, _values in self._blocks])
        self._encoder, self._style_of = encoder, style_of
        self._window: ColumnCells | None = None
        self._window_rows = (0, 0)
        self._row_list: list[int] | None = None
        self._cursor = 0

    def at(self, row: int) -> ColumnCells:
        lo, hi = self._window_rows
        if self._window is None or not lo <= row < hi:
            lo, hi = row, row + WINDOW_ROWS
            parts = []
            for col, rows, values in self._blocks:
                i0, i1 = np.searchsorted(rows, (lo, hi)).tolist()
                parts.append((col, rows[i0:i1], values[i0:i1]))
            self._window = None  # (let the last window go before the next is made)
            self._window = ColumnCells(parts, self._encoder, self._style_of)
            self._window_rows = (lo, hi)
        return self._window

    def has_row(self, row: int) -> bool:
        """Whether a block sets a cell of `row` (asked for rows in ascending order: a cursor walks the rows)."""
        rows = self._row_list
        if rows is None:
            rows = self._row_list = self.rows.tolist()
        k = self._cursor
        if k > 0 and rows[k - 1] >= row:  # asked out of order: start over
            k = 0
        while k < len(rows) and rows[k] < row:
            k += 1
        self._cursor = k
        return k < len(rows) and rows[k] == row

    def targets(self, row: int) -> list[int]:
        """The columns the blocks set in `row` (whatever the value, None included)."""
        out = []
        for col, rows, _values in self._blocks:
            k = int(np.searchsorted(rows, row))
            if k < len(rows) and rows[k] == row:
                out.append(col)
        return out

    def bounds(self, left_alone: set[tuple[int, int]]) -> list[int] | None:
        """[first row, first col, last row, last col] of the cells written (a value that is not None),
        without the `left_alone` ones."""
        bounds: list[int] | None = None
        if left_alone:  # formula cells skipped (rare): the exact way, cell by cell
            for col, rows, values in self._blocks:
                for r, v in zip(rows.tolist(), values):
                    if v is not None and (r, col) not in left_alone:
                        bounds = (
                            [r, col, r, col]
                            if bounds is None
                            else [min(bounds[0], r), min(bounds[1], col), max(bounds[2], r), max(bounds[3], col)]
                        )
            return bounds
        for col, rows, values in self._blocks:
            if not len(rows):
                continue
            if None in values:
                written = rows[np.fromiter(map(is_not, values, repeat(None)), bool, len(values))]
                if not len(written):
                    continue
                first, last = int(written[0]), int(written[-1])
            else:
                first, last = int(rows[0]), int(rows[-1])
            bounds = (
                [first, col, last, col]
                if bounds is None
                else [min(bounds[0], first), min(bounds[1], col), max(bounds[2], last), max(bounds[3], col)]
            )
        return bounds

    def has_repeated_rows(self) -> bool:
        return any(len(rows) > 1 and bool(np.any(rows[1:] == rows[:-1])) for _col, rows, _values in self._blocks)


class ColumnCells:
    """The new cells of some column blocks, per row: `cells(i)` the XML of row `rows[i]`'s new cells."""

    def __init__(self, blocks: list[tuple[int, np.ndarray, Sequence]], encoder: CellEncoder, style_of):
        blocks = sorted(blocks, key=lambda block: block[0])  # a row's cells in column order
        row_arrays = [np.asarray(rows, dtype=np.int64) for _col, rows, _values in blocks]
        self.rows = _union(row_arrays)
        n = len(self.rows)
        self.index = dict(zip(self.rows.tolist(), range(n)))  # sheet row -> position in self.rows
        self.first_target = np.full(n, _NO_COLUMN, np.int64)  # leftmost target column (empty values too)
        self.lo = np.full(n, _NO_COLUMN, np.int64)  # leftmost and rightmost cell written
        self.hi = np.zeros(n, np.int64)
        self._blocks = blocks
        self._by_row: dict[int, dict[int, object]] | None = None
        parts = []
        for (col, rows, values), row_array in zip(blocks, row_arrays):
            at = np.searchsorted(self.rows, row_array)
            head, tails = _column_tails(encoder, col, values, style_of)
            cells = pc.binary_join_element_wise(
                _large(head), pa.array(row_array).cast(pa.large_string()), tails, _large("")
            )  # null where no cell
            written = at[np.asarray(cells.is_valid())]
            np.minimum.at(self.first_target, at, col)
            np.minimum.at(self.lo, written, col)
            np.maximum.at(self.hi, written, col)
            take = np.full(n, -1, np.int64)
            take[at] = np.arange(len(rows))
            parts.append(pc.take(cells, pa.array(take, mask=take < 0)))
        # (large strings: a first fill's rows can hold more than the 2 GB a plain string array can)
        joined = pc.binary_join_element_wise(*parts, _large(""), null_handling="replace", null_replacement="")
        _validity, offsets, data = joined.buffers()
        self._offsets = np.frombuffer(offsets, np.int64)[joined.offset : joined.offset + n + 1]
        self._data = memoryview(data) if data is not None else memoryview(b"")

    def __contains__(self, row: int) -> bool:
        return row in self.index

    def cells(self, i: int) -> memoryview:
        return self._data[self._offsets[i] : self._offsets[i + 1]]

    def updates(self, row: int) -> dict[int, object]:
        """{col: value} of one row's targets, for a row that goes the ordinary way (a new dict)."""
        if self._by_row is None:  # each cell of the window once, not each row times each column
            by_row: dict[int, dict[int, object]] = {}
            for col, rows, values in self._blocks:
                for r, v in zip(np.asarray(rows).tolist(), values):
                    cells = by_row.get(r)
                    if cells is None:
                        cells = by_row[r] = {}
                    cells[col] = v
            self._by_row = by_row
        return dict(self._by_row.get(row, {}))


def _union(row_arrays: list[np.ndarray]) -> np.ndarray:
    """The rows named by any block, ascending (marked in a flag per row: no sort of millions of rows)."""
    named = [a for a in row_arrays if len(a)]
    if not named:
        return np.zeros(0, np.int64)
    seen = np.zeros(max(int(a.max()) for a in named) + 1, bool)
    for a in named:
        seen[a] = True
    return np.flatnonzero(seen).astype(np.int64)


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _column_tails(encoder: CellEncoder, col: int, values: Sequence, style_of) -> tuple[str, pa.Array]:
    """(head, tails) of a column's new cells (see CellEncoder.column_tails), tails as an Arrow array.

    A column of datetimes (a deadline column: nearly every value different) has its serial numbers
    worked out all at once; the values that calls for no shortcut for go the general way.
    """
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds == {dt.datetime} and not encoder.date1904 and all(v is None or v.tzinfo is None for v in values):
        head, before, after = encoder.datetime_cell_parts(col, style_of)
        tails = pc.binary_join_element_wise(before, serial_texts(values), after, "")
        if tails.null_count > values.count(None):  # some go the general way
            quick = tails.to_pylist()
            _head, general = encoder.column_tails(
                col, [None if t is not None else v for v, t in zip(values, quick)], style_of
            )
            tails = pa.array([t if t is not None else g for t, g in zip(quick, general)], pa.large_string())
        return head, tails.cast(pa.large_string())
    head, tails = encoder.column_tails(col, values, style_of)
    return head, pa.array(tails, pa.large_string())


_US_PER_DAY = 86_400_000_000
_UNIX_EPOCH = dt.date(1970, 1, 1)
_EPOCH_OFFSET_US = (_UNIX_EPOCH.toordinal() - EPOCH_1900_ORDINAL) * _US_PER_DAY  # Excel's day 0 to 1970-01-01
_FAR_DAYS = 100_000  # serials from this day on (the year 2173) go the general way: see below


def serial_texts(values: Sequence) -> pa.Array:
    """The Excel serial number of each naive datetime as CellEncoder writes it, repr(round(serial, 8))
    without a trailing ".0" (e.g. "45797.39722222"); null for None and for the values this shortcut
    does not cover (fractions of a second, before 1 March 1900, after the year 2173).

    For whole seconds the serial is days + seconds/86400, and its 8 decimals are seconds * 125000/108
    rounded: exact integer arithmetic, never a tie (a tie needs 44 * seconds = 54 modulo 108). It equals
    rounding the floating-point serial while that is off by less than the distance to the nearest
    near-tie (1/108 of the last decimal), which holds up to day _FAR_DAYS.
    """
    stamps = pa.array(values, pa.timestamp("us"))
    us = stamps.fill_null(0).to_numpy(zero_copy_only=False).view(np.int64) + _EPOCH_OFFSET_US
    days, rest = np.divmod(us, _US_PER_DAY)
    seconds, micro = np.divmod(rest, 1_000_000)
    units, remainder = np.divmod(seconds * 125_000, 108)
    units += remainder > 54
    quick = (micro == 0) & (days >= 61) & (days < _FAR_DAYS) & np.asarray(stamps.is_valid())
    day_text = pa.array(days).cast(pa.string())
    fraction = pc.utf8_rtrim(pc.utf8_lpad(pa.array(units).cast(pa.string()), 8, "0"), "0")
    text = pc.if_else(pa.array(units == 0), day_text, pc.binary_join_element_wise(day_text, fraction, "."))
    return pc.if_else(pa.array(quick), text, pa.scalar(None, pa.string()))
