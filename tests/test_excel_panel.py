"""The control panel workbook (toolkit excel build-panel), proved without Excel.

- oletools' olevba reads Module1 back from the built file and it is our source; the xlwings
  standalone module is kept exactly as the installed xlwings ships it;
- every button's macro (in the VML drawing) is a Sub of Module1 whose RunPython line imports a
  function that exists in toolkit.macros;
- headless LibreOffice loads the panel, binds each button to its Sub, and a simulated click (the
  Sub's RunPython with RunPython stubbed) runs exactly the expected Python command;
- the shipped workbooks/control_panel.xlsm is what the command builds today.
"""

from __future__ import annotations

import html
import inspect
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from toolkit import macros
from toolkit.cli import main
from toolkit.excel.panel import CONF_SHEET, build_panel, standalone_template
from toolkit.excel.vba import module1_source, parse_subs, run_python_command
from toolkit.settings import shipped_settings

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "workbooks" / "control_panel.xlsm"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # oletools on pyparsing 3.3


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
    assert _lines(modules["Module1"]) == _lines(module1_source(list(spec.buttons)))
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
