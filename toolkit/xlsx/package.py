"""The zip layer: open an .xlsx/.xlsm package, read its parts, write a copy with some parts replaced.

Parts that are not replaced keep their exact bytes (and their zip metadata: name, order,
timestamps, compression method); only the parts the caller hands in are new.

Big parts (sheets) are never held whole: `stream` unpacks one block by block, and
`deflate_chunks` packs a new one as it is made, into a spool file when given one. Every part
unpacks to at most the cap of toolkit.xlsx.limits (checked against the zip's directory when the
package is opened, and counted while unpacking).
"""

from __future__ import annotations

import posixpath
import queue
import re
import threading
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Protocol, cast

from toolkit.errors import WorkbookRefused
from toolkit.i18n import _
from toolkit.xlsx import limits
from toolkit.xlsx.safety import crash_point  # the crash tests' hook; it only counts in normal use

_fast_zlib: ModuleType  # ISA-L's deflate and inflate (see _Compressor), else zlib's: the same format
try:
    from isal import isal_zlib as _fast_zlib
except ImportError:  # pragma: no cover - a platform python-isal has no wheels for: zlib does the same, slower
    _fast_zlib = zlib

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
STREAM_BLOCK = 4 * 1024 * 1024  # a streamed part is unpacked this much at a time


def refuse_unless_workbook(path: Path) -> None:
    """Raise WorkbookRefused, with words staff understand, for files the engine must not touch."""
    if not path.exists():
        raise WorkbookRefused(_("file not found"), path=path)
    if path.is_dir():
        raise WorkbookRefused(_("is a folder, not a workbook"), path=path)
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head == OLE_MAGIC:
            fh.seek(0)
            blob = fh.read(4 * 1024 * 1024)
            if (
                "EncryptionInfo".encode("utf-16-le") in blob
                or b"EncryptedPackage" in blob
                or "EncryptedPackage".encode("utf-16-le") in blob
            ):
                raise WorkbookRefused(
                    _("is protected with a password (encrypted); the toolkit cannot read or change it"),
                    path=path,
                    hint=_("remove the password in Excel (File > Info > Protect Workbook) and try again"),
                )
            raise WorkbookRefused(
                _("is an old-style .xls workbook; the toolkit works on .xlsx and .xlsm only"),
                path=path,
                hint=_("open it in Excel and use Save As > Excel Workbook (.xlsx)"),
            )
    if not zipfile.is_zipfile(path):
        suffix = path.suffix.lower()
        what = _("a CSV text file") if suffix in (".csv", ".txt") else _("not an Excel workbook")
        raise WorkbookRefused(
            _("is {what} (or a damaged one); the toolkit works on .xlsx and .xlsm workbooks").format(what=what),
            path=path,
            hint=_("open it in Excel and save it as an Excel Workbook (.xlsx)"),
        )


@dataclass
class Package:
    """An opened workbook package. Use as a context manager or call close()."""

    path: Path
    zf: zipfile.ZipFile
    names: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, path: str | Path) -> Package:
        path = Path(path)
        refuse_unless_workbook(path)
        try:
            zf = zipfile.ZipFile(path)
            bad = None
            names = zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise WorkbookRefused(
                _("is damaged and cannot be opened ({reason})").format(reason=exc), path=path
            ) from None
        cap = limits.max_unpacked()
        seen: set[str] = set()
        for info in zf.infolist():
            if info.flag_bits & 0x1:
                bad = WorkbookRefused(_("has encrypted zip entries"), path=path)
            elif info.file_size > cap:
                bad = limits.too_large(path, info.filename, info.file_size, info.compress_size)
            elif info.filename in seen:
                # Excel never writes this; which copy a program reads differs, so neither can be trusted
                bad = WorkbookRefused(
                    _(
                        "is damaged: it holds two parts named {filename}, so which one holds the real content cannot be known; nothing was read or changed"
                    ).format(filename=info.filename),
                    path=path,
                    hint=_("open it in Excel and save it again, or restore an earlier copy"),
                )
            seen.add(info.filename)
            if bad:
                break
        if bad:
            zf.close()
            raise bad
        if (
            "[Content_Types].xml" not in names
            or "xl/workbook.xml" not in names
            and not any(n.lower() == "xl/workbook.xml" for n in names)
        ):
            zf.close()
            raise WorkbookRefused(_("is a zip file but not an Excel workbook (no xl/workbook.xml)"), path=path)
        return cls(path=path, zf=zf, names=names)

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.zf.close()

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        try:
            return self.zf.read(name)
        except KeyError:
            raise WorkbookRefused(_("is missing its part {name}").format(name=name), path=self.path) from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise WorkbookRefused(
                _("is damaged: part {name} cannot be read ({reason})").format(name=name, reason=exc), path=self.path
            ) from None

    def check_parts(self) -> None:
        """Refuse a package one of whose parts cannot be copied (a damaged local header), before
        anything is written: the write copies untouched parts as they are and would fail half-way."""
        for info in self.zf.infolist():
            try:
                with self.zf.open(info):
                    pass
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                raise WorkbookRefused(
                    _("is damaged: part {filename} cannot be copied ({reason}); nothing was written").format(
                        filename=info.filename, reason=exc
                    ),
                    path=self.path,
                ) from None

    def stream(self, name: str, block: int = STREAM_BLOCK, what: str | None = None):
        """A part's content as a stream of blocks of about `block` bytes, checked as it comes: never more
        than the zip's directory says (nor than the cap), and its checksum at the end. `what` names the
        part in messages (e.g. "sheet '投诉跟踪'").

        Used for worksheets, which can be hundreds of megabytes: they are never held whole.
        """
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise WorkbookRefused(_("is missing its part {name}").format(name=name), path=self.path) from None
        return _Unpacked(self, info, block, what or f"part {name}")

    def write_copy(
        self,
        target: Path,
        replaced: Mapping[str, bytes | Deflated],
        added: dict[str, bytes] | None = None,
        removed: set[str] | None = None,
        compresslevel: int = 6,
    ) -> None:
        """Write the package to `target` with some parts replaced, added or removed.

        Untouched parts are copied as raw compressed bytes, so their content and zip metadata
        are exactly as before.
        """
        added = added or {}
        removed = removed or set()
        with open(target, "wb") as raw_out, zipfile.ZipFile(raw_out, "w", allowZip64=True) as out:
            for info in self.zf.infolist():
                name = info.filename
                crash_point()
                if name in removed:
                    continue
                part = replaced.get(name)
                if isinstance(part, Deflated):
                    new = zipfile.ZipInfo(name, date_time=info.date_time)
                    new.compress_type = zipfile.ZIP_DEFLATED
                    new.external_attr = info.external_attr
                    new.create_system = info.create_system
                    new.CRC, new.compress_size, new.file_size = part.crc, part.packed_size(), part.size
                    _write_raw(out, new, part)
                elif part is not None:
                    new = zipfile.ZipInfo(name, date_time=info.date_time)
                    new.compress_type = zipfile.ZIP_DEFLATED
                    new.external_attr = info.external_attr
                    new.create_system = info.create_system
                    out.writestr(new, part, compresslevel=compresslevel)
                else:
                    try:
                        _copy_raw(self.zf, info, out)
                    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                        raise WorkbookRefused(
                            _("is damaged: part {name} cannot be copied ({reason}); nothing was written").format(
                                name=name, reason=exc
                            ),
                            path=self.path,
                        ) from None
            for name, data in added.items():
                crash_point()
                new = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                new.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(new, data, compresslevel=compresslevel)
            crash_point()  # every part written, the zip's directory not yet
            raw_out.flush()
            crash_point()


class _Unpacked:
    """The blocks of one part, unpacked with ISA-L's inflate (twice zlib's speed, same result)."""

    def __init__(self, pkg: Package, info: zipfile.ZipInfo, block: int, what: str):
        self.pkg, self.info, self.block, self.what = pkg, info, block, what

    def __iter__(self):
        info, path = self.info, self.pkg.path
        try:
            with self.pkg.zf.open(info) as member:  # validates the local header, positions at the data
                if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
                    yield from self._checked(iter(lambda: member.read(self.block), b""))
                    return
                fp = _raw_file(member)
                left = info.compress_size
                raw = iter(lambda: fp.read(min(1024 * 1024, left)), b"")

                def compressed():
                    nonlocal left
                    for piece in raw:
                        left -= len(piece)
                        yield piece
                        if left <= 0:
                            return

                if info.compress_type == zipfile.ZIP_STORED:
                    yield from self._checked(compressed(), crc=True)
                else:
                    yield from self._checked(self._inflate(compressed()), crc=True)
        except (zipfile.BadZipFile, zlib.error, _fast_zlib.error, EOFError, OSError) as exc:
            raise WorkbookRefused(
                _("is damaged: {what} cannot be read ({reason})").format(what=self.what, reason=exc), path=path
            ) from None

    def _inflate(self, compressed):
        d = _fast_zlib.decompressobj(-15)
        limit = self.block
        for piece in compressed:
            out = d.decompress(piece, limit)
            while True:
                if out:
                    yield out
                if not d.unconsumed_tail:
                    break
                out = d.decompress(d.unconsumed_tail, limit)  # at most `limit` from one piece: no bomb in memory
        out = d.flush()
        if out:
            yield out
        if not d.eof:
            raise zipfile.BadZipFile("its packed data ends early")

    def _checked(self, blocks, crc: bool = False):
        info, size, value = self.info, 0, 0
        expected = info.file_size  # (at most the cap: checked when the package was opened)
        for block in blocks:
            size += len(block)
            if size > expected:  # stopped at the first block beyond: a lying directory is no way past the cap
                raise zipfile.BadZipFile(f"it unpacks to more than the {expected:,} bytes the zip's directory says")
            if crc:
                value = _fast_zlib.crc32(block, value)
            yield block
        if size != expected:
            raise zipfile.BadZipFile("it is smaller than the zip's directory says")
        if crc and value != info.CRC:
            raise zipfile.BadZipFile("its checksum is wrong")


@dataclass
class Deflated:
    """A part's new content, already compressed (raw deflate), with its CRC and size.

    The compressed bytes are `data`, or, for a part deflated into a spool file, `size_packed` bytes
    of `spool` from its start.
    """

    data: bytes | None
    crc: int
    size: int
    spool: IO[bytes] | None = None
    size_packed: int = 0

    def packed_size(self) -> int:
        return len(self.data) if self.data is not None else self.size_packed

    def copy_to(self, out) -> None:
        """Write the compressed bytes to the file object `out`."""
        if self.data is not None:
            out.write(self.data)
            return
        spool = self.spool
        assert spool is not None, "a Deflated holds its bytes, or a spool file of them"
        spool.seek(0)
        left = self.size_packed
        while left:
            block = spool.read(min(left, 8 * 1024 * 1024))
            if not block:
                raise OSError("the spool file ends early")
            out.write(block)
            left -= len(block)


BIG_PART = 32 * 1024 * 1024  # parts larger than this are compressed faster, a little less tightly
BATCH = 8 * 1024 * 1024  # a big part is compressed in pieces of about this size, beside the code making them
# (large, since the compressing thread waits for the interpreter after each piece: up to 5 ms each)


def deflate_chunks(chunks, level: int | None = None, into=None) -> Deflated:
    """Compress a stream of byte chunks as it is produced, so the whole part never sits in memory twice.

    A big part (a first fill's sheet: hundreds of megabytes) is compressed by a second thread while
    this one goes on making chunks; zlib lets go of the interpreter while it works, so the two run at
    once on a machine with two cores. With `into` (a binary file, e.g. a spool in the workbook's
    folder), the compressed bytes go there as they are made instead of into memory.
    """
    buffered: list = []
    size = 0
    chunks = iter(chunks)
    for chunk in chunks:
        buffered.append(chunk)
        size += len(chunk)
        if size > BIG_PART or level is not None:
            break
    else:  # a small part: compressed tightly, here
        comp = zlib.compressobj(level if level is not None else 6, zlib.DEFLATED, -15)
        sink = _Sink(into)
        crc = 0
        for b in buffered:
            crc = zlib.crc32(b, crc)
            sink.add(comp.compress(b))
        sink.add(comp.flush())
        return sink.deflated(crc, size)
    compressor = _Compressor(level if level is not None else 1, _Sink(into))
    try:
        batch, batch_size = buffered, size
        for chunk in chunks:
            batch.append(chunk)
            batch_size += len(chunk)
            if batch_size >= BATCH:
                compressor.add(b"".join(batch))
                batch, batch_size = [], 0
        compressor.add(b"".join(batch))
    except BaseException:
        compressor.abandon()
        raise
    return compressor.finish()


class _Sink:
    """Where compressed pieces go: kept in memory, or written to a spool file."""

    def __init__(self, into):
        self.into = into
        self.pieces: list[bytes] = []
        self.packed = 0

    def add(self, piece: bytes) -> None:
        if self.into is None:
            self.pieces.append(piece)
        elif piece:
            self.into.write(piece)
        self.packed += len(piece)

    def deflated(self, crc: int, size: int) -> Deflated:
        if self.into is None:
            return Deflated(b"".join(self.pieces), crc, size)
        self.into.flush()
        return Deflated(None, crc, size, spool=self.into, size_packed=self.packed)


class _Compressor:
    """Raw deflate and CRC of a stream of byte batches, worked out in a thread of its own, in order.

    Levels 0-3 go through ISA-L (python-isal): the same deflate format as zlib's, about three times
    as fast at level 1 (a first fill's 775 MB sheet: 1.1 s instead of 3.8 s), as tightly packed.
    """

    def __init__(self, level: int, sink: _Sink):
        self._zlib = _fast_zlib if level <= 3 else zlib
        self._comp = self._zlib.compressobj(level, zlib.DEFLATED, -15)
        self._queue: queue.Queue = queue.Queue(maxsize=4)  # a few batches ahead, not the whole part
        self._sink = sink
        self._crc = self._size = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="deflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            data = self._queue.get()
            if data is None:
                return
            if self._error is not None:
                continue  # failed: drain the queue so the producer never blocks
            try:
                self._crc = self._zlib.crc32(data, self._crc)
                self._size += len(data)
                self._sink.add(self._comp.compress(data))
            except BaseException as exc:  # e.g. out of memory, a full disk: reported by finish()
                self._error = exc

    def add(self, data: bytes) -> None:
        if self._error is not None:  # e.g. the spool's disk is full: stop making the rest
            raise self._error
        self._queue.put(data)

    def abandon(self) -> None:
        self._error = self._error or RuntimeError("abandoned")
        self._queue.put(None)
        self._thread.join()

    def finish(self) -> Deflated:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        self._sink.add(self._comp.flush())
        return self._sink.deflated(self._crc, self._size)


def _copy_raw(src: zipfile.ZipFile, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    """Copy one member's compressed bytes without inflating and deflating them again."""
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    for attr in (
        "compress_type",
        "comment",
        "extra",
        "create_system",
        "create_version",
        "extract_version",
        "flag_bits",
        "volume",
        "internal_attr",
        "external_attr",
        "CRC",
        "compress_size",
        "file_size",
    ):
        setattr(new, attr, getattr(info, attr))
    new.flag_bits &= ~0x08  # sizes are known: no data descriptor after the data
    with src.open(info) as member:  # validates the local header, positions at the data
        fp = _raw_file(member)
        _write_raw(out, new, _RawCopy(fp, info.compress_size))


class _RawCopy:
    """A member's compressed bytes, copied from the source file a block at a time (a sheet's can be
    over a hundred megabytes)."""

    def __init__(self, fp, size: int):
        self.fp, self.size = fp, size

    def copy_to(self, out) -> None:
        left = self.size
        while left:
            block = self.fp.read(min(left, 8 * 1024 * 1024))
            if not block:
                raise zipfile.BadZipFile("the packed data ends early")
            out.write(block)
            left -= len(block)


class _Copyable(Protocol):
    """Data written to a file a block at a time (Deflated, a raw copy, pieces)."""

    def copy_to(self, out: IO[bytes]) -> None: ...


# zipfile has no public API to read a member's packed bytes, nor to add a member whose bytes are packed
# already: the two functions below use its private state, as described by these two views of it (what
# ZipFile.open and ZipFile.writestr themselves use, CPython 3.11-3.13).


class _OpenedMember(Protocol):
    """A member opened for reading (zipfile.ZipExtFile): its file, positioned at the packed data."""

    _fileobj: IO[bytes]


class _ZipBeingWritten(Protocol):
    """A zipfile.ZipFile open for writing, as writestr sees it."""

    _lock: AbstractContextManager[object]
    _seekable: bool
    _didModify: bool
    fp: IO[bytes]
    start_dir: int
    filelist: list[zipfile.ZipInfo]
    NameToInfo: dict[str, zipfile.ZipInfo]

    def _writecheck(self, zinfo: zipfile.ZipInfo) -> None: ...


def _raw_file(member: IO[bytes]) -> IO[bytes]:
    """The file under a member opened by ZipFile.open (which has checked its local header), positioned at
    the member's packed bytes."""
    return cast(_OpenedMember, member)._fileobj


def _write_raw(zf: zipfile.ZipFile, new: zipfile.ZipInfo, compressed: bytes | _Copyable) -> None:
    """Add a member whose data is already packed (CRC and sizes set on `new`): what writestr does
    after compressing."""
    out = cast(_ZipBeingWritten, zf)
    with out._lock:
        if out._seekable:
            out.fp.seek(out.start_dir)
        new.header_offset = out.fp.tell()
        out._writecheck(new)
        out._didModify = True
        out.fp.write(new.FileHeader(new.file_size > zipfile.ZIP64_LIMIT or new.compress_size > zipfile.ZIP64_LIMIT))
        if isinstance(compressed, bytes):
            out.fp.write(compressed)
        else:  # Deflated, a raw copy, or pieces: written a block at a time
            compressed.copy_to(out.fp)
        out.filelist.append(new)
        out.NameToInfo[new.filename] = new
        out.start_dir = out.fp.tell()


def write_stored(target: str | Path, members: Iterable[tuple[str, Sequence[bytes | memoryview]]]) -> None:
    """Write a new zip package of `members` (name, data), stored (not compressed): each member's data is
    a list of byte pieces written one after another, never joined in memory (e.g. a piece of a sheet
    between its head and its tail, for the fast reader)."""
    with open(target, "wb") as fh, zipfile.ZipFile(fh, "w") as zf:
        for name, pieces in members:
            data = _Pieces(pieces)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.CRC, info.compress_size = data.crc(), len(data)
            info.file_size = info.compress_size
            _write_raw(zf, info, data)


class _Pieces:
    """Byte pieces written one after another as one zip member's data."""

    def __init__(self, pieces: Sequence[bytes | memoryview]):
        self.pieces = pieces

    def __len__(self) -> int:
        return sum(len(p) for p in self.pieces)

    def crc(self) -> int:
        value = 0
        for p in self.pieces:
            value = _fast_zlib.crc32(p, value)
        return value

    def copy_to(self, out) -> None:
        for p in self.pieces:
            out.write(p)


def resolve_target(base_part: str, target: str) -> str:
    """Resolve a relationship target relative to the part that owns the .rels file."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def rels_name(part: str) -> str:
    d, f = posixpath.split(part)
    return posixpath.join(d, "_rels", f + ".rels")


_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"|([\w:]+)\s*=\s*\'([^\']*)\'')


def attrs(blob: bytes) -> dict[str, str]:
    """Attributes of one start tag's attribute text, as {name: value} (names without prefixes kept)."""
    out = {}
    for m in _ATTR.finditer(blob):
        if m.group(1) is not None:
            out[m.group(1).decode()] = m.group(2).decode("utf-8")
        else:
            out[m.group(3).decode()] = m.group(4).decode("utf-8")
    return out


def read_rels(pkg: Package, part: str) -> list[dict[str, str]]:
    name = rels_name(part)
    if not pkg.has(name):
        return []
    return [attrs(m.group(1)) for m in _REL.finditer(pkg.read(name))]
