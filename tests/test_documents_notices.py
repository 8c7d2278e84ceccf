"""The notices job on the shipped sample workbooks: which rows get which notice, files, stamps, re-runs.

The sample workbooks (workbooks/) are copied and every job is run on them first as of
2026-11-20 17:00, so the deadline and flag columns the notices read exist.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from docx import Document

from toolkit.documents.template import TemplateError
from toolkit.errors import SettingsError
from toolkit.i18n import use_language
from toolkit.jobs.notices import file_stem, make_notices
from toolkit.model.records import read_table
from toolkit.rules.notices import parse_stamp
from toolkit.settings import load_settings

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "workbooks"
AS_OF = dt.datetime(2026, 11, 20, 17, 0)
DAY = "2026-11-20"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# ------------------------------------------------------------------------------------------ fixtures, helpers


@pytest.fixture
def folder(sample_office) -> Path:
    return sample_office


def tables(folder: Path):
    settings = load_settings(folder)
    return (read_table(settings.register_path, settings.register), read_table(settings.tracker_path, settings.tracker))


def doc_text(path: Path) -> str:
    doc = Document(io.BytesIO(Path(path).read_bytes()))
    return "\n".join("".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in doc.element.body.iter(f"{{{W}}}p"))


def workbook_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("customers.xlsx", "complaints.xlsx")}


def office_template(folder: Path, name: str, *paragraphs: str) -> Path:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    path = folder / "templates" / name
    path.parent.mkdir(exist_ok=True)
    doc.save(path)
    return path


def tracker_after_values(folder: Path, column: str) -> list:
    return tables(folder)[1].values(column)


def rows_where(table, **tests) -> list[int]:
    out = []
    for i in range(len(table)):
        if all(test(table.values(col)[i]) for col, test in tests.items()):
            out.append(i)
    return out


OPEN = ("待处理", "处理中", "待客户回复")


def _not_past(*values) -> bool:
    return all(v is None or (v >= AS_OF if isinstance(v, dt.datetime) else v >= AS_OF.date()) for v in values)


def _addressed(register, tracker, i) -> bool:
    known = dict(zip(register.values("customer_id"), register.values("contact_person")))
    cid = tracker.values("customer_id")[i]
    return (
        cid in known
        and bool(tracker.values("customer_name")[i])
        and bool(tracker.values("contact_person")[i] or known[cid])
    )


def useful_acks(register, tracker) -> list[int]:
    """Open, not yet answered, received within 2 days, addressed, promising no date already past."""
    return [
        i
        for i in rows_where(
            tracker,
            status=lambda v: v in OPEN,
            received_at=lambda v: v is not None and (AS_OF.date() - v.date()).days <= 2,
            responded_at=lambda v: v is None,
        )
        if _addressed(register, tracker, i)
        and _not_past(tracker.values("respond_due")[i], tracker.values("resolve_due")[i])
    ]


def useful_settlements(register, tracker) -> list[int]:
    """Received today, not settled, the same-day notice due, addressed, its settlement date not past."""
    return [
        i
        for i in rows_where(
            tracker,
            same_day_state=lambda v: bool(v) and v.startswith(("即将到期", "逾期")),
            settlement_told_at=lambda v: v is None,
            resolved_at=lambda v: v is None,
            received_at=lambda v: v is not None and v.date() == AS_OF.date(),
        )
        if _addressed(register, tracker, i)
        and _not_past(tracker.values("promised_date")[i] or tracker.values("resolve_due")[i])
    ]


# ------------------------------------------------------------------------------------------ the batch


def test_each_notice_goes_to_the_rows_its_conditions_choose_and_is_stamped(folder):
    register, tracker = tables(folder)
    acks = useful_acks(register, tracker)
    settlements = useful_settlements(register, tracker)
    overdue = rows_where(tracker, escalation_level=lambda v: v in ("L1", "L2", "L3"))
    visits = rows_where(register, visit_flag=lambda v: v in ("逾期", "即将到期", "未回访"))
    assert acks and settlements and overdue and visits

    result = make_notices(folder, as_of=AS_OF)
    assert result.failures == []
    assert result.count("ack") == len(acks)
    assert result.count("settlement") == len(settlements)
    handlers = {tracker.values("handler")[i] for i in overdue}
    assert result.count("escalation") == len(handlers)
    assert result.count("visit") == len({register.values("account_owner")[i] for i in visits})
    assert result.count("tier") == 0  # the first grading of every customer is no change to write about

    ids = tracker.values("complaint_id")
    names = tracker.values("customer_name")
    files = {}
    for n in (n for n in result.made if n.kind == "ack"):
        safe_name = re.sub(r'[<>:"/\\|?*]', "_", n.name)
        assert n.path.name == (f"受理回执_{n.key}_{safe_name}_{DAY}.docx" if n.name else f"受理回执_{n.key}_{DAY}.docx")
        assert n.path.is_file()
        files[n.key] = n.path.name
    _register_after, tracker_after = tables(folder)
    stamps = tracker_after.values("notice_ack")
    for i in acks:
        assert stamps[i] == f"{DAY} 受理回执 notices/{files[ids[i]]}"
    for i in set(range(len(tracker))) - set(acks):
        assert stamps[i] is None
    log = (folder / "logs" / f"changes-{dt.date.today():%Y-%m}.csv").read_text(encoding="utf-8-sig")
    assert log.count(",notices,") == len(result.changes)
    assert len(result.changes) == len(acks) + len(settlements) + len(overdue) + len(visits) + sum(
        result.count(k) for k in ("feedback", "survey")
    )

    # the acknowledgement holds the promised deadlines, the office's way
    first = next(i for i in acks if names[i])
    text = doc_text(next(n.path for n in result.made if n.kind == "ack" and n.key == ids[first]))
    due = tracker.values("respond_due")[first]
    assert f"{due.year}年{due.month}月{due.day}日 {due:%H:%M}" in text
    assert ids[first] in text and names[first] in text


def test_overdue_notice_lists_all_of_a_handlers_complaints_with_department_heads_from_l2(folder):
    _register, tracker = tables(folder)
    result = make_notices(folder, kind="escalation", as_of=AS_OF)
    levels = tracker.values("escalation_level")
    notify = dict(zip(tracker.values("complaint_id"), tracker.values("notify")))
    for notice in result.made:
        mine = [
            i
            for i in range(len(tracker))
            if tracker.values("handler")[i] == notice.key and levels[i] in ("L1", "L2", "L3")
        ]
        doc = Document(io.BytesIO(notice.path.read_bytes()))
        table = doc.tables[0]
        listed = [r.cells[0].text for r in table.rows[1:]]
        assert sorted(listed) == sorted(tracker.values("complaint_id")[i] for i in mine)
        assert len(notice.rows) == len(mine)
        for r in table.rows[1:]:
            level, head = r.cells[5].text, r.cells[6].text
            assert (head != "") == (level in ("L2", "L3")), (level, head)
            if head:  # no department heads configured: the head of the complaint's own department, not nested
                dept = dict(zip(tracker.values("complaint_id"), tracker.values("department")))[r.cells[0].text]
                assert head == f"{dept}负责人" and "（" not in head
                assert dept in notify[r.cells[0].text]
        text = doc_text(notice.path)
        top = max(int(levels[i][1]) for i in mine)
        assert ("督办通知" if top >= 2 else "催办通知") in text
        stamps = tracker_after_values(folder, "notice_escalation")
        assert all(parse_stamp(stamps[i]).title == ("督办通知" if top >= 2 else "催办通知") for i in mine)
        if top >= 3:
            assert "抄送：" in text and "客服中心主任" in text


def test_a_rerun_makes_nothing_and_force_makes_them_again(folder):
    first = make_notices(folder, kind=["ack", "escalation"], as_of=AS_OF)
    assert first.made and first.changes
    before = workbook_bytes(folder)
    again = make_notices(folder, kind=["ack", "escalation"], as_of=AS_OF)
    assert again.made == [] and again.changes == [] and again.written == []
    assert again.already["ack"] == first.count("ack")
    assert workbook_bytes(folder) == before  # nothing to stamp: the workbooks are not even rewritten

    forced = make_notices(folder, kind=["ack", "escalation"], as_of=AS_OF, force=True)
    assert sorted(n.path.name for n in forced.made) == sorted(n.path.name for n in first.made)
    assert forced.changes == []  # same day, same files: the stamps stay as they are

    # a complaint whose escalation level rose since its notice is due again: its handler gets a new one
    _register, tracker = tables(folder)
    stamps = tracker.values("notice_escalation")
    i = next(i for i, s in enumerate(stamps) if s and "[L3]" in s)
    from toolkit.xlsx import update_cells

    update_cells(
        folder / "complaints.xlsx",
        tracker.sheet,
        {tracker.cell_ref("notice_escalation", i): stamps[i].replace("[L3]", "[L1]")},
    )
    later = make_notices(folder, kind="escalation", as_of=AS_OF)
    assert [n.key for n in later.made] == [tracker.values("handler")[i]]


def test_customer_notices_mask_contact_details_internal_ones_do_not(folder):
    result = make_notices(folder, kind=["ack", "visit"], as_of=AS_OF)
    register, tracker = tables(folder)
    ack = next(n for n in result.made if n.kind == "ack")
    phone = tracker.values("contact_phone")[tracker.rows.index(ack.rows[0])]
    text = doc_text(ack.path)
    assert phone and phone not in text and f"{phone[:3]}****{phone[-4:]}" in text
    visit = next(n for n in result.made if n.kind == "visit")
    text = doc_text(visit.path)
    owner_phones = [
        register.values("phone")[i]
        for i in range(len(register))
        if register.values("account_owner")[i] == visit.key
        and register.values("visit_flag")[i] in ("逾期", "即将到期", "未回访")
    ]
    assert owner_phones and all(p in text for p in owner_phones if p)


def test_a_formula_in_a_stamp_cell_is_left_reported_and_not_logged(folder):
    import csv
    import zipfile

    from toolkit.xlsx import add_column, update_cells

    _register, tracker = tables(folder)
    add_column(
        folder / "complaints.xlsx", tracker.sheet, tracker.schema.column("notice_ack").header_for("zh"), keep_backups=0
    )
    register, tracker = tables(folder)
    chosen = useful_acks(register, tracker)
    i = chosen[0]
    ref = tracker.cell_ref("notice_ack", i)
    update_cells(folder / "complaints.xlsx", tracker.sheet, {ref: "PLACEHOLDER"}, keep_backups=0)
    book = folder / "complaints.xlsx"
    with zipfile.ZipFile(book) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    start = xml.index(f'<c r="{ref}"'.encode())
    end = xml.index(b"</c>", start) + 4
    assert b"PLACEHOLDER" in xml[start:end]
    parts["xl/worksheets/sheet1.xml"] = xml[:start] + f'<c r="{ref}" t="str"><f>""</f><v></v></c>'.encode() + xml[end:]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)

    result = make_notices(folder, kind="ack", as_of=AS_OF)
    assert len(result.made) == len(chosen)
    [problem] = [p for p in result.problems if "holds a formula" in p.reason]
    assert problem.row == tracker.rows[i] and ref in problem.reason
    assert all(c.ref != ref for c in result.changes) and len(result.changes) == len(chosen) - 1
    with result.log_file.open(encoding="utf-8-sig", newline="") as f:
        logged = [(row[3], row[5]) for row in list(csv.reader(f))[1:] if row[2] not in ("sync", "flag", "tiers")]
    assert ("complaints.xlsx", ref) not in logged and len(logged) == len(chosen) - 1
    with zipfile.ZipFile(book) as z:
        assert f'<c r="{ref}" t="str"><f>""</f>'.encode() in z.read("xl/worksheets/sheet1.xml")


def test_one_bad_row_is_reported_and_the_rest_are_made(folder):
    from toolkit.xlsx import update_cells

    office_template(
        folder,
        "settlement.docx",
        "{{ complaint_id }} {{ customer_name }}",
        "满意度折算：{{ (satisfaction * 20)|int }} 分",
    )
    register, tracker = tables(folder)
    chosen = useful_settlements(register, tracker)
    assert len(chosen) > 2
    bad = chosen[1]
    update_cells(
        folder / "complaints.xlsx",
        tracker.sheet,
        {tracker.cell_ref("satisfaction", i): (None if i == bad else 4) for i in chosen},
    )
    result = make_notices(folder, kind="settlement", as_of=AS_OF)
    assert len(result.made) == len(chosen) - 1
    [failure] = result.failures
    assert failure.key == tracker.values("complaint_id")[bad] and failure.rows == [tracker.rows[bad]]
    assert "TypeError" in failure.reason and "满意度折算" in failure.reason
    _register, after = tables(folder)
    assert after.values("notice_settlement")[bad] is None
    assert all(after.values("notice_settlement")[i] for i in chosen if i != bad)
    assert "80 分" in doc_text(result.made[0].path)
    again = make_notices(folder, kind="settlement", as_of=AS_OF)
    assert again.made == [] and [f.key for f in again.failures] == [failure.key]


def test_a_template_field_no_column_provides_stops_the_batch_before_anything_is_written(folder):
    office_template(folder, "ack.docx", "尊敬的{{ custmer_name }}：", "{{ complaint_id }}")
    before = workbook_bytes(folder)
    with pytest.raises(TemplateError) as info:
        make_notices(folder, as_of=AS_OF)
    msg = str(info.value)
    assert "no notices were made" in msg and "'custmer_name' - did you mean customer_name" in msg
    assert "尊敬的{{ custmer_name }}：" in msg
    assert not (folder / "notices").exists()
    assert workbook_bytes(folder) == before


def test_dry_run_decides_and_renders_but_writes_nothing(folder):
    before = workbook_bytes(folder)
    logs = sorted((p.name, p.read_bytes()) for p in (folder / "logs").glob("*"))
    result = make_notices(folder, as_of=AS_OF, dry_run=True)
    assert result.made and all(n.path is None for n in result.made) and result.changes
    assert not (folder / "notices").exists()
    assert sorted((p.name, p.read_bytes()) for p in (folder / "logs").glob("*")) == logs
    assert workbook_bytes(folder) == before


def test_tier_changes_go_to_the_account_owner_and_the_customer_letter_only_when_turned_on(folder):
    from toolkit.xlsx import update_cells

    register, _tracker = tables(folder)
    i = next(
        i
        for i in range(len(register))
        if register.values("tier")[i] == "C" and register.values("tier_changed_on")[i] == AS_OF.date()
    )
    update_cells(folder / "customers.xlsx", register.sheet, {register.cell_ref("previous_tier", i): "B"})
    result = make_notices(folder, as_of=AS_OF, dry_run=True)
    assert "tier_letter" not in result.kinds  # off unless the office turns it on
    result = make_notices(folder, kind="tier", as_of=AS_OF)
    [notice] = result.made
    assert notice.key == register.values("account_owner")[i]
    text = doc_text(notice.path)
    assert "致：" + register.values("account_owner")[i] in text and register.values("customer_id")[i] in text
    register, _ = tables(folder)
    stamp = parse_stamp(register.values("notice_tier")[i])
    assert stamp.date == AS_OF.date() and stamp.marker == "C" and stamp.title == "客户等级变更通知"
    assert make_notices(folder, kind="tier", as_of=AS_OF).made == []

    (folder / "toolkit.toml").write_text("[notices.kinds.tier_letter]\nenabled = true\n", encoding="utf-8")
    [letter] = make_notices(folder, kind="tier_letter", as_of=AS_OF).made
    text = doc_text(letter.path)
    assert "由“标准客户服务”调整为“基础客户服务”" in text and "2026年11月20日" in text
    assert "C级" not in text and "C 级" not in text
    assert "每 6 个月" in text  # the visit cadence of tier C
    assert text.count("尊敬的") == 1 and "（盖章处）" in text


def test_english_notices(folder):
    result = make_notices(folder, kind="ack", as_of=AS_OF, language="en", dry_run=False)
    text = doc_text(result.made[0].path)
    assert "Acknowledgement of Your Complaint" in text and "20 November 2026" in text
    assert result.templates["ack"].endswith("ack_en.docx")


def test_merged_output_holds_every_notice_one_per_page(folder):
    result = make_notices(folder, kind="settlement", as_of=AS_OF, merged=True)
    [merged] = result.merged
    assert merged.name == f"解决时间告知_合订本_{DAY}.docx"
    import zipfile

    with zipfile.ZipFile(merged) as zf:
        xml = zf.read("word/document.xml")
    assert xml.count(b'w:type="page"') == len(result.made) - 1
    text = doc_text(merged)
    assert all(n.key in text for n in result.made)


def test_file_names_are_safe_and_values_are_escaped_end_to_end(folder):
    from toolkit.jobs.run import run_jobs
    from toolkit.xlsx import update_cells

    register, tracker = tables(folder)
    i = useful_acks(register, tracker)[0]
    cid = tracker.values("customer_id")[i]
    r = register.values("customer_id").index(cid)
    odd = "A&B <联合> 公司/总部:上海"
    update_cells(folder / "customers.xlsx", register.sheet, {register.cell_ref("name", r): odd})
    run_jobs(folder, ("sync",), as_of=AS_OF)  # the name flows into the tracker
    result = make_notices(folder, kind="ack", as_of=AS_OF)
    notice = next(n for n in result.made if n.key == tracker.values("complaint_id")[i])
    assert notice.path.name == f"受理回执_{notice.key}_A&B _联合_ 公司_总部_上海_{DAY}.docx"
    assert odd in doc_text(notice.path)
    assert (
        file_stem("{kind}_{key}_{name}_{date}", kind="ack", key="CON", name="", date=AS_OF.date()) == f"ack_CON_{DAY}"
    )
    assert file_stem("{key}", kind="ack", key="con", name="", date=AS_OF.date()) == "_con"


def test_notices_elsewhere_are_stamped_with_their_full_path(folder, tmp_path):
    out = tmp_path / "outbox"
    result = make_notices(folder, kind="feedback", as_of=AS_OF, out_dir=out)
    assert result.made and all(n.path.parent == out for n in result.made)
    _register, tracker = tables(folder)
    stamp = parse_stamp(tracker.values("notice_feedback")[tracker.rows.index(result.made[0].rows[0])])
    assert stamp.file == str(out / result.made[0].path.name)


def test_wrong_notice_settings_are_reported_with_the_key(folder):
    (folder / "toolkit.toml").write_text('[notices.kinds.ack]\ntable = "orders"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"notices\.kinds\.ack\.table.*tracker or register"):
        load_settings(folder)
    (folder / "toolkit.toml").write_text(
        '[notices.kinds.ack]\nwhen = [{ column = "statsu", in = ["处理中"] }]\n', encoding="utf-8"
    )
    with pytest.raises(SettingsError, match=r"notices\.kinds\.ack\.when\[1\]\.column"):
        make_notices(folder, as_of=AS_OF)
    (folder / "toolkit.toml").write_text('[notices]\nfilename = "{kind}_{customer}"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="notices.filename"):
        make_notices(folder, as_of=AS_OF)


def test_the_office_can_switch_notices_off_and_change_conditions(folder):
    (folder / "toolkit.toml").write_text(
        "[notices.kinds.survey]\nenabled = false\n\n"
        '[notices.kinds.ack]\nwhen = [{ column = "status", in = ["待处理"] }]\n',
        encoding="utf-8",
    )
    register, tracker = tables(folder)
    result = make_notices(folder, as_of=AS_OF, dry_run=True)
    assert "survey" not in result.kinds
    # the office's conditions replace the shipped ones; the window and the guards still apply
    assert result.count("ack") == sum(
        1 for i in useful_acks(register, tracker) if tracker.values("status")[i] == "待处理"
    )


# ------------------------------------------------------------------------------------------ the command


def run_cli(argv: list[str]) -> int:
    from toolkit.cli import main

    return main(argv)


def test_command_line(folder, capsys):
    # the sample's hand-typed data has problems: notices exits as check does (1), and says the same count
    data = run_cli(["check", str(folder), "--as-of", "2026-11-20 17:00"])
    counts = capsys.readouterr().out.strip().splitlines()[-1]
    assert data == 1 and re.fullmatch(r"\d+ problems?, \d+ warnings?\.", counts), counts
    assert run_cli(["notices", str(folder), "--kind", "settlement", "--as-of", "2026-11-20 17:00", "--dry-run"]) == data
    out = capsys.readouterr().out
    assert "would make" in out and "Settlement date notice" in out and counts in out
    assert run_cli(["notices", str(folder), "--kind", "ack", "--as-of", "2026-11-20 17:00"]) == data
    out = capsys.readouterr().out
    assert re.search(r"made \d+ Acknowledgement", out) and "stamped" in out
    assert run_cli(["notices", str(folder), "--kind", "ack", "--as-of", "2026-11-20 17:00"]) == data
    assert "already had their notices" in capsys.readouterr().out
    office_template(folder, "feedback.docx", "{{ solutoin }}")
    assert run_cli(["notices", str(folder), "--kind", "feedback", "--as-of", "2026-11-20 17:00"]) == 2
    assert "did you mean solution" in capsys.readouterr().err
    assert run_cli(["notices", str(folder), "--kind", "nope"]) == 2
    assert "unknown notice 'nope'" in capsys.readouterr().err


def test_the_dry_run_lists_what_gets_no_letter_and_the_closing_line_counts_per_kind(folder, capsys):
    # exit 1: the sample's own problems (a 2026-02-30, ...) are listed, as every command lists them
    assert run_cli(["notices", str(folder), "--lang", "zh", "--as-of", "2026-11-20 17:00", "--dry-run"]) == 1
    out = capsys.readouterr().out
    # rows a clerk can correct are listed one by one, with the row and the reason
    assert re.search(
        r"未生成：处理结果反馈 TS\d{4}-\d{6} .+（第 \d+ 行）：承诺的日期已过（回访时限 2026-11-19 18:00）", out
    )
    assert re.search(r"未生成：满意度回访 TS\d{4}-\d{6} .*（第 \d+ 行）：客户编号不在台账中", out)
    # rows past their window are counted per kind, never listed
    assert "满意度回访：436 行未生成，已过发送时限" in out
    assert out.count("已过发送时限") == 3
    closing = out.strip().splitlines()[-1]
    assert closing.startswith("预览（未写入任何内容）：受理回执：生成 10 份，未生成 1 份，失败 0 份；")
    assert "满意度回访：生成 28 份，未生成 438 份，失败 0 份" in closing and "回访提醒：生成 12 份" in closing


# ------------------------------------------------------------------------------------------ recipients


def test_an_unrecognised_account_owner_column_gives_no_visit_reminder_to_nobody(folder):
    from toolkit.jobs.notices import skipped_lines
    from toolkit.xlsx import update_cells
    from toolkit.xlsx.refs import column_letter

    register, _tracker = tables(folder)
    header = column_letter(register.columns["account_owner"]) + str(register.rows[0] - 1)
    update_cells(folder / "customers.xlsx", register.sheet, {header: "对接专员"}, keep_backups=0)
    result = make_notices(folder, kind="visit", as_of=AS_OF, dry_run=True)
    assert result.made == []  # no visit_未指定 addressed to nobody
    [(reason, n)] = result.skipped_counts()["visit"].items()
    assert reason == "no_recipient_column" and n > 50
    with use_language("zh"):
        assert skipped_lines(result) == [f"回访提醒：{n} 行未生成，未识别客户经理列"]


def test_a_customer_letter_without_its_contact_or_its_customer_is_listed_not_made(folder):
    from toolkit.jobs.notices import skipped_lines
    from toolkit.xlsx import update_cells

    register, tracker = tables(folder)
    acks = useful_acks(register, tracker)
    no_contact, unknown = acks[0], acks[1]
    cid = tracker.values("customer_id")[no_contact]
    r = register.values("customer_id").index(cid)
    update_cells(folder / "customers.xlsx", register.sheet, {register.cell_ref("contact_person", r): None})
    update_cells(
        folder / "complaints.xlsx",
        tracker.sheet,
        {
            tracker.cell_ref("contact_person", no_contact): None,
            tracker.cell_ref("customer_id", unknown): "C99999",
        },
    )
    result = make_notices(folder, kind="ack", as_of=AS_OF)
    ids = tracker.values("complaint_id")
    made = {n.key for n in result.made}
    assert ids[no_contact] not in made and ids[unknown] not in made
    reasons = {s.key: s.reason for s in result.skipped}
    assert reasons[ids[no_contact]] == "no_contact" and reasons[ids[unknown]] == "unknown_customer"
    with use_language("zh"):
        lines = "\n".join(skipped_lines(result))
    assert f"{ids[no_contact]}" in lines and "缺少联系人" in lines and "客户编号不在台账中" in lines
    _register, after = tables(folder)
    assert after.values("notice_ack")[no_contact] is None and after.values("notice_ack")[unknown] is None


def test_escalation_names_the_department_head_from_the_settings(folder):
    _register, tracker = tables(folder)
    l2 = next(i for i in range(len(tracker)) if tracker.values("escalation_level")[i] in ("L2", "L3"))
    dept = tracker.values("department")[l2]
    (folder / "toolkit.toml").write_text(f'[escalation.department_heads]\n"{dept}" = "王经理"\n', encoding="utf-8")
    result = make_notices(folder, kind="escalation", as_of=AS_OF)
    notice = next(n for n in result.made if n.key == tracker.values("handler")[l2])
    text = doc_text(notice.path)
    assert f"已同时通报{dept}负责人王经理" in text and "部门负责人（部门负责人" not in text


# ------------------------------------------------------------------------------------------ a stopped batch


@pytest.mark.parametrize("stop_at", [1, 3, 12])
def test_a_batch_stopped_midway_is_finished_by_the_next_run_each_notice_once(folder, monkeypatch, stop_at):
    """(Real kills at every point: tests/test_reliability_notices.py.) Here the batch is stopped by an
    exception at the journal (1) or after some .docx files, and run again, with --force too."""
    import toolkit.jobs.notices as job

    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        if calls["n"] == stop_at:
            raise KeyboardInterrupt

    monkeypatch.setattr(job, "crash_point", stop)
    with pytest.raises(KeyboardInterrupt):
        make_notices(folder, kind=["ack", "escalation"], as_of=AS_OF)
    journal = folder / "notices" / ".notices-journal.json"
    assert journal.is_file()
    made_before = sorted(p.name for p in (folder / "notices").glob("*.docx"))
    assert len(made_before) == stop_at - 1
    monkeypatch.setattr(job, "crash_point", lambda: None)
    result = make_notices(folder, kind=["ack", "escalation"], as_of=AS_OF, force=stop_at == 12)
    assert result.recovered == len(made_before) and not journal.exists()
    if made_before:
        from toolkit.jobs.notices import recovered_line

        with use_language("zh"):
            assert (
                recovered_line(result) == f"上次中断的运行已生成的 {len(made_before)} 份通知现已补全（已在台账中登记）"
            )
    files = sorted(p.name for p in (folder / "notices").iterdir())
    assert len(files) == len(set(files)) and not [f for f in files if "-2." in f or f.endswith(".part")]
    _register, tracker = tables(folder)
    stamped = [s for col in ("notice_ack", "notice_escalation") for s in tracker.values(col) if s]
    assert sorted({parse_stamp(s).file.split("/")[-1] for s in stamped}) == files
