"""Building hostile and messy workbooks for the tests: XlsxWriter for what staff make in Excel,
raw zip edits for what Excel never writes (or writes only rarely), a tiny OLE writer for .xls and
password-protected files.

Everything here writes new files into a test's temporary folder; nothing is downloaded.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

REGISTER_SHEET = "客户台账"
TRACKER_SHEET = "投诉跟踪"

REGISTER_HEADERS = ["客户编号", "客户名称", "联系人", "电话", "客户经理", "首次接触日期"]
REGISTER_ROWS = [
    ["C0001", "上海中丰饮料有限公司", "张伟", "13800000001", "李娜", dt.date(2024, 1, 5)],
    ["C0002", "天津宏力农业发展有限公司", "王芳", "13800000002", "李娜", dt.date(2024, 3, 18)],
    ["C0003", "佛山信正商贸有限公司", "刘洋", "13800000003", "陈静", dt.date(2025, 6, 1)],
    ["C0004", "杭州云帆科技有限公司", "赵敏", "13800000004", "陈静", dt.date(2025, 9, 30)],
]
TRACKER_HEADERS = ["投诉编号", "受理时间", "渠道", "客户编号", "类型", "投诉内容", "优先级", "状态", "满意度"]
TRACKER_ROWS = [
    ["TS2026-000001", dt.datetime(2026, 11, 2, 9, 30), "电话", "C0001", "投诉", "送货延迟", "紧急重要", "处理中", None],
    [
        "TS2026-000002",
        dt.datetime(2026, 11, 3, 14, 0),
        "邮件",
        "C0002",
        "服务需求",
        "发票抬头错误",
        "重要不紧急",
        "已解决",
        4,
    ],
    [
        "TS2026-000003",
        dt.datetime(2026, 11, 10, 10, 15),
        "在线",
        "C0003",
        "故障",
        "设备无法开机",
        "紧急不重要",
        "待处理",
        None,
    ],
    [
        "TS2026-000004",
        dt.datetime(2026, 11, 12, 16, 45),
        "电话",
        "C0001",
        "投诉",
        "客服态度差",
        "紧急重要",
        "已关闭",
        2,
    ],
    [
        "TS2026-000005",
        dt.datetime(2026, 11, 18, 11, 0),
        "现场",
        "C0004",
        "服务需求",
        "上门培训",
        "不紧急不重要",
        "处理中",
        None,
    ],
]


@dataclass
class Formula:
    """A formula cell with the cached result Excel saved with it."""

    text: str
    cached: object = 0


@dataclass
class Rich:
    """A rich-text cell: runs of (bold?, text)."""

    runs: list[tuple[bool, str]]


@dataclass
class Sheet:
    name: str
    rows: list[list]  # rows[0] is sheet row `first_row`
    first_row: int = 1  # 1-based sheet row of rows[0]
    first_col: int = 1  # 1-based sheet column of each row's first value
    merges: list[tuple[str, object]] = field(default_factory=list)  # ("A1:C1", value)
    hidden_rows: list[int] = field(default_factory=list)  # 1-based sheet rows
    hidden: str | None = None  # None, "hidden" or "very"
    autofilter: str | None = None  # "A1:I6"
    filter_column: tuple[int, list] | None = None  # (0-based col in the filter, values shown)
    setup: Callable | None = None  # setup(workbook, worksheet) for anything else


def write_xlsx(path: Path, sheets: list[Sheet], *, date1904: bool = False, active: int = 0) -> Path:
    """A new workbook, typed the way XlsxWriter (and so Excel) stores each Python value."""
    wb = xlsxwriter.Workbook(
        str(path),
        {"date_1904": date1904, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    dt_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    bold = wb.add_format({"bold": True})
    for sh in sheets:
        ws = wb.add_worksheet(sh.name)
        for k, row in enumerate(sh.rows):
            r = sh.first_row - 1 + k
            for j, v in enumerate(row):
                c = sh.first_col - 1 + j
                if v is None:
                    continue
                if isinstance(v, Formula):
                    ws.write_formula(r, c, v.text, None, v.cached)
                elif isinstance(v, Rich):
                    parts = []
                    for is_bold, text in v.runs:
                        parts += [bold, text] if is_bold else [text]
                    ws.write_rich_string(r, c, *parts)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, dt_fmt)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, str(v))
        for rng, value in sh.merges:
            ws.merge_range(rng, value)
        for r in sh.hidden_rows:
            ws.set_row(r - 1, None, None, {"hidden": True})
        if sh.autofilter:
            ws.autofilter(sh.autofilter)
            if sh.filter_column:
                col, shown = sh.filter_column
                ws.filter_column_list(col, shown)
        if sh.hidden == "hidden":
            ws.hide()
        elif sh.hidden == "very":
            ws.very_hidden()
        if sh.setup:
            sh.setup(wb, ws)
    wb.worksheets()[active].activate()
    wb.close()
    return path


def register(rows=None, headers=None, **kw) -> Sheet:
    rows = REGISTER_ROWS if rows is None else rows
    return Sheet(REGISTER_SHEET, [list(headers or REGISTER_HEADERS)] + [list(r) for r in rows], **kw)


def tracker(rows=None, headers=None, **kw) -> Sheet:
    rows = TRACKER_ROWS if rows is None else rows
    return Sheet(TRACKER_SHEET, [list(headers or TRACKER_HEADERS)] + [list(r) for r in rows], **kw)


def office(folder: Path, *, register_sheets=None, tracker_sheets=None, date1904: bool = False) -> Path:
    """A folder with customers.xlsx and complaints.xlsx (the standard ones unless given)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / "customers.xlsx", register_sheets or [register()])
    write_xlsx(folder / "complaints.xlsx", tracker_sheets or [tracker()], date1904=date1904)
    return folder


# ---------------------------------------------------------------------- raw zip edits


def rewrite_zip(
    path: Path,
    edit: Callable[[str, bytes], bytes | None],
    *,
    add: dict[str, bytes] | None = None,
    target: Path | None = None,
) -> Path:
    """Rewrite the zip at `path` (or into `target`): each part through edit(name, data); None drops it."""
    target = target or path
    with zipfile.ZipFile(path) as zin:
        parts = [(i, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            new = edit(info.filename, data)
            if new is not None:
                zout.writestr(info.filename, new)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return target


def edit_part(path: Path, part: str, fn: Callable[[bytes], bytes]) -> Path:
    return rewrite_zip(path, lambda name, data: fn(data) if name == part else data)


SHEET1 = "xl/worksheets/sheet1.xml"


def corrupt_member_data(path: Path, part: str) -> Path:
    """Flip bytes in the middle of one part's compressed data (its CRC no longer matches)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + info.compress_size // 3, start + info.compress_size // 3 + 16):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def corrupt_local_header(path: Path, part: str) -> Path:
    """Damage one part's local file header (the central directory still lists it)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(part)
    data[info.header_offset : info.header_offset + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    return path


def strip_cell_refs(xml: bytes) -> bytes:
    """Remove r="..." from every <row> and <c> (allowed by the format; some generators do it)."""
    xml = re.sub(rb'(<row\b[^>]*?)\s+r="\d+"', rb"\1", xml)
    return re.sub(rb'(<c\b[^>]*?)\s+r="[A-Z]+\d+"', rb"\1", xml)


def to_strict(path: Path) -> Path:
    """Rename the transitional namespaces to Strict Open XML ones (as Excel's 'Strict' save does)."""

    def edit(name, data):
        if name.endswith(".xml") or name.endswith(".rels"):
            data = data.replace(
                b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                b"http://purl.oclc.org/ooxml/spreadsheetml/main",
            )
            data = data.replace(
                b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                b"http://purl.oclc.org/ooxml/officeDocument/relationships",
            )
        return data

    return rewrite_zip(path, edit)


# ---------------------------------------------------------------------- OLE compound files


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal, valid OLE2 compound file (512-byte sectors, no mini stream) with these streams."""
    assert 0 < len(streams) <= 3
    sector = 512
    free, end, fatsect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    padded = {n: d + b"\0" * (max(4096, -(-len(d) // sector) * sector) - len(d)) for n, d in streams.items()}
    fat = [fatsect, end]  # sector 0: the FAT, sector 1: the directory
    starts = {}
    for name, data in padded.items():
        first = len(fat)
        count = len(data) // sector
        starts[name] = first
        fat += [first + k + 1 for k in range(count - 1)] + [end]
    assert len(fat) <= sector // 4
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", free, right, child)
            + b"\0" * 16
            + b"\0" * 4
            + b"\0" * 16
            + struct.pack("<IQ", start, size)
        )

    names = list(streams)
    entries = [entry("Root Entry", 5, 1, free, end, 0)]
    for k, name in enumerate(names):
        entries.append(entry(name, 2, free, k + 2 if k + 1 < len(names) else free, starts[name], len(streams[name])))
    directory = b"".join(entries).ljust(sector, b"\0")
    difat = [0] + [free] * 108
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", *difat)
    )
    assert len(header) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + b"".join(padded.values())


def encrypted_workbook(source: Path, target: Path, password: str = "客服2026") -> str:
    """A password-protected copy of `source`: real encryption with msoffcrypto-tool when it is
    installed, else an OLE file with the two streams Excel's encryption writes. Returns which."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        info = struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>"
        target.write_bytes(ole_file({"EncryptionInfo": info, "EncryptedPackage": b"\x17" * 5000}))
        return "crafted"
    with open(source, "rb") as src, open(target, "wb") as out:
        OOXMLFile(src).encrypt(password, out)
    return "msoffcrypto"


def xls_workbook(target: Path) -> Path:
    """An old-style .xls (BIFF8 in an OLE file), as far as anything opening it can tell."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    target.write_bytes(ole_file({"Workbook": bof + struct.pack("<HH", 0x000A, 0)}))
    return target
