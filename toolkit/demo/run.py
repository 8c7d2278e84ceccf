"""`toolkit demo`: sample workbooks (generated, or copied from the shipped ones) and every job run on them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from toolkit.demo.sample_data import generate
from toolkit.demo.workbooks import write_sample
from toolkit.documents.pdf import soffice_path
from toolkit.errors import ToolkitError
from toolkit.excel.panel import build_panel
from toolkit.formats import show, show_count
from toolkit.i18n import _
from toolkit.jobs.notices import make_notices
from toolkit.jobs.problems import counts_phrase
from toolkit.jobs.run import run_jobs
from toolkit.jobs.summary import make_summary
from toolkit.settings import SETTINGS_FILE, load_settings

DEMO_AS_OF = dt.datetime(2026, 11, 20, 17, 0)  # the sample data ends on 2026-11-20


def prepare(folder: Path, *, source: Path | None, customers: int, complaints: int, seed: int, force: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if source is not None:
        settings = load_settings(source)
        names = [settings.register_path.name, settings.tracker_path.name]
        for extra in (SETTINGS_FILE, "office_days.xlsx"):
            if (source / extra).exists():
                names.append(extra)
        for name in names:
            target = folder / name
            if target.exists() and not force:
                raise ToolkitError(
                    _("already exists; the demo will not replace it"),
                    path=target,
                    hint=_("use an empty folder, or --force"),
                )
            if not (source / name).exists():
                raise ToolkitError(_("sample workbook not found"), path=source / name)
            shutil.copy2(source / name, target)
        return

    data = generate(customers, complaints, seed=seed)
    write_sample(folder, data, big=customers + complaints > 50_000, force=force)


def run_demo(
    folder: str | Path,
    *,
    source: Path | None = None,
    customers: int = 500,
    complaints: int = 3000,
    seed: int = 7,
    force: bool = False,
    as_of: dt.datetime = DEMO_AS_OF,
) -> int:

    folder = Path(folder)
    prepare(folder, source=source, customers=customers, complaints=complaints, seed=seed, force=force)
    print(
        _("Sample workbooks are in {folder}/ - running every job as of {as_of}:").format(
            folder=folder, as_of=show(as_of.replace(second=0, microsecond=0))
        )
    )
    result = run_jobs(folder, as_of=as_of)
    by_column: dict[str, int] = {}
    for c in result.changes:
        by_column[f"{c.workbook} {c.header}"] = by_column.get(f"{c.workbook} {c.header}", 0) + 1
    print(
        _("  read {customers} customers and {complaints} complaints").format(
            customers=show_count(result.rows.get("register", 0)), complaints=show_count(result.rows.get("tracker", 0))
        )
    )
    print(
        _("  changed {cells} cells in {columns} columns").format(
            cells=show_count(len(result.changes)), columns=len(by_column)
        )
    )
    overdue = sum(1 for c in result.changes if c.column == "sla_state" and str(c.new).startswith("逾期"))
    print(
        _(
            "  {overdue} complaints are overdue; {counts} in the sample's hand-typed data (`toolkit check` lists them)"
        ).format(overdue=show_count(overdue), counts=counts_phrase(result.problems))
    )
    if result.log_file:
        print(_("  change log: {file}").format(file=result.log_file))
    _documents(folder, as_of)
    return 0


def _documents(folder: Path, as_of: dt.datetime) -> None:
    """The notices due, last month's report and the Excel control panel, made the way staff would make them."""

    notices = make_notices(folder, as_of=as_of)
    kinds = _(", ").join(
        _("{title} {n}").format(title=notices.title(kind), n=count) for kind, count in notices.counts().items()
    )
    text = _("  made {n} notices in {folder}/ ({kinds})").format(
        n=show_count(len(notices.made)), folder=notices.out_dir, kinds=kinds or _("none due")
    )
    if notices.failures:
        text += _("; {n} could not be made").format(n=len(notices.failures))
    print(text)
    report = make_summary(folder, as_of=as_of, pdf=soffice_path() is not None)
    files = _("{file} and {pdf}").format(file=report.docx, pdf=report.pdf.name) if report.pdf else str(report.docx)
    print(
        _("  monthly report for {month}: {files}; its figures are a row of {workbook}").format(
            month=report.month, files=files, workbook=report.xlsx.name
        )
    )
    settings = load_settings(folder)
    spec = settings.excel.panel
    panel = build_panel(folder / spec.file, spec)
    print(_("  the Excel control panel: {panel} (set the Python path on its sheet xlwings.conf)").format(panel=panel))
