"""The change log's fast line path writes exactly what csv.writer writes, for awkward values too."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal

import pytest

from toolkit.jobs.changelog import COLUMNS, append_changes, safe_csv_text
from toolkit.jobs.changes import CellChange

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

AWKWARD = [
    "",
    " ",
    "a,b",
    'say "hi"',
    "line\nbreak",
    "cr\rhere",
    "=SUM(A1)",
    "+1",
    "-2",
    "@x",
    "\tx",
    "已超时",
    "C00001",
    "trailing ",
    "é",
    "a\r\nb",
    ",",
    '"',
    None,
    0,
    -3,
    1.5,
    Decimal("12.50"),
    True,
    dt.date(2026, 11, 20),
    dt.datetime(2026, 11, 20, 17, 0),
    dt.datetime(2026, 11, 20, 17, 0, 0, 123456),
    dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC),
    dt.datetime(999, 1, 1),
]


def _expected(changes, when, user) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    buf.write("\ufeff")
    w.writerow(COLUMNS)
    stamp = f"{when:%Y-%m-%d %H:%M:%S}"
    for ch in changes:
        w.writerow(
            [
                stamp,
                user,
                ch.job,
                ch.workbook,
                ch.sheet,
                ch.ref,
                safe_csv_text(ch.key),
                safe_csv_text(ch.header),
                safe_csv_text(ch.old),
                safe_csv_text(ch.new),
            ]
        )
    return buf.getvalue().encode("utf-8")


@pytest.mark.parametrize("user", ["staff01", "staff, one"])
def test_log_lines_match_csv_writer(tmp_path, monkeypatch, user):
    import toolkit.jobs.changelog as changelog

    monkeypatch.setattr(changelog, "current_user", lambda: user)
    rnd = random.Random(3)
    changes = [
        CellChange(
            rnd.choice(["flag", "sync"]),
            rnd.choice(["complaints.xlsx", "a,b.xlsx"]),
            "投诉跟踪",
            rnd.randrange(2, 50_000),
            rnd.randrange(1, 80),
            "x",
            rnd.choice(AWKWARD[:20]),
            rnd.choice(AWKWARD),
            rnd.choice(AWKWARD),
            rnd.choice(AWKWARD),
        )
        for _ in range(45_000)
    ]  # more than one encoded chunk
    when = dt.datetime(2026, 11, 20, 17, 0)
    path = append_changes(tmp_path, changes, when=when)
    assert path.read_bytes() == _expected(changes, when, user)


def test_safe_csv_text_of_datetimes():
    assert safe_csv_text(dt.datetime(2026, 11, 20, 17, 5)) == "2026-11-20 17:05:00"
    assert safe_csv_text(dt.datetime(2026, 11, 20, 17, 5, 7, 99)) == "2026-11-20 17:05:07"
    assert safe_csv_text(dt.datetime(2026, 11, 20, 17, 5, tzinfo=dt.UTC)) == "2026-11-20 17:05:00"


def test_log_lines_with_fields_that_are_not_text(tmp_path):
    changes = [
        CellChange(None, "complaints.xlsx", "投诉跟踪", 5, 3, "x", None, None, None, 7),
        CellChange("flag", "complaints.xlsx", "投诉跟踪", 6, 3, "x", "h", "K", 1.5, None),
    ]
    when = dt.datetime(2026, 11, 20, 17, 0)
    import toolkit.jobs.changelog as changelog

    path = append_changes(tmp_path, changes, when=when)
    assert path.read_bytes() == _expected(changes, when, changelog.current_user())


@pytest.mark.parametrize("first_fill", [True, False])
def test_whole_columns_of_changes_log_like_csv_writer(tmp_path, monkeypatch, first_fill):
    """A job's changes come by column (a first fill: hundreds of thousands of lines per column, no old
    values); a few awkward values in a long column are quoted exactly as csv.writer quotes them."""
    import toolkit.jobs.changelog as changelog
    from toolkit.jobs.changes import ChangeList, ColumnChanges

    monkeypatch.setattr(changelog, "current_user", lambda: "staff01")
    rnd = random.Random(5)
    columns = []
    for col, (name, pool) in enumerate(
        [
            ("sla_state", ["按时完成", "已超时", "即将到期"]),
            ("resolve_due", [dt.datetime(2026, 11, 20, 18, 0), dt.datetime(2026, 11, 23, 12)]),
            ("hours_late", [Decimal("2.5"), 0, 1.5, -0.0]),
            ("customer_name", ["力新食品", "Smith, Jones & Co", 'the "best" shop', "=cmd", "a\r\nb", "é"]),
        ],
        start=30,
    ):
        n = 30_000
        rows = list(range(2, n + 2))
        news = [
            rnd.choice(pool) if rnd.random() < 0.999 or name != "customer_name" else rnd.choice(AWKWARD) for _ in rows
        ]
        olds = [None] * n if first_fill else [rnd.choice([None, "旧值", 3, "x,y"]) for _ in rows]
        keys = [f"TS2026-{r:06d}" if r % 1000 else rnd.choice(["=key", "k,1", None, 7]) for r in rows]
        columns.append(
            ColumnChanges("flag", "complaints.xlsx", "投诉跟踪", col, name, f"表头{col}", rows, keys, olds, news)
        )
    changes = ChangeList(columns)
    when = dt.datetime(2026, 11, 20, 17, 0)
    one_by_one = []  # columns written line by line through the csv writer (the slow way)
    column_lines = changelog._column_lines
    monkeypatch.setattr(
        changelog, "_column_lines", lambda column, *a: one_by_one.append(column.column) or column_lines(column, *a)
    )
    path = append_changes(tmp_path, changes, when=when)
    assert one_by_one == []  # whole columns at once, the few awkward lines quoted among them
    assert path.read_bytes() == _expected(list(changes), when, "staff01")
    # a second job appends to the same file, after the lines already there
    path = append_changes(tmp_path, ChangeList(columns[:1]), when=when)
    assert (
        path.read_bytes()
        == _expected(list(changes), when, "staff01")
        + _expected(list(ChangeList(columns[:1])), when, "staff01").split(b"\r\n", 1)[1]
    )
