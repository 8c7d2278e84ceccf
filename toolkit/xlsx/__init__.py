"""The workbook engine: reads sheets fast and edits cells in place, leaving everything else as it was.

Public API::

    from toolkit.xlsx import update_cells, append_rows, add_column, WorkbookEditor, read_sheet
"""

from toolkit.xlsx.editor import FormulaCellsRefused, WorkbookEditor, WriteReport, add_column, append_rows, update_cells
from toolkit.xlsx.refs import column_index, column_letter, make_ref, parse_ref

__all__ = [
    "update_cells",
    "append_rows",
    "add_column",
    "WorkbookEditor",
    "WriteReport",
    "FormulaCellsRefused",
    "make_ref",
    "parse_ref",
    "column_letter",
    "column_index",
]
