"""Benchmark: read the 300,000-row tracker into typed, validated columns.

Side by side in the same run: the toolkit's reader (typed values, every bad cell reported)
vs fastexcel loading the same sheet into Arrow. Target: at most 1.5x fastexcel's time.

    .venv/bin/python bench/bench_read.py
"""

from __future__ import annotations

import argparse

from common import data_folder, measure, report

OURS = """
from toolkit.settings import load_settings
from toolkit.model.records import read_table
s = load_settings({folder!r})
t = read_table({path!r}, s.tracker)
print("rows", len(t), "problems", len(t.problems))
"""

FASTEXCEL = """
import fastexcel
r = fastexcel.read_excel({path!r})
tb = r.load_sheet(0).to_arrow()
print("rows", tb.num_rows)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--complaints", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best time counts")
    args = ap.parse_args()
    folder = data_folder(args.customers, args.complaints)
    path = str(folder / "complaints.xlsx")
    ours = min(
        (measure(OURS.format(folder=str(folder), path=path)) for _ in range(args.repeat)), key=lambda m: m["seconds"]
    )
    base = min((measure(FASTEXCEL.format(path=path)) for _ in range(args.repeat)), key=lambda m: m["seconds"])
    print(report(f"read the {args.complaints:,}-row tracker (best of {args.repeat})", ours, base, "fastexcel"))


if __name__ == "__main__":
    main()
