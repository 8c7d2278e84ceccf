"""Pictures in rendered documents: a placeholder field becomes an inline picture (the report's charts).

A template says where a picture goes with an ordinary field, ``{{ charts.weekly }}``, in a
paragraph (or table cell) of its own. The data gives that field a *token*
(:func:`picture_token`), so the renderer itself only ever puts text into documents; after
rendering, :func:`insert_pictures` replaces each token by the picture: the run holding it becomes
a Word inline drawing, the PNG is added as a part (``word/media/``) with its relationship and
content type. Text around a token in the same run stays. Sizes: the given width, the height
from the picture's own proportions.

::

    data = tpl.render({"charts": {"weekly": picture_token("weekly")}, ...})
    data, unused = insert_pictures(data, {"weekly": Picture(png, width_cm=16, description="每周受理量")})
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from toolkit.documents.package import DocxPackage
from toolkit.i18n import _
from toolkit.xlsx.package import rels_name

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
EMU_PER_CM = 360000
_TOKEN = re.compile(r"\[\[picture:([A-Za-z0-9_.-]+)\]\]")
_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True, remove_blank_text=False)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def picture_token(name: str) -> str:
    """The text a picture field renders to; `insert_pictures` swaps it for the picture `name`."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ValueError(_("picture name '{name}': letters, digits, _ . - only").format(name=name))
    return f"[[picture:{name}]]"


@dataclass(frozen=True)
class Picture:
    png: bytes
    width_cm: float = 16.0
    description: str = ""

    def size_px(self) -> tuple[int, int]:
        if self.png[:8] != b"\x89PNG\r\n\x1a\n" or self.png[12:16] != b"IHDR":
            raise ValueError(_("not a PNG picture"))
        return struct.unpack(">II", self.png[16:24])

    def extent_emu(self) -> tuple[int, int]:
        w, h = self.size_px()
        cx = int(round(self.width_cm * EMU_PER_CM))
        return cx, int(round(cx * h / w))


def insert_pictures(docx: bytes, pictures: Mapping[str, Picture]) -> tuple[bytes, set[str]]:
    """The document with every picture token replaced by its picture; also the names never placed.

    A token naming no picture is left as text (and so visible), never silently dropped.
    """
    pkg = DocxPackage.open(docx)
    main = pkg.main
    root = etree.fromstring(pkg.read(main), _PARSER)
    rels_part = rels_name(main)
    rels = (
        etree.fromstring(pkg.read(rels_part), _PARSER)
        if pkg.has(rels_part)
        else etree.Element(f"{{{RELS_NS}}}Relationships", nsmap={None: RELS_NS})
    )
    used_ids = {el.get("Id") for el in rels}
    next_doc_pr = 1 + max(
        (int(v) for v in root.xpath("//wp:docPr/@id", namespaces={"wp": WP}) if v.isdigit()), default=0
    )
    media_dir = main.rsplit("/", 1)[0] + "/media/" if "/" in main else "media/"
    added: dict[str, tuple[str, str]] = {}  # picture name -> (relationship id, part name)
    placed: set[str] = set()
    for t in root.iter(f"{{{W}}}t"):
        text = t.text or ""
        if "[[picture:" not in text or not _TOKEN.search(text):
            continue
        run = t.getparent()
        if run is None or run.tag != f"{{{W}}}r":
            continue
        pieces = _split(text, pictures)
        if all(kind == "text" for kind, _ in pieces):
            continue
        parent = run.getparent()
        at = parent.index(run)
        new_runs = []
        for kind, value in pieces:
            if kind == "text":
                if value:
                    new_runs.append(_text_run(run, t, value))
                continue
            if value not in added:
                rid = _free_id(used_ids)
                part = f"{media_dir}toolkit_{value}.png"
                while pkg.has(part) or any(p == part for _r, p in added.values()):
                    part = part[:-4] + "_1.png"
                added[value] = (rid, part)
                rel = etree.SubElement(rels, f"{{{RELS_NS}}}Relationship")
                rel.set("Id", rid)
                rel.set("Type", REL_IMAGE)
                rel.set("Target", part[len(media_dir) - len("media/") :] if part.startswith(media_dir) else part)
            new_runs.append(_drawing_run(run, pictures[value], added[value][0], next_doc_pr, value))
            next_doc_pr += 1
            placed.add(value)
        parent.remove(run)
        for k, r in enumerate(new_runs):
            parent.insert(at + k, r)
    if not added:
        return docx, set(pictures) - placed
    types = etree.fromstring(pkg.read("[Content_Types].xml"), _PARSER)
    if not any(el.get("Extension", "").lower() == "png" for el in types.iter(f"{{{CT_NS}}}Default")):
        default = etree.Element(f"{{{CT_NS}}}Default")
        default.set("Extension", "png")
        default.set("ContentType", "image/png")
        types.insert(0, default)
    replaced = {
        main: etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True),
        rels_part: etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True),
        "[Content_Types].xml": etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True),
    }
    new_parts = {part: pictures[name].png for name, (_rid, part) in added.items()}
    return _rezip(docx, replaced, new_parts), set(pictures) - placed


def _split(text: str, pictures: Mapping[str, Picture]) -> list[tuple[str, str]]:
    out, pos = [], 0
    for m in _TOKEN.finditer(text):
        if m.group(1) not in pictures:
            continue
        out.append(("text", text[pos : m.start()]))
        out.append(("picture", m.group(1)))
        pos = m.end()
    out.append(("text", text[pos:]))
    return out


def _free_id(used: set) -> str:
    n = 1
    while f"rIdTkPic{n}" in used:
        n += 1
    used.add(f"rIdTkPic{n}")
    return f"rIdTkPic{n}"


def _text_run(run, t, text: str):
    """A copy of `run` (its formatting) holding only `text`."""
    new = etree.Element(f"{{{W}}}r")
    rpr = run.find(f"{{{W}}}rPr")
    if rpr is not None:
        new.append(_copy(rpr))
    el = etree.SubElement(new, f"{{{W}}}t")
    el.text = text
    el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return new


def _copy(el):
    return etree.fromstring(etree.tostring(el))


def _drawing_run(run, picture: Picture, rid: str, doc_pr_id: int, name: str):
    cx, cy = picture.extent_emu()
    descr = picture.description or name
    new = etree.Element(f"{{{W}}}r", nsmap={"w": W})
    rpr = run.find(f"{{{W}}}rPr")
    if rpr is not None:
        new.append(_copy(rpr))
    drawing = etree.SubElement(new, f"{{{W}}}drawing")
    inline = etree.SubElement(drawing, f"{{{WP}}}inline", nsmap={"wp": WP})
    for k in ("distT", "distB", "distL", "distR"):
        inline.set(k, "0")
    ext = etree.SubElement(inline, f"{{{WP}}}extent")
    ext.set("cx", str(cx))
    ext.set("cy", str(cy))
    eff = etree.SubElement(inline, f"{{{WP}}}effectExtent")
    for k in ("l", "t", "r", "b"):
        eff.set(k, "0")
    doc_pr = etree.SubElement(inline, f"{{{WP}}}docPr")
    doc_pr.set("id", str(doc_pr_id))
    doc_pr.set("name", f"Picture {doc_pr_id}")
    doc_pr.set("descr", descr)
    frame = etree.SubElement(inline, f"{{{WP}}}cNvGraphicFramePr")
    locks = etree.SubElement(frame, f"{{{A}}}graphicFrameLocks", nsmap={"a": A})
    locks.set("noChangeAspect", "1")
    graphic = etree.SubElement(inline, f"{{{A}}}graphic", nsmap={"a": A})
    gdata = etree.SubElement(graphic, f"{{{A}}}graphicData")
    gdata.set("uri", PIC)
    pic = etree.SubElement(gdata, f"{{{PIC}}}pic", nsmap={"pic": PIC})
    nv = etree.SubElement(pic, f"{{{PIC}}}nvPicPr")
    c_nv = etree.SubElement(nv, f"{{{PIC}}}cNvPr")
    c_nv.set("id", "0")
    c_nv.set("name", f"{name}.png")
    c_nv.set("descr", descr)
    etree.SubElement(nv, f"{{{PIC}}}cNvPicPr")
    fill = etree.SubElement(pic, f"{{{PIC}}}blipFill")
    blip = etree.SubElement(fill, f"{{{A}}}blip", nsmap={"r": R})
    blip.set(f"{{{R}}}embed", rid)
    stretch = etree.SubElement(fill, f"{{{A}}}stretch")
    etree.SubElement(stretch, f"{{{A}}}fillRect")
    sp = etree.SubElement(pic, f"{{{PIC}}}spPr")
    xfrm = etree.SubElement(sp, f"{{{A}}}xfrm")
    off = etree.SubElement(xfrm, f"{{{A}}}off")
    off.set("x", "0")
    off.set("y", "0")
    ext2 = etree.SubElement(xfrm, f"{{{A}}}ext")
    ext2.set("cx", str(cx))
    ext2.set("cy", str(cy))
    geom = etree.SubElement(sp, f"{{{A}}}prstGeom")
    geom.set("prst", "rect")
    etree.SubElement(geom, f"{{{A}}}avLst")
    return new


def _rezip(docx: bytes, replaced: dict[str, bytes], new_parts: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = replaced.get(info.filename)
            if data is None:
                data = src.read(info)
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, data)
        for name, data in new_parts.items():
            zi = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_STORED  # PNG is compressed already
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    return out.getvalue()
