"""Linear scans and resource limits: a sheet of any size is read and written in bounded memory and in
time linear in its size, and a workbook that unpacks to more than the toolkit's cap is refused plainly.

- A job runs in a child process whose memory is capped (RLIMIT_DATA: its heap and private mappings) at
  well under the size its tracker sheet unpacks to: the sheet is streamed, never held whole.
- A five-row sheet followed by a million empty <row/> elements (no r) is checked and run quickly.
- A workbook whose sheet would unpack beyond the cap (1,024 MB unless TOOLKIT_MAX_UNPACKED_MB says
  otherwise) is refused before anything is unpacked, naming the file, the part and both sizes; a zip
  whose directory understates a part is refused as damaged as soon as it unpacks past what it states.
- Two zip members of one name are refused with a clear message (no raw Python warning).
- A staff column the toolkit does not know, between the columns it reads, does not shift where the
  fast reader reports a value that does not fit its column.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from hostile.build import SHEET1, TRACKER_ROWS, office, rewrite_zip, tracker

from toolkit.cli import main
from toolkit.errors import WorkbookRefused
from toolkit.model.records import read_table
from toolkit.settings import load_settings
from toolkit.xlsx import limits
from toolkit.xlsx.package import Package

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

REPO = Path(__file__).resolve().parents[1]
AS_OF = ["--as-of", "2026-11-20 17:00"]
MB = 1024 * 1024


def _replace_sheet(path: Path, chunks) -> None:
    """Write the workbook's tracker sheet anew from a stream of byte chunks (never held whole)."""
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in items:
            if info.filename == SHEET1:
                new = zipfile.ZipInfo(SHEET1, date_time=info.date_time)
                new.compress_type = zipfile.ZIP_DEFLATED
                with zf.open(new, "w", force_zip64=True) as fh:
                    for chunk in chunks:
                        fh.write(chunk)
            else:
                zf.writestr(info, data)


def _split_sheet(path: Path) -> tuple[bytes, bytes, bytes]:
    """(XML before the rows, the header row, XML after the rows) of the tracker sheet."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(SHEET1)
    head, rest = xml.split(b"<sheetData>", 1)
    rows, tail = rest.split(b"</sheetData>", 1)
    header = re.match(rb"<row\b.*?</row>", rows, re.S).group(0)
    return head + b"<sheetData>", header, b"</sheetData>" + tail


def big_tracker(folder: Path, rows: int, note_bytes: int) -> int:
    """An office whose tracker holds `rows` complaints, each with a long staff note no rule reads (a column
    the toolkit does not know): the sheet unpacks to about rows * note_bytes. Returns its unpacked size."""
    office(folder)
    path = folder / "complaints.xlsx"
    head, header, tail = _split_sheet(path)
    note = ("客户来电反映问题，已记录。" * (note_bytes // 36 + 1)).encode()[: note_bytes // 3 * 3]
    header = header.replace(b"</row>", '<c r="J1" t="inlineStr"><is><t>备注</t></is></c></row>'.encode())

    def chunks():
        yield head + header
        for r in range(2, rows + 2):
            yield (
                (
                    f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>TS2026-{r:06d}</t></is></c>'
                    f'<c r="B{r}" s="1"><v>{46000 + r % 300}.5</v></c>'
                    f'<c r="D{r}" t="inlineStr"><is><t>C000{1 + r % 4}</t></is></c>'
                    f'<c r="H{r}" t="inlineStr"><is><t>处理中</t></is></c>'
                    f'<c r="J{r}" t="inlineStr"><is><t>'
                ).encode()
                + note
                + b"</t></is></c></row>"
            )
        yield tail

    _replace_sheet(path, chunks())
    with zipfile.ZipFile(path) as zf:
        return zf.getinfo(SHEET1).file_size


def test_a_job_runs_in_a_memory_ceiling_well_below_its_sheets_size(tmp_path):
    """`toolkit run` (a first fill: every toolkit column of every row) in a child process whose private
    memory is capped at 450 MB, on a tracker whose sheet unpacks to about 1.2 GB."""
    folder = tmp_path / "office"
    unpacked = big_tracker(folder, rows=40_000, note_bytes=30_000)
    ceiling = 450 * MB
    assert unpacked > 2.5 * ceiling
    code = (
        f"import resource; resource.setrlimit(resource.RLIMIT_DATA, ({ceiling}, {ceiling}))\n"
        "from toolkit.cli import main\n"
        f"raise SystemExit(main(['run', {str(folder)!r}, '--as-of', '2026-11-20 17:00']))\n"
    )
    # The cap is raised for this sheet; Arrow's compiled code allocates from the C heap as the toolkit's
    # own arrays do (its default allocator reserves a gigabyte of address space up front, which the
    # ceiling would count though nothing is used).
    env = {**os.environ, "TOOLKIT_MAX_UNPACKED_MB": "4096", "ARROW_DEFAULT_MEMORY_POOL": "system"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr and "MemoryError" not in proc.stderr
    # the toolkit's columns were filled in every row: the change log lists 24 cells a row (the sheet is
    # read back as a stream, in the same bounded way)
    with open(next((folder / "logs").glob("*.csv")), encoding="utf-8-sig") as fh:
        rows_logged = {
            line.split(",")[5].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for line in fh if ",complaints.xlsx," in line
        }
    assert len(rows_logged) == 40_000
    with zipfile.ZipFile(folder / "complaints.xlsx") as zf:
        assert zf.getinfo(SHEET1).file_size > unpacked  # (the new cells are in it)


def test_a_million_empty_rows_are_scanned_in_linear_time(tmp_path, capsys):
    """Five complaints, then a million <row/> (no r): the old header peek counted its growing buffer again
    for every block read (27 s for `check`)."""
    folder = office(tmp_path / "office")
    path = folder / "complaints.xlsx"
    head, header, tail = _split_sheet(path)
    with zipfile.ZipFile(path) as zf:
        rows = zf.read(SHEET1).split(b"<sheetData>", 1)[1].split(b"</sheetData>", 1)[0]
    _replace_sheet(path, [head, rows, *([b"<row/>" * 100_000] * 10), tail])
    started = time.process_time()
    assert main(["check", str(folder)]) in (0, 1)
    checked = time.process_time() - started
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert main(["run", str(folder), *AS_OF]) in (0, 1)
    ran = time.process_time() - started - checked
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    settings = load_settings(folder)
    after = read_table(settings.tracker_path, settings.tracker)
    assert after.values("complaint_id") == [r[0] for r in TRACKER_ROWS]
    assert after.values("customer_name")[0] == "上海中丰饮料有限公司"
    assert checked < 8 and ran < 15, (checked, ran)  # (processor seconds; a few when linear)


def _member_of(size: int, path: Path) -> None:
    """A workbook whose tracker sheet is a valid sheet padded to `size` bytes with empty rows (packed small)."""
    head, header, tail = _split_sheet(path)
    block = b"<row/>" * (MB // 6)
    n, rest = divmod(size - len(head) - len(header) - len(tail), len(block))

    def chunks():
        yield head + header
        for _ in range(n):
            yield block
        yield b" " * rest
        yield tail

    _replace_sheet(path, chunks())


def test_a_sheet_unpacking_beyond_the_cap_is_refused_with_its_sizes(tmp_path, capsys):
    folder = office(tmp_path / "office")
    path = folder / "complaints.xlsx"
    _member_of(limits.DEFAULT_MAX_UNPACKED + 100 * MB, path)
    assert path.stat().st_size < 10 * MB  # a few megabytes that unpack to more than a gigabyte
    before = path.read_bytes()
    started = time.perf_counter()
    code = main(["run", str(folder), *AS_OF])
    out, err = capsys.readouterr()
    assert time.perf_counter() - started < 30  # refused before anything is unpacked
    assert code == 2 and "Traceback" not in out + err
    assert (
        "complaints.xlsx" in err
        and "xl/worksheets/sheet1.xml" in err
        and "1,124 MB" in err
        and "1,024 MB" in err
        and "TOOLKIT_MAX_UNPACKED_MB" in err
    ), err
    assert path.read_bytes() == before


def test_the_cap_is_set_by_the_administrator(tmp_path):
    """TOOLKIT_MAX_UNPACKED_MB: a lower cap refuses the ordinary office, a higher one lets a big sheet through."""
    folder = office(tmp_path / "office")
    _member_of(3 * MB, folder / "complaints.xlsx")
    cmd = [sys.executable, "-m", "toolkit", "run", str(folder), "--dry-run", *AS_OF]
    low = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO, env={**os.environ, "TOOLKIT_MAX_UNPACKED_MB": "2"}
    )
    assert low.returncode == 2 and "more than the toolkit unpacks (2 MB)" in low.stderr, low.stderr
    fine = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO, env={**os.environ, "TOOLKIT_MAX_UNPACKED_MB": "4"}
    )
    assert fine.returncode in (0, 1) and "unpacks" not in fine.stdout + fine.stderr, fine.stderr
    bad = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO, env={**os.environ, "TOOLKIT_MAX_UNPACKED_MB": "lots"}
    )
    assert bad.returncode == 2 and "TOOLKIT_MAX_UNPACKED_MB" in bad.stderr and "Traceback" not in bad.stderr


def _understate(path: Path, part: str, size: int) -> None:
    """Make the zip's local header and directory say `part` unpacks to `size` bytes (a lie)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(part)
    assert info.file_size < 2**32 - 1 and not info.extra  # (no zip64 sizes to patch)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(part.encode()))
    struct.pack_into("<I", data, entry + 24, size)
    path.write_bytes(bytes(data))


def test_a_zip_directory_that_understates_a_sheet_is_refused_while_unpacking(tmp_path, capsys):
    folder = office(tmp_path / "office")
    path = folder / "complaints.xlsx"
    _member_of(6 * MB, path)
    _understate(path, SHEET1, 2 * MB)
    with Package.open(path) as pkg:  # the directory's 2 MB pass the cap; unpacking stops right after them
        unpacked = 0
        with pytest.raises(WorkbookRefused, match="unpacks to more than the 2,097,152 bytes the zip's directory"):
            for block in pkg.stream(SHEET1):
                unpacked += len(block)
        assert unpacked <= 2 * MB
    before = path.read_bytes()
    code = main(["run", str(folder), *AS_OF])
    out, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in out + err
    assert "complaints.xlsx" in err and "damaged" in err, err
    assert path.read_bytes() == before


def test_two_parts_of_one_name_are_refused_clearly(tmp_path, capsys):
    folder = office(tmp_path / "office")
    path = folder / "complaints.xlsx"
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read(SHEET1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (zipfile warns when a test makes such a file)
        rewrite_zip(path, lambda name, data: data, add={SHEET1: sheet.replace(b"TS2026-000001", b"TS2026-999999")})
    with zipfile.ZipFile(path) as zf:
        assert [i.filename for i in zf.infolist()].count(SHEET1) == 2
    before = path.read_bytes()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        code = main(["run", str(folder), *AS_OF])
    out, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in out + err and not seen, [str(w.message) for w in seen]
    assert "complaints.xlsx" in err and f"two parts named {SHEET1}" in err, err
    assert path.read_bytes() == before


def test_an_unknown_column_between_the_known_ones_does_not_shift_reported_values(tmp_path, monkeypatch):
    """fastexcel names a cell that does not fit its column by the sheet's own column index: a staff column
    the toolkit does not read (here E, 备注) must not move the reports of the columns after it."""
    import toolkit.model.records as records

    rows = [list(r) for r in TRACKER_ROWS]
    headers = ["投诉编号", "受理时间", "渠道", "客户编号", "备注", "类型", "投诉内容", "优先级", "状态", "满意度"]
    rows = [r[:4] + ["staff note"] + r[4:] for r in rows]
    rows[1][9] = "很好"  # a satisfaction typed as words, in the last column
    folder = office(tmp_path / "office", tracker_sheets=[tracker(rows, headers)])
    monkeypatch.setattr(records, "_exact_arrays", lambda *a: pytest.fail("the fast reader gave up"))
    settings = load_settings(folder)
    table = read_table(settings.tracker_path, settings.tracker)
    assert table.values("received_at") == [r[1] for r in rows]
    bad = [p for p in table.problems if p.value == "很好"]
    assert len(bad) == 1 and bad[0].column == "满意度" and bad[0].row == 3, table.problems
    assert table.values("satisfaction") == [None, None, None, 2, None]
