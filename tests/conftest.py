"""Shared fixtures and helpers for the workbook-engine tests.

- The third-party corpus lives beside the repository in ``../shared/corpus`` and is read in
  place (never copied into the repository). Tests that need it skip with a clear message
  when it is absent. A test asking for the ``corpus_xlsx_file`` argument is run once per
  corpus workbook.
- ``soffice_convert`` (also as the ``soffice`` fixture) and ``soffice_run`` run headless
  LibreOffice with a private profile and a timeout; tests marked ``libreoffice`` (or using the
  fixture) are skipped when ``soffice`` is not installed.
- ``write_corpus_sample`` (also as the ``corpus_writer`` fixture) is the corpus write that
  test_engine_corpus.py and test_engine_libreoffice.py both check.
- ``read_values`` reads every sheet with python-calamine, an independent reader.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
CORPUS_XLSX_DIR = CORPUS / "xlsx"
corpus_xlsx: list[Path] = (
    sorted(p for p in CORPUS_XLSX_DIR.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm"))
    if CORPUS_XLSX_DIR.is_dir()
    else []
)
NO_CORPUS = f"the third-party corpus is not available (expected the folder {CORPUS_XLSX_DIR})"

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NO_SOFFICE = "headless LibreOffice (soffice) is not installed"
SOFFICE_TIMEOUT = 240  # seconds for one conversion call (which may cover many files)


def pytest_configure(config):
    config.addinivalue_line("markers", "libreoffice: needs headless LibreOffice")
    config.addinivalue_line("markers", "corpus: needs ../shared/corpus")
    config.addinivalue_line(
        "markers", 'slow: takes many seconds (LibreOffice, crash and fuzz suites); `-m "not slow"` leaves them out'
    )
    config.addinivalue_line(
        "markers", "corpus_filter(predicate): run a corpus test only for the workbooks the predicate accepts"
    )


def pytest_generate_tests(metafunc):
    """Run tests that take `corpus_xlsx_file` once per corpus workbook (skipped without a corpus).

    `@pytest.mark.corpus_filter(lambda path: ...)` limits a test (or module) to some workbooks.
    """
    if "corpus_xlsx_file" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("corpus_filter")
        files = [p for p in corpus_xlsx if only is None or only.args[0](p)]
        if files:
            params = [pytest.param(p, id=p.name) for p in files]
        else:
            params = [pytest.param(None, id="no-corpus", marks=pytest.mark.skip(reason=NO_CORPUS))]
        metafunc.parametrize("corpus_xlsx_file", params)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("libreoffice") and SOFFICE is None:
            item.add_marker(pytest.mark.skip(reason=NO_SOFFICE))
        if item.get_closest_marker("corpus") and not corpus_xlsx:
            item.add_marker(pytest.mark.skip(reason=NO_CORPUS))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not corpus_xlsx:
        pytest.skip(NO_CORPUS)
    return CORPUS_XLSX_DIR


# ---------------------------------------------------------------------- LibreOffice

_profile_dir: str | None = None


def soffice_run(
    sources, fmt: str, outdir, timeout: float = SOFFICE_TIMEOUT, profile: str = "main"
) -> subprocess.CompletedProcess:
    """Run one headless LibreOffice conversion of `sources` into `outdir`; returns the finished process.

    A private user profile (created once per test session, under /tmp) keeps the run independent
    of any desktop LibreOffice and of other test runs; runs at the same time need different
    `profile` names (LibreOffice hands a second run on one profile to the first). The C locale
    pins how numbers and dates are printed (LibreOffice treats it as en-US). Raises
    subprocess.TimeoutExpired when LibreOffice does not finish within `timeout` seconds (the
    process is killed).
    """
    global _profile_dir
    if SOFFICE is None:
        pytest.skip(NO_SOFFICE)
    if _profile_dir is None:
        _profile_dir = tempfile.mkdtemp(prefix="toolkit-tests-lo-profile-")
    home = Path(_profile_dir) / profile
    home.mkdir(exist_ok=True)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [
        SOFFICE,
        f"-env:UserInstallation={home.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        *map(str, sources),
    ]
    return subprocess.run(
        cmd,
        capture_output=True,
        timeout=timeout,
        text=True,
        errors="replace",
        env={**os.environ, "HOME": str(home), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        stdin=subprocess.DEVNULL,
    )


def soffice_convert(src, fmt: str, outdir, timeout: float = SOFFICE_TIMEOUT) -> list[Path]:
    """Convert one file or a list of files with headless LibreOffice; returns the files in outdir.

    `fmt` is the --convert-to argument, e.g. "xlsx" or 'csv:Text - txt - csv (StarCalc):44,34,76,...'.
    Fails the test when LibreOffice crashes, reports an error or exceeds the timeout.
    """
    sources = [Path(src)] if isinstance(src, (str, os.PathLike)) else [Path(s) for s in src]
    try:
        proc = soffice_run(sources, fmt, outdir, timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"LibreOffice did not finish converting {len(sources)} file(s) within {timeout}s")
    if proc.returncode != 0:
        pytest.fail(f"LibreOffice failed (exit status {proc.returncode}): {(proc.stderr or proc.stdout)[-2000:]}")
    return sorted(Path(outdir).iterdir())


@pytest.fixture(scope="session")
def soffice():
    """The soffice_convert helper, skipping the test when LibreOffice is missing."""
    if SOFFICE is None:
        pytest.skip(NO_SOFFICE)
    global _profile_dir
    yield soffice_convert
    if _profile_dir is not None:
        shutil.rmtree(_profile_dir, ignore_errors=True)
        _profile_dir = None


# ---------------------------------------------------------------------- independent reading


def _calamine_readable_copy(path: Path, tmpdir: Path) -> Path:
    """A copy without <sheet> entries whose relationship id is empty or dangling.

    Excel keeps such entries for old macro sheets (cx_LO_tdf111974.xlsm has two); calamine
    refuses the whole workbook because of them. Only the reading copy is changed.
    """
    with zipfile.ZipFile(path) as zin:
        wb_xml = zin.read("xl/workbook.xml")
        rels = zin.read("xl/_rels/workbook.xml.rels")
        ids = set(re.findall(rb'\bId="([^"]*)"', rels))

        def keep(m):
            rid = re.search(rb'\br:id="([^"]*)"', m.group(0))
            return m.group(0) if rid and rid.group(1) in ids else b""

        fixed = re.sub(rb"<sheet\b[^>]*/>", keep, wb_xml)
        target = tmpdir / path.name
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info.filename, fixed if info.filename == "xl/workbook.xml" else zin.read(info))
    return target


def read_values(path: Path) -> dict[str, dict[tuple[int, int], object]]:
    """Every non-empty cell of every worksheet, read with python-calamine: {sheet: {(row, col): value}}.

    Rows and columns are 1-based sheet coordinates.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            wb = CalamineWorkbook.from_path(str(path))
        except Exception as exc:
            if "Relationship not found" not in str(exc):
                raise
            wb = CalamineWorkbook.from_path(str(_calamine_readable_copy(path, Path(tmp))))
        out = {}
        for meta in wb.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            cells = {}
            for r, row in enumerate(rows, 1):
                for c, v in enumerate(row, 1):
                    if v != "" and v is not None:
                        cells[(r, c)] = v
            out[meta.name] = cells
        return out


def raw_member(path: Path, info: zipfile.ZipInfo) -> bytes:
    """A zip member's compressed bytes exactly as stored in the file."""
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        assert header[:4] == b"PK\x03\x04", f"{info.filename}: no local file header"
        name_len = int.from_bytes(header[26:28], "little")
        extra_len = int.from_bytes(header[28:30], "little")
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        return fh.read(info.compress_size)


# ---------------------------------------------------------------------- the corpus write used by several tests

SS_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_A1_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


@functools.lru_cache(maxsize=65536)
def split_ref(ref: str) -> tuple[int, int]:
    """'D7' -> (7, 4)."""
    m = _A1_RE.fullmatch(ref)
    n = 0
    for ch in m.group(1).upper():
        n = n * 26 + ord(ch) - 64
    return int(m.group(2)), n


def a1(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _resolve(base_part: str, target: str) -> str:
    import posixpath

    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def worksheet_parts(path: Path) -> list[tuple[str, str, str]]:
    """(sheet name, part name, state) of every worksheet, in workbook order, read with lxml."""
    import posixpath

    from lxml import etree

    with zipfile.ZipFile(path) as zf:
        root_rels = etree.fromstring(zf.read("_rels/.rels"))
        wb_part = next(
            _resolve("", r.get("Target")) for r in root_rels if r.get("Type", "").endswith("/officeDocument")
        )
        wb = etree.fromstring(zf.read(wb_part))
        d, f = posixpath.split(wb_part)
        rels = {r.get("Id"): r for r in etree.fromstring(zf.read(posixpath.join(d, "_rels", f + ".rels")))}
        out = []
        for el in wb.iter():
            if _local(el.tag) != "sheet":
                continue
            rel = rels.get(el.get(f"{{{REL_NS}}}id"))
            if rel is None or not rel.get("Type", "").endswith("/worksheet"):
                continue
            out.append((el.get("name"), _resolve(wb_part, rel.get("Target")), el.get("state", "visible")))
        return out


def _ns(root) -> str:
    return root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""


def sheet_cells(xml: bytes) -> dict[tuple[int, int], object]:
    """{(row, col): <c> element} of a worksheet part, numbering rows/cells that have no r attribute."""
    from lxml import etree

    root = etree.fromstring(xml)
    ns = _ns(root)
    cells = {}
    r = 0
    for row in root.iter(ns + "row"):
        r = int(row.get("r")) if row.get("r") else r + 1
        c = 0
        for cell in row.iterchildren(ns + "c"):
            ref = cell.get("r")
            c = split_ref(ref)[1] if ref else c + 1
            cells[(r, c)] = cell
    return cells


def sheet_rows(xml: bytes) -> list[int]:
    """The row numbers of all <row> elements of a worksheet part."""
    from lxml import etree

    root = etree.fromstring(xml)
    out, r = [], 0
    for row in root.iter(_ns(root) + "row"):
        r = int(row.get("r")) if row.get("r") else r + 1
        out.append(r)
    return out


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """(last row, last column) touched by any row, cell, merged range or the dimension of a sheet."""
    from lxml import etree

    root = etree.fromstring(xml)
    ns = _ns(root)
    last_row = last_col = 0
    r = 0
    for el in root.iter(ns + "row", ns + "mergeCell", ns + "dimension"):
        name = _local(el.tag)
        if name == "row":  # an empty <row> (some writers add row 1048576 for its height) does not count
            r = int(el.get("r")) if el.get("r") else r + 1
            if len(el):
                last_row = max(last_row, r)
        elif el.get("ref"):
            for part in el.get("ref").split(":"):
                if re.fullmatch(r"\$?[A-Za-z]{1,3}\$?\d+", part):
                    pr, pc = split_ref(part)
                    last_row, last_col = max(last_row, pr), max(last_col, pc)
    for cr, cc in sheet_cells(xml):
        last_row, last_col = max(last_row, cr), max(last_col, cc)
    return last_row, last_col


class CorpusWrite:
    """One corpus workbook copied to `path` and written by the engine (see `write_corpus_sample`)."""

    def __init__(self, original: Path, path: Path, sheet: str, part: str, targets: dict, new_row: int, report):
        self.original, self.path, self.sheet, self.part = original, path, sheet, part
        self.targets = targets  # {(row, col): value written}
        self.new_row = new_row  # the row that did not exist before
        self.report = report


def corpus_sample_values(first_row: int, col: int, new_row: int) -> dict[tuple[int, int], object]:
    """The values the corpus tests write: a column of mixed values, and a brand-new row."""
    import datetime as dt
    from decimal import Decimal

    column = [
        "投诉 & <已关闭> \"张三\" 'x'",
        "=1+2",
        42,
        3.25,
        Decimal("1234.5678"),
        dt.date(2025, 3, 5),
        dt.datetime(2025, 3, 5, 14, 30),
    ]
    targets = {(first_row + i, col): v for i, v in enumerate(column)}
    assert new_row >= first_row + len(column), "the new row would overlap the column of values"
    targets[(new_row, 1)] = "新行 new row"
    targets[(new_row, 2)] = -17
    return targets


def write_corpus_sample(original: Path, folder: Path) -> CorpusWrite:
    """Copy `original` into `folder` and write the sample values into its first visible worksheet.

    The values go into empty cells only: a column just right of everything the sheet uses
    (cells, merged ranges, its dimension), rows 1..7, plus two cells (A and B) of a row that
    has no <row> element yet, at least two rows below both the sheet's last row and row 7.
    """
    from toolkit.xlsx import update_cells

    path = folder / original.name
    shutil.copyfile(original, path)
    sheet, part, _state = next(s for s in worksheet_parts(path) if s[2] == "visible")
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(part)
    last_row, last_col = sheet_extent(xml)
    cells = sheet_cells(xml)
    rows = set(sheet_rows(xml))
    new_row = max(last_row, 7) + 2
    while new_row in rows:
        new_row += 1
    targets = corpus_sample_values(1, last_col + 1, new_row)
    for rc in targets:
        assert rc not in cells, f"{original.name}: target {a1(*rc)} is not empty"
    report = update_cells(path, sheet, {a1(*rc): v for rc, v in targets.items()})
    return CorpusWrite(original, path, sheet, part, targets, new_row, report)


@pytest.fixture(scope="session")
def corpus_writer():
    """`write_corpus_sample(original, folder)`: the corpus write shared by the engine tests."""
    return write_corpus_sample


# ---------------------------------------------------------------------- the shipped sample office, jobs run

SAMPLES = REPO / "workbooks"
SAMPLE_AS_OF = __import__("datetime").datetime(2026, 11, 20, 17, 0)


@pytest.fixture(scope="session")
def sample_office_run(tmp_path_factory) -> Path:
    """The shipped sample workbooks with every job run on them as of SAMPLE_AS_OF (made once per session;
    copy it before changing anything: use `sample_office`)."""
    from toolkit.jobs.run import run_jobs
    from toolkit.model.records import read_table
    from toolkit.settings import load_settings

    if not SAMPLES.is_dir():
        pytest.skip(f"the sample workbooks are missing ({SAMPLES})")
    folder = tmp_path_factory.mktemp("sample-office") / "wb"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns(".toolkit*", "logs", "notices", "~$*"))
    run_jobs(folder, as_of=SAMPLE_AS_OF)
    settings = load_settings(folder)
    tracker = read_table(settings.tracker_path, settings.tracker)
    assert tracker.has("respond_due") and tracker.has("escalation_level"), "the flag job made no deadline columns"
    return folder


@pytest.fixture
def sample_office(sample_office_run, tmp_path) -> Path:
    """A private copy of `sample_office_run` in a folder named like an office's (客服台账)."""
    dst = tmp_path / "客服台账"
    shutil.copytree(sample_office_run, dst)
    return dst


@pytest.fixture
def speak_english(monkeypatch):
    """The toolkit in English for a test that checks English wording (its Chinese is proved by
    test_chinese_first.py and test_messages.py): the command line through TOOLKIT_LANG (also in the
    commands a test starts), the library through toolkit.i18n."""
    from toolkit.i18n import use_language

    monkeypatch.setenv("TOOLKIT_LANG", "en")
    with use_language("en"):
        yield
