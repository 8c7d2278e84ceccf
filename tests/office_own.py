"""A folder of an office's own workbooks, kept the way offices keep them (not the toolkit's samples).

The register's only sheet is "Customers": two title rows, then English headers in the office's order,
with names the office uses (Cust No., Company, Account Manager, Contact, Mobile, Notes) and columns the
toolkit does not know (Region, VIP). The tracker's sheet is "2026工单": a title row, Chinese headers in
another order, a header the toolkit does not know (内部编码). Dates typed as dates, as text and as
2026年6月1日; money as ¥150,000. Used by tests/test_office_workbooks.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

REGISTER_HEADERS = [
    "Cust No.", "Company", "Region", "Contact", "Mobile", "Account Manager",
    "Last Visit", "Revenue", "Orders", "Last Order", "VIP", "Notes",
]  # fmt: skip
TRACKER_HEADERS = [
    "工单号", "内部编码", "客户号", "受理时间", "渠道", "问题描述", "投诉类别", "优先级",
    "涉及部门", "处理人", "状态", "响应时间", "解决时间", "满意度", "备注",
]  # fmt: skip

CUSTOMERS = [
    ("K-1001", "上海中丰饮料有限公司", "华东", "王磊", "13800138000", "李娜", dt.date(2026, 3, 2), "¥150,000", 14, "2026年9月1日", "是", ""),
    ("K-1002", "杭州临安机电有限公司", "华东", "赵敏", "13900139000", "张伟", "2026.5.20", 48000, 4, dt.date(2026, 8, 15), "", "只接受邮件"),
    ("K-1003", "北京华信科技股份有限公司", "华北", "刘洋", "13700137000", "李娜", None, "320,500", 30, "2026-10-02", "是", ""),
    ("K-1004", "广州南粤物流有限公司", "华南", "陈静", "13600136000", "王芳", dt.date(2026, 6, 1), 9800, 1, "2025-01-12", "", "换了联系人"),
    ("K-1005", "成都天府食品有限公司", "西南", "黄强", "13500135000", "张伟", "2026年7月8日", 76000, 8, "2026-07-01", "", ""),
    ("K-1006", "武汉江城医疗器械有限公司", "华中", "周婷", "13400134000", "王芳", dt.date(2026, 9, 30), 210000, 22, "2026-10-20", "是", ""),
]  # fmt: skip

COMPLAINTS = [
    ("TS-26-001", "X01", "K-1001", dt.datetime(2026, 10, 12, 9, 30), "电话", "配送延误三天", "客户投诉", "紧急重要", "物流部", "张三", "已解决", dt.datetime(2026, 10, 12, 10, 0), dt.datetime(2026, 10, 13, 16, 0), 5, ""),
    ("TS-26-002", "X02", "K-1002", "2026-10-15 14:20", "邮件", "发票抬头错误", "内部投诉", "重要不紧急", "财务部", "李四", "处理中", "2026-10-16 09:00", None, None, "客户要求当面说明"),
    ("TS-26-003", "X03", "K-1003", dt.datetime(2026, 11, 2, 11, 5), "在线", "设备故障无法开机", "客户投诉", "紧急重要", "售后部", "王五", "处理中", None, None, None, ""),
    ("TS-26-004", "X04", "K-1004", "2026年11月5日 15:40", "现场", "服务人员态度差", "内部投诉", "紧急不重要", "客服部", "张三", "已关闭", "2026-11-05 16:00", "2026-11-06 10:30", 3, ""),
    ("TS-26-005", "X05", "K-1005", dt.datetime(2026, 11, 9, 8, 50), "电话", "包装破损", "客户投诉", "不紧急不重要", "物流部", "李四", "处理中", dt.datetime(2026, 11, 9, 9, 40), None, None, ""),
    ("TS-26-006", "X06", "K-1006", dt.datetime(2026, 11, 16, 17, 10), "书面", "合同条款理解有误", "客户投诉", "重要不紧急", "销售部", "王五", "待受理", None, None, None, ""),
]  # fmt: skip


def _write(ws, row: int, values, date_fmt, datetime_fmt) -> None:
    for c, v in enumerate(values):
        if v is None or v == "":
            continue
        if isinstance(v, dt.datetime):
            ws.write_datetime(row, c, v, datetime_fmt)
        elif isinstance(v, dt.date):
            ws.write_datetime(row, c, dt.datetime.combine(v, dt.time()), date_fmt)
        elif isinstance(v, str):
            ws.write_string(row, c, v)
        else:
            ws.write_number(row, c, v)


def make_office(folder: Path) -> Path:
    """customers.xlsx and complaints.xlsx as the office keeps them; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(folder / "customers.xlsx"))
    ws = wb.add_worksheet("Customers")
    title = wb.add_format({"bold": True, "font_size": 16})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy/m/d"})
    datetime_fmt = wb.add_format({"num_format": "yyyy/m/d h:mm"})
    ws.write_string(0, 0, "客户台账 Customer Register 2026", title)
    ws.write_string(1, 0, "华东区客服中心 - 内部资料")
    for c, h in enumerate(REGISTER_HEADERS):
        ws.write_string(2, c, h, head)
    for r, row in enumerate(CUSTOMERS, start=3):
        _write(ws, r, row, date_fmt, datetime_fmt)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 28)
    ws.freeze_panes(3, 0)
    wb.close()

    wb = xlsxwriter.Workbook(str(folder / "complaints.xlsx"))
    ws = wb.add_worksheet("2026工单")
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "align": "center"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    datetime_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws.write_string(0, 0, "2026年投诉工单登记表", title)
    for c, h in enumerate(TRACKER_HEADERS):
        ws.write_string(1, c, h, head)
    for r, row in enumerate(COMPLAINTS, start=2):
        _write(ws, r, row, date_fmt, datetime_fmt)
    ws.set_column(3, 3, 17)
    ws.set_column(11, 12, 17)
    ws.set_column(5, 5, 24)
    wb.close()
    return folder


def make_tracker_table(path: Path, *, totals: bool, merge: str | None = None) -> None:
    """A tracker whose data is an Excel Table (with a totals row when asked), and optionally a merge
    over cells the toolkit writes (`merge`, e.g. "Q4:R4" once the toolkit's columns are there)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("投诉跟踪")
    datetime_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    rows = [list(row) for row in COMPLAINTS]
    headers = TRACKER_HEADERS
    data = []
    for row in rows:
        data.append([None if v == "" else v for v in row])
    columns = [{"header": h} for h in headers]
    if totals:
        columns[0]["total_string"] = "合计"
        columns[13]["total_function"] = "average"
    ws.add_table(0, 0, len(data) + (1 if totals else 0), len(headers) - 1, {
        "columns": columns, "total_row": totals, "name": "投诉表", "style": "Table Style Medium 2",
    })  # fmt: skip
    for r, row in enumerate(data, start=1):
        _write(ws, r, row, datetime_fmt, datetime_fmt)
    if merge:
        ws.merge_range(merge, "合并的说明")
    wb.close()
