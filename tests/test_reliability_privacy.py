"""Customer data in generated documents: masked where they leave the office, and never more than asked for.

Runs the notices job on a copy of the shipped sample workbooks (every job run first as of
2026-11-20 17:00) and searches every part of each generated .docx, not only its visible text,
so a value hidden in a header, a comment or the document's properties would be found too.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from toolkit.jobs.notices import make_notices
from toolkit.model.records import read_table
from toolkit.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "workbooks"
AS_OF = dt.datetime(2026, 11, 20, 17, 0)
CUSTOMER_FACING = ("ack", "settlement", "feedback", "survey", "tier")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture
def folder(sample_office) -> Path:
    return sample_office


def register_of(folder: Path):
    settings = load_settings(folder)
    return read_table(settings.register_path, settings.register)


def package_text(path: Path) -> str:
    """Every XML part of the package as text (body, headers, footers, properties, comments)."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels")))


def visible_text(xml: str) -> str:
    # one line per text run, so numbers in neighbouring table cells do not run together
    return "\n".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))


def test_customer_facing_notices_show_no_full_phone_email_or_address(folder):
    register = register_of(folder)
    addresses = {a for a in register.values("address") if a and len(a) > 8}
    # survey invitations for every closed row without a score, not only the last week's: hundreds of letters
    (folder / "toolkit.toml").write_text("[notices.kinds.survey]\nuseful_days = 3660\n", encoding="utf-8")
    result = make_notices(folder, kind=list(CUSTOMER_FACING), as_of=AS_OF)
    made = [n for n in result.made if n.kind in CUSTOMER_FACING]
    assert len(made) > 100 and {n.kind for n in made} >= {"ack", "feedback", "survey"}
    masked_phones = 0
    for n in made:
        text = visible_text(package_text(n.path))
        assert not MOBILE.search(text), (n.path.name, MOBILE.search(text).group())
        assert not MOBILE.search(n.path.name)
        assert not EMAIL.search(text), (n.path.name, EMAIL.search(text).group())
        assert not any(a in text for a in addresses), n.path.name
        masked_phones += len(re.findall(r"1[3-9]\d\*{4}\d{4}", text))
    assert masked_phones > 0  # the shipped templates do show the (masked) number


def test_internal_notices_show_contact_details_in_full(folder):
    result = make_notices(folder, kind="visit", as_of=AS_OF)
    assert result.made
    assert any(MOBILE.search(visible_text(package_text(n.path))) for n in result.made)


def test_a_template_asking_only_for_name_and_id_gets_nothing_else_about_the_customer(folder):
    doc = Document()
    doc.add_paragraph("{{ complaint_id }}：{{ customer_name }}")
    (folder / "templates").mkdir(exist_ok=True)
    doc.save(folder / "templates" / "survey.docx")
    # every closed complaint without a score, not only the last week's: hundreds of letters
    (folder / "toolkit.toml").write_text("[notices.kinds.survey]\nuseful_days = 3660\n", encoding="utf-8")
    settings = load_settings(folder)
    tracker = read_table(settings.tracker_path, settings.tracker)
    register = read_table(settings.register_path, settings.register)
    by_id = {cid: i for i, cid in enumerate(register.values("customer_id")) if cid}
    result = make_notices(folder, kind="survey", as_of=AS_OF)
    assert len(result.made) > 20
    checked = 0
    for n in result.made:
        i = tracker.values("complaint_id").index(n.key)
        j = by_id.get(tracker.values("customer_id")[i])
        personal = [tracker.values(c)[i] for c in ("contact_person", "contact_phone") if tracker.has(c)]
        if j is not None:
            personal += [register.values(c)[j] for c in ("phone", "email", "address", "contact_person")]
        personal = [str(v) for v in personal if v]
        everything = package_text(n.path)
        assert n.key in everything
        leaked = [v for v in personal if v in everything or v in n.path.name]
        assert not leaked, (n.path.name, leaked)
        checked += bool(personal)
    assert checked > 20  # the rows really had contact details that could have leaked


def test_masking_can_be_turned_off_per_field(folder):
    settings_file = folder / "toolkit.toml"
    before = settings_file.read_text(encoding="utf-8") if settings_file.exists() else ""
    settings_file.write_text(before + '\n[notices.masking]\ncontact_phone = "none"\n', encoding="utf-8")
    settings = load_settings(folder)
    tracker = read_table(settings.tracker_path, settings.tracker)
    result = make_notices(folder, kind="ack", as_of=AS_OF)
    shown = 0
    for n in result.made:
        phone = tracker.values("contact_phone")[tracker.values("complaint_id").index(n.key)]
        if phone:
            assert phone in visible_text(package_text(n.path))
            shown += 1
    assert shown >= 5 and shown == len(result.made)


def test_the_monthly_report_holds_no_contact_details(folder):
    from toolkit.jobs.summary import make_summary

    register = register_of(folder)
    result = make_summary(folder, "2026-10", as_of=AS_OF)
    everything = package_text(result.docx)
    assert "2026" in everything and len(visible_text(everything)) > 500
    contact = [v for c in ("phone", "email", "address") for v in register.values(c) if v]
    assert len(contact) > 1000
    assert not [v for v in contact if v in everything]
    assert not MOBILE.search(visible_text(everything)) and not EMAIL.search(visible_text(everything))
    # the KPI workbook staff chart from holds figures only
    with zipfile.ZipFile(result.xlsx) as z:
        xlsx_text = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    assert not [v for v in contact if v in xlsx_text] and not MOBILE.search(xlsx_text)
