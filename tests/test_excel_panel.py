"""The control panel workbook (toolkit excel build-panel), proved without Excel.

- oletools' olevba reads Module1 back from the built file and it is our source; the xlwings
  standalone module is kept exactly as the installed xlwings ships it;
- every button's macro (in the VML drawing) is a Sub of Module1 whose RunPython line imports a
  function that exists in toolkit.macros;
- every Sub first checks that it runs in Microsoft Excel and otherwise tells the clerk, in the
  panel's language, to use the desktop panel; the xlwings.conf sheet turns ADD_WORKBOOK_TO_PYTHONPATH
  off (a panel opened from OneDrive/SharePoint would otherwise fail in xlwings' start-up);
- headless LibreOffice loads the panel, binds each button to its Sub (whose first statement is that
  check), and a simulated click (the Sub's RunPython with RunPython stubbed) runs exactly the
  expected Python command;
- the shipped workbooks/control_panel.xlsm is what the command builds today.
"""

from __future__ import annotations

import html
import inspect
import os
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from toolkit import macros
from toolkit.cli import main
from toolkit.excel.panel import CONF_SHEET, build_panel, standalone_template
from toolkit.excel.vba import module1_source, parse_subs, run_python_command, wrong_program_message
from toolkit.i18n import _, use_language
from toolkit.settings import shipped_settings

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "workbooks" / "control_panel.xlsm"
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.usefixtures("speak_english"),
]  # oletools on pyparsing 3.3


@pytest.fixture(scope="module")
def spec():
    return shipped_settings().excel.panel


@pytest.fixture(scope="module")
def panel(tmp_path_factory, spec):
    return build_panel(tmp_path_factory.mktemp("panel") / "control_panel.xlsm", spec)


def olevba_modules(path: Path) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {Path(filename).stem: code for _sub, _stream, filename, code in parser.extract_macros()}
    finally:
        parser.close()


def _lines(code: str) -> list[str]:
    return [ln for ln in code.replace("\r\n", "\n").split("\n") if not ln.startswith("Attribute VB_")]


def vml_buttons(path: Path) -> list[tuple[str, str]]:
    """(caption, macro) of every form button in the workbook's VML drawings."""
    out = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/drawings/") and name.endswith(".vml"):
                root = etree.fromstring(z.read(name), etree.XMLParser(recover=True))
                for shape in root.iter("{urn:schemas-microsoft-com:vml}shape"):
                    data = shape.find("{urn:schemas-microsoft-com:office:excel}ClientData")
                    if data is None or data.get("ObjectType") != "Button":
                        continue
                    macro = data.findtext("{urn:schemas-microsoft-com:office:excel}FmlaMacro")
                    caption = "".join(shape.find("{urn:schemas-microsoft-com:vml}textbox").itertext()).strip()
                    out.append((caption, macro))
    return out


# ------------------------------------------------------------------------------ the VBA


def test_module1_is_our_source_and_xlwings_is_kept_as_shipped(panel, spec):
    import xlwings

    modules = olevba_modules(panel)
    assert set(modules) == {"ThisWorkbook", "Sheet1", "Sheet2", "Module1", "xlwings", "Dictionary"}
    assert _lines(modules["Module1"]) == _lines(module1_source(list(spec.buttons), spec.language))
    shipped = olevba_modules(standalone_template())
    assert modules["xlwings"] == shipped["xlwings"]
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in modules["xlwings"]
    assert "Function RunPython(" in modules["xlwings"]


def test_every_button_runs_a_sub_that_calls_an_existing_macro(panel, spec):
    subs = parse_subs(olevba_modules(panel)["Module1"])
    buttons = vml_buttons(panel)
    assert [c for c, _m in buttons] == [b.caption for b in spec.buttons]
    assert len(buttons) == 6
    for (caption, macro), b in zip(buttons, spec.buttons):
        assert macro == f"[0]!{b.macro}"
        sub = macro.removeprefix("[0]!")
        assert sub in subs, f"button {caption!r} runs {sub}, which Module1 lacks"
        (command,) = subs[sub]
        m = re.fullmatch(r"import toolkit\.macros as m; m\.(\w+)\(\)", command)
        assert m, command
        function = getattr(macros, m.group(1), None)
        assert callable(function), f"toolkit.macros has no {m.group(1)}"
        assert all(p.default is not p.empty for p in inspect.signature(function).parameters.values())
    assert {f for f in macros.__all__ if f != "Outcome"} == {b.function for b in spec.buttons}


def _sub_bodies(source: str) -> dict[str, list[str]]:
    """Sub or Function name -> its statements (comments and blank lines left out)."""
    bodies: dict[str, list[str]] = {}
    current = None
    for line in source.replace("\r\n", "\n").split("\n"):
        m = re.match(r"^\s*(?:Private\s+|Public\s+)?(?:Sub|Function)\s+(\w+)\s*\(", line)
        if m:
            current = m.group(1)
            bodies[current] = []
        elif re.match(r"^\s*End\s+(Sub|Function)\s*$", line):
            current = None
        elif current and line.strip() and not line.strip().startswith("'"):
            bodies[current].append(line.strip())
    return bodies


def vba_string(expression: str) -> str:
    """The value of a VBA string expression made of "literals", ChrW(&H....) and vbLf joined with &."""
    out = []
    for part in re.findall(r'"(?:[^"]|"")*"|ChrW\(&H[0-9A-F]{4}\)|vbLf', expression):
        if part.startswith('"'):
            out.append(part[1:-1].replace('""', '"'))
        elif part == "vbLf":
            out.append("\n")
        else:
            out.append(chr(int(part[7:11], 16)))
    assert re.sub(r'"(?:[^"]|"")*"|ChrW\(&H[0-9A-F]{4}\)|vbLf|\s|&', "", expression) == "", expression
    return "".join(out)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_button_first_checks_it_runs_in_excel_and_names_the_other_panel(spec, language):
    source = module1_source(list(spec.buttons), language)
    source.encode("ascii")
    bodies = _sub_bodies(source)
    for b in spec.buttons:
        assert bodies[b.macro] == [
            "If Not ToolkitCanRun() Then Exit Sub",
            f'RunPython "{run_python_command(b.function)}"',
        ]
    guard = bodies["ToolkitCanRun"]
    assert "appName = Application.Name" in guard
    assert 'If appName = "Microsoft Excel" And Val(Application.Version) >= 12 Then' in guard  # LibreOffice: "11.0"
    assert 'If appName = "Microsoft Excel" Then appName = "LibreOffice"' in guard
    # the message box: the catalog's text in the panel's language, with the program's name in the middle
    pieces = [line.removeprefix("msg = msg & ") for line in guard if line.startswith("msg = msg & ")]
    assert "appName" in pieces
    at = pieces.index("appName")
    shown = vba_string(" & ".join(pieces[:at])) + "{program}" + vba_string(" & ".join(pieces[at + 1 :]))
    title, before, after = wrong_program_message(language)
    assert shown == before + "{program}" + after
    with use_language(language):
        assert shown == _(
            "The buttons of this panel run in Microsoft Excel only (Windows or Mac), and this is "
            "{program}. Use the toolkit's desktop panel instead: double-click its launcher in the "
            "workbook folder (a .cmd file on Windows, a .command file on a Mac) or run `toolkit panel` "
            "in a terminal. It runs the same jobs without macros."
        )
    if language == "zh":
        assert "桌面控制面板" in shown and "WPS" not in shown
    msgbox = next(line for line in guard if line.startswith("MsgBox msg, vbExclamation, "))
    assert vba_string(msgbox.removeprefix("MsgBox msg, vbExclamation, ")) == title
    assert all(len(line) < 1000 for line in source.split("\r\n"))  # VBA's line limit is 1023 characters


def test_sheet_code_names_match_the_vba_document_modules(panel, spec):
    with zipfile.ZipFile(panel) as z:
        workbook = z.read("xl/workbook.xml").decode()
        sheets = [z.read(f"xl/worksheets/sheet{n}.xml").decode() for n in (1, 2)]
        content_types = z.read("[Content_Types].xml").decode()
    assert 'codeName="ThisWorkbook"' in workbook
    assert 'codeName="Sheet1"' in sheets[0] and 'codeName="Sheet2"' in sheets[1]
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in content_types
    assert CalamineWorkbook.from_path(str(panel)).sheet_names == [spec.sheet, CONF_SHEET]


def test_the_xlwings_conf_sheet_explains_interpreter_and_pythonpath(tmp_path):
    out = tmp_path / "p.xlsm"
    assert (
        main(
            [
                "excel",
                "build-panel",
                str(tmp_path),
                "--out",
                str(out),
                "--interpreter-win",
                r"C:\toolkit\.venv\Scripts\pythonw.exe",
            ]
        )
        == 0
    )
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(CONF_SHEET).to_python(skip_empty_area=False)
    keys = []
    for row in rows:  # xlwings reads column A from A1 down to the first blank cell
        if not row[0]:
            break
        keys.append(row[0])
        assert len(row) > 2 and row[2], f"{row[0]} is not explained"
    assert keys[:3] == ["Interpreter_Win", "Interpreter_Mac", "PYTHONPATH"]
    assert rows[0][1] == r"C:\toolkit\.venv\Scripts\pythonw.exe" and rows[1][1] == ""
    assert "pythonw" in rows[0][2] and "toolkit" in rows[2][2]
    assert "空格" in rows[1][2] and "no space" in rows[1][2]  # xlwings' AppleScript passes the path unquoted
    # xlwings.bas RunPython: AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true"); GetConfigFromSheet
    # keys the sheet's names by UCase(cell.Value); "false" keeps prepare_sys_path off the panel's web address
    settings = {str(k).upper(): v for k, v, *_rest in rows[: len(keys)]}
    assert settings["ADD_WORKBOOK_TO_PYTHONPATH"] == "false"
    notes = " ".join(str(row[0]) for row in rows[len(keys) :] if row and row[0])
    assert "xlwings runpython install" in notes


# ------------------------------------------------------------------------------ reproducible


def test_the_shipped_panel_is_what_the_command_builds(tmp_path, panel):
    assert SHIPPED.exists(), "run: toolkit excel build-panel workbooks"
    assert main(["excel", "build-panel", str(tmp_path)]) == 0
    built = tmp_path / "control_panel.xlsm"
    assert built.read_bytes() == panel.read_bytes()  # the same inputs give the same bytes
    with zipfile.ZipFile(SHIPPED) as a, zipfile.ZipFile(built) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            assert a.read(name) == b.read(name), f"{name} differs: run `toolkit excel build-panel workbooks`"


def test_a_bad_button_setting_is_reported(tmp_path):
    (tmp_path / "toolkit.toml").write_text('[[excel.buttons]]\nmacro = "X"\n', encoding="utf-8")
    assert main(["excel", "build-panel", str(tmp_path)]) == 2
    assert not (tmp_path / "control_panel.xlsm").exists()


# ------------------------------------------------------------------------------ LibreOffice


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_binds_each_button_to_its_sub_and_a_click_runs_the_macro(
    panel, spec, soffice, tmp_path, monkeypatch
):
    (ods,) = soffice(panel, "ods", tmp_path / "ods")
    with zipfile.ZipFile(ods) as z:
        content = z.read("content.xml").decode()
        basic = {
            Path(n).stem: z.read(n).decode()
            for n in z.namelist()
            if n.startswith("Basic/VBAProject/") and not n.endswith("script-lb.xml")
        }
    bound = []
    for m in re.finditer(r"<form:button\b(.*?)</form:button>", content, re.DOTALL):
        label = html.unescape(re.search(r'form:label="([^"]*)"', m.group(1)).group(1))
        href = re.search(r'script:event-name="form:performaction" xlink:href="([^"]*)"', m.group(1))
        assert href, f"button {label!r} has no action"
        bound.append((label, html.unescape(href.group(1))))
    assert [label for label, _ in bound] == [b.caption for b in spec.buttons]
    # LibreOffice imported the VBA project: Module1 there is our source
    module1 = html.unescape(
        re.search(r"<script:module\b[^>]*>(.*)</script:module>", basic["Module1"], re.DOTALL).group(1)
    )
    subs = parse_subs(module1)
    assert "xlwings" in basic
    # the rebuilt Module1 as LibreOffice has it: each button's Sub checks the program before RunPython
    bodies = _sub_bodies(module1)
    assert "ToolkitCanRun" in bodies and any("Application.Version" in line for line in bodies["ToolkitCanRun"])
    for b in spec.buttons:
        assert bodies[b.macro][0] == "If Not ToolkitCanRun() Then Exit Sub", bodies[b.macro]
    clicked = []
    for (_label, href), b in zip(bound, spec.buttons):
        m = re.fullmatch(r"vnd\.sun\.star\.script:VBAProject\.Module1\.(\w+)\?language=Basic&location=document", href)
        assert m and m.group(1) == b.macro, href
        # the click: run the Sub's body with RunPython stubbed to record its command, then run that
        # command with toolkit.macros' functions stubbed to record the call
        commands: list[str] = []

        def RunPython(command, commands=commands):
            commands.append(command)

        for command in subs[m.group(1)]:
            RunPython(command)
        assert commands == [run_python_command(b.function)] == [f"import toolkit.macros as m; m.{b.function}()"]
        monkeypatch.setattr(macros, b.function, lambda *a, _f=b.function, **k: clicked.append((_f, a, k)))
        exec(commands[0], {})
    assert clicked == [(b.function, (), {}) for b in spec.buttons]


_RUNNER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub Click
    Dim args(1) As New com.sun.star.beans.PropertyValue
    Dim doc As Object, sp As Object, script As Object, subs As Variant, i As Integer
    args(0).Name = "Hidden"
    args(0).Value = True
    args(1).Name = "MacroExecutionMode"
    args(1).Value = 4
    doc = StarDesktop.loadComponentFromURL(ConvertToURL("{panel}"), "_blank", 0, args())
    sp = doc.getScriptProvider()
    subs = Array({subs})
    On Error Resume Next
    For i = LBound(subs) To UBound(subs)
        script = sp.getScript("vnd.sun.star.script:VBAProject.Module1." &amp; subs(i) _
            &amp; "?language=Basic&amp;location=document")
        script.invoke(Array(), Array(), Array())
    Next i
    doc.close(True)
    StarDesktop.terminate()
End Sub
</script:module>
"""


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_runs_the_check_of_every_button_and_it_stops_before_runpython(spec, tmp_path, monkeypatch):
    """The buttons clicked in real LibreOffice: the check answers "not Excel" there (LibreOffice says
    Application.Name = "Microsoft Excel" but Application.Version = "11.0"), and the message the clerk
    would see is the catalog's, naming LibreOffice. Clicks are made by a Basic macro in a private
    LibreOffice profile; the panel's Module1 is ours with two lines of instrumentation: RunPython writes
    "reached" to a log instead of starting Python, and the text of the message box is written there first."""
    import subprocess

    from conftest import SOFFICE

    import toolkit.excel.panel as panel_module

    log = tmp_path / "clicks.txt"
    real = module1_source(list(spec.buttons), spec.language)
    helper = (
        "\r\nSub ToolkitLog(text As String)\r\n    Dim n As Integer, i As Long, line As String\r\n"
        '    For i = 1 To Len(text)\r\n        line = line & Hex(AscW(Mid(text, i, 1))) & " "\r\n    Next i\r\n'
        f'    n = FreeFile\r\n    Open "{log}" For Append As #n\r\n    Print #n, line\r\n    Close #n\r\n'
        "End Sub\r\n"
    )
    instrumented = re.sub(r'RunPython "([^"]*)"', lambda m: 'ToolkitLog "reached RunPython"', real)
    instrumented = instrumented.replace("    MsgBox msg, ", "    ToolkitLog msg\r\n    MsgBox msg, ") + helper
    assert instrumented.count("ToolkitLog msg") == 1
    monkeypatch.setattr(panel_module, "module1_source", lambda buttons, language="zh": instrumented)
    panel = build_panel(tmp_path / "probe.xlsm", spec)
    profile = tmp_path / "profile"
    env = {**os.environ, "HOME": str(profile), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    cmd = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck"]
    subprocess.run(
        cmd + ["--terminate_after_init"], env=env, timeout=240, capture_output=True, stdin=subprocess.DEVNULL
    )
    runner = profile / "user" / "basic" / "Standard" / "Module1.xba"
    assert runner.exists(), "LibreOffice did not create its profile"
    runner.write_text(
        _RUNNER.format(panel=panel, subs=", ".join(f'"{b.macro}"' for b in spec.buttons)), encoding="utf-8"
    )
    subprocess.run(
        cmd + ["macro:///Standard.Module1.Click"], env=env, timeout=240, capture_output=True, stdin=subprocess.DEVNULL
    )
    assert log.exists(), "no button ran in LibreOffice"
    said = ["".join(chr(int(h, 16)) for h in line.split()) for line in log.read_text().splitlines()]
    title, before, after = wrong_program_message(spec.language)
    assert said == [before + "LibreOffice" + after] * len(spec.buttons), said
    assert "reached RunPython" not in said
