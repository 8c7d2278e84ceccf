"""Templates are files staff edit: what one can do is bounded, and nothing it does reaches Word's XML raw.

Each attack is a real template (a .docx made with python-docx) rendered through the notices' own
environment: huge numbers, huge texts, endless loops, big lipsum(), `|safe` used to inject a live
field, `{% autoescape false %}`, a template path outside the office folder, a customer name with
bidi controls in the file name, a full disk while a notice is written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from toolkit.documents.template import DocxTemplate, RenderError, TemplateError
from toolkit.errors import SettingsError, ToolkitError
from toolkit.jobs.notices import file_stem, make_notices
from toolkit.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.datetime(2026, 11, 20, 17, 0)
INJECTION = '</w:t></w:r><w:fldSimple w:instr=" HYPERLINK &quot;http://x&quot; "><w:r><w:t>x</w:t></w:r></w:fldSimple><w:r><w:t>'


def template(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render(text: str, **data) -> bytes:
    return DocxTemplate.open(template(text), name="office_ack.docx").render(data)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{{ 'x' * 300000000 }}", "300,000,000 characters"),
        ("{% set s = 'x' * 900000 %}{{ s + s }}", "characters"),
        ("{{ 9 ** (9 ** 9) }}", "bits"),
        ("{{ 10 ** 5000 }}", "bits"),
        ("{{ lipsum(100000) }}", "lipsum"),
        ("{{ lipsum(5, max=100000000) }}", "lipsum"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "loop steps"),
        ("{{ 'x' | center(300000000) }}", "characters"),
        ("{{ 'ab' | indent(300000000) }}", "characters"),
        ("{{ '%300000000s' % 1 }}", "format width"),
        ("{{ '{:>300000000}'.format(1) }}", "format width"),
        ("{{ 'x'.ljust(300000000) }}", "characters"),
        ("{{ ('x' * 100000) | replace('x', 'x' * 1000) }}", "characters"),
        ("{{ name | xmlattr }}", "xmlattr"),
    ],
)
def test_a_template_over_a_limit_fails_quickly_naming_the_template(text, words):
    started = time.monotonic()
    with pytest.raises(RenderError) as info:
        render(text, name="x")
    assert time.monotonic() - started < 5
    assert "office_ack.docx" in str(info.value) and words in str(info.value)
    assert info.value.limit


def test_a_template_that_runs_too_long_is_stopped(monkeypatch):
    from toolkit.documents import template as module

    monkeypatch.setattr(module, "MAX_SECONDS", 1.0)
    text = "{% for a in l %}{% for b in l %}{% for c in l %}{% endfor %}{% endfor %}{% endfor %}"
    started = time.monotonic()
    with pytest.raises(RenderError, match="office_ack.docx took longer than 1 s"):
        render(text, l=list(range(1000)))
    assert time.monotonic() - started < 5
    assert render("{{ name }}", name="next one") is not None  # the stop does not leak into the next render


def test_a_huge_constant_does_not_hang_when_the_template_is_opened():
    started = time.monotonic()
    tpl = DocxTemplate.open(template("{{ 9 ** (9 ** 9) }}", "{{ 'x' * 300000000 }}"), name="office_ack.docx")
    assert time.monotonic() - started < 5  # nothing computed at compile time
    with pytest.raises(RenderError):
        tpl.render({})


def test_safe_cannot_put_raw_xml_or_a_live_field_into_a_letter():
    data = render("尊敬的{{ name|safe }}：{{ name|urlize }}", name=INJECTION)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml")
    etree.fromstring(xml)  # a well-formed document
    root = etree.fromstring(xml)
    assert not root.findall(".//{*}fldSimple") and not root.findall(".//{*}instrText")
    text = "".join(root.itertext())
    assert INJECTION in text  # shown as the text it is


def test_autoescape_off_is_refused_when_the_template_is_opened():
    with pytest.raises(TemplateError, match="autoescape"):
        DocxTemplate.open(template("{% autoescape false %}{{ name }}{% endautoescape %}"), name="x.docx")


def test_every_rendered_document_is_xml_checked_before_it_counts():
    tpl = DocxTemplate.open(template("{{ name }}"), name="x.docx")
    assert tpl.render({"name": "first"})  # the first document checks the template itself
    parts = tpl.render_parts({"name": "second"})
    assert etree.fromstring(parts["word/document.xml"]) is not None
    with pytest.raises(RenderError, match="damaged Word XML"):
        tpl._check_document({"word/document.xml": b"<a><b></a>"})


def test_template_paths_stay_inside_the_office_folder(sample_office):
    (sample_office / "toolkit.toml").write_text('[notices.kinds.ack]\ntemplate = "../../x"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"notices\.kinds\.ack\.template"):
        load_settings(sample_office)
    (sample_office / "toolkit.toml").write_text('[notices]\ntemplates_dir = "../../elsewhere"\n', encoding="utf-8")
    with pytest.raises(ToolkitError) as info:
        make_notices(sample_office, kind="ack", as_of=AS_OF, dry_run=True)
    assert "../../elsewhere" in str(info.value)


def test_bidi_and_invisible_characters_are_removed_from_file_names():
    stem = file_stem(
        "{kind}_{key}_{name}_{date}", kind="ack", key="TS1", name="Acme\u202egpj.exe\u200b公司", date=AS_OF.date()
    )
    assert stem == "ack_TS1_Acmegpj.exe公司_2026-11-20"
    assert not any(ch in stem for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def test_a_full_disk_while_a_notice_is_written_leaves_no_part_file(tmp_path):
    src = tmp_path / "t.docx"
    src.write_bytes(template("{{ body }}"))
    out = tmp_path / "out.docx"
    code = (
        "import sys; from toolkit.documents.template import DocxTemplate\n"
        f"tpl = DocxTemplate.open({str(src)!r})\n"
        "try:\n"
        f"    tpl.render_to({str(out)!r}, {{'body': 'x' * 900000}})\n"
        "except OSError as exc:\n"
        "    print('refused', exc.errno); sys.exit(0)\n"
        "sys.exit(1)\n"
    )

    def small_disk():  # the file system refuses writes past 20 kB, as a full disk would
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = subprocess.run(
        [sys.executable, "-c", code],
        preexec_fn=small_disk,  # noqa: PLW1509 - only setrlimit, before exec
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert done.returncode == 0 and "refused" in done.stdout, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.docx"]  # no out.docx, no out.docx.part
