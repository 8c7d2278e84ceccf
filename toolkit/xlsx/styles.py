"""styles.xml: tell date formats apart, and add the few cell formats the toolkit needs.

Existing entries are never altered. New formats are appended (a clone of the cell's own
format with a date number format or a fill added), so other cells keep their look.
The file is edited as text, so everything the toolkit does not touch keeps its bytes.
"""

from __future__ import annotations

import html
import re

# Built-in number formats that show dates or times (ECMA-376 18.8.30, plus the East Asian ids).
BUILTIN_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

_ATTR_RE = r'\b%s\s*=\s*"([^"]*)"'


def _attr(tag: bytes, name: str) -> str | None:
    m = re.search((_ATTR_RE % name).encode(), tag)
    return m.group(1).decode() if m else None


def _set_attr(tag: bytes, name: str, value: str) -> bytes:
    """Set an attribute on a start tag (bytes of `<xf ...>` or `<xf .../>`)."""
    pat = re.compile((_ATTR_RE % name).encode())
    new = f'{name}="{value}"'.encode()
    if pat.search(tag):
        return pat.sub(new, tag, count=1)
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end].rstrip() + b" " + new + tag[end:]


def is_date_format_code(code: str) -> bool:
    """True when an Excel number format shows a date or time."""
    code = code.split(";")[0]
    code = re.sub(r'"[^"]*"', "", code)          # quoted literal text
    code = re.sub(r"\\.", "", code)              # escaped characters
    code = re.sub(r"\[(?!h\]|hh\]|m\]|mm\]|s\]|ss\])[^\]]*\]", "", code, flags=re.I)  # colours, locales
    code = re.sub(r"_.|\*.", "", code)           # padding
    return bool(re.search(r"[dmyhsDMYHS]|[年月日时分秒]", code)) and "General" not in code


class StyleBook:
    """The parts of styles.xml the engine needs, with the ability to append entries."""

    def __init__(self, xml: bytes):
        self.original = xml
        self.xml = xml
        m = re.match(rb"(?s).*?<(\w+:)?styleSheet\b", xml)
        self.prefix = (m.group(1) or b"") if m else b""
        p = re.escape(self.prefix)
        self._xfs_re = re.compile(rb"(?s)<%scellXfs\b[^>]*>(.*?)</%scellXfs>" % (p, p))
        self._xf_re = re.compile(rb"(?s)<%sxf\b[^>]*?(?:/>|>.*?</%sxf>)" % (p, p))
        self.num_fmts = {int(_attr(t, "numFmtId")): html.unescape(_attr(t, "formatCode") or "")
                         for t in re.findall(rb"<%snumFmt\b[^>]*>" % p, xml)}
        block = self._xfs_re.search(xml)
        self.xfs: list[bytes] = self._xf_re.findall(block.group(1)) if block else []
        self._derived: dict[tuple, int] = {}
        self.changed = False

    # ---- questions
    def num_fmt_id(self, style: int) -> int:
        if not 0 <= style < len(self.xfs):
            return 0
        start = self.xfs[style].split(b">", 1)[0]
        return int(_attr(start, "numFmtId") or 0)

    def is_date_style(self, style: int) -> bool:
        fid = self.num_fmt_id(style)
        if fid in BUILTIN_DATE_IDS:
            return True
        code = self.num_fmts.get(fid)
        return bool(code) and is_date_format_code(code)

    # ---- additions
    def with_number_format(self, style: int, code: str) -> int:
        """Index of a cell format like `style` but showing numbers with format `code`."""
        key = ("fmt", style, code)
        if key not in self._derived:
            fid = 0 if code == "General" else self._num_fmt(code)
            self._derived[key] = self._clone(style, {"numFmtId": str(fid), "applyNumberFormat": "1"})
        return self._derived[key]

    def with_fill(self, style: int, rgb: str) -> int:
        """Index of a cell format like `style` with a solid background colour (e.g. 'FFC7CE')."""
        rgb = rgb.upper().lstrip("#")
        if len(rgb) == 6:
            rgb = "FF" + rgb
        if not re.fullmatch(r"[0-9A-F]{8}", rgb):
            raise ValueError(f"{rgb!r} is not a colour like 'FFC7CE'")
        key = ("fill", style, rgb)
        if key not in self._derived:
            fill_id = self._fill(rgb)
            self._derived[key] = self._clone(style, {"fillId": str(fill_id), "applyFill": "1"})
        return self._derived[key]

    def _clone(self, style: int, changes: dict[str, str]) -> int:
        if not self.xfs:
            raise ValueError("styles.xml has no cell formats to copy")
        base = self.xfs[style] if 0 <= style < len(self.xfs) else self.xfs[0]
        start, sep, rest = base.partition(b">")
        start += sep
        for k, v in changes.items():
            start = _set_attr(start, k, v)
        new = start + rest
        self.xfs.append(new)
        self._append_to(b"cellXfs", new, len(self.xfs))
        return len(self.xfs) - 1

    def _num_fmt(self, code: str) -> int:
        for fid, existing in self.num_fmts.items():
            if existing == code:
                return fid
        fid = max([163, *self.num_fmts]) + 1
        self.num_fmts[fid] = code
        p = self.prefix
        entry = b'<%snumFmt numFmtId="%d" formatCode="%s"/>' % (p, fid, html.escape(code, quote=True).encode())
        if re.search(rb"<%snumFmts\b" % re.escape(p), self.xml):
            self._append_to(b"numFmts", entry, len(self.num_fmts))
        else:  # numFmts must be the first child of styleSheet
            m = re.search(rb"<%sstyleSheet\b[^>]*>" % re.escape(p), self.xml)
            block = b'<%snumFmts count="1">%s</%snumFmts>' % (p, entry, p)
            self.xml = self.xml[:m.end()] + block + self.xml[m.end():]
        return fid

    def _fill(self, rgb: str) -> int:
        p = self.prefix
        count = len(re.findall(rb"<%sfill\b" % re.escape(p), self.xml))
        entry = (b'<%sfill><%spatternFill patternType="solid"><%sfgColor rgb="%s"/><%sbgColor indexed="64"/>'
                 b'</%spatternFill></%sfill>' % (p, p, p, rgb.encode(), p, p, p))
        self._append_to(b"fills", entry, count + 1)
        return count

    def _append_to(self, container: bytes, entry: bytes, new_count: int) -> None:
        p = re.escape(self.prefix)
        close = re.compile(rb"</%s%s>" % (p, container))
        m = close.search(self.xml)
        if m is None:  # an empty self-closed container, e.g. <fills count="0"/>
            empty = re.compile(rb"<%s%s\b([^>]*)/>" % (p, container))
            e = empty.search(self.xml)
            if e is None:
                raise ValueError(f"styles.xml has no <{container.decode()}> list")
            opened = e.group(0)[:-2] + b">"
            self.xml = self.xml[:e.start()] + opened + entry + b"</%s%s>" % (self.prefix, container) + self.xml[e.end():]
        else:
            self.xml = self.xml[:m.start()] + entry + self.xml[m.start():]
        opener = re.compile(rb"<%s%s\b[^>]*>" % (p, container))
        o = opener.search(self.xml)
        self.xml = self.xml[:o.start()] + _set_attr(o.group(0), "count", str(new_count)) + self.xml[o.end():]
        self.changed = True
