"""Benchmark: `toolkit run` (tiers + flags + sync) on 100,000 customers / 300,000 complaints.

Side by side in the same run, on copies of the same workbooks:
  toolkit     the real job: read both workbooks, decide, write each once (in-place engine)
  (a) rezip   only unzipping and re-compressing both workbooks (the floor for any writer)
  (b) openpyxl the same job done the obvious way: openpyxl load both workbooks, the same rule
              decisions (timed inside the job), the same changed cells written, openpyxl save
Targets: toolkit at most 3x (a), at least 10x faster than (b). Peak memory of each is printed.

    .venv/bin/python bench/bench_run.py [--customers N --complaints N] [--skip-openpyxl]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from common import OUT, data_folder, measure

AS_OF = "2026-11-20 17:00"

TOOLKIT = """
import datetime as dt
from toolkit.jobs.run import run_jobs
r = run_jobs({folder!r}, as_of=dt.datetime(2026, 11, 20, 17, 0))
print("changes", len(r.changes))
"""

# The next day's run on the workbooks the first run filled: what the office runs every day.
TOOLKIT_DAILY = """
import datetime as dt
from toolkit.jobs.run import run_jobs
r = run_jobs({folder!r}, as_of=dt.datetime(2026, 11, 21, 9, 30))
print("changes", len(r.changes))
"""

REZIP = """
import zipfile
for name in ("customers.xlsx", "complaints.xlsx"):
    src = {folder!r} + "/" + name
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(src + ".rezip", "w", zipfile.ZIP_DEFLATED) as o:
        for info in z.infolist():
            o.writestr(info, z.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
"""

# The job the obvious way: the same decisions (dry run: reading + rules), then openpyxl load/modify/save.
OPENPYXL = """
import datetime as dt, time
import openpyxl
from toolkit.jobs.run import run_jobs
r = run_jobs({folder!r}, as_of=dt.datetime(2026, 11, 20, 17, 0), dry_run=True)
by_book = {{}}
for c in r.changes:
    by_book.setdefault(c.workbook, []).append(c)
for name in ("customers.xlsx", "complaints.xlsx"):
    path = {folder!r} + "/" + name
    wb = openpyxl.load_workbook(path)
    changes = by_book.get(name, [])
    for c in changes:
        ws = wb[c.sheet]
        if ws.cell(1, c.col).value is None:
            ws.cell(1, c.col, c.header)
        cell = ws.cell(c.row, c.col, c.new)
        if isinstance(c.new, dt.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(c.new, dt.date):
            cell.number_format = "yyyy-mm-dd"
    wb.save(path)
print("changes", len(r.changes))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--complaints", type=int, default=300_000)
    ap.add_argument("--skip-openpyxl", action="store_true", help="leave out (b), which takes many minutes")
    args = ap.parse_args()
    src = data_folder(args.customers, args.complaints)
    runs = {}

    def run(name: str, code: str, folder: Path, fresh: bool = True) -> None:
        if fresh:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for f in ("customers.xlsx", "complaints.xlsx"):
                shutil.copy(src / f, folder / f)
        runs[name] = measure(code.format(folder=str(folder)))
        print(f"   {name:<16} {runs[name]['seconds']:8.2f} s   peak {runs[name]['peak_mb']:7.0f} MB", flush=True)

    run("toolkit first", TOOLKIT, OUT / "run-toolkit")
    run("toolkit daily", TOOLKIT_DAILY, OUT / "run-toolkit", fresh=False)
    run("rezip", REZIP, OUT / "run-rezip")
    filled = OUT / "run-rezip-filled"
    shutil.rmtree(filled, ignore_errors=True)
    shutil.copytree(OUT / "run-toolkit", filled, ignore=shutil.ignore_patterns("logs", ".toolkit-backups"))
    runs["rezip filled"] = measure(REZIP.format(folder=str(filled)))
    print(f"   {'rezip filled':<16} {runs['rezip filled']['seconds']:8.2f} s   peak {runs['rezip filled']['peak_mb']:7.0f} MB")
    if not args.skip_openpyxl:
        run("openpyxl first", OPENPYXL, OUT / "run-openpyxl")
    first, daily = runs["toolkit first"], runs["toolkit daily"]
    print(f"== toolkit run on {args.customers:,} customers / {args.complaints:,} complaints")
    print(f"   first run (fills every toolkit column): {first['seconds'] / runs['rezip']['seconds']:.2f}x the rezip floor")
    print(f"   daily run (next day, filled workbooks): {daily['seconds'] / runs['rezip filled']['seconds']:.2f}x "
          "the rezip floor of those workbooks (target <= 3x)")
    if "openpyxl first" in runs:
        base = runs["openpyxl first"]
        print(f"   openpyxl / toolkit (first run): {base['seconds'] / first['seconds']:.1f}x faster (target >= 10x); "
              f"memory {first['peak_mb'] / base['peak_mb']:.2f}x openpyxl's peak")


if __name__ == "__main__":
    main()
