"""The .docx template renderer: tags, escaping, split runs, loops, mail-merge fields, checks, the zip.

Templates are real .docx files made here with python-docx (and, for the third-party corpus,
docx-mailmerge's and docxtpl's own test templates in ../shared/corpus/docx); rendered documents
are read back with python-docx and, for the XML, lxml.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CORPUS, raw_member
from docx import Document
from docx.oxml import parse_xml
from lxml import etree

from toolkit.documents import DocxTemplate, RenderError, TemplateError, check_template
from toolkit.documents import filters as f
from toolkit.documents.package import DocumentRefused
from toolkit.documents.stock import KINDS, build, template_file_name
from toolkit.documents.templates import SHIPPED_TEMPLATES

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

DOCX_CORPUS = CORPUS / "docx"
NO_DOCX_CORPUS = f"the third-party corpus is not available (expected the folder {DOCX_CORPUS})"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------ helpers


def docx_bytes(build_body) -> bytes:
    doc = Document()
    build_body(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def texts(data: bytes) -> list[str]:
    """Every paragraph's text, body and table cells, in document order."""
    doc = Document(io.BytesIO(data))
    out = []
    body = doc.element.body
    for p in body.iter(f"{{{W}}}p"):
        out.append("".join(t.text or "" for t in p.iter(f"{{{W}}}t")))
    return out


def all_text(data: bytes) -> str:
    return "\n".join(texts(data))


def part_xml(data: bytes, name: str = "word/document.xml") -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def simple(text: str) -> bytes:
    return docx_bytes(lambda d: d.add_paragraph(text))


# ------------------------------------------------------------------------------------------ values and escaping


def test_values_are_escaped_for_xml_and_come_back_as_typed():
    tpl = DocxTemplate.open(simple("客户：{{ name }}；说明：{{ note }}"))
    data = tpl.render({"name": "A&B <联合> 公司", "note": "\"quoted\" & 'single' </w:t> ]]>"})
    etree.fromstring(part_xml(data))  # well-formed
    assert texts(data)[0] == "客户：A&B <联合> 公司；说明：\"quoted\" & 'single' </w:t> ]]>"


def test_dates_money_and_blank_values_are_shown_the_offices_way():
    tpl = DocxTemplate.open(
        simple("{{ d }}|{{ t }}|{{ t|date }}|{{ amount|money }}|{{ blank }}|{{ n }}|{{ phone|mask_phone }}")
    )
    data = tpl.render(
        {
            "d": dt.date(2025, 10, 10),
            "t": dt.datetime(2025, 10, 10, 14, 30),
            "amount": Decimal("12345"),
            "blank": None,
            "n": 4,
            "phone": "13812342327",
        }
    )
    assert texts(data)[0] == "2025年10月10日|2025年10月10日 14:30|2025年10月10日|¥12,345.00||4|138****2327"
    en = DocxTemplate.open(simple("{{ t }} / {{ d|date }}"), language="en")
    assert (
        texts(en.render({"t": dt.datetime(2025, 10, 10, 14, 30), "d": dt.date(2025, 3, 5)}))[0]
        == "10 October 2025 14:30 / 5 March 2025"
    )


def test_line_breaks_and_tabs_in_values_become_word_breaks_and_control_characters_are_dropped():
    tpl = DocxTemplate.open(simple("{{ v }}"))
    data = tpl.render({"v": "第一行\n第二行\tx\x07y"})
    xml = part_xml(data)
    assert b"<w:br/>" in xml and b"<w:tab/>" in xml and b"\x07" not in xml
    doc = Document(io.BytesIO(data))
    assert doc.paragraphs[0].text == "第一行\n第二行\txy"


def test_filters():
    assert f.format_date(dt.date(2025, 10, 10)) == "2025年10月10日"
    assert f.format_datetime(dt.datetime(2025, 10, 10, 14, 30)) == "2025年10月10日 14:30"
    assert f.format_datetime("2025/3/5 9:05") == "2025年3月5日 09:05"
    assert f.format_money(12345) == "¥12,345.00"
    assert f.format_money(Decimal("-1234.5")) == "-¥1,234.50"
    assert f.format_money("12,345.678") == "¥12,345.68"
    with pytest.raises(ValueError, match="not an amount"):
        f.format_money("十二元")
    assert f.mask_phone("13812342327") == "138****2327"
    assert f.mask_phone("+86 138 1234 2327") == "+86 138 **** 2327"
    assert f.mask_phone("021-12345678") == "021-****5678"
    assert f.mask_phone("13812342327; 13912345678") == "138****2327; 139****5678"
    assert f.mask_email("zhang.gang@zhiheng.com") == "z***@zhiheng.com"
    assert f.mask_address("北京市丰台区和平路921号") == "北京市丰台区****"
    assert f.mask_address("上海市浦东新区张江路88号") == "上海市浦东新区****"
    assert f.word_date(dt.date(2025, 3, 5), "dd-MM-yyyy") == "05-03-2025"
    assert f.word_number(Decimal("1234.5"), "#,##0.00 元") == "1,234.50 元"


# ------------------------------------------------------------------------------------------ Word's runs


def test_tags_split_across_runs_with_different_formatting_still_work():
    def body(doc):
        p = doc.add_paragraph("尊敬的")
        p.add_run("{{ cust")
        r = p.add_run("omer_na")
        r.bold = True
        p.add_run("me }}，您好！{")
        p.add_run("{ complaint_id }")
        p.add_run("}")
        q = doc.add_paragraph()
        q.add_run("{%")
        q.add_run("p if show %")
        q.add_run("}")
        doc.add_paragraph("shown {{ x }}")
        doc.add_paragraph("{%p endif %}")

    tpl = DocxTemplate.open(docx_bytes(body))
    assert tpl.fields() == {"customer_name", "complaint_id", "show", "x"}
    data = tpl.render({"customer_name": "上海华信", "complaint_id": "TS2025-000001", "show": True, "x": 1})
    assert texts(data)[:2] == ["尊敬的上海华信，您好！TS2025-000001", "shown 1"]
    hidden = tpl.render({"customer_name": "a", "complaint_id": "b", "show": False, "x": 1})
    assert "shown 1" not in all_text(hidden)


def test_smart_quotes_typed_by_word_inside_tags_work():
    tpl = DocxTemplate.open(simple("{{ items|join(“、”) }}"))
    assert texts(tpl.render({"items": ["a", "b"]}))[0] == "a、b"


def test_table_row_loops_and_paragraph_conditions():
    def body(doc):
        doc.add_paragraph("{{ handler }} 的逾期投诉")
        t = doc.add_table(rows=4, cols=3)
        t.rows[0].cells[0].text = "编号"
        t.rows[1].cells[0].text = "{%tr for c in complaints %}"
        t.rows[2].cells[0].text = "{{ c.id }}"
        t.rows[2].cells[1].text = "{{ c.due|datetime }}"
        t.rows[2].cells[2].text = "{% if c.level >= 2 %}督办{% else %}催办{% endif %}"
        t.rows[3].cells[0].text = "{%tr endfor %}"
        doc.add_paragraph("{%p if complaints|length > 1 %}")
        doc.add_paragraph("共 {{ complaints|length }} 件")
        doc.add_paragraph("{%p endif %}")

    tpl = DocxTemplate.open(docx_bytes(body))
    rows = [{"id": f"TS-{n}", "due": dt.datetime(2026, 11, n, 18, 0), "level": n % 3} for n in (1, 2, 3)]
    data = tpl.render({"handler": "冯刚", "complaints": rows})
    table = Document(io.BytesIO(data)).tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["编号", "", ""],
        ["TS-1", "2026年11月1日 18:00", "催办"],
        ["TS-2", "2026年11月2日 18:00", "督办"],
        ["TS-3", "2026年11月3日 18:00", "催办"],
    ]
    assert "共 3 件" in all_text(data)
    one = tpl.render({"handler": "x", "complaints": rows[:1]})
    assert len(Document(io.BytesIO(one)).tables[0].rows) == 2 and "共" not in all_text(one)


def test_tags_in_headers_and_footers_are_rendered():
    def body(doc):
        doc.sections[0].header.paragraphs[0].text = "编号 {{ complaint_id }}"
        doc.sections[0].footer.paragraphs[0].text = "{{ office.name }}"
        doc.add_paragraph("正文")

    data = DocxTemplate.open(docx_bytes(body)).render({"complaint_id": "TS1", "office": {"name": "客服中心"}})
    doc = Document(io.BytesIO(data))
    assert doc.sections[0].header.paragraphs[0].text == "编号 TS1"
    assert doc.sections[0].footer.paragraphs[0].text == "客服中心"


# ------------------------------------------------------------------------------------------ errors


def test_a_missing_value_fails_that_document_with_the_paragraph_named():
    tpl = DocxTemplate.open(simple("亲爱的 {{ contact }}"))
    with pytest.raises(RenderError, match=r"'contact'.*does not have.*亲爱的 \{\{ contact \}\}"):
        tpl.render({})


def test_a_value_the_template_cannot_use_fails_with_the_reason():
    tpl = DocxTemplate.open(simple("评分 {{ (satisfaction * 20)|int }}%"))
    assert texts(tpl.render({"satisfaction": 4}))[0] == "评分 80%"
    with pytest.raises(RenderError, match=r"TypeError.*paragraph"):
        tpl.render({"satisfaction": None})


def test_templates_are_sandboxed_and_immutable():
    tpl = DocxTemplate.open(simple("{{ x.__class__.__mro__ }}"))
    with pytest.raises(RenderError):
        tpl.render({"x": "a"})
    tpl = DocxTemplate.open(simple("{{ items.append(1) }}"))
    with pytest.raises(RenderError, match="may not"):
        tpl.render({"items": []})


def test_pictures_and_other_objects_are_refused_with_a_clear_reason():
    class InlineImage:  # what docxtpl's image placeholders are given
        pass

    tpl = DocxTemplate.open(simple("{{ logo }}"))
    with pytest.raises(RenderError, match="pictures, sub-documents and rich-text objects are not supported"):
        tpl.render({"logo": InlineImage()})


def test_malformed_tags_are_listed_with_their_paragraphs():
    def body(doc):
        doc.add_paragraph("第一段 {{ name }")
        doc.add_paragraph("第二段 {% if x %}没有结束")
        doc.add_paragraph("第三段 {{ ok }}")
        doc.add_paragraph("第四段 {{ a b }}")

    with pytest.raises(TemplateError) as info:
        DocxTemplate.open(docx_bytes(body))
    msg = str(info.value)
    assert "第一段 {{ name }" in msg and "not closed" in msg
    assert "第二段 {% if x %}没有结束" in msg and "{%p if" in msg
    assert "第三段" not in msg


def test_the_check_lists_unknown_fields_with_the_closest_columns():
    def body(doc):
        doc.add_paragraph("{{ custmer_name }} {{ complaint_id }}")
        t = doc.add_table(rows=3, cols=1)
        t.rows[0].cells[0].text = "{%tr for c in complaints %}"
        t.rows[1].cells[0].text = "{{ c.hanlder }} {{ c.complaint_id }}"
        t.rows[2].cells[0].text = "{%tr endfor %}"
        doc.add_paragraph("{{ office.phnoe }}")

    tpl = DocxTemplate.open(docx_bytes(body))
    with pytest.raises(TemplateError) as info:
        check_template(
            tpl,
            {"customer_name", "customer_id", "complaint_id", "complaints", "office"},
            {"complaints": {"handler", "complaint_id"}, "office": {"phone", "name"}},
        )
    msg = str(info.value)
    assert "'custmer_name' - did you mean customer_name" in msg
    assert "'complaints[].hanlder' - did you mean complaints[].handler" in msg
    assert "'office.phnoe' - did you mean office.phone" in msg
    assert "complaints[].complaint_id" not in msg
    check_template(DocxTemplate.open(simple("{{ customer_name }}")), {"customer_name"})


def test_files_that_are_no_docx_are_refused_with_a_message(tmp_path):
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(DocumentRefused, match=r"old-style \.doc"):
        DocxTemplate.open(tmp_path / "old.doc")
    (tmp_path / "x.docx").write_text("not a zip")
    with pytest.raises(DocumentRefused, match="not a Word document"):
        DocxTemplate.open(tmp_path / "x.docx")
    with pytest.raises(DocumentRefused, match="not found"):
        DocxTemplate.open(tmp_path / "missing.docx")


# ------------------------------------------------------------------------------------------ the zip


def test_untouched_parts_are_copied_byte_for_byte_and_output_is_reproducible(tmp_path):
    src = tmp_path / "t.docx"
    src.write_bytes(simple("{{ a }}"))
    tpl = DocxTemplate.open(src)
    out = tpl.render_to(tmp_path / "o.docx", {"a": "值"})
    again = tpl.render({"a": "值"})
    assert out.read_bytes() == again
    with zipfile.ZipFile(src) as zs, zipfile.ZipFile(out) as zo:
        assert zo.testzip() is None
        assert [i.filename for i in zs.infolist()] == [i.filename for i in zo.infolist()]
        for info in zs.infolist():
            if info.filename != "word/document.xml":
                assert raw_member(out, zo.getinfo(info.filename)) == raw_member(src, info), info.filename


def test_merged_output_puts_each_document_on_its_own_page():
    tpl = DocxTemplate.open(simple("通知 {{ n }}"))
    parts = [tpl.render_parts({"n": n}) for n in range(3)]
    data = tpl.merge(parts)
    assert [t for t in texts(data) if t] == ["通知 0", "通知 1", "通知 2"]
    assert part_xml(data).count(b'w:type="page"') == 2
    assert part_xml(data).count(b"<w:sectPr") == 1


# ------------------------------------------------------------------------------------------ MERGEFIELD


def _with_fields(doc):
    p = doc.add_paragraph("Dear ")
    body = p._p
    body.append(
        parse_xml(
            f'<w:fldSimple xmlns:w="{W}" w:instr=\' MERGEFIELD "First Name" \\* Upper \'>'
            "<w:r><w:rPr><w:b/></w:rPr><w:t>«First Name»</w:t></w:r></w:fldSimple>"
        )
    )
    for xml in (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:instrText xml:space="preserve"> MERGEFIELD  city </w:instrText></w:r>',
        '<w:r><w:instrText xml:space="preserve">\\b ", from " \\f "!" \\* MERGEFORMAT </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        "<w:r><w:rPr><w:i/></w:rPr><w:t>«city»</w:t></w:r>",
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        body.append(parse_xml(xml.replace("<w:r>", f'<w:r xmlns:w="{W}">', 1)))
    q = doc.add_paragraph("On ")
    q._p.append(
        parse_xml(
            f'<w:fldSimple xmlns:w="{W}" w:instr=\' MERGEFIELD date \\@ "yyyy年M月d日" \'>'
            "<w:r><w:t>«date»</w:t></w:r></w:fldSimple>"
        )
    )


def test_mergefields_simple_and_complex_with_quoted_names_and_switches():
    tpl = DocxTemplate.open(docx_bytes(_with_fields))
    assert tpl.fields() == {"First Name", "city", "date"} and tpl.merge_fields == 3
    data = tpl.render({"First Name": "jan", "city": "Groningen", "date": dt.date(2025, 3, 5)})
    assert texts(data)[:2] == ["Dear JAN, from Groningen!", "On 2025年3月5日"]
    assert texts(tpl.render({"First Name": "jan", "city": "", "date": None}))[:2] == ["Dear JAN", "On "]
    xml = part_xml(data)
    assert b"fldChar" not in xml and b"fldSimple" not in xml and b"<w:b/>" in xml and b"<w:i/>" in xml


# ------------------------------------------------------------------------------------------ third-party corpus

corpus_docx = pytest.mark.skipif(not DOCX_CORPUS.is_dir(), reason=NO_DOCX_CORPUS)


@corpus_docx
@pytest.mark.parametrize(
    "name, values, expected",
    [
        (
            "mailmerge_test_winword2010.docx",
            {
                "Titel": "Dhr.",
                "Voornaam": "Jan",
                "Achternaam": "Jansen",
                "Adresregel_1": "Straat 1",
                "Postcode": "9711",
                "Plaats": "Groningen",
                "Provincie": "GR",
                "Land_of_regio": "NL",
            },
            ["Dhr. Jan Jansen", "Straat 1", "9711 Groningen GR NL", "Dear Jan,"],
        ),
        (
            "mailmerge_test_macword2011.docx",
            {
                "first_name": "张",
                "last_name": "三",
                "address_line": "A&B <联合> 路 1 号",
                "postal_code": "100000",
                "city": "北京",
                "state": "BJ",
                "country": "中国",
                "date": dt.date(2026, 11, 20),
            },
            ["张 三", "A&B <联合> 路 1 号", "100000 北京 BJ 中国", "Groningen, 2026年11月20日,", "Dear 张,"],
        ),
        (
            "mailmerge_test_merge_table_rows.docx",
            {
                "student_name": "Bouke",
                "study_name": "Physics",
                "class_code": "PH1",
                "class_name": "Mechanics",
                "class_grade": "8",
                "thesis_grade": "9",
            },
            ["Bouke received the grades for Physics in the table below.", "PH1", "Mechanics", "8", "9"],
        ),
    ],
)
def test_word_mail_merge_templates_render(name, values, expected):
    tpl = DocxTemplate.open(DOCX_CORPUS / name)
    assert tpl.merge_fields > 0
    data = tpl.render(values)
    lines = texts(data)
    for line in expected:
        assert line in lines, (line, lines)
    assert "«" not in all_text(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert b"<w:mailMerge" not in zf.read("word/settings.xml")  # Word would ask for the data source


@corpus_docx
def test_docxtpl_order_template_renders_like_docxtpl():
    values = {
        "customer_name": "A&B <联合> 公司",
        "items": [{"desc": "泵", "qty": 2, "price": "¥12.00"}, {"desc": "阀", "qty": 1, "price": "¥3.00"}],
        "total_price": "¥27.00",
        "is_paid": False,
        "in_europe": True,
        "company_name": "客服中心",
    }
    ours = DocxTemplate.open(DOCX_CORPUS / "docxtpl_order_tpl.docx").render(values)
    ours_text = texts(ours)
    assert "Dear A&B <联合> 公司," in ours_text
    assert "Please, pay your order : ¥27.00 Euros." in ours_text
    assert "You have already paid this order, thank you." not in ours_text
    docxtpl = pytest.importorskip("docxtpl")
    theirs = docxtpl.DocxTemplate(str(DOCX_CORPUS / "docxtpl_order_tpl.docx"))
    theirs.render(values, autoescape=True)
    buf = io.BytesIO()
    theirs.save(buf)
    assert [t for t in ours_text if t.strip()] == [t for t in texts(buf.getvalue()) if t.strip()]


@corpus_docx
def test_docxtpl_image_template_renders_text_in_place_of_pictures():
    tpl = DocxTemplate.open(DOCX_CORPUS / "docxtpl_inline_image_tpl.docx")
    data = tpl.render(
        {
            "myimage": "[logo]",
            "myimageratio": "[logo 2]",
            "frameworks": [{"image": "[django]", "desc": "Django"}, {"image": "[zope]", "desc": "Zope"}],
        }
    )
    text = all_text(data)
    assert "Inline image : [logo] -> you can write just after" in text and "Django" in text and "Zope" in text


@corpus_docx
@pytest.mark.parametrize(
    "name, named",
    [
        ("docxtpl_dynamic_table_tpl.docx", "{%tc %} (dynamic table columns)"),
        ("docxtpl_vertical_merge_tpl.docx", "{% vm %} (vertically merged cells)"),
        ("docxtpl_header_footer_tpl.docx", "{{p }} (sub-documents"),
    ],
)
def test_docxtpl_features_not_supported_are_named(name, named):
    with pytest.raises(TemplateError) as info:
        DocxTemplate.open(DOCX_CORPUS / name)
    assert named in str(info.value) and "not supported" in str(info.value)


# ------------------------------------------------------------------------------------------ shipped templates


def test_shipped_templates_are_rebuilt_byte_for_byte():
    for kind in KINDS:
        for language in ("zh", "en"):
            data = build(kind, language)
            assert data == build(kind, language)
            shipped = SHIPPED_TEMPLATES / template_file_name(kind, language)
            assert shipped.is_file(), f"{shipped} is missing: run python scripts/build_templates.py"
            assert shipped.read_bytes() == data, f"{shipped} is out of date: run python scripts/build_templates.py"


def test_shipped_templates_carry_a_cjk_font():
    data = build("ack")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        styles = zf.read("word/styles.xml").decode()
        fonts = zf.read("word/fontTable.xml").decode()
    assert 'w:eastAsia="Noto Sans CJK SC"' in styles and 'w:eastAsia="zh-CN"' in styles
    assert '<w:font w:name="Noto Sans CJK SC"><w:altName w:val="宋体"/>' in fonts
