"""workbook.xml: which sheets there are, where their parts live, and the date system."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from toolkit.errors import WorkbookRefused
from toolkit.i18n import _
from toolkit.xlsx.package import STRICT_NS, Package, attrs, read_rels, resolve_target

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*?)/?>")
_WBPR = re.compile(rb"<(?:\w+:)?workbookPr\b([^>]*?)/?>")


def loose_sheet_name(name: str) -> str:
    """A sheet name as sheets are matched: ignoring case, spaces and full/half width."""
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str  # e.g. "xl/worksheets/sheet1.xml"
    state: str  # visible / hidden / veryHidden
    kind: str  # worksheet / chartsheet / dialogsheet / macrosheet


@dataclass(frozen=True)
class WorkbookInfo:
    sheets: list[SheetInfo]
    date1904: bool
    workbook_part: str

    def sheet(self, name: str, *, path=None) -> SheetInfo:
        """Find a worksheet by name: exactly, else ignoring case, spaces and full/half width."""
        for s in self.sheets:
            if s.name == name:
                return self._worksheet(s, path)
        wanted = loose_sheet_name(name)
        for s in self.sheets:
            if loose_sheet_name(s.name) == wanted:
                return self._worksheet(s, path)
        names = ", ".join(f"'{s.name}'" for s in self.sheets)
        raise WorkbookRefused(
            _("has no sheet named '{name}' (its sheets are: {names})").format(name=name, names=names),
            path=path,
            hint=_("rename the sheet back, or set the sheet name in toolkit.toml"),
        )

    @staticmethod
    def _worksheet(s: SheetInfo, path) -> SheetInfo:
        if s.kind != "worksheet":
            raise WorkbookRefused(
                _("sheet '{name}' is a {kind}, not a worksheet with cells").format(name=s.name, kind=s.kind), path=path
            )
        return s


def workbook_part(pkg: Package) -> str:
    for rel in read_rels(pkg, ""):
        if rel.get("Type", "").endswith("/officeDocument"):
            return resolve_target("", rel["Target"])
    return "xl/workbook.xml"


def read_workbook(pkg: Package) -> WorkbookInfo:
    try:
        return _read_workbook(pkg)
    except UnicodeDecodeError:
        raise WorkbookRefused(_("is damaged: its list of sheets is not valid UTF-8 text"), path=pkg.path) from None


def _read_workbook(pkg: Package) -> WorkbookInfo:
    part = workbook_part(pkg)
    xml = pkg.read(part)
    if STRICT_NS in xml[:4000]:
        raise WorkbookRefused(
            _("is saved as 'Strict Open XML', which the toolkit cannot change safely"),
            path=pkg.path,
            hint=_("open it in Excel and save it as an ordinary Excel Workbook (.xlsx)"),
        )
    rels = {r.get("Id"): r for r in read_rels(pkg, part)}
    sheets = []
    for m in _SHEET.finditer(xml):
        a = attrs(m.group(1))
        rid = next((v for k, v in a.items() if k.endswith(":id") or k == "id"), None)
        rel = rels.get(rid)
        if rel is None:
            continue
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        sheets.append(
            SheetInfo(
                name=html.unescape(a.get("name", "")),
                part=resolve_target(part, rel["Target"]),
                state=a.get("state", "visible"),
                kind=kind,
            )
        )
    pr = _WBPR.search(xml)
    date1904 = pr is not None and attrs(pr.group(1)).get("date1904", "0").lower() in ("1", "true")
    return WorkbookInfo(sheets=sheets, date1904=date1904, workbook_part=part)
