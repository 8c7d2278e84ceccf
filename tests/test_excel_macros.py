"""The Excel buttons (toolkit.macros) and the xlwings adapter (toolkit/excel/live.py), without Excel.

Excel does not run on Linux, so the adapter is tested against a small in-memory stand-in for the
xlwings App/Book/Sheet/Range calls it makes - the only stand-in in this project. It models what
Excel does with those calls (numbers read back as floats, a leading ' keeps text as text, text that
looks like a number or a formula is converted, a 2-D assignment must match the range's shape), and
`test_the_stand_in_implements_exactly_the_calls_the_adapter_makes` reads live.py to list every xlwings
call and checks the stand-in implements exactly those (and real xlwings has them), so it cannot drift.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from toolkit import macros
from toolkit.excel import live
from toolkit.jobs.run import run_jobs
from toolkit.model.records import read_table
from toolkit.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "workbooks"
AS_OF = dt.datetime(2026, 11, 20, 17, 0)
LIVE_PY = REPO / "toolkit" / "excel" / "live.py"


# ------------------------------------------------------------------------------ the stand-in


def _a1(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


class Range:
    def __init__(self, sheet, r1, c1, r2, c2, ndim=None):
        self._sheet, self._box, self._ndim = sheet, (r1, c1, r2, c2), ndim

    @property
    def row(self):
        return self._box[0]

    @property
    def column(self):
        return self._box[1]

    def options(self, ndim=None):
        return Range(self._sheet, *self._box, ndim=ndim)

    def _cells(self):
        r1, c1, r2, c2 = self._box
        return [[(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    @property
    def value(self):
        def read(rc):
            v = self._sheet._values.get(rc)
            return float(v) if isinstance(v, int) and not isinstance(v, bool) else v  # Excel numbers are doubles

        grid = [[read(rc) for rc in row] for row in self._cells()]
        if self._ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid[0] if len(grid) == 1 else [row[0] for row in grid] if len(grid[0]) == 1 else grid

    @value.setter
    def value(self, data):
        cells = self._cells()
        if not isinstance(data, list):
            assert len(cells) == 1 and len(cells[0]) == 1, "a scalar written to a block"
            data = [[data]]
        assert [len(r) for r in data] == [len(r) for r in cells], f"shape {data!r} does not fit {self._box}"
        self._sheet._book._app._writes.append((self._sheet._name, *self._box))
        for row, values in zip(cells, data):
            for rc, v in zip(row, values):
                self._sheet._assign(rc, v)

    @property
    def formula(self):
        def text(rc):
            if rc in self._sheet._formulas:
                return self._sheet._formulas[rc]
            v = self._sheet._values.get(rc)
            return "" if v is None else str(v)

        grid = tuple(tuple(text(rc) for rc in row) for row in self._cells())
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid


class Sheet:
    def __init__(self, book, name, grid=()):
        self._book, self._name = book, name
        self._values: dict[tuple[int, int], object] = {}
        self._formulas: dict[tuple[int, int], str] = {}
        for r, row in enumerate(grid, start=1):
            for c, v in enumerate(row, start=1):
                if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                    v = dt.datetime(v.year, v.month, v.day)
                if v is not None and v != "":
                    self._values[(r, c)] = v

    @property
    def name(self):
        return self._name

    def _assign(self, rc, v):
        """What Excel does with a value assigned through Range.Value."""
        self._formulas.pop(rc, None)
        if v is None:
            self._values.pop(rc, None)
            return
        if isinstance(v, str):
            if v.startswith("'"):
                v = v[1:]  # the text prefix: stored as text, without the '
            elif v[:1] in ("=", "+", "-", "@") and len(v) > 1:
                self._formulas[rc] = v  # typed as a formula
                self._values[rc] = "#NAME?"
                return
            else:
                try:
                    v = float(v)  # text that looks like a number becomes one
                except ValueError:
                    pass
        elif not isinstance(v, (bool, int, float, dt.datetime)):
            raise TypeError(f"xlwings cannot write {type(v).__name__}")
        self._values[rc] = v

    @property
    def used_range(self):
        keys = set(self._values) | set(self._formulas)
        if not keys:
            return Range(self, 1, 1, 1, 1)
        return Range(
            self, min(r for r, _ in keys), min(c for _, c in keys), max(r for r, _ in keys), max(c for _, c in keys)
        )

    def range(self, cell1, cell2=None):
        r1, c1 = _a1(cell1) if isinstance(cell1, str) else cell1
        r2, c2 = (r1, c1) if cell2 is None else (_a1(cell2) if isinstance(cell2, str) else cell2)
        return Range(self, r1, c1, r2, c2)


class Sheets:
    def __init__(self, sheets):
        self._list = sheets

    def __iter__(self):
        return iter(self._list)


class Book:
    def __init__(self, app, fullname, sheets: dict[str, list] | None = None):
        self._app, self._fullname = app, str(fullname)
        self._saved = 0
        self._sheets = [Sheet(self, name, grid) for name, grid in (sheets or {}).items()]

    @property
    def fullname(self):
        return self._fullname

    @property
    def sheets(self):
        return Sheets(self._sheets)

    @property
    def app(self):
        return self._app

    def save(self):
        self._saved += 1

    def _sheet(self, name):
        return next(s for s in self._sheets if s.name == name)


class Books:
    def __init__(self, books):
        self._list = books

    def __iter__(self):
        return iter(self._list)


class App:
    def __init__(self):
        self._books: list[Book] = []
        self._alerts: list[tuple[str, str, str]] = []
        self._writes: list[tuple] = []

    @property
    def books(self):
        return Books(self._books)

    def alert(self, prompt, title=None, mode=None):
        self._alerts.append((prompt, title, mode))
        return "ok"

    def _open(self, path: Path) -> Book:
        wb = CalamineWorkbook.from_path(str(path))
        book = Book(self, path, {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names})
        self._books.append(book)
        return book


STAND_IN = {"App": App, "Books": Books, "Book": Book, "Sheets": Sheets, "Sheet": Sheet, "Range": Range}


# ------------------------------------------------------------------------------ fixtures


def _copy_samples(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("customers.xlsx", "complaints.xlsx", "office_days.xlsx"):
        shutil.copy(SAMPLES / name, folder / name)
    return folder


@pytest.fixture
def excel(tmp_path):
    """An Excel with the control panel and both sample workbooks open (all three in tmp_path/live)."""
    folder = _copy_samples(tmp_path / "live")
    app = App()
    panel = Book(app, folder / "control_panel.xlsm", {"控制面板": [[None]], "xlwings.conf": [[None]]})
    app._books.append(panel)
    app._open(folder / "customers.xlsx")
    app._open(folder / "complaints.xlsx")
    return app, panel, folder


def _grid(book: Book, sheet: str) -> dict:
    return {rc: v for rc, v in book._sheet(sheet)._values.items()}


def _file_grid(path: Path, sheet: str) -> dict:
    return {
        rc: v
        for rc, v in Sheet(
            None, sheet, CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        )._values.items()
    }


def _norm(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return round(float(v), 9)
    if isinstance(v, dt.datetime):
        return v.replace(microsecond=0)
    return v


def _change_tuples(changes):
    return [(c.job, c.workbook, c.sheet, c.row, c.col, c.column, c.key, _norm(c.old), _norm(c.new)) for c in changes]


# ------------------------------------------------------------------------------ the adapter's xlwings calls

# What each xlwings call returns, for following values through live.py (xlwings' own types).
_RETURNS = {
    ("App", "books"): "Books",
    ("Books", "__iter__"): "Book",
    ("Book", "sheets"): "Sheets",
    ("Book", "app"): "App",
    ("Sheets", "__iter__"): "Sheet",
    ("Sheets", "__getitem__"): "Sheet",
    ("Sheet", "used_range"): "Range",
    ("Sheet", "range"): "Range",
    ("Range", "options"): "Range",
    ("xw", "Book"): "BookClass",
    ("BookClass", "caller"): "Book",
}
_KINDS = {"App", "Book", "Sheet", "Range", "Books", "Sheets"}


def xlwings_calls(source: str) -> set[tuple[str, str]]:
    """(xlwings type, attribute) for every xlwings attribute, method or iteration in `source`.

    Values are followed from annotations (`book: xw.Book`, class attributes `sheet: xw.Sheet`),
    assignments and for loops; `import xlwings as xw` makes `xw` the module.
    """
    tree = ast.parse(source)
    found: set[tuple[str, str]] = set()

    def kind_of_annotation(node) -> str | None:
        text = ast.unparse(node) if node is not None else ""
        m = re.fullmatch(r"['\"]?(?:xw\.)(\w+)['\"]?(?:\s*\|\s*None)?", text)
        return m.group(1) if m and m.group(1) in _KINDS else None

    class Visitor(ast.NodeVisitor):
        def __init__(self):
            self.env: dict[str, str] = {}
            self.attrs: dict[str, str] = {}

        def kind(self, node) -> str | None:
            if isinstance(node, ast.Name):
                return self.env.get(node.id)
            if isinstance(node, ast.Attribute):
                if isinstance(node.value, ast.Name) and node.value.id == "self":
                    return self.attrs.get(node.attr)
                return _RETURNS.get((self.kind(node.value), node.attr))
            if isinstance(node, ast.Call):
                return self.kind(node.func)
            if isinstance(node, ast.Subscript):
                return _RETURNS.get((self.kind(node.value), "__getitem__"))
            return None

        def visit_ClassDef(self, node):
            for stmt in node.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    k = kind_of_annotation(stmt.annotation)
                    if k:
                        self.attrs[stmt.target.id] = k
            self.generic_visit(node)

        def visit_FunctionDef(self, node):
            saved = dict(self.env)
            for a in node.args.args + node.args.kwonlyargs:
                k = kind_of_annotation(a.annotation)
                if k:
                    self.env[a.arg] = k
            for stmt in node.body:  # annotations name xlwings types, they call nothing
                self.visit(stmt)
            self.env = saved

        def visit_AnnAssign(self, node):
            if node.value is not None:
                self.visit(node.value)

        def visit_Import(self, node):
            for alias in node.names:
                if alias.name == "xlwings":
                    self.env[alias.asname or "xlwings"] = "xw"

        def visit_Assign(self, node):
            self.visit(node.value)
            k = self.kind(node.value)
            for t in node.targets:
                self.visit(t)
                if isinstance(t, ast.Name) and k:
                    self.env[t.id] = k

        def visit_For(self, node):
            self.visit(node.iter)
            k = self.kind(node.iter)
            if k:
                found.add((k, "__iter__"))
                if isinstance(node.target, ast.Name):
                    self.env[node.target.id] = _RETURNS.get((k, "__iter__"))
            for stmt in node.body + node.orelse:
                self.visit(stmt)

        def visit_comprehension(self, node):
            assert self.kind(node.iter) is None, (
                "live.py: iterate xlwings collections with for loops (the analysis follows those)"
            )
            self.generic_visit(node)

        def visit_Attribute(self, node):
            k = self.kind(node.value)
            if k and k != "xw":
                found.add((k, node.attr))
            elif k == "xw":
                found.add(("xw", node.attr))
            self.generic_visit(node)

        def visit_Subscript(self, node):
            k = self.kind(node.value)
            if k:
                found.add((k, "__getitem__"))
            self.generic_visit(node)

    Visitor().visit(tree)
    return found


def _implemented(cls) -> set[str]:
    names = {n for n in vars(cls) if not n.startswith("_")}
    names |= {n for n in ("__iter__", "__getitem__", "__len__") if n in vars(cls)}
    return names


def test_the_stand_in_implements_exactly_the_calls_the_adapter_makes():
    import xlwings as xw

    calls = xlwings_calls(LIVE_PY.read_text(encoding="utf-8"))
    by_kind: dict[str, set[str]] = {}
    for kind, attr in calls:
        by_kind.setdefault(kind, set()).add(attr)
    # the list, spelled out: a new xlwings call in live.py must be added here and to the stand-in
    assert by_kind == {
        "xw": {"Book"},
        "BookClass": {"caller"},
        "App": {"books", "alert"},
        "Books": {"__iter__"},
        "Book": {"fullname", "sheets", "app", "save"},
        "Sheets": {"__iter__"},
        "Sheet": {"name", "used_range", "range"},
        "Range": {"options", "value", "formula", "row", "column"},
    }
    for kind, cls in STAND_IN.items():
        assert _implemented(cls) == by_kind.get(kind, set()), kind
    real = {
        "App": xw.App,
        "Books": xw.main.Books,
        "Book": xw.Book,
        "Sheets": xw.main.Sheets,
        "Sheet": xw.Sheet,
        "Range": xw.Range,
        "BookClass": xw.Book,
    }
    for kind, attrs in by_kind.items():
        if kind in real:
            for attr in attrs:
                assert hasattr(real[kind], attr), f"xlwings {kind} has no {attr}"


def test_macros_make_no_xlwings_call_of_their_own():
    source = (REPO / "toolkit" / "macros.py").read_text(encoding="utf-8")
    assert "xlwings" not in source.replace("xlwings' RunPython", "")
    assert not re.search(r"\bbook\.(?!app\b)\w+", source)  # only book.app, handed to toolkit.excel.live


def test_the_analysis_sees_every_call_the_adapter_makes_at_run_time(excel):
    """Every attribute the adapter really touches during a run is one the static list names."""
    app, panel, folder = excel
    touched: set[tuple[str, str]] = set()
    originals = {}
    for kind, cls in STAND_IN.items():

        def spy(self, name, _kind=kind, _get=object.__getattribute__):
            if not name.startswith("_"):
                touched.add((_kind, name))
            return _get(self, name)

        originals[cls] = cls.__getattribute__
        cls.__getattribute__ = spy
    try:
        macros.run_all(panel, as_of=AS_OF)
    finally:
        for cls, orig in originals.items():
            cls.__getattribute__ = orig
    static = xlwings_calls(LIVE_PY.read_text(encoding="utf-8"))
    assert touched and touched <= static, touched - static


# ------------------------------------------------------------------------------ reading and writing


def test_the_adapter_reads_what_the_file_engine_reads(excel):
    app, panel, folder = excel
    s = load_settings(folder)
    for path, schema in ((s.register_path, s.register), (s.tracker_path, s.tracker)):
        book = live.find_open(app, path)
        via_excel = live.LiveWorkbook(book, path).read(schema)
        via_file = read_table(path, schema)
        assert via_excel.rows == via_file.rows and via_excel.columns == via_file.columns
        assert via_excel.header_row == via_file.header_row
        for c in schema.columns:
            assert [_norm(v) for v in via_excel.values(c.name)] == [_norm(v) for v in via_file.values(c.name)], c.name
        assert [(p.row, p.column, p.reason) for p in via_excel.problems] == [
            (p.row, p.column, p.reason) for p in via_file.problems
        ]


def test_buttons_on_open_workbooks_change_what_the_command_line_changes(excel, tmp_path):
    app, panel, folder = excel
    cli_folder = _copy_samples(tmp_path / "cli")
    out = macros.run_all(panel, as_of=AS_OF)
    assert out.ok, out.lines
    expected = run_jobs(cli_folder, ("sync", "flag", "tiers"), as_of=AS_OF)
    assert len(expected.changes) > 1000
    assert _change_tuples(out.result.changes) == _change_tuples(expected.changes)
    s = load_settings(cli_folder)
    for name, schema in (("customers.xlsx", s.register), ("complaints.xlsx", s.tracker)):
        book = live.find_open(app, folder / name)
        sheet = schema.sheet
        got = {rc: _norm(v) for rc, v in _grid(book, sheet).items()}
        want = {rc: _norm(v) for rc, v in _file_grid(cli_folder / name, sheet).items()}
        assert got == want, name
        assert book._saved == 1
    # the files were not touched by the file engine: Excel saves them (here: the stand-in's save())
    assert _file_grid(folder / "customers.xlsx", s.register.sheet) == _file_grid(
        SAMPLES / "customers.xlsx", s.register.sheet
    )
    # the same change log lines, and the versions on disk kept as backups before saving
    log_live = sorted((folder / "logs").glob("changes-*.csv"))
    log_cli = sorted((cli_folder / "logs").glob("changes-*.csv"))
    assert [p.name for p in log_live] == [p.name for p in log_cli]
    assert len(list((folder / ".toolkit-backups").glob("*.xlsx"))) == 2
    # a second click changes nothing
    again = macros.run_all(panel, as_of=AS_OF)
    assert again.ok and again.result.changes == []


def test_writes_are_column_blocks_never_cell_by_cell(excel):
    app, panel, folder = excel
    out = macros.flag(panel, as_of=AS_OF)
    changes = out.result.changes
    data_writes = [w for w in app._writes if w[0] != "控制面板"]
    assert len(data_writes) < len(changes) / 5
    by_col: dict[tuple, list[tuple[int, int]]] = {}
    for sheet, r1, c1, r2, c2 in data_writes:
        if r1 == r2 and c1 != c2:
            continue  # the header row
        assert c1 == c2
        by_col.setdefault((sheet, c1), []).append((r1, r2))
    for spans in by_col.values():  # no two writes that could have been one
        spans.sort()
        for (_, a2), (b1, _) in zip(spans, spans[1:]):
            assert b1 > a2 + 1
    panel_writes = [w for w in app._writes if w[0] == "控制面板"]
    assert len(panel_writes) == 1 and len(app._alerts) == 1


def test_unsaved_edits_in_excel_are_what_the_job_sees(excel):
    app, panel, folder = excel
    s = load_settings(folder)
    register = live.find_open(app, s.register_path)
    reg = read_table(s.register_path, s.register)
    trk = read_table(s.tracker_path, s.tracker)
    ids = trk.values("customer_id")
    cid = next(c for c in ids if c and ids.count(c) > 1 and reg.values("customer_id").count(c) == 1)
    row = reg.rows[reg.values("customer_id").index(cid)]
    sheet = register._sheet(s.register.sheet)
    sheet._assign((row, reg.columns["name"]), "未保存的新名称有限公司")  # typed in Excel, not saved
    out = macros.sync(panel, as_of=AS_OF)
    assert out.ok
    tracker = live.find_open(app, s.tracker_path)._sheet(s.tracker.sheet)
    names = {tracker._values.get((r, trk.columns["customer_name"])) for r, c in zip(trk.rows, ids) if c == cid}
    assert names == {"未保存的新名称有限公司"}
    assert any(ch.new == "未保存的新名称有限公司" for ch in out.result.changes)


def test_text_is_written_as_text():
    app = App()
    book = Book(app, "/x/a.xlsx", {"S": [["h"]]})
    values = ["=SUM(A1)", "-", "- 说明", "001", "2025-03-05", "TRUE", "'quoted", "普通文字", "C00001", "+86 138"]
    live.write_block(book, "S", "A2", [[v] for v in values])
    sheet = book._sheet("S")
    assert [sheet._values.get((r, 1)) for r in range(2, 2 + len(values))] == values
    assert not sheet._formulas


def test_a_formula_in_a_toolkit_column_is_left_and_reported(excel):
    app, panel, folder = excel
    s = load_settings(folder)
    trk = read_table(s.tracker_path, s.tracker)
    tracker = live.find_open(app, s.tracker_path)._sheet(s.tracker.sheet)
    col = trk.columns["customer_name"]
    r = trk.rows[0]
    tracker._formulas[(r, col)] = '="x"'
    tracker._values[(r, col)] = "x"
    out = macros.sync(panel, as_of=AS_OF)
    assert tracker._formulas.get((r, col)) == '="x"'
    assert any("holds a formula" in p.reason and p.row == r for p in out.problems)
    assert not any(c.row == r and c.col == col for c in out.result.changes)


# ------------------------------------------------------------------------------ what the user is told


def test_the_user_gets_a_message_box_and_the_panel_shows_the_run(excel):
    app, panel, folder = excel
    out = macros.sync(panel, as_of=AS_OF)
    prompt, title, mode = app._alerts[-1]
    assert mode == "info" and "同步客户信息" in title
    assert "customers.xlsx" in prompt and "complaints.xlsx" in prompt and "已保存" in prompt
    status = panel._sheet("控制面板")
    r, c = _a1("A14")
    assert status._values[(r, c + 1)] == out.title
    assert str(status._values[(r + 3, c + 1)]).startswith("完成")


def _alert_text(app) -> str:
    assert len(app._alerts) == 1
    return app._alerts[0][0]


def test_an_expected_error_is_a_message_not_a_traceback(excel):
    app, panel, folder = excel
    (folder / "toolkit.toml").write_text("[files]\nbackups_kept = -3\n", encoding="utf-8")
    out = macros.run_all(panel, as_of=AS_OF)
    text = _alert_text(app)
    assert not out.ok and app._alerts[0][2] == "critical"
    assert "backups_kept" in text and "toolkit.toml" in text
    assert "Traceback" not in text and 'File "' not in text
    assert str(panel._sheet("控制面板")._values[(17, 2)]).startswith("未完成")


def test_a_workbook_open_elsewhere_is_a_message(tmp_path):
    folder = _copy_samples(tmp_path / "office")
    (folder / "~$complaints.xlsx").write_bytes(b"someone")
    app = App()
    panel = Book(app, folder / "control_panel.xlsm", {"控制面板": [[None]]})
    app._books.append(panel)
    out = macros.flag(panel, as_of=AS_OF)
    text = _alert_text(app)
    assert not out.ok and "complaints.xlsx" in text and "open in Excel" in text and "Traceback" not in text


def test_an_unexpected_error_is_one_line_and_a_log_file(excel, monkeypatch):
    app, panel, folder = excel

    def broken(*args, **kwargs):
        raise RuntimeError("something nobody expected\nsecond line")

    monkeypatch.setattr("toolkit.macros.run_jobs_with", broken)
    out = macros.tiers(panel, as_of=AS_OF)
    text = _alert_text(app)
    assert not out.ok and "something nobody expected" in text and "second line" not in text
    assert "Traceback" not in text
    log = folder / macros.ERROR_LOG
    assert "Traceback" in log.read_text(encoding="utf-8") and str(log) in text


def test_the_folder_typed_on_the_panel_is_used(tmp_path):
    _copy_samples(tmp_path / "data")
    (tmp_path / "elsewhere").mkdir()
    app = App()
    panel = Book(app, tmp_path / "elsewhere" / "control_panel.xlsm", {"控制面板": [[None], [None], [None, "../data"]]})
    app._books.append(panel)
    out = macros.tiers(panel, as_of=AS_OF)
    assert out.ok, out.lines
    assert out.result.written  # files written by the file engine: nothing is open in Excel
    web = Book(app, "https://contoso.sharepoint.com/sites/x/control_panel.xlsm", {"控制面板": [[None]]})
    out = macros.tiers(web, as_of=AS_OF)
    assert not out.ok and "OneDrive/SharePoint" in app._alerts[-1][0]


def test_notices_refuse_while_the_tracker_is_open_in_excel(excel):
    app, panel, folder = excel
    out = macros.notices(panel, as_of=AS_OF)
    text = _alert_text(app)
    assert not out.ok and "save and close" in text and "complaints.xlsx" in text
    assert not (folder / "notices").exists()


def test_notices_run_when_the_workbooks_are_closed(tmp_path):
    folder = _copy_samples(tmp_path / "office")
    app = App()
    panel = Book(app, folder / "control_panel.xlsm", {"控制面板": [[None]]})
    app._books.append(panel)
    out = macros.notices(panel, as_of=AS_OF)
    assert out.ok, out.lines
    assert out.result.made and all(p.exists() for p in out.files)


def test_summary_button(tmp_path):
    pytest.importorskip("toolkit.jobs.summary", reason="toolkit.jobs.summary is not written yet")
    folder = _copy_samples(tmp_path / "office")
    app = App()
    panel = Book(app, folder / "control_panel.xlsm", {"控制面板": [[None]]})
    app._books.append(panel)
    out = macros.summary(panel, as_of=AS_OF)
    assert out.ok, out.lines
    assert out.files and all(Path(p).exists() for p in out.files)
