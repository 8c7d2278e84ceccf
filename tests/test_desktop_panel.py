"""The desktop panel (toolkit panel), driven on a virtual screen like a clerk drives it.

Each test starts Xvfb (skipped, saying why, only when Xvfb cannot start), opens the panel's real Tk
window in this process and drives it with real X input from xdotool: mouse clicks on the buttons'
places on the screen, typing into the fields, the folder dialog answered by keyboard. The test then
lets the window handle its events (as its main loop would) until the job has finished, and compares
what the window shows and what the job did with the library called directly (run_jobs,
make_notices, make_summary) on a copy of the same folder. Opening a file "with its default
program" runs `xdg-open`, which the tests provide on the PATH to record what was opened.

Screenshots of the screen (Pillow's X11 grab, a real capture of the virtual screen) are kept in
tests/artifacts/panel/ (or $TOOLKIT_TEST_ARTIFACTS); the path is printed at the end of the run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from toolkit import i18n
from toolkit.formats import show
from toolkit.jobs.notices import make_notices
from toolkit.jobs.run import run_jobs
from toolkit.jobs.summary import make_summary

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "workbooks"
AS_OF = dt.datetime(2026, 11, 20, 17, 0)
AS_OF_TYPED = "2026-11-20 17:00"
ARTIFACTS = Path(os.environ.get("TOOLKIT_TEST_ARTIFACTS", REPO / "tests" / "artifacts")) / "panel"
SCREEN = (1280, 1024)


# ------------------------------------------------------------------------------ the virtual screen


@pytest.fixture(scope="module")
def display(request):
    """An Xvfb server for this module's tests; DISPLAY points at it while they run."""
    xvfb, xdotool = shutil.which("Xvfb"), shutil.which("xdotool")
    if xvfb is None or xdotool is None:
        pytest.skip("Xvfb and xdotool are not installed (scripts/setup installs the Debian packages xvfb and xdotool)")
    read, write = os.pipe()
    proc = subprocess.Popen(
        [
            xvfb,
            "-displayfd",
            str(write),
            "-screen",
            "0",
            f"{SCREEN[0]}x{SCREEN[1]}x24",
            "-nolisten",
            "tcp",
            "-dpi",
            "96",
        ],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write)
    number = b""
    deadline = time.monotonic() + 20
    import select

    while not number.endswith(b"\n") and time.monotonic() < deadline:
        ready, _w, _x = select.select([read], [], [], 0.5)
        if ready:
            chunk = os.read(read, 32)
            if not chunk:
                break
            number += chunk
    os.close(read)
    if not number.strip():
        proc.kill()
        err = proc.stderr.read().decode(errors="replace")[-500:] if proc.stderr else ""
        pytest.skip(f"Xvfb could not start a virtual screen: {err.strip() or 'no display number'}")
    name = f":{number.decode().strip()}"
    before = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = name
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield name
    if before is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = before
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print(f"\ndesktop panel screenshots: {ARTIFACTS}")


@pytest.fixture
def user(tmp_path, monkeypatch):
    """A clerk's account: its own settings folder, Chinese by default, and an `xdg-open` that records."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opened = tmp_path / "opened.txt"
    opener = bin_dir / "xdg-open"
    opener.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}"\n', encoding="utf-8")
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    yield opened
    i18n.set_language(None)


class Screen:
    """Real input on the virtual screen (xdotool), the window's event handling, screenshots."""

    def __init__(self, window, display: str):
        self.window, self.root, self.display = window, window.root, display
        self.root.geometry("1100x780+0+0")
        self.pump_until(lambda: self.root.winfo_ismapped(), "the window to show")
        self.pump(0.3)

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], check=True, timeout=30, capture_output=True)

    def pump(self, seconds: float = 0.1) -> None:
        end = time.monotonic() + seconds
        while True:
            self.root.update()
            if time.monotonic() >= end:
                return
            time.sleep(0.01)

    def pump_until(self, condition, what: str, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {what}")
            self.root.update()
            time.sleep(0.01)

    def centre(self, widget) -> tuple[int, int]:
        self.root.update_idletasks()
        return widget.winfo_rootx() + widget.winfo_width() // 2, widget.winfo_rooty() + widget.winfo_height() // 2

    def click(self, widget, *, settle: float = 0.15) -> None:
        assert widget.winfo_viewable(), f"{widget} is not on the screen"
        x, y = self.centre(widget)
        self.xdotool("mousemove", "--sync", str(x), str(y), "click", "1")
        self.pump(settle)

    def double_click_row(self, tree, iid: str) -> None:
        tree.see(iid)
        self.pump(0.1)
        x, y, w, h = tree.bbox(iid)
        self.xdotool(
            "mousemove",
            "--sync",
            str(tree.winfo_rootx() + x + 20),
            str(tree.winfo_rooty() + y + h // 2),
            "click",
            "--repeat",
            "2",
            "--delay",
            "60",
            "1",
        )
        self.pump(0.3)

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "15", text)
        self.pump(0.2)

    def shot(self, name: str, *, whole: bool = False) -> Path:
        from PIL import ImageGrab

        self.root.update()
        image = ImageGrab.grab(xdisplay=self.display)
        if not whole:
            x, y = self.root.winfo_rootx(), self.root.winfo_rooty()
            image = image.crop((x, y, x + self.root.winfo_width(), y + self.root.winfo_height()))
        path = ARTIFACTS / f"{name}.png"
        image.save(path)
        return path

    def grab(self, name: str) -> Path:
        """The whole screen, without asking Tk anything (safe from any thread)."""
        from PIL import ImageGrab

        path = ARTIFACTS / f"{name}.png"
        ImageGrab.grab(xdisplay=self.display).save(path)
        return path

    def run_job(self, job: str, *, shots: str | None = None):
        """Click a job's button and wait for its outcome (before/during/after screenshots if asked)."""
        done = len(self.window.outcomes)
        if shots:
            self.shot(f"{shots}-1-before")
        self.click(self.window.job_buttons[job], settle=0)
        if shots:
            self.pump_until(
                lambda: self.window.started_at is not None or len(self.window.outcomes) > done, "the job to start"
            )
            self.shot(f"{shots}-2-during")
        self.pump_until(lambda: len(self.window.outcomes) > done and not self.window.runner.busy, f"{job} to finish")
        self.pump(0.2)
        if shots:
            self.shot(f"{shots}-3-after")
        return self.window.outcomes[-1]


@pytest.fixture
def panel(display, user):
    """Open a panel: panel(folder) -> Screen; closed after the test."""
    from toolkit.panel.window import start_window

    opened = []

    def open_(folder=None, **kwargs) -> Screen:
        window = start_window(folder, **kwargs)
        opened.append(window)
        return Screen(window, display)

    yield open_
    import gc

    for window in opened:
        window.runner.join(60)
        try:
            window.root.destroy()
        except Exception:
            pass
    opened.clear()
    gc.collect()  # here, on the thread that made the windows: Tk objects may only be deleted by it


def _office(path: Path) -> Path:
    path.mkdir(parents=True)
    for name in ("customers.xlsx", "complaints.xlsx", "office_days.xlsx"):
        shutil.copy2(SAMPLES / name, path / name)
    return path


def _changes(changes) -> list[tuple]:
    return [(c.job, c.workbook, c.sheet, c.row, c.col, c.column, c.header, c.key, c.old, c.new) for c in changes]


def _problems(problems) -> list[tuple]:
    return [(Path(p.file).name, p.sheet, p.row, p.column, p.value, p.reason, p.severity) for p in problems]


def _table(tree) -> list[tuple]:
    return [tuple(str(v) for v in tree.item(iid, "values")) for iid in tree.get_children()]


def _cells(folder: Path) -> dict:
    from python_calamine import CalamineWorkbook

    out = {}
    for path in sorted(folder.glob("*.xlsx")):
        wb = CalamineWorkbook.from_path(str(path))
        for sheet in wb.sheet_names:
            out[(path.name, sheet)] = wb.get_sheet_by_name(sheet).to_python()
    return out


def _type_as_of(screen: Screen, text: str) -> None:
    w = screen.window
    screen.click(w.typed_radio)
    screen.click(w.as_of_entry)
    screen.xdotool("key", "ctrl+a", "ctrl+k")  # Tk's entry keys: to the start, delete to the end
    screen.type(text)


def _choose_folder_in_dialog(screen: Screen, folder: Path) -> None:
    """Click "Choose…" and answer Tk's folder dialog from the keyboard, as a clerk would."""
    errors = []

    def answer():
        try:
            found = subprocess.run(
                ["xdotool", "search", "--sync", "--class", "TkChooseDir"], capture_output=True, text=True, timeout=30
            ).stdout.split()
            time.sleep(0.5)
            screen.grab("02-folder-dialog")  # not shot(): this thread must not touch Tk
            subprocess.run(["xdotool", "windowfocus", found[0]], check=True, timeout=10)
            subprocess.run(["xdotool", "key", "ctrl+a", "ctrl+k"], check=True, timeout=10)
            subprocess.run(["xdotool", "type", "--delay", "15", str(folder)], check=True, timeout=30)
            subprocess.run(["xdotool", "key", "Return"], check=True, timeout=10)  # goes into the folder
            time.sleep(0.5)
            subprocess.run(["xdotool", "key", "Return"], check=True, timeout=10)  # and chooses it
        except Exception as exc:  # reported by the test's own thread
            errors.append(exc)

    helper = threading.Thread(target=answer, daemon=True)
    helper.start()
    screen.click(screen.window.choose_button)  # the dialog runs its own event loop until it is answered
    helper.join(60)
    assert not errors, errors
    screen.pump(0.3)


# ------------------------------------------------------------------------------ the jobs, button by button


def test_each_button_does_what_the_library_does_on_the_same_folder(panel, tmp_path, user):
    office = _office(tmp_path / "office")  # typed into the folder dialog: ASCII
    reference = _office(tmp_path / "reference")
    screen = panel(None)
    w = screen.window
    assert w.folder is None and "尚未选择" in w.folder_var.get()
    screen.shot("01-start-no-folder")
    assert w.click("sync") == "no folder" and "请先选择数据文件夹" in w.status.cget("text")

    _choose_folder_in_dialog(screen, office)
    assert w.folder == office.resolve()
    assert "已找到" in w.folder_state.cget("text")
    from toolkit.panel import memory

    assert memory.remembered_folder() == office.resolve()  # chosen once, remembered for next time

    _type_as_of(screen, AS_OF_TYPED)
    assert w.as_of_hint.cget("text") == "识别为 2026-11-20 17:00"
    assert w.read_as_of() == (AS_OF, None)

    for job, jobs in (
        ("sync", ("sync",)),
        ("flag", ("flag",)),
        ("tiers", ("tiers",)),
        ("run_all", ("sync", "flag", "tiers")),
    ):
        out = screen.run_job(job, shots="03-flag" if job == "flag" else None)
        expected = run_jobs(reference, jobs, as_of=AS_OF)
        assert out.ok, out.lines
        assert out.as_of == AS_OF and out.title == w.captions[job]
        assert _changes(out.result.changes) == _changes(expected.changes), job
        assert _problems(out.problems) == _problems(expected.problems), job
        # what the window shows: the lines, every problem in the table, the changes per workbook and column
        shown_lines = w.message.get("1.0", "end").strip().splitlines()
        assert shown_lines == out.lines
        for book, n in expected.changes.count_by_workbook().items():
            assert f"{book}：已改动 {n:,} 个单元格" in out.lines
        assert _table(w.problem_tree) == [
            (
                Path(p.file).name,
                p.sheet,
                str(p.row or ""),
                p.column or "",
                show(p.value),
                ("提醒：" if p.severity == "warning" else "") + p.reason,
            )
            for p in expected.problems
        ]
        assert sum(int(r[3].replace(",", "")) for r in _table(w.change_tree)) == len(expected.changes)
        assert w.tabs.tab(0, "text") == f"问题（{len(expected.problems)}）"
    assert len(_changes(w.outcomes[0].result.changes)) > 1000  # sync really changed the sample

    out = screen.run_job("notices", shots="04-notices")
    expected = make_notices(reference, as_of=AS_OF)
    assert out.ok, out.lines
    assert [(n.kind, n.key, n.path.name) for n in out.result.made] == [
        (n.kind, n.key, n.path.name) for n in expected.made
    ]
    assert len(out.result.made) > 10
    assert _changes(out.result.changes) == _changes(expected.changes)  # the stamps on the rows
    assert out.lines[0].startswith(f"已生成通知书 {len(expected.made)} 份（")
    assert {Path(r[0]) for r in _table(w.file_tree)} == {Path(n.path.name) for n in expected.made}

    out = screen.run_job("summary", shots="05-summary")
    expected = make_summary(reference, as_of=AS_OF)
    assert out.ok, out.lines
    assert out.result.month == expected.month == "2026-10"
    assert out.result.figures.kpis == expected.figures.kpis
    assert out.result.docx.exists() and out.result.docx.parent == office.resolve() / "reports"
    assert out.lines[0] == "月度服务报告 2026-10"

    # the workbooks end up the same, cell for cell
    assert _cells(office) == _cells(reference)

    # double-click a problem: its workbook opens with the computer's program for it
    screen.run_job("flag")
    first = w.problem_tree.get_children()[0]
    screen.double_click_row(w.problem_tree, first)
    problem = w._problem_rows[first]
    assert user.read_text(encoding="utf-8").splitlines()[-1] == str(Path(problem.file))
    assert Path(problem.file).resolve().parent == office.resolve()
    assert problem.reason in w.status.cget("text")  # the whole problem, which the table may cut off
    # and the folders of the notices and of the reports
    screen.click(w.notices_button)
    screen.click(w.reports_button)
    assert user.read_text(encoding="utf-8").splitlines()[-2:] == [
        str(office.resolve() / "notices"),
        str(office.resolve() / "reports"),
    ]
    screen.shot("06-after-all-jobs")


def test_a_failing_job_shows_the_command_lines_message_and_the_window_stays_usable(panel, tmp_path, capsys):
    from toolkit.cli import main

    office = _office(tmp_path / "客服台账")
    reference = _office(tmp_path / "reference")
    owner = office / "~$complaints.xlsx"  # what Excel and WPS leave beside a workbook they have open
    owner.write_bytes(b"\x05clerk")
    assert main(["flag", str(office), "--as-of", AS_OF_TYPED]) == 2
    cli_message = capsys.readouterr().err.strip().removeprefix("toolkit: ")
    assert "complaints.xlsx" in cli_message

    screen = panel(office)
    w = screen.window
    _type_as_of(screen, AS_OF_TYPED)
    before = {p.name: p.read_bytes() for p in office.glob("*.xlsx")}
    out = screen.run_job("flag", shots="07-failed")
    assert not out.ok and out.status == "未完成"
    assert out.lines == [cli_message]  # word for word what the command line says
    assert w.message.get("1.0", "end").strip() == cli_message
    assert w.result_title.cget("style") == "Fail.TLabel" and "未完成" in w.result_title.cget("text")
    assert {p.name: p.read_bytes() for p in office.glob("*.xlsx")} == before

    owner.unlink()  # the clerk closes the workbook in WPS and clicks again
    out = screen.run_job("flag")
    expected = run_jobs(reference, ("flag",), as_of=AS_OF)
    assert out.ok and _changes(out.result.changes) == _changes(expected.changes)
    assert w.result_title.cget("style") == "Warn.TLabel"  # done, with the sample's problems
    screen.shot("08-usable-again")


def test_an_unexpected_error_is_one_line_and_a_log_file(panel, tmp_path, monkeypatch):
    office = _office(tmp_path / "office")
    screen = panel(office)

    def broken(*args, **kwargs):
        raise RuntimeError("something nobody expected\nsecond line")

    monkeypatch.setattr("toolkit.jobs.outcome.run_jobs_with", broken)
    out = screen.run_job("tiers")
    log = office / "logs" / "panel-errors.log"
    assert not out.ok
    assert out.lines == ["意外错误：RuntimeError: something nobody expected", f"详细情况已记录在：{log}"]
    assert "Traceback" in log.read_text(encoding="utf-8")
    monkeypatch.undo()
    assert screen.run_job("tiers").ok  # and the next click works


def test_a_second_click_waits_its_turn_and_the_window_keeps_answering(panel, tmp_path):
    from toolkit.demo.sample_data import generate
    from toolkit.demo.workbooks import write_sample

    data = generate(customers=2000, complaints=20000, seed=11)
    office, reference = tmp_path / "office", tmp_path / "reference"
    for folder in (office, reference):
        write_sample(folder, data)
    screen = panel(office)
    w = screen.window
    _type_as_of(screen, AS_OF_TYPED)
    done = len(w.outcomes)
    # two clicks in a row, before the window has handled either: the second job waits its turn
    (x1, y1), (x2, y2) = screen.centre(w.job_buttons["run_all"]), screen.centre(w.job_buttons["notices"])
    screen.xdotool(
        "mousemove", "--sync", str(x1), str(y1), "click", "1", "mousemove", "--sync", str(x2), str(y2), "click", "1"
    )
    screen.pump_until(lambda: w.started_at is not None, "the first job to start")
    assert w.runner.current.job == "run_all" and [r.job for r in w.runner.waiting] == ["notices"]
    assert "已排队" in w.status.cget("text") or "排队等候" in w.status.cget("text")
    assert w.click("run_all") == "already"  # the same job again is not queued twice
    assert "已在运行或排队中" in w.status.cget("text")
    # the window keeps answering while the job runs: the elapsed time goes on, the bar moves
    shown = set()
    while w.runner.current is not None and w.runner.current.job == "run_all":
        screen.pump(0.05)
        shown.add(w.status.cget("text"))
        if len(shown) == 3:
            screen.shot("09-running-with-one-waiting")
    screen.pump_until(lambda: len(w.outcomes) >= done + 2 and not w.runner.busy, "both jobs")
    assert len(shown) >= 2, shown  # several different states seen while it ran
    assert [o.job for o in w.outcomes[done:]] == ["run_all", "notices"]
    expected = run_jobs(reference, ("sync", "flag", "tiers"), as_of=AS_OF)
    assert _changes(w.outcomes[done].result.changes) == _changes(expected.changes)
    notices = make_notices(reference, as_of=AS_OF)
    assert [(n.kind, n.key) for n in w.outcomes[done + 1].result.made] == [(n.kind, n.key) for n in notices.made]


def test_preview_writes_nothing_and_shows_what_would_change(panel, tmp_path):
    office = _office(tmp_path / "office")
    reference = _office(tmp_path / "reference")
    screen = panel(office)
    w = screen.window
    _type_as_of(screen, AS_OF_TYPED)
    screen.click(w.dry_run_check)
    assert w.dry_run_var.get() and w.job_buttons["summary"].instate(["disabled"])
    assert "不提供预览" in w.job_note.cget("text")

    def files():  # the job lock file aside, which every job (a preview too) takes while it reads
        return {p: p.read_bytes() for p in office.rglob("*") if p.is_file() and p.name != ".toolkit.lock"}

    before = files()
    out = screen.run_job("run_all", shots="10-preview")
    expected = run_jobs(reference, ("sync", "flag", "tiers"), as_of=AS_OF, dry_run=True)
    assert out.ok and out.dry_run
    assert _changes(out.result.changes) == _changes(expected.changes)
    assert "仅预览：没有写入任何内容。" in out.lines
    assert any(line.startswith("complaints.xlsx：将改动 ") for line in out.lines)
    assert "仅预览，未写入" in w.result_title.cget("text")
    assert w.tabs.tab(1, "text") == f"将改动（{len(expected.changes):,} 个单元格）"
    notices = screen.run_job("notices")
    assert notices.ok and notices.result.made and all(n.path is None for n in notices.result.made)
    screen.click(w.job_buttons["summary"])  # greyed out: the click does nothing
    assert len(w.outcomes) == 2 and not w.runner.busy
    assert files() == before  # not a byte written, not a file made


def test_a_mistyped_as_of_is_refused_before_anything_runs(panel, tmp_path):
    office = _office(tmp_path / "office")
    screen = panel(office)
    w = screen.window
    _type_as_of(screen, "2026-02-30 10:00")
    assert "不是日期时间" in w.as_of_hint.cget("text")
    screen.click(w.job_buttons["flag"])
    assert not w.runner.busy and not w.outcomes
    assert w.status.cget("text").startswith("基准时间：") and "2026-02-30" in w.status.cget("text")
    screen.click(w.now_radio)
    assert w.read_as_of() == (None, None)
    assert screen.run_job("flag").ok


@pytest.mark.parametrize("setting", ['[panel]\nlanguage = "en"\n', '[files]\nlanguage = "en"\n'])
def test_english_when_the_office_says_so(panel, tmp_path, setting, monkeypatch):
    for name in ("TOOLKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    office = _office(tmp_path / "office")
    (office / "toolkit.toml").write_text(setting, encoding="utf-8")
    screen = panel(office)
    w = screen.window
    assert w.language == "en" and w.root.title() == "Office toolkit · desktop panel"
    assert w.job_buttons["sync"].cget("text") == "Sync"  # the English captions of [[excel.buttons]]
    _type_as_of(screen, AS_OF_TYPED)
    out = screen.run_job("sync", shots="11-english")
    assert out.status == "done, problems found"
    assert any(line.startswith("complaints.xlsx: changed ") for line in out.lines)
    assert w.tabs.tab(0, "text").startswith("Problems (")


def test_choosing_a_folder_whose_office_speaks_english_rebuilds_the_window(panel, tmp_path):
    chinese = _office(tmp_path / "zh")
    english = _office(tmp_path / "en")
    (english / "toolkit.toml").write_text('[panel]\nlanguage = "en"\n', encoding="utf-8")
    screen = panel(chinese)
    w = screen.window
    assert w.job_buttons["sync"].cget("text") == "同步客户信息"
    w.set_folder(english)
    screen.pump(0.2)
    assert w.job_buttons["sync"].cget("text") == "Sync" and w.folder_var.get() == str(english.resolve())


def test_closing_while_a_job_runs_waits_for_it(panel, tmp_path):
    office = _office(tmp_path / "office")
    screen = panel(office)
    w = screen.window
    screen.click(w.job_buttons["run_all"], settle=0)
    screen.pump_until(lambda: w.started_at is not None, "the job to start")
    w.close()
    assert w.root.winfo_exists() and "完成后" in w.status.cget("text")
    import tkinter as tk

    end = time.monotonic() + 60
    gone = False
    while time.monotonic() < end and not gone:  # the window goes once the job is done
        try:
            w.root.update()
            time.sleep(0.01)
            w.root.winfo_exists()  # "application has been destroyed" once it is gone
        except tk.TclError:
            gone = True
    assert gone
    assert w.outcomes and w.outcomes[-1].ok


# ------------------------------------------------------------------------------ starting it: command and launchers


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env.pop(i18n.ENV_VAR, None)
    return env


def test_the_remembered_folder_opens_next_time(display, tmp_path):
    office = _office(tmp_path / "office")
    env = _env(tmp_path)
    python = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else "python3"
    first = subprocess.run(
        [python, "-m", "toolkit", "panel", "--check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0 and "文件夹 （无）" in first.stdout, first
    from toolkit.panel import memory

    (tmp_path / "config" / memory.APP_DIR).mkdir(parents=True)
    (tmp_path / "config" / memory.APP_DIR / memory.FILE).write_text(
        f'{{"folder": "{office.resolve()}"}}', encoding="utf-8"
    )
    again = subprocess.run(
        [python, "-m", "toolkit", "panel", "--check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0 and f"文件夹 {office.resolve()}" in again.stdout, again
    assert "Noto Sans CJK SC" in again.stdout  # Chinese drawn with a CJK font


def test_without_a_screen_the_command_says_so(tmp_path):
    env = _env(tmp_path)
    env.pop("DISPLAY", None)
    python = str(REPO / ".venv" / "bin" / "python")
    done = subprocess.run(
        [python, "-m", "toolkit", "panel", "--check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stderr.startswith("toolkit: 无法在这里打开控制面板窗口"), done
    assert "Traceback" not in done.stderr


def test_the_windows_launcher_runs_the_panel_with_the_toolkits_python(tmp_path):
    from toolkit.panel.launchers import write_launchers

    folder = _office(tmp_path / "office")
    python = r"C:\Program Files (x86)\张三 100%\toolkit\.venv\Scripts\pythonw.exe"
    cmd, command = write_launchers(folder, win=python)
    assert cmd.name == "客服工具箱.cmd" and command.name == "客服工具箱.command"
    data = cmd.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") and data.endswith(b"\r\n")  # CRLF: cmd.exe's goto needs it
    lines = data.decode("utf-8").split("\r\n")
    assert lines[:2] == ["@echo off", "chcp 65001 >nul"]  # UTF-8 read from here on: a Chinese path works
    batch = python.replace("%", "%%")  # % is doubled in a batch file
    assert f'if exist "{batch}" goto run' in lines
    assert lines[-2:] == [f'start "" "{batch}" -m toolkit panel "%~dp0."', ""]  # not "%~dp0": \" is a quote
    assert ":run" in lines and "pause" in lines and "exit /b 1" in lines
    assert not any(line.rstrip().endswith("(") for line in lines)  # no block a ")" in the path could end
    # without a path: the Python on the PATH (when written elsewhere than on Windows)
    cmd, _command = write_launchers(folder)
    text = cmd.read_text(encoding="utf-8")
    assert 'where /q "pythonw" && goto run' in text and 'start "" "pythonw" -m toolkit panel "%~dp0."' in text
    # the office's Python for the Excel buttons is used when set
    (folder / "toolkit.toml").write_text(
        '[excel.panel]\ninterpreter_win = "D:\\\\py\\\\pythonw.exe"\n', encoding="utf-8"
    )
    cmd, _command = write_launchers(folder)
    assert 'start "" "D:\\py\\pythonw.exe" -m toolkit panel "%~dp0."' in cmd.read_text(encoding="utf-8")


def test_the_mac_launcher_opens_the_panel_on_its_own_folder(display, tmp_path):
    import sys

    from toolkit.panel.launchers import write_launchers

    folder = _office(tmp_path / "客服 台账")  # a space and Chinese in the path
    _cmd, command = write_launchers(folder)
    assert os.stat(command).st_mode & 0o111 == 0o111  # executable: Finder runs it on a double-click
    text = command.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash\n") and f"PY={sys.executable}" in text
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        ["bash", str(command), "--check"],
        cwd=elsewhere,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done
    assert f"控制面板已能打开：文件夹 {folder.resolve()}，语言 zh" in done.stdout
    # a Python that was moved away: said plainly, and the window waits for a key instead of vanishing
    _cmd, command = write_launchers(folder, mac="/nowhere/python3")
    done = subprocess.run(
        ["bash", str(command)], env=_env(tmp_path), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 1 and '找不到装有工具箱的 Python："/nowhere/python3"' in done.stdout
    assert "toolkit panel 文件夹 --write-launchers" in done.stdout


def test_init_and_build_panel_write_the_launchers(tmp_path, capsys, monkeypatch):
    from toolkit.cli import main

    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert main(["init", str(tmp_path / "new")]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "new" / "客服工具箱.cmd").exists() and (tmp_path / "new" / "客服工具箱.command").exists()
    assert "客服工具箱.cmd（Windows）" in out
    office = _office(tmp_path / "office")
    assert main(["excel", "build-panel", str(office), "--interpreter-win", r"C:\tk\pythonw.exe"]) == 0
    assert (office / "control_panel.xlsm").exists()
    assert 'start "" "C:\\tk\\pythonw.exe" -m toolkit panel' in (office / "客服工具箱.cmd").read_text(encoding="utf-8")
    assert main(["panel", str(office), "--write-launchers"]) == 0
    assert "已写入" in capsys.readouterr().out


# ------------------------------------------------------------------------------ small parts


def test_a_chinese_font_is_chosen_on_each_system():
    from toolkit.panel.fonts import pick_family

    windows = ["Arial", "Microsoft YaHei UI", "Microsoft YaHei", "SimSun"]
    mac = ["Helvetica", "PingFang SC", "Hiragino Sans GB"]
    linux = ["DejaVu Sans", "Noto Sans CJK JP", "Noto Sans CJK SC"]
    assert pick_family(windows) == "Microsoft YaHei UI"
    assert pick_family(mac) == "PingFang SC"
    assert pick_family(linux) == "Noto Sans CJK SC"
    assert pick_family(["noto sans cjk sc"]) == "noto sans cjk sc"
    assert pick_family(["DejaVu Sans"]) is None


def test_a_wrong_panel_setting_names_the_file_and_the_key(tmp_path):
    from toolkit.errors import SettingsError
    from toolkit.i18n import use_language
    from toolkit.settings import load_settings

    (tmp_path / "toolkit.toml").write_text('[panel]\nlanguage = "fr"\n', encoding="utf-8")
    with (
        use_language("zh"),
        pytest.raises(SettingsError, match=r"toolkit\.toml: 设置项“panel\.language”应为zh、en 或空，实际是 'fr'"),
    ):
        load_settings(tmp_path)
    with (
        use_language("en"),
        pytest.raises(SettingsError, match=r"toolkit\.toml.*'panel\.language' should be zh, en or empty"),
    ):
        load_settings(tmp_path)
    (tmp_path / "toolkit.toml").write_text('[panel]\nlauncher = "a/b"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="panel.launcher"):
        load_settings(tmp_path)


def test_office_days_the_job_cannot_read_reach_the_window_as_warnings(tmp_path):
    from toolkit.model.office_days import write_office_days
    from toolkit.panel.worker import JobRequest, run_job

    office = _office(tmp_path / "office")
    (office / "office_days.xlsx").unlink()
    write_office_days(office / "office_days.xlsx", [(dt.date(2026, 12, 31), "开会", "年会")])  # not a kind of day
    with i18n.use_language("zh"):
        out = run_job(JobRequest("flag", "标记时效与回访", office, AS_OF))
    assert out.ok
    found = [p for p in out.problems if Path(p.file).name == "office_days.xlsx"]
    assert len(found) == 1 and "开会" in found[0].reason and found[0].severity == "warning", out.problems
