"""Every third-party template in ../shared/corpus/docx renders, or is refused naming what is unsupported.

test_documents_renderer.py checks each corpus template's output in detail; this sweep makes sure a
template added to the corpus later cannot slip through unchecked, and renders docxtpl's inline
image template with real pictures through the report's picture fields (toolkit.documents.pictures).
"""

from __future__ import annotations

import io
import zipfile

import pytest
from conftest import CORPUS
from docx import Document

from toolkit.documents import DocxTemplate, TemplateError
from toolkit.documents.pictures import Picture, insert_pictures, picture_token

DOCX_CORPUS = CORPUS / "docx"
corpus_files = sorted(DOCX_CORPUS.glob("*.docx")) if DOCX_CORPUS.is_dir() else []
# what each refused template uses that the renderer does not support, as the message names it
REFUSED = {
    "docxtpl_dynamic_table_tpl.docx": "{%tc %}",
    "docxtpl_vertical_merge_tpl.docx": "{% vm %}",
    "docxtpl_header_footer_tpl.docx": "{{p }}",
}


@pytest.mark.skipif(not corpus_files, reason=f"the third-party corpus is not available ({DOCX_CORPUS})")
@pytest.mark.parametrize("path", corpus_files, ids=[p.name for p in corpus_files])
def test_corpus_template_renders_or_is_refused_by_name(path):
    if path.name in REFUSED:
        with pytest.raises(TemplateError) as info:
            DocxTemplate.open(path)
        message = str(info.value)
        assert REFUSED[path.name] in message and "not supported" in message, message
        return
    tpl = DocxTemplate.open(path)
    names = tpl.fields()
    assert names, "a template without fields"
    # every top-level name a text (loops get one row whose fields are all the same text)
    row = _AnyField("值")
    data = tpl.render({name: [row] if _is_loop(tpl, name) else "值" for name in names})
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs) + "".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    assert "值" in text and "{{" not in text and "{%" not in text and "«" not in text


class _AnyField(dict):
    """A loop row answering every field name with the same text."""

    def __init__(self, text):
        super().__init__()
        self.text = text

    def __getitem__(self, key):
        return self.text

    def __contains__(self, key):
        return True

    def get(self, key, default=None):
        return self.text


def _is_loop(tpl, name: str) -> bool:
    from jinja2 import nodes

    for part in tpl.parts.values():
        for loop in part.ast.find_all(nodes.For):
            if isinstance(loop.iter, nodes.Name) and loop.iter.name == name:
                return True
    return False


@pytest.mark.skipif(not (DOCX_CORPUS / "docxtpl_inline_image_tpl.docx").exists(), reason="no corpus")
def test_docxtpl_image_template_gets_real_pictures_through_picture_fields():
    from PIL import Image

    def png(colour):
        buf = io.BytesIO()
        Image.new("RGB", (40, 20), colour).save(buf, format="PNG")
        return buf.getvalue()

    tpl = DocxTemplate.open(DOCX_CORPUS / "docxtpl_inline_image_tpl.docx")
    data = tpl.render(
        {
            "myimage": picture_token("logo"),
            "myimageratio": picture_token("ratio"),
            "frameworks": [
                {"image": picture_token("django"), "desc": "Django"},
                {"image": picture_token("zope"), "desc": "Zope"},
            ],
        }
    )
    pictures = {
        name: Picture(png(c), width_cm=3)
        for name, c in (("logo", "red"), ("ratio", "green"), ("django", "blue"), ("zope", "orange"))
    }
    out, unused = insert_pictures(data, pictures)
    assert unused == set()
    doc = Document(io.BytesIO(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "[[picture:" not in text and "-> you can write just after" in text
    assert len(doc.inline_shapes) >= 2  # the two in the body (the loop's are in a table)
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        media = [n for n in zf.namelist() if n.startswith("word/media/toolkit_")]
        assert len(media) == 4
        assert b'Extension="png"' in zf.read("[Content_Types].xml")
    shapes = [
        s for t in doc.tables for r in t.rows for c in r.cells for p in c.paragraphs for s in p._p.xpath(".//pic:pic")
    ]
    assert len(shapes) == 2
