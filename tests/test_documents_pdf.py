"""Notices as PDF: one LibreOffice run per batch, the text where it belongs, a CJK font embedded, a page that
is not blank. Checked with poppler (pdftotext, pdffonts, pdftoppm) on real files, no mocks.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from test_documents_notices import AS_OF, folder, tables  # noqa: F401 - fixtures

from toolkit.documents.filters import format_date, format_datetime
from toolkit.jobs.notices import make_notices

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]
POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdffonts", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdffonts, pdftoppm) is not installed")


def pdf_text(pdf: Path) -> str:
    """The PDF's text with all white space removed (pdftotext spaces out CJK next to digits)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    return "".join(out.decode("utf-8").split())


def pdf_fonts(pdf: Path) -> list[dict]:
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout.splitlines()
    header = lines[0]
    cols = {name: header.index(name) for name in ("name", "type", "emb", "sub", "uni")}
    out = []
    for line in lines[2:]:
        out.append({"name": line[: cols["type"]].strip(), "emb": line[cols["emb"] : cols["sub"]].strip()})
    return out


def png_gray(path: Path) -> tuple[int, int, bytes]:
    """(width, height, grey pixels) of an 8-bit grey or RGB PNG, decoded with zlib (filters undone)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, []
    width = height = None
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _c, _f, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and color in (0, 2) and interlace == 0, (depth, color, interlace)
            bpp = 1 if color == 0 else 3
        elif kind == b"IDAT":
            idat.append(chunk)
    raw = zlib.decompress(b"".join(idat))
    out = bytearray()
    stride = width * bpp
    prev = bytearray(stride)
    i = 0
    for _ in range(height):
        ft, line = raw[i], bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ft == 1:
                line[x] = (line[x] + a) & 255
            elif ft == 2:
                line[x] = (line[x] + b) & 255
            elif ft == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line if bpp == 1 else bytes(sum(line[k : k + 3]) // 3 for k in range(0, stride, 3))
        prev = line
    return width, height, bytes(out)


@needs_poppler
def test_a_batch_of_notices_becomes_pdfs_in_one_libreoffice_run(folder, tmp_path):  # noqa: F811 - the fixture
    from toolkit.jobs.run import run_jobs
    from toolkit.xlsx import update_cells

    # a customer name that must survive XML: through the register, the sync and the template
    register, tracker = tables(folder)
    first = make_notices(folder, kind="ack", as_of=AS_OF, dry_run=True).made[0]  # an acknowledgement still of use
    i = tracker.values("complaint_id").index(first.key)
    r = register.values("customer_id").index(tracker.values("customer_id")[i])
    update_cells(folder / "customers.xlsx", register.sheet, {register.cell_ref("name", r): "A&B <联合> 公司"})
    run_jobs(folder, ("sync",), as_of=AS_OF)
    # only that complaint's acknowledgement (a condition in the office's settings), to keep the run short
    key = tracker.values("complaint_id")[i]
    (folder / "toolkit.toml").write_text(
        f'[notices.kinds.ack]\nwhen = [{{ column = "complaint_id", in = ["{key}"] }}]\n', encoding="utf-8"
    )

    result = make_notices(folder, kind=["ack", "settlement", "escalation"], as_of=AS_OF, pdf=True)
    assert result.failures == []
    assert result.pdf_calls == 1
    assert len(result.pdfs) == len(result.made) and all(n.pdf and n.pdf.is_file() for n in result.made)

    register, tracker = tables(folder)
    assert result.count("ack") == 1
    ack = next(n for n in result.made if n.kind == "ack" and n.key == key)
    text = pdf_text(ack.pdf)
    assert "A&B<联合>公司" in text and key in text and "客户投诉受理回执" in text
    for col in ("respond_due", "resolve_due"):
        due = tracker.values(col)[i]
        assert "".join(format_datetime(due).split()) in text  # e.g. 2026年11月23日17:00

    settlement = next(n for n in result.made if n.kind == "settlement")
    j = tracker.rows.index(settlement.rows[0])
    promised = tracker.values("promised_date")[j] or tracker.values("resolve_due")[j]
    text = pdf_text(settlement.pdf)
    assert settlement.key in text and "".join(tracker.values("customer_name")[j].split()) in text
    assert format_date(promised) in text

    escalation = max((n for n in result.made if n.kind == "escalation"), key=lambda n: n.items)
    text = pdf_text(escalation.pdf)
    assert escalation.key in text
    assert all(tracker.values("complaint_id")[tracker.rows.index(row)] in text for row in escalation.rows)

    fonts = pdf_fonts(ack.pdf)
    cjk = [f for f in fonts if "CJK" in f["name"] or "Song" in f["name"] or "Hei" in f["name"]]
    assert cjk, fonts
    assert all(f["emb"] == "yes" for f in cjk), fonts

    subprocess.run(
        ["pdftoppm", "-gray", "-png", "-r", "40", "-f", "1", "-l", "1", str(ack.pdf), str(tmp_path / "page")],
        check=True,
    )
    [png] = tmp_path.glob("page*.png")
    width, height, pixels = png_gray(png)
    assert width > 200 and height > 300
    dark = sum(1 for p in pixels if p < 160) / len(pixels)
    assert 0.003 < dark < 0.5, f"page 1 looks blank or black ({dark:.2%} dark pixels)"
