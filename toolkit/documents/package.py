"""The zip layer for Word documents: open a .docx, read its parts, write copies fast.

A template is opened once; every rendered document is a new zip in which the rendered parts
(document.xml, headers, footers) are compressed afresh and every other part (styles, fonts,
pictures, numbering, settings...) is copied as its original compressed bytes, with no
inflate/deflate round trip. The bytes of each copied part are prepared once per template, so
writing one notice is a matter of joining bytes (see `PackageWriter`).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.xlsx.package import attrs, rels_name, resolve_target

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_PART_SIZE = 256 * 1024 * 1024
DOC_CT = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_CT = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
MACRO_CTS = (
    b"application/vnd.ms-word.document.macroEnabled.main+xml",
    b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
REL_OFFICE_DOCUMENT = "/officeDocument"
_TEMPLATE_RELS = ("/header", "/footer", "/footnotes", "/endnotes")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")


class DocumentRefused(ToolkitError):
    """A file that is not a Word document the renderer can use."""


@dataclass
class Entry:
    """One zip member: its name, zip metadata and stored (compressed) bytes."""

    name: str
    method: int  # 0 stored, 8 deflated
    crc: int
    size: int  # uncompressed
    data: bytes  # as stored in the zip
    dos_time: int
    dos_date: int
    external_attr: int

    def content(self) -> bytes:
        if self.method == zipfile.ZIP_STORED:
            return self.data
        return zlib.decompress(self.data, -15)


class DocxPackage:
    """An opened .docx (or .dotx) read fully into memory: templates are small."""

    def __init__(self, data: bytes, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self.entries: list[Entry] = _read_entries(data, self.path)
        self.by_name = {e.name: e for e in self.entries}
        ct = self.by_name.get("[Content_Types].xml")
        if ct is None:
            raise DocumentRefused("is a zip file but not a Word document (no [Content_Types].xml)", path=self.path)
        types = ct.content()
        if any(m in types for m in MACRO_CTS):
            raise DocumentRefused(
                "is a macro-enabled Word file (.docm/.dotm); templates must be .docx files",
                path=self.path,
                hint="open it in Word and save it as a Word Document (.docx)",
            )
        self.is_dotx = TEMPLATE_CT in types
        self.main = self._main_part()
        if self.main not in self.by_name:
            raise DocumentRefused(f"is missing its main part {self.main}", path=self.path)

    @classmethod
    def open(cls, source: str | Path | bytes) -> DocxPackage:
        if isinstance(source, (bytes, bytearray)):
            return cls(bytes(source))
        path = Path(source)
        if not path.exists():
            raise DocumentRefused("file not found", path=path)
        if path.is_dir():
            raise DocumentRefused("is a folder, not a Word document", path=path)
        return cls(path.read_bytes(), path)

    def has(self, name: str) -> bool:
        return name in self.by_name

    def read(self, name: str) -> bytes:
        try:
            return self.by_name[name].content()
        except KeyError:
            raise DocumentRefused(f"is missing its part {name}", path=self.path) from None
        except zlib.error as exc:
            raise DocumentRefused(f"is damaged: part {name} cannot be read ({exc})", path=self.path) from None

    def rels(self, part: str) -> list[dict[str, str]]:
        name = rels_name(part) if part else "_rels/.rels"
        if name not in self.by_name:
            return []
        return [attrs(m.group(1)) for m in _REL.finditer(self.read(name))]

    def _main_part(self) -> str:
        for rel in self.rels(""):
            if rel.get("Type", "").endswith(REL_OFFICE_DOCUMENT) and rel.get("TargetMode") != "External":
                return resolve_target("", rel.get("Target", ""))
        if "word/document.xml" in self.by_name:
            return "word/document.xml"
        raise DocumentRefused("is a zip file but not a Word document (no word/document.xml)", path=self.path)

    def template_parts(self) -> list[str]:
        """The parts that may hold template tags: the main document, headers, footers, foot- and endnotes."""
        parts = [self.main]
        for rel in self.rels(self.main):
            typ = rel.get("Type", "")
            if rel.get("TargetMode") == "External" or not typ.endswith(_TEMPLATE_RELS):
                continue
            name = resolve_target(self.main, rel.get("Target", ""))
            if name in self.by_name and name not in parts:
                parts.append(name)
        return parts

    def part_of_type(self, suffix: str) -> str | None:
        """The main document's related part whose relationship type ends with `suffix` (e.g. '/settings')."""
        for rel in self.rels(self.main):
            if rel.get("Type", "").endswith(suffix) and rel.get("TargetMode") != "External":
                name = resolve_target(self.main, rel.get("Target", ""))
                if name in self.by_name:
                    return name
        return None

    def writer(
        self, replaced: set[str] | frozenset[str], fixed: dict[str, bytes] | None = None, compresslevel: int = 6
    ) -> PackageWriter:
        """A writer for copies in which the `replaced` parts get new content on every write.

        `fixed` parts get the same new content in every copy (compressed once, here).
        A .dotx template's main part is written with the .docx content type.
        """
        fixed = dict(fixed or {})
        if self.is_dotx and "[Content_Types].xml" not in replaced:
            types = fixed.get("[Content_Types].xml", self.read("[Content_Types].xml"))
            fixed["[Content_Types].xml"] = types.replace(TEMPLATE_CT, DOC_CT)
        return PackageWriter(self, frozenset(replaced), fixed, compresslevel)


def _read_entries(data: bytes, path: Path | None) -> list[Entry]:
    if data[:8] == OLE_MAGIC:
        blob = data[: 4 * 1024 * 1024]
        if b"EncryptedPackage" in blob or "EncryptedPackage".encode("utf-16-le") in blob:
            raise DocumentRefused(
                "is protected with a password (encrypted); the toolkit cannot use it",
                path=path,
                hint="remove the password in Word (File > Info > Protect Document) and try again",
            )
        raise DocumentRefused(
            "is an old-style .doc file; templates must be .docx files",
            path=path,
            hint="open it in Word and use Save As > Word Document (.docx)",
        )
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentRefused(f"is not a Word document (.docx) or is damaged ({exc})", path=path) from None
    entries = []
    for info in infos:
        if info.flag_bits & 0x1:
            raise DocumentRefused("has encrypted zip entries", path=path)
        if info.file_size > MAX_PART_SIZE:
            raise DocumentRefused(f"has a part ({info.filename}) too large for a Word template", path=path)
        if info.filename.endswith("/"):
            continue
        off = info.header_offset
        head = data[off : off + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise DocumentRefused(f"is damaged: part {info.filename} has no local header", path=path)
        n, m = struct.unpack("<HH", head[26:30])
        start = off + 30 + n + m
        stored = data[start : start + info.compress_size]
        method = info.compress_type
        if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):  # unusual: re-compress it once
            try:
                content = zf.read(info)
            except Exception as exc:  # noqa: BLE001 - any codec failure is a damaged file here
                raise DocumentRefused(f"is damaged: part {info.filename} cannot be read ({exc})", path=path) from None
            stored, method = _deflate(content, 6), zipfile.ZIP_DEFLATED
        dos_date = ((info.date_time[0] - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
        dos_time = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
        entries.append(
            Entry(info.filename, method, info.CRC, info.file_size, stored, dos_time, dos_date, info.external_attr)
        )
    return entries


def _deflate(data: bytes, level: int) -> bytes:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


class PackageWriter:
    """Writes copies of one package with some parts replaced; everything else is prepared once."""

    def __init__(self, pkg: DocxPackage, replaced: frozenset[str], fixed: dict[str, bytes], compresslevel: int):
        self.replaced = replaced
        self.level = compresslevel
        self._slots: list[tuple[Entry, bytes | None, bytes | None]] = []  # (entry, local header+data, central tail)
        for e in pkg.entries:
            if e.name in fixed:
                content = fixed[e.name]
                e = Entry(
                    e.name,
                    zipfile.ZIP_DEFLATED,
                    zlib.crc32(content),
                    len(content),
                    _deflate(content, compresslevel),
                    e.dos_time,
                    e.dos_date,
                    e.external_attr,
                )
            if e.name in replaced:
                self._slots.append((e, None, None))
            else:
                self._slots.append((e, *_prepared(e)))

    def write_bytes(self, parts: dict[str, bytes]) -> bytes:
        """The zip bytes of one copy, `parts` holding the new content of every replaced part."""
        out: list[bytes] = []
        central: list[bytes] = []
        pos = 0
        for entry, prepared_local, prepared_tail in self._slots:
            if prepared_local is None or prepared_tail is None:
                content = parts[entry.name]
                e = Entry(
                    entry.name,
                    zipfile.ZIP_DEFLATED,
                    zlib.crc32(content),
                    len(content),
                    _deflate(content, self.level),
                    entry.dos_time,
                    entry.dos_date,
                    entry.external_attr,
                )
                local, tail = _prepared(e)
            else:
                local, tail = prepared_local, prepared_tail
            out.append(local)
            central.append(tail + struct.pack("<L", pos) + entry.name.encode("utf-8"))
            pos += len(local)
        cd = b"".join(central)
        out.append(cd)
        out.append(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(cd), pos, 0))
        return b"".join(out)

    def write(self, target: str | Path, parts: dict[str, bytes]) -> Path:
        target = Path(target)
        data = self.write_bytes(parts)
        tmp = target.with_name(target.name + ".part")
        try:
            tmp.write_bytes(data)
            tmp.replace(target)
        except BaseException:  # a full disk or a kill signal: no half-written .part is left behind
            tmp.unlink(missing_ok=True)
            raise
        return target


def _prepared(e: Entry) -> tuple[bytes, bytes]:
    """(local header + data, central directory record without its offset and name) of one entry."""
    name = e.name.encode("utf-8")
    flags = 0x800 if not e.name.isascii() else 0
    local = (
        _LOCAL.pack(
            b"PK\x03\x04", 20, flags, e.method, e.dos_time, e.dos_date, e.crc, len(e.data), e.size, len(name), 0
        )
        + name
        + e.data
    )
    # central record up to (not including) the local header offset; made-by: 2.0 on MS-DOS/FAT.
    tail = _CENTRAL.pack(
        b"PK\x01\x02",
        20,
        20,
        flags,
        e.method,
        e.dos_time,
        e.dos_date,
        e.crc,
        len(e.data),
        e.size,
        len(name),
        0,
        0,
        0,
        0,
        e.external_attr,
        0,
    )[:-4]
    return local, tail
