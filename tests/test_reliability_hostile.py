"""Hostile and messy workbooks: `toolkit check` and `toolkit run` on each case of the generated corpus
(tests/hostile/cases.py).

Every case must give:
- no traceback: exit code 0, 1 or 2, and no "Traceback" in what is printed;
- a clear report: the case's own assertions name the file, sheet, row and column it expects;
- no silently wrong value: the case asserts the parsed values, or the problem reported instead;
- no damaged file: each workbook is byte for byte unchanged, or readable by python-calamine with
  only the toolkit's own columns changed (every staff cell, on every sheet, as it was);
- no temporary file left behind.
"""

from __future__ import annotations

import csv
import shutil
import zipfile
from functools import cached_property
from pathlib import Path

import pytest
from hostile.cases import CASES
from python_calamine import CalamineWorkbook

import toolkit.jobs.run as run_module
from toolkit.cli import main
from toolkit.errors import ToolkitError
from toolkit.i18n import use_language
from toolkit.jobs.check import check_folder
from toolkit.model.records import read_table
from toolkit.settings import load_settings

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

AS_OF = ["--as-of", "2026-11-20 17:00"]


def grids(path: Path) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def cell(grid, r, c):
    return grid[r][c] if r < len(grid) and c < len(grid[r]) else ""


class Ctx:
    def __init__(self, folder: Path, orig: Path, capsys, monkeypatch):
        self.folder, self.orig = folder, orig
        self.files = sorted(p.name for p in folder.iterdir() if p.is_file())
        self.before = {f: (folder / f).read_bytes() for f in self.files}
        for f in self.files:
            shutil.copy(folder / f, orig / f)
        with use_language("en"):  # the cases match the messages' English wording
            try:
                self.settings = load_settings(folder)
            except ToolkitError:
                self.settings = None
            self.report = check_folder(folder, self.settings) if self.settings else None
            self.check_code = main(["check", str(folder)])
            self.check_out, self.check_err = capsys.readouterr()
            results = []
            real = run_module.run_jobs

            def spy(*a, **kw):
                results.append(real(*a, **kw))
                return results[-1]

            monkeypatch.setattr(run_module, "run_jobs", spy)
            self.run_code = main(["run", str(folder), *AS_OF])
            self.run_out, self.run_err = capsys.readouterr()
            monkeypatch.setattr(run_module, "run_jobs", real)
        self.result = results[0] if results and self.run_code != 2 else None

    # ------------------------------------------------------------------ reading
    def _table(self, where: Path, role: str):
        schema = self.settings.register if role == "register" else self.settings.tracker
        name = (self.settings.register_path if role == "register" else self.settings.tracker_path).name
        return read_table(where / name, schema)

    @cached_property
    def tracker_before(self):
        return self._table(self.orig, "tracker")

    @cached_property
    def register_before(self):
        return self._table(self.orig, "register")

    @property
    def tracker_after(self):
        return self._table(self.folder, "tracker")

    @property
    def register_after(self):
        return self._table(self.folder, "register")

    def grid_after(self, name: str) -> list[list]:
        table = self.tracker_after if name == self.settings.tracker_path.name else self.register_after
        return grids(self.folder / name)[table.sheet]

    def part_after(self, name: str, part: str) -> bytes:
        with zipfile.ZipFile(self.folder / name) as zf:
            return zf.read(part)

    def log_rows(self) -> list[list[str]]:
        rows = []
        for log in sorted((self.folder / "logs").glob("*.csv")):
            with open(log, encoding="utf-8-sig", newline="") as fh:
                rows += list(csv.reader(fh))[1:]
        return rows

    # ------------------------------------------------------------------ problems
    def problems(self, name: str):
        assert self.report is not None, "the settings could not be read"
        return [p for p in self.report.problems if Path(p.file).name == name]

    def problem(self, name: str, text: str):
        found = [p for p in self.problems(name) if text in p.reason]
        assert found, f"no problem with {text!r} reported for {name}: {self.problems(name)}"
        p = found[0]
        shown = f"{p.reason}" if p.row is None else str(p.row)
        assert name in self.check_out and shown.split(" (")[0][:40] in self.check_out, self.check_out
        return p

    @property
    def run_problems(self):
        return self.result.problems if self.result else []

    def run_problem(self, text: str):
        found = [p for p in self.run_problems if text in p.reason]
        assert found, f"no problem with {text!r} reported by the run: {self.run_problems}"
        return found[0]

    # ------------------------------------------------------------------ outcomes
    def assert_run_ok(self):
        assert self.run_code in (0, 1), (self.run_code, self.run_err)
        assert self.result is not None and self.result.written, "the run wrote nothing"

    def assert_run_refused(self, *words):
        assert self.run_code == 2, (self.run_code, self.run_out)
        for w in words:
            assert w in self.run_err, f"{w!r} not in {self.run_err!r}"
        assert len(self.run_err.strip().splitlines()) == 1
        for f in self.files:
            assert (self.folder / f).read_bytes() == self.before[f], f"{f} was changed by a refused run"


def assert_only_toolkit_columns_changed(ctx: Ctx, name: str) -> None:
    """Every cell of every sheet is as before, except toolkit columns of the table (and their new headers)."""
    s = ctx.settings
    role = "tracker" if name == s.tracker_path.name else "register"
    table = ctx.tracker_after if role == "tracker" else ctx.register_after
    schema = table.schema
    owned = {c for n, c in table.columns.items() if schema.column(n).owner == "toolkit"}
    old, new = grids(ctx.orig / name), grids(ctx.folder / name)
    assert set(old) == set(new)
    for sheet in old:
        g0, g1 = old[sheet], new[sheet]
        for r in range(max(len(g0), len(g1))):
            width = max(len(g0[r]) if r < len(g0) else 0, len(g1[r]) if r < len(g1) else 0)
            for c in range(width):
                a, b = cell(g0, r, c), cell(g1, r, c)
                if a == b:
                    continue
                where = f"{name} sheet {sheet!r} row {r + 1} column {c + 1}: {a!r} -> {b!r}"
                assert sheet == table.sheet and c + 1 in owned, "a staff cell changed: " + where
                assert r + 1 > table.header_row or a in ("", None), "a header was overwritten: " + where


SLOW_CASES = {"huge_used_range"}  # a used range of a million rows: most of a minute


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.slow) if c.name in SLOW_CASES else c for c in CASES],
    ids=[c.name for c in CASES],
)
def test_hostile_workbook(case, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "office"
    orig = tmp_path / "original"
    orig.mkdir()
    case.build(folder)
    ctx = Ctx(folder, orig, capsys, monkeypatch)
    printed = ctx.check_out + ctx.check_err + ctx.run_out + ctx.run_err
    assert ctx.check_code in (0, 1, 2) and ctx.run_code in (0, 1, 2)
    assert "Traceback" not in printed
    if ctx.check_code == 2:
        assert ctx.check_err.strip(), "exit 2 without a reason"
    if ctx.run_code == 2:
        assert ctx.run_err.startswith("toolkit: ") and len(ctx.run_err.strip().splitlines()) == 1
    for f in ctx.files:
        now = (folder / f).read_bytes()
        if now != ctx.before[f]:
            grids(folder / f)  # readable
            if ctx.settings and f in (ctx.settings.register_path.name, ctx.settings.tracker_path.name):
                assert_only_toolkit_columns_changed(ctx, f)
    assert not list(folder.glob(".~toolkit-*"))
    with use_language("en"):  # as the commands ran (Ctx)
        case.expect(ctx)


def test_the_corpus_has_at_least_40_cases():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
