"""The control panel workbook: labelled buttons, one per job, each running a Sub of Module1.

Built, never edited by hand (`toolkit excel build-panel`):

1. take `xl/vbaProject.bin` from the installed xlwings package's quickstart_standalone.xlsm: its
   `xlwings` module is the standalone RunPython (no add-in needed) of exactly that xlwings version;
2. replace Module1's source with our Subs (pyOpenVBA writes the source only, without compiled
   p-code, so Excel compiles it when the workbook is opened);
3. write the workbook with XlsxWriter: the VBA project, the panel sheet (code name Sheet1) with its
   form buttons, and the xlwings.conf sheet (code name Sheet2) with the interpreter settings
   explained beside them. ThisWorkbook/Sheet1/Sheet2 are the document modules of that VBA project.

The same inputs give the same bytes (fixed document dates, XlsxWriter's fixed zip times), so the
shipped panel can be checked against a fresh build.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

from toolkit.errors import ToolkitError
from toolkit.excel.vba import VBA_MODULE, XLWINGS_MODULE, module1_source
from toolkit.i18n import N_, _, use_language
from toolkit.settings.excel import Button, PanelSpec

DOCUMENT_MODULES = ("ThisWorkbook", "Sheet1", "Sheet2")  # code names in quickstart_standalone.xlsm
CONF_SHEET = "xlwings.conf"
_BUILT = dt.datetime(2026, 1, 1)  # fixed document date: a rebuild gives the same file
_BUTTON_FIRST_ROW = 4  # 0-based: the first button sits in row 5
_BUTTON_HEIGHT_PX = 34


# _BUILD_ONLY: xlwings and pyOpenVBA are loaded only to build a panel; the demo and the buttons import
# this module for the panel's layout and should not pay for them.


def standalone_template() -> Path:
    """quickstart_standalone.xlsm of the installed xlwings package."""
    import xlwings  # noqa: PLC0415 - see _BUILD_ONLY

    path = Path(xlwings.__file__).resolve().parent / "quickstart_standalone.xlsm"
    if not path.exists():
        raise ToolkitError(
            _("xlwings {version} does not ship quickstart_standalone.xlsm").format(version=xlwings.__version__),
            path=path,
            hint=_("install the xlwings version pinned in pyproject.toml"),
        )
    return path


def vba_project(buttons: list[Button] | tuple[Button, ...], language: str = "zh") -> bytes:
    """xlwings' standalone vbaProject.bin with Module1 replaced by our Subs (messages in `language`)."""
    import xlwings  # noqa: PLC0415 - see _BUILD_ONLY
    from pyopenvba import ExcelFile  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="toolkit-panel-") as tmp:
        src = Path(tmp) / "template.xlsm"
        shutil.copyfile(standalone_template(), src)
        out = Path(tmp) / "panel.xlsm"
        with ExcelFile(src) as wb:
            names = wb.module_names()
            missing = [m for m in (*DOCUMENT_MODULES, VBA_MODULE, XLWINGS_MODULE) if m not in names]
            if missing:
                raise ToolkitError(
                    _("xlwings' quickstart_standalone.xlsm lacks the VBA module(s) {join} (it has {join2})").format(
                        join=", ".join(missing), join2=", ".join(names)
                    ),
                    hint=_("install the xlwings version pinned in pyproject.toml"),
                )
            version = re.search(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', wb.get_module(XLWINGS_MODULE))
            if not version or version.group(1) != xlwings.__version__:
                raise ToolkitError(
                    _(
                        "the xlwings VBA module is version {value} but the xlwings package is {version}; they must match"
                    ).format(value=version.group(1) if version else "?", version=xlwings.__version__)
                )
            wb.set_module(VBA_MODULE, module1_source(list(buttons), language))
            wb.save(out)
        with zipfile.ZipFile(out) as z:
            return z.read("xl/vbaProject.bin")


def _cell(ref: str) -> tuple[int, int]:
    return xl_cell_to_rowcol(ref)


def build_panel(out: str | Path, spec: PanelSpec) -> Path:
    """Write the control panel to `out` (replaced in one step)."""
    out = Path(out)
    if out.suffix.lower() != ".xlsm":
        raise ToolkitError(_("the control panel must be a macro-enabled workbook ending in .xlsm"), path=out)
    project = vba_project(spec.buttons, spec.language)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.building")
    wb = xlsxwriter.Workbook(
        str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    try:
        wb.set_properties(
            {
                "title": spec.title_en,
                "subject": "Office toolkit control panel",
                "comments": "Built by `toolkit excel build-panel`",
                "created": _BUILT,
            }
        )
        wb.set_vba_name("ThisWorkbook")
        wb.add_vba_project(io.BytesIO(project), is_stream=True)
        _panel_sheet(wb, spec)
        _conf_sheet(wb, spec)
    finally:
        wb.close()
    tmp.replace(out)
    return out


def _panel_sheet(wb, spec: PanelSpec) -> None:
    ws = wb.add_worksheet(spec.sheet)
    ws.set_vba_name("Sheet1")
    ws.activate()
    title = wb.add_format({"bold": True, "font_size": 16})
    sub = wb.add_format({"font_color": "#595959", "italic": True})
    label = wb.add_format({"bold": True})
    entry = wb.add_format({"bg_color": "#FFF2CC", "border": 1})
    note = wb.add_format({"valign": "vcenter", "text_wrap": True})
    other = wb.add_format({"valign": "vcenter", "text_wrap": True, "font_color": "#595959"})
    head = wb.add_format({"bold": True, "bottom": 1})
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 56)
    ws.set_column(2, 2, 64)
    ws.write(0, 0, spec.title, title)
    ws.write(1, 0, spec.title_en, sub)
    frow, fcol = _cell(spec.folder_cell)
    ws.write(frow, fcol - 1 if fcol else fcol, spec.folder_label, label)
    ws.write_blank(frow, fcol, None, entry)
    ws.write(frow, fcol + 1, spec.folder_label_en, other)
    zh = spec.language == "zh"
    for n, b in enumerate(spec.buttons):
        row = _BUTTON_FIRST_ROW + n
        ws.set_row_pixels(row, _BUTTON_HEIGHT_PX + 6)
        ws.insert_button(
            row,
            0,
            {
                "macro": b.macro,
                "caption": b.caption if zh else b.caption_en,
                "description": b.caption_en if zh else b.caption,
                "width": 200,
                "height": _BUTTON_HEIGHT_PX,
                "x_offset": 4,
                "y_offset": 3,
            },
        )
        ws.write(row, 1, b.note if zh else b.note_en, note)
        ws.write(row, 2, f"{b.caption_en}: {b.note_en}" if zh else f"{b.caption}：{b.note}", other)
    srow, scol = _cell(spec.status_cell)
    with use_language(spec.language):  # the words the buttons write there later (toolkit.macros.status_rows)
        ws.write(srow, scol, _("Last run"), head)
        ws.write(srow, scol + 1, _("(the result of a button shows here)"), other)


def _both(english: str) -> str:
    """A note of the xlwings.conf sheet in Chinese and English (the English is the message id, marked N_)."""
    with use_language("zh"):
        return f"{_(english)} / {english}"


def _conf_rows() -> tuple[tuple[str, str | None, str, str], ...]:
    """(name, PanelSpec attribute or None, fixed value, explanation) per setting, in the order xlwings reads them."""
    return (
        (
            "Interpreter_Win",
            "interpreter_win",
            "",
            "Windows：装有 toolkit 的 Python 的完整路径，例如 C:\\toolkit\\.venv\\Scripts\\pythonw.exe"
            "（pythonw 不弹黑色窗口）。"
            "留空则用 PATH 上的 python。 / Windows: full path of the Python that has the toolkit installed; "
            "empty: `python` on PATH.",
        ),
        (
            "Interpreter_Mac",
            "interpreter_mac",
            "",
            _both(
                N_(
                    "Mac: full path, e.g. /Users/me/toolkit/.venv/bin/python, with no ~ and no space anywhere in it "
                    "(xlwings' AppleScript passes it to the shell unquoted)."
                )
            ),
        ),
        (
            "PYTHONPATH",
            "pythonpath",
            "",
            "仅当 toolkit 没有安装进上面的 Python 时填写：包含 toolkit 文件夹的目录，多个用 ; 分隔。 / "
            "Only when the toolkit "
            "is not installed in that Python: the folder holding the `toolkit` folder (several: separate with ;).",
        ),
        # xlwings.bas RunPython: AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true"); with "true",
        # utils.prepare_sys_path converts a web address through fullname_url_to_local_path, which raises for
        # a panel on OneDrive/SharePoint that is not synced - before the toolkit runs.
        (
            "ADD_WORKBOOK_TO_PYTHONPATH",
            None,
            "false",
            _both(
                N_(
                    "false: xlwings does not put this workbook's folder on Python's path. The toolkit is installed and "
                    "does not need it, and for a panel opened from OneDrive/SharePoint xlwings would otherwise try to "
                    "turn the web address into a folder before the toolkit starts, and fail."
                )
            ),
        ),
        (
            "Conda Path",
            None,
            "",
            "仅用 conda 时：conda 的安装目录，例如 C:\\Users\\me\\miniconda3（同时填 Conda Env）。 / Only with conda: the "
            "conda installation folder, e.g. C:\\Users\\me\\miniconda3 (and fill in Conda Env).",
        ),
        (
            "Conda Env",
            None,
            "",
            "仅用 conda 时：环境名，例如 toolkit。 / Only with conda: the environment's name, e.g. toolkit.",
        ),
    )


def _conf_sheet(wb, spec: PanelSpec) -> None:
    ws = wb.add_worksheet(CONF_SHEET)
    ws.set_vba_name("Sheet2")
    key = wb.add_format({"bold": True})
    value = wb.add_format({"bg_color": "#FFF2CC", "border": 1})
    note = wb.add_format({"text_wrap": True, "valign": "top", "font_color": "#595959"})
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 48)
    ws.set_column(2, 2, 90)
    rows = _conf_rows()
    for row, (name, attr, fixed, text) in enumerate(rows):  # read by xlwings from A1 down to the first blank
        ws.write_string(row, 0, name, key)
        current = getattr(spec, attr) if attr else fixed
        if current:
            ws.write_string(row, 1, current, value)
        else:
            ws.write_blank(row, 1, None, value)
        ws.write_string(row, 2, text, note)
    first = len(rows) + 1  # after one blank row, so xlwings does not read these lines as settings
    lines = (
        "说明 / Notes",
        "这张表是 xlwings 的设置：列 A 为名称，列 B 为值，从 A1 起连续，不要在中间插入空行。"
        " / This sheet holds xlwings' settings: names in column A, values in column B, from A1 down without gaps.",
        "这里的值优先于用户目录 .xlwings/xlwings.conf 中的同名设置；留空的行也会覆盖它。"
        " / A name listed here beats the same name in the user's .xlwings/xlwings.conf, even with an empty value.",
        "本工作簿内的 VBA 模块 xlwings 必须与安装的 xlwings 版本一致：升级 xlwings 后请重新运行 "
        "`toolkit excel build-panel`。 / The VBA module `xlwings` in this workbook must match the installed "
        "xlwings package: after upgrading xlwings, run `toolkit excel build-panel` again.",
        _both(
            N_(
                "Mac: run `xlwings runpython install` once in Terminal with the toolkit's Python (e.g. "
                "/Users/me/toolkit/.venv/bin/xlwings runpython install), and again after each xlwings upgrade; "
                "without it every button answers \"To enable RunPython, please run 'xlwings runpython install' in "
                'a terminal once and try again."'
            )
        ),
    )
    for n, line in enumerate(lines):
        ws.write_string(first + n, 0, line, key if n == 0 else None)
