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

AWKWARD = ["", " ", "a,b", 'say "hi"', "line\nbreak", "cr\rhere", "=SUM(A1)", "+1", "-2", "@x", "\tx", "已超时",
           "C00001", "trailing ", "é", "a\r\nb", ",", '"', None, 0, -3, 1.5, Decimal("12.50"), True,
           dt.date(2026, 11, 20), dt.datetime(2026, 11, 20, 17, 0), dt.datetime(2026, 11, 20, 17, 0, 0, 123456),
           dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc), dt.datetime(999, 1, 1)]


def _expected(changes, when, user) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    buf.write("\ufeff")
    w.writerow(COLUMNS)
    stamp = f"{when:%Y-%m-%d %H:%M:%S}"
    for ch in changes:
        w.writerow([stamp, user, ch.job, ch.workbook, ch.sheet, ch.ref, safe_csv_text(ch.key),
                    safe_csv_text(ch.header), safe_csv_text(ch.old), safe_csv_text(ch.new)])
    return buf.getvalue().encode("utf-8")


@pytest.mark.parametrize("user", ["staff01", "staff, one"])
def test_log_lines_match_csv_writer(tmp_path, monkeypatch, user):
    import toolkit.jobs.changelog as changelog

    monkeypatch.setattr(changelog, "current_user", lambda: user)
    rnd = random.Random(3)
    changes = [CellChange(rnd.choice(["flag", "sync"]), rnd.choice(["complaints.xlsx", "a,b.xlsx"]), "投诉跟踪",
                          rnd.randrange(2, 50_000), rnd.randrange(1, 80), "x", rnd.choice(AWKWARD[:20]),
                          rnd.choice(AWKWARD), rnd.choice(AWKWARD), rnd.choice(AWKWARD))
               for _ in range(45_000)]  # more than one encoded chunk
    when = dt.datetime(2026, 11, 20, 17, 0)
    path = append_changes(tmp_path, changes, when=when)
    assert path.read_bytes() == _expected(changes, when, user)


def test_safe_csv_text_of_datetimes():
    assert safe_csv_text(dt.datetime(2026, 11, 20, 17, 5)) == "2026-11-20 17:05:00"
    assert safe_csv_text(dt.datetime(2026, 11, 20, 17, 5, 7, 99)) == "2026-11-20 17:05:07"
    assert safe_csv_text(dt.datetime(2026, 11, 20, 17, 5, tzinfo=dt.timezone.utc)) == "2026-11-20 17:05:00"


def test_log_lines_with_fields_that_are_not_text(tmp_path):
    changes = [CellChange(None, "complaints.xlsx", "投诉跟踪", 5, 3, "x", None, None, None, 7),
               CellChange("flag", "complaints.xlsx", "投诉跟踪", 6, 3, "x", "h", "K", 1.5, None)]
    when = dt.datetime(2026, 11, 20, 17, 0)
    import toolkit.jobs.changelog as changelog

    path = append_changes(tmp_path, changes, when=when)
    assert path.read_bytes() == _expected(changes, when, changelog.current_user())
