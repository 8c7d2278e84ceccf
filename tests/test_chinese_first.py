"""Chinese first: every command, the Excel buttons and the desktop panel's messages, in both languages.

Each command of `toolkit` runs on a copy of the shipped sample workbooks - which hold the mistakes
people type (a duplicate customer ID, 2026-02-30, "尽快" as a date, "很好" as a score, unknown
customer IDs) - and on folders with worse trouble (a workbook open in Excel, a wrong setting, a
missing folder, usage mistakes), once in Chinese and once in English. Then everything it printed
is read the way a clerk would:

- Chinese output holds no English sentence (two English words in a row) once paths, file names,
  IDs, the toolkit's own command and option names, setting keys and the names of programs (Excel,
  Word, LibreOffice, xlwings) are set aside; and no Python notation (``datetime.``, ``Decimal(``,
  ``None``, ``nan``, a traceback).
- English output holds no Chinese once the data itself is set aside: what the workbooks hold
  (sheet names, headers, cell values) and the office's settings (headers, notice titles, choices).

The Excel buttons run through the stand-in for Excel (tests/xlwings_standin.py), and the desktop
panel's messages are made by the same calls the panel makes (toolkit.jobs.outcome); the office's
``[files] language`` decides their language, as it does the command line's.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from xlwings_standin import App, Book

from toolkit import macros
from toolkit.cli.main import command_language, main
from toolkit.i18n import choose_language, use_language
from toolkit.jobs.outcome import Outcome, call_notices, call_run_jobs, call_summary, record_failure
from toolkit.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "workbooks"
AS_OF = "2026-11-25 10:00"
PANEL_SHEET = "控制面板"

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
REPR = re.compile(r"datetime\.|Decimal\(|\bNone\b|\bnan\b|Traceback|\bstderr\b|exit code|lock file")
COMMANDS = (
    "toolkit init demo check due sync flag run tiers restore log notices summary excel build-panel panel "
    "python pythonw soffice"
).split()
NAMES = (
    "Excel Word LibreOffice Writer WPS xlwings RunPython Python Windows Mac VBA Module1 Subs PDF TOML UTF-8 "
    "XML Strict Open Interpreter_Win Interpreter_Mac TRUE FALSE TOOLKIT_LANG zh en N int Debian apt-get "
    "libreoffice-writer fonts-noto-cjk ack settlement feedback survey tier escalation visit internal customer "
    "staff tracker register test column owner"
).split()
# paths and files, options, setting keys ([files] language, files.language), IDs such as C00015, times
_SET_ASIDE = [
    re.compile(r"\S*[/\\]\S*"),
    re.compile(r"\S+\.(?:xlsx|xlsm|xls|docx|docm|pdf|csv|toml|log|cmd|command|conf|exe)\b"),
    re.compile(r"--?[a-z][a-z-]*"),
    re.compile(r"\[\[?[a-z_.*]+\]?\]"),
    re.compile(r"\b[a-z_]+(?:\.[a-z_0-9*]+)+\b"),
    re.compile(r"\b[a-z]+_[a-z_]+\b"),
    re.compile(r"\b[A-Z]{1,3}\d+\b"),
    re.compile(r"\bToolkit[A-Z]\w*"),  # the buttons' VBA macros
]


def english_sentences(text: str, data: set[str]) -> list[str]:
    """Runs of two or more English words left once the data, paths, IDs and names are set aside."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    for pattern in _SET_ASIDE:
        text = pattern.sub(" ", text)
    words = set(COMMANDS) | set(NAMES)
    text = re.sub(r"[A-Za-z][A-Za-z'-]*", lambda m: " " if m.group(0) in words else m.group(0), text)
    return re.findall(r"[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,})+", text)


def chinese_left(text: str, data: set[str]) -> list[str]:
    """Lines still holding Chinese once every data value is set aside."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return [line for line in text.splitlines() if CJK.search(line)]


def data_of(folder: Path) -> set[str]:
    """What the office's data holds: every text cell of its workbooks, its headers, titles and choices."""
    found: set[str] = {folder.name, "两天半", "2个工作日"}  # the folder, and what the tests typed
    found.update(p.stem for p in folder.rglob("*") if p.is_file())  # the files the office's documents are
    for path in folder.glob("[!~]*.xls[xm]"):  # not Excel's ~$ owner files
        book = CalamineWorkbook.from_path(str(path))
        found.update(book.sheet_names)
        for name in book.sheet_names:
            for row in book.get_sheet_by_name(name).to_python():
                found.update(str(v) for v in row if isinstance(v, str) and v.strip())
    settings = load_settings(folder)
    for schema in (settings.register, settings.tracker):
        for column in schema.columns:
            found.add(column.header)
            found.update(getattr(column, "aliases", ()) or ())
        found.add(schema.sheet)
    for kind in settings.notices.kinds.values():
        found.update((kind.title, kind.title_en))
    for values in settings.choices.lists.values():
        found.update(values)
    found.update(("暂定", "逾期", "即将到期", "按时完成", "新客户", "未应用"))  # words of cells the jobs write
    return {v for v in found if v}


def office(tmp_path: Path, language: str, name: str = "office") -> Path:
    """A copy of the shipped samples, the office speaking `language` ([files] language in toolkit.toml)."""
    folder = tmp_path / name
    folder.mkdir(parents=True)
    for path in SAMPLES.glob("[!~]*.xls[xm]"):
        shutil.copy(path, folder / path.name)
    (folder / "toolkit.toml").write_text(f'[files]\nlanguage = "{language}"\n', encoding="utf-8")
    return folder


def run(capsys, *argv: str) -> tuple[int, str]:
    """`toolkit ARGV` in this process: (exit code, all it printed)."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # --help, usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out + out.err


def every_command(capsys, tmp_path: Path, language: str) -> list[tuple[str, int, str]]:
    """Every command (with its --help) on folders with problems; (command line, exit code, output)."""
    folder = office(tmp_path, language)
    f = str(folder)
    lines = [
        ["--help"],
        *[[c, "--help"] for c in COMMANDS[1:12]],
        ["excel", "build-panel", "--help"],
        ["panel", "--help"],
        ["check", f],
        ["run", f, "--dry-run", "--as-of", AS_OF, "--limit", "30"],
        ["sync", f, "--as-of", AS_OF],
        ["flag", f, "--as-of", AS_OF],
        ["tiers", f, "--as-of", AS_OF],
        ["tiers", f, "--suggest"],
        ["run", f, "--as-of", AS_OF],
        ["notices", f, "--dry-run", "--as-of", AS_OF, "--limit", "10"],
        ["notices", f, "--as-of", AS_OF, "--merged", "--limit", "10"],
        ["notices", f, "--as-of", AS_OF, "--kind", "nosuchkind"],
        ["summary", f, "--as-of", "2026-12-02 09:00"],
        ["summary", f, "--month", "2026-13"],
        ["due", "2025-09-30 17:00", "2个工作日", "--folder", f],
        ["due", "2031-09-30 17:00", "2 working days", "--folder", f],
        ["due", "2025-09-30 17:00", "两天半", "--folder", f],
        ["due", "2025-02-30 17:00", "2 hours", "--folder", f],
        ["log", f, "--customer", "C00015", "--limit", "5"],
        ["log", f, "--since", "yesterday"],
        ["restore", folder / "customers.xlsx", "--list"],
        ["restore", folder / "customers.xlsx", "--pick", "1"],
        ["restore", folder / "customers.xlsx", "--pick", "99"],
        ["excel", "build-panel", f],
        ["panel", f, "--write-launchers"],
        ["init", tmp_path / "new"],
        ["init", tmp_path / "new"],
        ["check", tmp_path / "nowhere"],
        ["chek", f],
        ["run", f, "--limit", "many"],
        ["run", f, "--as-of", "sometime"],
    ]
    if language == "en":  # --lang on the command line (the office's setting covers the commands naming its folder)
        lines = [[*line, "--lang", "en"] for line in lines]
    results = [(" ".join(map(str, line)), *run(capsys, *line)) for line in lines]

    # a workbook open in Excel (its owner file beside it), then a wrong setting
    owner = folder / "~$complaints.xlsx"
    owner.write_bytes(b"\x00" * 165)
    results.append(("run (open in Excel)", *run(capsys, "run", f, "--as-of", AS_OF)))
    owner.unlink()
    (folder / "toolkit.toml").write_text(
        f'[files]\nlanguage = "{language}"\nbackups_kept = -1\n[sla]\ndue_soon_working_hours = "soon"\n',
        encoding="utf-8",
    )
    results.append(("run (wrong setting)", *run(capsys, "run", f)))
    (folder / "toolkit.toml").write_text(f'[files]\nlanguage = "{language}"\n', encoding="utf-8")
    return results


@pytest.fixture
def english_env(monkeypatch):
    """No language in the environment: the office's setting and --lang decide."""
    for name in ("TOOLKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.slow
def test_every_command_speaks_chinese_with_no_english_sentence_and_no_python(capsys, tmp_path, english_env):
    results = every_command(capsys, tmp_path, "zh")
    data = data_of(tmp_path / "office") | data_of(tmp_path / "new")
    bad = []
    for line, code, out in results:
        assert out.strip(), f"`toolkit {line}` printed nothing"
        assert code in (0, 1, 2), line
        found = english_sentences(out, data)
        python = REPR.findall(out)
        if found or python:
            bad.append(f"toolkit {line}:\n  english: {found[:5]}\n  python: {python[:3]}\n{out[:1500]}")
    assert not bad, "\n\n".join(bad)
    text = "\n".join(out for _line, _code, out in results)
    # the clerk's words, as the handbook says them
    for words in (
        "用法：",
        "显示本帮助后退出",
        "重复：同一编号已在第",
        "没有这一天：2026-02-30",
        "不是数字",
        "客户编号不在客户台账中，可能是：",
        "正在 Excel（或其他程序）中打开",
        "设置项“files.backups_kept”应为一个不小于 0 的整数，实际是 -1",
        "受理回执",
        "（暂定）",
    ):
        assert words in text, words
    assert "2026-11-25 10:00" in text and "datetime" not in text


@pytest.mark.slow
def test_every_command_speaks_english_when_asked_with_no_chinese_outside_the_data(capsys, tmp_path, english_env):
    results = every_command(capsys, tmp_path, "en")
    data = data_of(tmp_path / "office") | data_of(tmp_path / "new")
    bad = []
    for line, _code, out in results:
        left = chinese_left(out, data)
        python = REPR.findall(out)
        if left or python:
            bad.append(f"toolkit {line}:\n  chinese: {left[:5]}\n  python: {python[:3]}")
    assert not bad, "\n\n".join(bad)
    text = "\n".join(out for _line, _code, out in results)
    for words in (
        "usage:",
        "show this help message and exit",
        "duplicate: the same ID is already on row",
        "no such date: 2026-02-30",
        "not a number",
        "is open in Excel",
    ):
        assert words in text, words


# ------------------------------------------------------------------------------ the Excel buttons


def _excel(folder: Path) -> tuple[App, Book]:
    app = App()
    panel = Book(
        app, folder / "control_panel.xlsm", {PANEL_SHEET: [[None]], "xlwings.conf": [["Interpreter_Win", None]]}
    )
    app._books.append(panel)
    app._open(folder / "customers.xlsx")
    return app, panel


def _block(panel: Book) -> str:
    """The panel's last-run block as it reads on the sheet (dates as Excel shows them)."""
    sheet = panel._sheet(PANEL_SHEET)
    cells = sorted(sheet._cells.items())
    shown = []
    for (_r, _c), cell in cells:
        v = cell.value
        shown.append(v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime) else "" if v is None else str(v))
    return "\n".join(shown)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_excel_buttons_speak_the_offices_language(tmp_path, language, english_env):
    folder = office(tmp_path, language)
    as_of = dt.datetime(2026, 11, 25, 10, 0)
    texts = []
    for button in (macros.sync, macros.flag, macros.tiers, macros.run_all, macros.notices, macros.summary):
        app, panel = _excel(folder)
        out = button(panel, as_of=as_of)
        texts.append((button.__name__, "\n".join(a[0] for a in app._alerts) + "\n" + _block(panel), out))
    # a failing button: the tracker open in Excel with unsaved changes is not the problem; a missing folder is
    (folder / "toolkit.toml").write_text(f'[files]\nlanguage = "{language}"\nbackups_kept = "ten"\n', encoding="utf-8")
    app, panel = _excel(folder)
    texts.append(("run_all (wrong setting)", "\n".join(a[0] for a in app._alerts), macros.run_all(panel, as_of=as_of)))
    (folder / "toolkit.toml").write_text(f'[files]\nlanguage = "{language}"\n', encoding="utf-8")
    data = data_of(folder) | {PANEL_SHEET}
    for name, text, out in texts:
        with use_language(language):  # as the button said them (the message box and the block hold the same)
            text += "\n" + out.message() + "\n" + out.status
        assert not REPR.findall(text), (name, text)
        if language == "zh":
            assert not english_sentences(text, data), (name, english_sentences(text, data), text)
            assert "最近一次运行" in text or name.endswith("(wrong setting)")
        else:
            assert not chinese_left(text, data), (name, chinese_left(text, data), text)
            assert "Last run" in text or name.endswith("(wrong setting)")


# ------------------------------------------------------------------------------ the desktop panel's messages


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_desktop_panels_messages_speak_the_offices_language(tmp_path, language, english_env):
    folder = office(tmp_path, language)
    settings = load_settings(folder)
    as_of = dt.datetime(2026, 11, 25, 10, 0)
    with use_language(choose_language(settings.panel.language, settings.language)):
        outs = []
        for job, call in (
            ("run_all", lambda o: call_run_jobs(o, folder, settings, ("sync", "flag", "tiers"))),
            ("preview", lambda o: call_run_jobs(o, folder, settings, ("flag",), dry_run=True)),
            ("notices", lambda o: call_notices(o, folder, settings)),
            ("summary", lambda o: call_summary(o, folder, settings)),
        ):
            out = Outcome(job, job, as_of=as_of)
            call(out)
            outs.append(out)
        failed = Outcome("run_all", "run_all", as_of=as_of)
        (folder / "~$customers.xlsx").write_bytes(b"\x00" * 165)
        try:
            call_run_jobs(failed, folder, settings, ("sync",))
        except Exception as exc:  # the panel's worker hands it to record_failure
            record_failure(failed, exc, folder, "run_all", "logs/panel-errors.log")
        outs.append(failed)
        texts = [o.message() + "\n" + o.status for o in outs]
    data = data_of(folder)
    for text in texts:
        assert not REPR.findall(text), text
        if language == "zh":
            assert not english_sentences(text, data), (english_sentences(text, data), text)
        else:
            assert not chinese_left(text, data), (chinese_left(text, data), text)
    assert ("正在 Excel" if language == "zh" else "is open in Excel") in texts[-1]
    assert ("回访提醒" if language == "zh" else "Visit reminder") in texts[2]


# ------------------------------------------------------------------------------ which language


def test_the_language_is_the_persons_then_the_offices_then_the_systems(tmp_path):
    env = {"LANG": "en_US.UTF-8"}
    assert choose_language(None, None, {}) == "zh"
    assert choose_language(None, None, {"LANG": "C.UTF-8"}) == "zh"
    assert choose_language(None, None, env) == "en"
    assert choose_language(None, "zh", env) == "zh"  # the office's setting beats the system's locale
    assert choose_language(None, "zh", {"TOOLKIT_LANG": "en"}) == "en"  # one person's choice beats the office's
    assert choose_language("zh", "en", {"TOOLKIT_LANG": "en"}) == "zh"  # --lang beats everything
    assert choose_language(None, None, {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}) == "zh"
    folder = office(tmp_path, "en")
    assert command_language(["check", str(folder)], {}) == "en"
    assert command_language(["check", str(folder), "--lang", "zh"], {}) == "zh"
    assert command_language(["restore", str(folder / "customers.xlsx"), "--list"], {}) == "en"
    assert command_language(["due", "2025-09-30", "2 hours", "--folder", str(folder)], {}) == "en"
    assert command_language(["check", str(tmp_path / "nowhere")], {}) == "zh"
