"""`toolkit columns`: how each workbook's headers are read (sheet, header row, each header's field)."""

from __future__ import annotations

from toolkit.cli.common import EXIT_OK, EXIT_PROBLEMS, folder_argument
from toolkit.i18n import _
from toolkit.textout import format_table


def print_columns_report(reports) -> int:
    """The mapping of each workbook as staff read it; 1 when a workbook cannot be read or lacks a required field."""
    trouble = False
    for r in reports:
        schema = r.schema
        print(f"== {r.path.name}")
        if r.refused:
            print(r.refused)
            print()
            trouble = True
            continue
        if r.sheet_instead_of:
            print(
                _("sheet: {sheet} (the settings name '{wanted}', which this workbook does not have)").format(
                    sheet=r.sheet, wanted=r.sheet_instead_of
                )
            )
        else:
            print(_("sheet: {sheet}").format(sheet=r.sheet))
        print(_("header row: {row}").format(row=r.header_row))
        rows = []
        for h in r.headers:
            if h.field is not None and not h.duplicate:
                col = schema.column(h.field)
                rows.append((h.column, h.text, f"{col.header} / {col.english}", ""))
            elif h.duplicate:
                rows.append((h.column, h.text, _("not used"), _("a second column named like this")))
            else:
                near = ", ".join(f"{schema.column(n).header} / {schema.column(n).english}" for n in h.closest)
                rows.append(
                    (h.column, h.text, _("not used"), _("closest: {fields}").format(fields=near) if near else "")
                )
        print(format_table([_("column"), _("header"), _("read as"), _("note")], rows))
        if r.missing_required:
            names = ", ".join(f"{schema.column(n).header} / {schema.column(n).english}" for n in r.missing_required)
            print(_("required but not found: {names}").format(names=names))
            trouble = True
        if r.missing_other:
            names = ", ".join(schema.column(n).header for n in r.missing_other)
            print(_("not found (optional): {names}").format(names=names))
        if r.added:
            names = ", ".join(schema.column(n).header for n in r.added)
            print(_("a job adds at the right of the sheet: {names}").format(names=names))
        print()
    if any(h.field is None and h.closest for r in reports for h in r.headers):
        print(_("To read a header that is not used, add it to toolkit.toml, e.g.:"))
        r = next(r for r in reports if any(h.field is None and h.closest for h in r.headers))
        h = next(h for h in r.headers if h.field is None and h.closest)
        print(f'  [{r.role}.aliases]\n  {h.closest[0]} = ["{h.text}"]')
    return EXIT_PROBLEMS if trouble else EXIT_OK


def cmd_columns(args) -> int:
    from toolkit.jobs.columns import columns_report

    return print_columns_report(columns_report(args.folder))


def add_columns_command(sub) -> None:
    p = sub.add_parser(
        "columns",
        help=_("show how each workbook's headers are read: sheet, header row, each header's field"),
        description=_(
            "For each workbook: the sheet and header row chosen, each header and the field it is read as, "
            "the headers not used with the closest fields, the required fields not found and the columns a "
            "job would add. Exit 1 if a workbook cannot be read or lacks a required field."
        ),
    )
    folder_argument(p)
    p.set_defaults(run=cmd_columns)
