"""The shipped notice templates, built by code with python-docx so they can be rebuilt byte for byte.

``python scripts/build_templates.py`` (or `build_all(folder)`) writes them to ``toolkit/templates/``,
which ships inside the package; offices copy one into the ``templates/`` folder beside their
workbooks and change it in Word (see :mod:`toolkit.documents.templates`).

Every template is an ordinary .docx: fields are ``{{ name }}`` with the tracker's/register's
column names (see toolkit/defaults/settings.toml), table rows repeat with ``{%tr for %}``,
whole paragraphs are shown or hidden with ``{%p if %}``. The styles carry a CJK font
(east-Asian "Noto Sans CJK SC", with 宋体 named as its substitute in the font table) and
zh-CN as the east-Asian language, so Word, WPS and LibreOffice all lay out Chinese properly.

Chinese by default (``ack.docx``); English variants are ``ack_en.docx``.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

CJK_FONT = "Noto Sans CJK SC"
CJK_FALLBACK = "宋体"
LATIN_FONT_EN = "Arial"
KINDS = ("ack", "settlement", "feedback", "survey", "tier", "tier_letter", "escalation", "visit")
LANDSCAPE = frozenset({"tier", "escalation", "visit"})  # internal lists: wide tables
FIXED_TIME = "2026-01-01T00:00:00Z"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def template_file_name(template: str, language: str) -> str:
    return f"{template}.docx" if language == "zh" else f"{template}_{language}.docx"


# ------------------------------------------------------------------------------------------ writer


class TemplateWriter:
    """A small layer over python-docx for the notices' look: A4, margins, CJK fonts, tables."""

    def __init__(self, language: str, *, landscape: bool = False):

        self.zh = language == "zh"
        self.language = language
        self.doc = Document()
        self.Pt, self.Cm = Pt, Cm
        section = self.doc.sections[0]
        section.page_width, section.page_height = (Cm(29.7), Cm(21)) if landscape else (Cm(21), Cm(29.7))
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
        self.text_width = (29.7 if landscape else 21) - 2 * 2.6  # cm between the margins
        section.left_margin = section.right_margin = Cm(2.6)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(12 if self.zh else 11)
        normal.paragraph_format.space_after = Pt(4)
        normal.paragraph_format.line_spacing = 1.35
        for p in list(self.doc.paragraphs):
            p._element.getparent().remove(p._element)

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    def paragraph(self, text: str, *, align=None, bold=False, size=None, indent=False, color=None, space_before=None):

        p = self.doc.add_paragraph()
        if text:
            run = p.add_run(text)
            run.bold = bold or None
            if size:
                run.font.size = self.Pt(size)
            if color:
                run.font.color.rgb = RGBColor.from_string(color)
        if align:
            p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
        if indent and self.zh:
            p.paragraph_format.first_line_indent = self.Pt(24)
        if space_before is not None:
            p.paragraph_format.space_before = self.Pt(space_before)
        return p

    def title(self, zh: str, en: str):
        p = self.paragraph(self.t(zh, en), align="center", bold=True, size=18, space_before=6)
        p.paragraph_format.space_after = self.Pt(14)
        return p

    def right(self, zh: str, en: str, **kw):
        return self.paragraph(self.t(zh, en), align="right", **kw)

    def line(self, zh: str, en: str, **kw):
        return self.paragraph(self.t(zh, en), **kw)

    def body(self, zh: str, en: str, **kw):
        return self.paragraph(self.t(zh, en), indent=True, **kw)

    def note(self, zh: str, en: str):
        return self.paragraph(self.t(zh, en), size=9, color="666666")

    def blank(self):
        return self.paragraph("")

    def tag(self, tag: str):
        """A paragraph holding only a template tag, the same in both languages: ``{%p else %}``."""
        return self.paragraph(tag)

    @contextlib.contextmanager
    def only_if(self, condition: str):
        """The paragraphs written inside show only when `condition` holds ({%p if %} ... {%p endif %})."""
        self.tag(f"{{%p if {condition} %}}")
        yield
        self.tag("{%p endif %}")

    def fields_table(self, rows: list[tuple[str, str, str]], label_width: float = 3.6):
        """A two-column table: label | value tag."""
        table = self.doc.add_table(rows=0, cols=2)
        table.style = self.doc.styles["Table Grid"]
        for zh, en, value in rows:
            cells = table.add_row().cells
            cells[0].text = self.t(zh, en)
            cells[1].text = value
            _shade(cells[0], "F2F2F2")
            cells[0].width = self.Cm(label_width)
            cells[1].width = self.Cm(15.8 - label_width)
        _grid(table, [self.Cm(label_width), self.Cm(15.8 - label_width)])
        self.blank()
        return table

    def loop_table(
        self,
        headers: list[tuple[str, str]],
        loop: str,
        cells: list[str],
        widths: list[float],
        no_wrap_columns: tuple[int, ...] = (),
    ):
        """A table with a header row repeated on every page and one row repeated by `{%tr for ... %}` ...
        `{%tr endfor %}`; no row splits over a page break; `no_wrap_columns` hold codes, phones and dates
        (their `widths` are wide enough for the longest)."""
        table = self.doc.add_table(rows=4, cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        for i, (zh, en) in enumerate(headers):
            cell = table.rows[0].cells[i]
            cell.text = self.t(zh, en)
            cell.paragraphs[0].runs[0].bold = True
            _shade(cell, "D9E2F3")
        _repeat_header(table.rows[0])
        table.rows[1].cells[0].text = "{%tr " + loop + " %}"
        keep_rows_whole(table)
        if no_wrap_columns:
            no_wrap(table, no_wrap_columns)
        for i, text in enumerate(cells):
            table.rows[2].cells[i].text = text
        table.rows[3].cells[0].text = "{%tr endfor %}"
        for row in table.rows:
            for cell, w in zip(row.cells, widths):
                cell.width = self.Cm(w)
                for p in cell.paragraphs:
                    p.paragraph_format.space_after = self.Pt(0)
                    p.paragraph_format.line_spacing = 1.1
                    for run in p.runs:
                        run.font.size = self.Pt(9.5)
        _grid(table, [self.Cm(w) for w in widths])
        self.blank()
        return table

    def footer(self, zh: str, en: str):

        p = self.doc.sections[0].footer.paragraphs[0]
        run = p.add_run(self.t(zh, en))
        run.font.size = self.Pt(8.5)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def page_numbers(
        self, zh: str = "第 {page} 页 共 {pages} 页", en: str = "Page {page} of {pages}", before: str = "　　"
    ):
        """Page X of Y at the end of the footer line footer() wrote: PAGE and NUMPAGES fields, which Word,
        WPS and LibreOffice fill in when they lay the document out."""
        p = self.doc.sections[0].footer.paragraphs[0]
        text = before + self.t(zh, en)
        for piece in re.split(r"(\{page\}|\{pages\})", text):
            if piece in ("{page}", "{pages}"):
                p._p.append(_field("PAGE" if piece == "{page}" else "NUMPAGES", self.Pt(8.5)))
            elif piece:
                p.add_run(piece).font.size = self.Pt(8.5)
        return p

    def signature(self, *, seal: bool = True):
        """The office's name, the seal area (盖章处, from the settings; none when it is blank) and the date.
        Internal notices (`seal=False`) carry their date at the top and need no seal: the office's name only."""
        self.blank()
        self.right("{{ office.name }}", "{{ office.name }}")
        if not seal:
            return
        with self.only_if("office.seal"):
            p = self.right("{{ office.seal }}", "{{ office.seal }}", color="999999")
            p.paragraph_format.space_before = self.Pt(10)
            p.paragraph_format.space_after = self.Pt(18)
        self.right("{{ notice_date|date }}", "{{ notice_date|date }}")

    def save(self, title: str) -> bytes:
        props = self.doc.core_properties
        props.title = title
        props.author = "office toolkit"
        props.comments = "template for toolkit notices: {{ field }} tags, {%tr %} row loops, {%p %} paragraphs"
        props.last_modified_by = "office toolkit"
        props.revision = 1
        buf = io.BytesIO()
        self.doc.save(buf)
        return _normalise(buf.getvalue(), self.zh)


def _shade(cell, fill: str) -> None:

    tc_pr = cell._element.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _grid(table, widths) -> None:
    """Fixed column widths (Word reads the cells' widths, LibreOffice the table grid: both are set)."""

    table.autofit = False
    for col, width in zip(table.columns, widths):
        col.width = width
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)


def _repeat_header(row) -> None:

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _field(instruction: str, size) -> object:
    """A simple field (w:fldSimple) with "1" as its last known result, in a run of the given size."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(size.pt * 2)))
        r_pr.append(el)
    run.append(r_pr)
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    fld.append(run)
    return fld


def keep_rows_whole(table) -> None:
    """No row of the table is split across a page break (w:cantSplit on every row)."""
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:cantSplit")) is None:
            el = OxmlElement("w:cantSplit")
            el.set(qn("w:val"), "true")
            _insert_before(tr_pr, el, ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden"))


def no_wrap(table, columns) -> None:
    """Mark the cells of these columns (0-based) not to be wrapped (w:noWrap), for dates, figures and codes.
    LibreOffice (and Word in a fixed-layout table) wrap at the cell's width all the same: give the columns
    the width their longest text needs, CJK/Latin spacing and cell margins included."""
    for row in table.rows:
        for i in columns:
            tc_pr = row.cells[i]._element.get_or_add_tcPr()
            if tc_pr.find(qn("w:noWrap")) is None:
                _insert_before(
                    tc_pr,
                    OxmlElement("w:noWrap"),
                    ("w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"),
                )


def _insert_before(parent, el, successors: tuple[str, ...]) -> None:
    """Put `el` where the schema's element order wants it: before the first of `successors` present."""
    for name in successors:
        found = parent.find(qn(name))
        if found is not None:
            found.addprevious(el)
            return
    parent.append(el)


# ------------------------------------------------------------------------------------------ fonts, zip

_RFONTS = re.compile(r"<w:rFonts\b[^>]*/>")
_LANG = re.compile(r"<w:lang\b[^>]*/>")
_FONT_ENTRY = (
    f'<w:font w:name="{CJK_FONT}"><w:altName w:val="{CJK_FALLBACK}"/><w:charset w:val="86"/>'
    '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
    f'<w:font w:name="{CJK_FALLBACK}"><w:altName w:val="SimSun"/>'
    '<w:panose1 w:val="02010600030101010101"/><w:charset w:val="86"/><w:family w:val="auto"/>'
    '<w:pitch w:val="variable"/></w:font>'
)


def _fonts_xml(zh: bool) -> str:
    latin = CJK_FONT if zh else LATIN_FONT_EN
    return f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{CJK_FONT}" w:cs="{latin}"/>'


def _patch_styles(xml: str, zh: bool) -> str:
    xml = _RFONTS.sub(_fonts_xml(zh), xml)
    xml = _LANG.sub('<w:lang w:val="{}" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'.format("zh-CN" if zh else "en-US"), xml)
    default = re.search(r"<w:rPrDefault>\s*<w:rPr>(.*?)</w:rPr>", xml, re.S)
    if default and "<w:rFonts" not in default.group(1):
        xml = xml[: default.start(1)] + _fonts_xml(zh) + xml[default.start(1) :]
    return xml


def _normalise(data: bytes, zh: bool) -> bytes:
    """Fixed timestamps, CJK fonts in the styles and font table, no python-docx thumbnail: the same bytes every build."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name = info.filename
            if name == "docProps/thumbnail.jpeg":
                continue
            blob = src.read(name)
            if name in ("word/styles.xml", "word/stylesWithEffects.xml"):
                blob = _patch_styles(blob.decode("utf-8"), zh).encode("utf-8")
            elif name == "word/fontTable.xml":
                text = blob.decode("utf-8")
                blob = re.sub(r"(<w:fonts\b[^>]*>)", lambda m: m.group(1) + _FONT_ENTRY, text, count=1).encode("utf-8")
            elif name == "docProps/core.xml":
                text = blob.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + FIXED_TIME, text)
                text = re.sub(r"<cp:lastPrinted>[^<]*</cp:lastPrinted>", "", text)
                blob = text.encode("utf-8")
            elif name == "_rels/.rels":
                blob = re.sub(rb'<Relationship [^>]*Target="docProps/thumbnail.jpeg"[^>]*/>', b"", blob)
            zi = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, blob, compresslevel=9)
    return out.getvalue()


# ------------------------------------------------------------------------------------------ the templates


def _customer_footer(d: TemplateWriter) -> None:
    d.footer(
        "{{ office.name }}　服务热线：{{ office.phone }}　本文件中的联系方式已作隐私处理",
        "{{ office.name }} · Service line {{ office.phone }} · contact details are partly hidden for privacy",
    )


def _greeting(d: TemplateWriter) -> None:
    """One salutation: the company and its contact person on one line, then the greeting."""
    d.line("尊敬的{{ customer_name }}　{{ contact }}：", "Dear {{ contact }} ({{ customer_name }}),")
    if d.zh:
        d.body("您好！", "")


def build_ack(d: TemplateWriter) -> str:
    d.title("客户投诉受理回执", "Acknowledgement of Your Complaint")
    d.right("编号：{{ complaint_id }}", "Ref.: {{ complaint_id }}")
    _greeting(d)
    d.body(
        "我们已于{{ received_at|datetime }}通过{{ channel }}受理您反映的问题，现将受理情况告知如下：",
        "We received your {{ request_type }} on {{ received_at|datetime }} ({{ channel }}). Its details:",
    )
    d.fields_table(
        [
            ("受理编号", "Reference", "{{ complaint_id }}"),
            ("受理时间", "Received", "{{ received_at|datetime }}"),
            ("问题类型", "Type", "{{ request_type }}{% if category %} / {{ category }}{% endif %}"),
            ("问题描述", "Description", "{{ description }}"),
            ("承办部门", "Department", "{{ department }}"),
            ("经办人", "Handled by", "{{ handler }}"),
            ("联系人", "Contact", "{{ contact_person }}"),
            ("联系电话", "Phone", "{{ contact_phone }}"),
        ]
    )
    d.body("我们郑重承诺：", "Our commitment:")
    with d.only_if("respond_due"):
        d.body(
            "一、在 {{ respond_due|datetime }} 前给予您明确答复；",
            "1. You will have a clear answer by {{ respond_due|datetime }};",
        )
    with d.only_if("resolve_due"):
        d.body(
            "二、在 {{ resolve_due|datetime }} 前完成处理并告知处理结果。",
            "2. The matter will be resolved, and you told the result, by {{ resolve_due|datetime }}.",
        )
    d.body(
        "如有任何疑问，请致电 {{ office.phone }} 并提供受理编号。感谢您的理解与支持！",
        "If you have any question, please call {{ office.phone }} quoting the reference above. "
        "Thank you for your patience.",
    )
    d.signature()
    _customer_footer(d)
    return "受理回执"


def build_settlement(d: TemplateWriter) -> str:
    d.title("解决时间告知书", "When Your Complaint Will Be Settled")
    d.right("编号：{{ complaint_id }}", "Ref.: {{ complaint_id }}")
    _greeting(d)
    d.body(
        "您于{{ received_at|datetime }}反映的问题（{{ description }}）今日未能办结，对此我们深表歉意。",
        "The matter you raised on {{ received_at|datetime }} ({{ description }}) could not be settled today; "
        "we apologise for this.",
    )
    d.tag("{%p if settlement_date %}")
    d.body(
        "经{{ department }}评估，该问题预计将于 {{ settlement_date|date }} 前解决，届时我们会第一时间告知您处理结果。",
        "Having assessed it, our {{ department }} expects to settle it by {{ settlement_date|date }}; "
        "we will tell you the result straight away.",
    )
    d.tag("{%p else %}")
    d.body(
        "该问题正在由{{ department }}加紧处理，我们将尽快告知您解决时间。",
        "Our {{ department }} is working on it and will tell you shortly when it will be settled.",
    )
    d.tag("{%p endif %}")
    with d.only_if("solution"):
        d.body("目前进展：{{ solution }}", "Progress so far: {{ solution }}")
    d.body(
        "经办人：{{ handler }}　　服务热线：{{ office.phone }}",
        "Handled by: {{ handler }} · Service line: {{ office.phone }}",
    )
    d.signature()
    _customer_footer(d)
    return "解决时间告知"


def build_feedback(d: TemplateWriter) -> str:
    d.title("处理结果反馈", "How We Resolved Your Complaint")
    d.right("编号：{{ complaint_id }}", "Ref.: {{ complaint_id }}")
    _greeting(d)
    d.body(
        "您于{{ received_at|date }}反映的问题已于{{ resolved_at|datetime }}处理完毕，现将处理结果反馈如下：",
        "The matter you raised on {{ received_at|date }} was resolved on {{ resolved_at|datetime }}:",
    )
    d.fields_table(
        [
            ("问题描述", "Your complaint", "{{ description }}"),
            ("处理部门", "Department", "{{ department }}"),
            ("处理结果", "What we did", "{{ solution }}"),
            (
                "后续安排",
                "Follow-up",
                "{% if feedback_due %}我们将在 {{ feedback_due|date }} 前回访，确认问题已彻底解决。{% else %}我们将尽快回访，确认问题已彻底解决。{% endif %}"
                if d.zh
                else "{% if feedback_due %}We will call you by {{ feedback_due|date }} to make sure it is fully solved."
                "{% else %}We will call you shortly to make sure it is fully solved.{% endif %}",
            ),
        ]
    )
    d.body(
        "如问题仍未解决或您对处理结果有异议，请致电 {{ office.phone }}，我们将重新处理。",
        "If the problem is not solved, or you disagree with the result, please call {{ office.phone }} "
        "and we will take it up again.",
    )
    d.signature()
    _customer_footer(d)
    return "处理结果反馈"


def build_survey(d: TemplateWriter) -> str:
    d.title("满意度回访邀请", "How Did We Do?")
    d.right("编号：{{ complaint_id }}", "Ref.: {{ complaint_id }}")
    _greeting(d)
    d.body(
        "您反映的问题已于{{ closed_at|date }}办结。为持续改进服务，诚邀您对本次服务进行评价"
        "（1–5 分，5 分为非常满意）：",
        "Your matter was closed on {{ closed_at|date }}. Please rate our service from 1 to 5 (5 = very satisfied):",
    )
    table = d.doc.add_table(rows=1, cols=2)
    table.style = d.doc.styles["Table Grid"]
    table.rows[0].cells[0].text = d.t("评价项目", "Aspect")
    table.rows[0].cells[1].text = d.t("评分（1–5）", "Score (1-5)")
    for zh, en in (
        ("响应速度", "Speed of response"),
        ("解决效果", "Resolution"),
        ("服务态度", "Attitude"),
        ("总体满意度", "Overall"),
    ):
        cells = table.add_row().cells
        cells[0].text = d.t(zh, en)
        cells[1].text = "□1　□2　□3　□4　□5"
    d.blank()
    d.body(
        "请于 {{ reply_by|date }} 前致电 {{ office.phone }} 或回复本函告知您的评价。",
        "Please let us have your scores by {{ reply_by|date }}: call {{ office.phone }} or reply to this letter.",
    )
    d.body("您的意见是我们改进工作的动力，衷心感谢！", "Thank you: your view helps us improve.")
    d.signature()
    _customer_footer(d)
    return "满意度回访"


def build_tier_letter(d: TemplateWriter) -> str:
    """The customer's letter about a changed grade: sent only where the office turns it on (kind tier_letter),
    with the grades' customer-facing names ([notices.customer_tier_labels])."""
    d.title("客户服务等级调整通知", "Your Customer Service Level Has Changed")
    d.right("客户编号：{{ customer_id }}", "Customer ID: {{ customer_id }}")
    _greeting(d)
    d.body(
        "感谢贵司一直以来的信任与支持。根据近12个月的合作情况，自{{ tier_changed_on|date }}起，我们为贵司提供的服务"
        "由“{{ previous_tier_label }}”调整为“{{ tier_label }}”。",
        "Thank you for your custom. Based on our work together over the last 12 months, from "
        '{{ tier_changed_on|date }} our service to you changes from "{{ previous_tier_label }}" to "{{ tier_label }}".',
    )
    with d.only_if("visit_months"):
        d.body(
            "调整后，您的客户经理{{ account_owner }}将每 {{ visit_months }} 个月与您联系回访一次。",
            "Your account manager {{ account_owner }} will now visit or call you every {{ visit_months }} month(s).",
        )
    d.body(
        "如对本次调整有任何疑问，请联系客户经理或致电 {{ office.phone }}。",
        "If you have any question about this change, please contact your account manager or call {{ office.phone }}.",
    )
    d.signature()
    _customer_footer(d)
    return "客户服务等级调整通知"


def build_tier(d: TemplateWriter) -> str:
    """The account owner's list of their customers whose grade changed (internal: the grades as the office
    keeps them)."""
    d.title("客户等级变更通知", "Customer Grade Changes")
    d.right("内部文件　{{ notice_date|date }}", "Internal · {{ notice_date|date }}")
    d.line("致：{{ account_owner }}", "To: {{ account_owner }}")
    d.body(
        "截至{{ as_of|date }}，您负责的以下 {{ count }} 位客户等级发生变化，请留意回访频率的调整：",
        "As of {{ as_of|date }}, the grade of the {{ count }} customer(s) below that you look after has changed; "
        "their visit frequency changes with it:",
    )
    d.loop_table(
        [
            ("客户编号", "Customer"),
            ("客户名称", "Name"),
            ("原等级", "Was"),
            ("新等级", "Now"),
            ("变更日期", "Changed on"),
            ("原因", "Why"),
        ],
        "for c in customers",
        [
            "{{ c.customer_id }}",
            "{{ c.name }}",
            "{{ c.previous_tier }}",
            "{{ c.tier }}",
            "{{ c.tier_changed_on|date }}",
            "{{ c.tier_reason }}",
        ],
        [2.4, 6.0, 1.8, 1.8, 3.7, 8.8],
        no_wrap_columns=(0, 2, 3, 4),
    )
    d.signature(seal=False)
    return "客户等级变更通知"


def build_escalation(d: TemplateWriter) -> str:
    d.title("{{ title }}", "{{ title }}")
    d.right("内部文件　{{ notice_date|date }}", "Internal · {{ notice_date|date }}")
    d.line("致：{{ handler }}", "To: {{ handler }}")
    with d.only_if("cc"):
        d.line("抄送：{{ cc|join('、') }}", "Copy: {{ cc|join(', ') }}")
    d.body(
        "截至{{ as_of|datetime }}，您负责的以下 {{ count }} 件投诉已超过处理时限，请立即处理，并在投诉跟踪表中更新进度。",
        "As of {{ as_of|datetime }}, the {{ count }} complaint(s) below that you handle are past their deadlines. "
        "Please deal with them now and update the tracker.",
    )
    d.loop_table(
        [
            ("投诉编号", "Complaint"),
            ("客户", "Customer"),
            ("待办环节", "Step due"),
            ("时限", "Deadline"),
            ("逾期工时", "Hours late"),
            ("级别", "Level"),
            ("部门负责人", "Department head"),
        ],
        "for c in complaints",
        [
            "{{ c.complaint_id }}",
            "{{ c.customer_name }}",
            "{{ c.next_step }}",
            "{{ c.next_deadline|datetime }}",
            "{{ c.hours_late }}",
            "{{ c.escalation_level }}",
            "{{ c.department_head }}",
        ],
        [2.9, 5.2, 2.0, 4.2, 1.8, 1.2, 7.2] if d.zh else [3.3, 4.0, 1.8, 4.9, 1.7, 1.3, 7.5],
        no_wrap_columns=(0, 2, 3, 4, 5),
    )
    with d.only_if("department_heads"):
        d.body(
            "L2 及以上级别的投诉已同时通报{{ department_heads|join('、') }}督办。",
            "Complaints at L2 or above have been reported to the department head(s) "
            "({{ department_heads|join(', ') }}).",
        )
    with d.only_if("l3_count"):
        d.body(
            "其中 {{ l3_count }} 件已达 L3 级，已报{{ l3_notify }}。",
            "{{ l3_count }} of them are at L3 and have been reported to {{ l3_notify }}.",
        )
    d.signature(seal=False)
    return "催办督办"


def build_visit(d: TemplateWriter) -> str:
    d.title("客户回访提醒", "Follow-up Visits Due")
    d.right("内部文件　{{ notice_date|date }}", "Internal · {{ notice_date|date }}")
    d.line("致：{{ account_owner }}", "To: {{ account_owner }}")
    d.body(
        "截至{{ as_of|date }}，您负责的以下 {{ count }} 位客户需要回访（逾期的请优先安排）：",
        "As of {{ as_of|date }}, the {{ count }} customer(s) below are due a follow-up visit (overdue ones first):",
    )
    d.loop_table(
        [
            ("客户编号", "Customer"),
            ("客户名称", "Name"),
            ("等级", "Grade"),
            ("联系人", "Contact"),
            ("电话", "Phone"),
            ("上次回访", "Last visit"),
            ("应回访日期", "Due"),
            ("状态", "State"),
        ],
        "for c in customers",
        [
            "{{ c.customer_id }}",
            "{{ c.name }}",
            "{{ c.tier }}",
            "{{ c.contact_person }}",
            "{{ c.phone }}",
            "{{ c.last_visit_date|date }}",
            "{{ c.next_visit_due|date }}",
            "{{ c.visit_flag }}{% if c.visit_days_overdue %} {{ c.visit_days_overdue }} 天{% endif %}"
            if d.zh
            else "{{ c.visit_flag }}{% if c.visit_days_overdue %} {{ c.visit_days_overdue }} days{% endif %}",
        ],
        [2.2, 5.0, 1.5, 2.2, 3.0, 3.7, 3.7, 2.6] if d.zh else [2.2, 3.9, 1.7, 2.0, 2.8, 3.8, 3.8, 3.3],
        no_wrap_columns=(0, 2, 3, 4, 5, 6, 7),
    )
    d.body(
        "回访后请在客户台账中填写“最近回访日期”，系统将自动计算下次回访时间。",
        "After each visit, fill in the last visit date in the customer register; the next one is worked out for you.",
    )
    d.signature(seal=False)
    return "回访提醒"


BUILDERS = {
    "ack": build_ack,
    "settlement": build_settlement,
    "feedback": build_feedback,
    "survey": build_survey,
    "tier": build_tier,
    "tier_letter": build_tier_letter,
    "escalation": build_escalation,
    "visit": build_visit,
}


def build(kind: str, language: str = "zh") -> bytes:
    """The .docx bytes of one shipped template (the same bytes every time)."""
    if kind not in BUILDERS:
        raise KeyError(f"no shipped template {kind!r}; shipped: {', '.join(BUILDERS)}")
    d = TemplateWriter(language, landscape=kind in LANDSCAPE)
    title = BUILDERS[kind](d)
    return d.save(title)


def build_all(folder: str | Path, languages: tuple[str, ...] = ("zh", "en")) -> list[Path]:
    """Write every shipped template into `folder` (ack.docx, ack_en.docx, ...)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in BUILDERS:
        for language in languages:
            path = folder / template_file_name(kind, language)
            data = build(kind, language)
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
            written.append(path)
    return written
