"""styles.xml: tell date formats apart, and add the few cell formats the toolkit needs.

Existing entries are never altered. New formats are appended (a clone of the cell's own
format with a date number format or a fill added), so other cells keep their look.
The file is edited as text, so everything the toolkit does not touch keeps its bytes.

The structure is read with a small tag scanner rather than by searching for element names,
because real files hold the same names in other places: differential formats (<dxfs>, used by
conditional formatting and tables) carry their own <numFmt> and <fill> elements, and some
writers (Hancom Office) wrap entries in <mc:AlternateContent> with a <mc:Choice> and a
<mc:Fallback> copy - which count as ONE entry of the list.
"""

from __future__ import annotations

import html
import re

# Built-in number formats that show dates or times (ECMA-376 18.8.30, plus the East Asian ids).
BUILTIN_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

_ATTR_RE = r"""(?<![\w:.-])%s\s*=\s*(?:"([^"]*)"|'([^']*)')"""
# One markup item: a comment, a processing instruction, CDATA, or a start/end/empty tag
# (attribute values may hold '>' and '/').
_ITEM = re.compile(
    rb"""<(?:!--.*?-->|\?.*?\?>|!\[CDATA\[.*?\]\]>|(/)?([\w.:-]+)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/)?>)""",
    re.S,
)


def _attr(tag: bytes, name: str) -> str | None:
    m = re.search((_ATTR_RE % name).encode(), tag)
    if not m:
        return None
    return (m.group(1) if m.group(1) is not None else m.group(2)).decode()


def _set_attr(tag: bytes, name: str, value: str) -> bytes:
    """Set an attribute on a start tag (bytes of `<xf ...>` or `<xf .../>`)."""
    pat = re.compile((_ATTR_RE % name).encode())
    new = f'{name}="{value}"'.encode()
    if pat.search(tag):
        return pat.sub(lambda _m: new, tag, count=1)
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end].rstrip() + b" " + new + tag[end:]


def _local(qname: bytes) -> bytes:
    return qname.rsplit(b":", 1)[-1]


class _Element:
    """Where one element sits in the XML: its start tag, its content and its end."""

    __slots__ = ("name", "start", "tag_end", "close_start", "end")

    def __init__(self, name: bytes, start: int, tag_end: int, close_start: int | None, end: int):
        self.name, self.start, self.tag_end, self.close_start, self.end = name, start, tag_end, close_start, end

    @property
    def local(self) -> bytes:
        return _local(self.name)

    @property
    def empty(self) -> bool:
        return self.close_start is None


def _children(xml: bytes, start: int, end: int) -> list[_Element]:
    """The direct child elements found in xml[start:end]."""
    out: list[_Element] = []
    depth = 0
    opened: tuple[bytes, int, int] | None = None
    for m in _ITEM.finditer(xml, start, end):
        name = m.group(2)
        if name is None:  # comment, PI, CDATA
            continue
        if m.group(1):  # end tag
            depth -= 1
            if depth == 0 and opened is not None:
                out.append(_Element(opened[0], opened[1], opened[2], m.start(), m.end()))
                opened = None
            if depth < 0:
                raise ValueError("styles.xml is not well formed")
        elif m.group(4):  # empty-element tag
            if depth == 0:
                out.append(_Element(name, m.start(), m.end(), None, m.end()))
        else:
            if depth == 0:
                opened = (name, m.start(), m.end())
            depth += 1
    if depth != 0:
        raise ValueError("styles.xml is not well formed")
    return out


def _inner(xml: bytes, el: _Element) -> list[_Element]:
    if el.empty:
        return []
    assert el.close_start is not None  # an element that is not empty has a closing tag
    return _children(xml, el.tag_end, el.close_start)


def _argb(rgb: str) -> str:
    """'FFC7CE' or '#FFC7CE' as the ARGB text styles.xml holds ('FFFFC7CE')."""
    rgb = rgb.upper().lstrip("#")
    if len(rgb) == 6:
        rgb = "FF" + rgb
    if not re.fullmatch(r"[0-9A-F]{8}", rgb):
        raise ValueError(f"{rgb!r} is not a colour like 'FFC7CE'")
    return rgb


def is_date_format_code(code: str) -> bool:
    """True when an Excel number format shows a date or time."""
    code = code.split(";")[0]
    code = re.sub(r'"[^"]*"', "", code)  # quoted literal text
    code = re.sub(r"\\.", "", code)  # escaped characters
    code = re.sub(r"\[(?!h\]|hh\]|m\]|mm\]|s\]|ss\])[^\]]*\]", "", code, flags=re.I)  # colours, locales
    code = re.sub(r"_.|\*.", "", code)  # padding
    return bool(re.search(r"[dmyhsDMYHS]|[年月日时分秒]", code)) and "General" not in code


class StylesError(ValueError):
    """styles.xml cannot take the cell format the toolkit needs."""


class StyleBook:
    """The parts of styles.xml the engine needs, with the ability to append entries."""

    def __init__(self, xml: bytes):
        self.original = xml
        roots = [e for e in _children(xml, 0, len(xml))]
        if len(roots) != 1 or roots[0].local != b"styleSheet":
            raise StylesError("styles.xml has no <styleSheet>")
        self._root = roots[0]
        self.prefix = self._root.name[: -len(b"styleSheet")]
        self._containers: dict[bytes, _Element] = {}
        for el in _inner(xml, self._root):
            self._containers.setdefault(el.local, el)
        fmts = self._entries(b"numFmts", b"numFmt")
        self.num_fmts: dict[int, str] = {}
        for el in fmts:
            tag = xml[el.start : el.tag_end]
            try:
                fid = int(_attr(tag, "numFmtId") or "")
            except ValueError:
                continue
            self.num_fmts.setdefault(fid, html.unescape(_attr(tag, "formatCode") or ""))
        # numFmtIds used anywhere (differential formats included), so a new id never collides
        self._used_fmt_ids = {
            int(x) for x in re.findall(rb"""<(?:[\w.-]+:)?numFmt\b[^>]*?numFmtId\s*=\s*["'](\d+)""", xml)
        }
        self.xfs: list[bytes] = [xml[el.start : el.end] for el in self._entries(b"cellXfs", b"xf")]
        self._counts = {
            b"numFmts": len(fmts),
            b"cellXfs": len(self.xfs),
            b"fills": len(self._entries(b"fills", b"fill")),
            b"dxfs": len(self._entries(b"dxfs", b"dxf")),
        }
        self._added: dict[bytes, list[bytes]] = {b"numFmts": [], b"fills": [], b"cellXfs": [], b"dxfs": []}
        self._derived: dict[tuple, int] = {}
        self._fills: list[bytes] | None = None
        self._xml: bytes | None = None

    # ---- reading the structure
    def _entries(self, container: bytes, name: bytes) -> list[_Element]:
        """The entries of a list such as <cellXfs>, one per entry even when wrapped in mc:AlternateContent."""
        box = self._containers.get(container)
        if box is None:
            return []
        out = []
        for el in _inner(self.original, box):
            if el.local == name:
                out.append(el)
            elif el.local == b"AlternateContent":
                branches = {b.local: b for b in reversed(_inner(self.original, el))}
                for branch in (branches.get(b"Fallback"), branches.get(b"Choice")):
                    found = branch and next((x for x in _inner(self.original, branch) if x.local == name), None)
                    if found:
                        out.append(found)
                        break
        return out

    @property
    def changed(self) -> bool:
        return any(self._added.values())

    @property
    def xml(self) -> bytes:
        """styles.xml with the new entries appended to their lists (and the lists' counts updated)."""
        if not self.changed:
            return self.original
        if self._xml is None:
            self._xml = self._render()
        return self._xml

    def _render(self) -> bytes:
        xml, p = self.original, self.prefix
        edits: list[tuple[int, int, bytes]] = []
        for container, entries in self._added.items():
            if not entries:
                continue
            count = str(self._counts[container] + len(entries))
            body = b"".join(entries)
            box = self._containers.get(container)
            if box is None and container == b"dxfs":  # after cellStyles: before the lists that follow it, or last
                later = [self._containers[n] for n in (b"tableStyles", b"colors", b"extLst") if n in self._containers]
                at = min(e.start for e in later) if later else self._root.close_start
                assert at is not None
                edits.append((at, at, b'<%sdxfs count="%s">%s</%sdxfs>' % (p, count.encode(), body, p)))
            elif box is None:
                if container != b"numFmts":
                    raise StylesError(f"styles.xml has no <{container.decode()}> list")
                # numFmts is the first child of styleSheet
                edits.append(
                    (
                        self._root.tag_end,
                        self._root.tag_end,
                        b'<%snumFmts count="%s">%s</%snumFmts>' % (p, count.encode(), body, p),
                    )
                )
            elif box.empty:
                tag = xml[box.start : box.end]
                opened = _set_attr(tag, "count", count)[:-2].rstrip() + b">"
                edits.append((box.start, box.end, opened + body + b"</%s>" % box.name))
            else:
                assert box.close_start is not None  # not empty: it has a closing tag
                edits.append((box.start, box.tag_end, _set_attr(xml[box.start : box.tag_end], "count", count)))
                edits.append((box.close_start, box.close_start, body))
        for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            xml = xml[:start] + new + xml[end:]
        return xml

    # ---- questions
    def num_fmt_id(self, style: int) -> int:
        if not 0 <= style < len(self.xfs):
            return 0
        start = self.xfs[style].split(b">", 1)[0]
        try:
            return int(_attr(start, "numFmtId") or 0)
        except ValueError:
            return 0

    def is_date_style(self, style: int) -> bool:
        fid = self.num_fmt_id(style)
        code = self.num_fmts.get(fid)
        if code is not None and fid >= 164:
            return is_date_format_code(code)
        if fid in BUILTIN_DATE_IDS:
            return True
        return bool(code) and is_date_format_code(code or "")

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

    def with_dxf(self, fill_rgb: str, font_rgb: str) -> int:
        """Index of a differential format (for conditional formatting): a solid fill and a font colour.

        Appended to <dxfs> (made when the file has none); one already there with the same look is reused."""
        fill_rgb, font_rgb = (_argb(c) for c in (fill_rgb, font_rgb))
        p = self.prefix
        entry = (
            b'<%sdxf><%sfont><%scolor rgb="%s"/></%sfont><%sfill><%spatternFill patternType="solid">'
            b'<%sbgColor rgb="%s"/></%spatternFill></%sfill></%sdxf>'
            % (p, p, p, font_rgb.encode(), p, p, p, p, fill_rgb.encode(), p, p, p)
        )
        existing = [self.original[el.start : el.end] for el in self._entries(b"dxfs", b"dxf")]
        if entry in existing:
            return existing.index(entry)
        added = self._added[b"dxfs"]
        if entry not in added:
            self._add(b"dxfs", entry)
        return len(existing) + added.index(entry)

    def _clone(self, style: int, changes: dict[str, str]) -> int:
        if not self.xfs:
            raise StylesError("styles.xml has no cell formats to copy")
        base = self.xfs[style] if 0 <= style < len(self.xfs) else self.xfs[0]
        m = _ITEM.match(base)
        assert m is not None, "an xf read from styles.xml starts with its tag"
        start, rest = base[: m.end()], base[m.end() :]
        for k, v in changes.items():
            start = _set_attr(start, k, v)
        new = start + rest
        if new in self.xfs:  # made by an earlier run (or already there): reuse it, do not pile up copies
            return self.xfs.index(new)
        self.xfs.append(new)
        self._add(b"cellXfs", new)
        return len(self.xfs) - 1

    def _num_fmt(self, code: str) -> int:
        for fid, existing in self.num_fmts.items():
            if existing == code:
                return fid
        fid = max([163, *self.num_fmts, *self._used_fmt_ids]) + 1
        self.num_fmts[fid] = code
        self._used_fmt_ids.add(fid)
        p = self.prefix
        self._add(
            b"numFmts", b'<%snumFmt numFmtId="%d" formatCode="%s"/>' % (p, fid, html.escape(code, quote=True).encode())
        )
        return fid

    def _fill(self, rgb: str) -> int:
        p = self.prefix
        if b"fills" not in self._containers:
            raise StylesError("styles.xml has no <fills> list")
        entry = (
            b'<%sfill><%spatternFill patternType="solid"><%sfgColor rgb="%s"/><%sbgColor indexed="64"/>'
            b"</%spatternFill></%sfill>" % (p, p, p, rgb.encode(), p, p, p)
        )
        if self._fills is None:
            self._fills = [self.original[el.start : el.end] for el in self._entries(b"fills", b"fill")]
        if entry in self._fills:
            return self._fills.index(entry)
        self._fills.append(entry)
        self._add(b"fills", entry)
        return len(self._fills) - 1

    def _add(self, container: bytes, entry: bytes) -> None:
        self._added[container].append(entry)
        self._xml = None
