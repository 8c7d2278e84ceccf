"""The shipped monthly report template (toolkit/templates/summary.docx, summary_en.docx), built by code.

Built like the notice templates (:mod:`toolkit.documents.stock`: python-docx, A4, CJK fonts, the
same bytes on every build; ``python scripts/build_templates.py`` writes them). Offices copy it into the
``templates/`` folder beside their workbooks and change it in Word; the report job uses the
office's copy first.

What the template can use is the context :func:`toolkit.jobs.summary_report.report_context` makes
(listed in docs/templates.md): figures already written as text ("96.2%", "5.3"), lists of
table rows for ``{%tr for %}`` loops, and ``{{ charts.weekly }}`` / ``{{ charts.category }}`` /
``{{ charts.on_time }}``, each in a paragraph of its own, where the charts go as pictures.

How it prints: the footer numbers the pages (第 X 页 共 Y 页, PAGE and NUMPAGES fields); no table
row splits across a page break and header rows repeat; the columns holding dates, codes and figures
are as wide as their longest text needs, so nothing breaks inside a cell; each chart follows its
heading (kept with it); an empty list is said in one sentence instead of an empty table; and a
sentence introducing a table is kept on the table's page.
"""

from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from toolkit.documents.stock import TemplateWriter, keep_rows_whole, no_wrap, template_file_name

NAME = "summary"


def _heading(d: TemplateWriter, zh: str, en: str):
    p = d.paragraph(d.t(zh, en), bold=True, size=13, space_before=10)
    p.paragraph_format.keep_with_next = True
    return p


def _subheading(d: TemplateWriter, zh: str, en: str):
    p = d.paragraph(d.t(zh, en), bold=True, space_before=4)
    p.paragraph_format.keep_with_next = True
    return p


def _lead(d: TemplateWriter, zh: str, en: str):
    """A sentence introducing the table after it: kept on the table's page."""
    p = d.body(zh, en)
    p.paragraph_format.keep_with_next = True
    return p


def _picture(d: TemplateWriter, field: str):
    """The chart's paragraph, kept with what follows it (its table) as its heading is kept with it."""
    p = d.paragraph("{{ charts." + field + " }}")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing = 1.0
    return p


def _table(d: TemplateWriter, headers, loop, cells, widths, *, one_line=()):
    """A loop table whose rows never split across pages, whose header repeats on every page, and whose
    `one_line` columns (dates, figures, codes) never wrap - their widths are chosen to fit them."""
    assert abs(sum(widths) - 15.8) < 0.01, widths  # the text width of an A4 page with the margins used
    table = d.loop_table(headers, loop, cells, widths)
    keep_rows_whole(table)
    no_wrap(table, one_line)
    return table


def _table_or_sentence(d: TemplateWriter, rows: str, zh: str, en: str, *table_args, **table_kw):
    """The table when `rows` has any, else one sentence saying so (never an empty table)."""
    d.tag(f"{{%p if {rows} %}}")
    _table(d, *table_args, **table_kw)
    d.tag("{%p else %}")
    d.body(zh, en)
    d.tag("{%p endif %}")


_GROUP_HEAD = [
    ("受理", "Received"),
    ("解决率", "Resolved"),
    ("解决按时率", "Resolved on time"),
    ("逾期未结", "Overdue, open"),
    ("评价数", "Scores"),
    ("平均满意度", "Mean score"),
]
_GROUP_CELLS = [
    "{{ g.received }}",
    "{{ g.resolution }}",
    "{{ g.resolve_on_time }}",
    "{{ g.overdue }}",
    "{{ g.surveyed }}",
    "{{ g.satisfaction }}",
]
# Column widths in cm (they add up to the 15.8 cm of text width), per language where the headers differ:
# a column is as wide as its longest date, code, figure or header word needs (CJK/Latin spacing and cell
# margins included), so nothing is broken inside a cell; names and reasons take the rest and wrap.
# (English measured with DejaVu Sans, the widest stand-in for Arial LibreOffice uses where Arial is missing.)
_GROUP_WIDTHS = {"zh": [3.4, 1.6, 2.2, 2.3, 2.0, 1.8, 2.5], "en": [2.7, 2.45, 2.4, 2.4, 2.45, 1.8, 1.6]}
_SHORT_DATE_EN = "word_date('d MMM yyyy')"  # 30 Sep 2026: a table's dates in English


def build_summary_doc(d: TemplateWriter) -> str:
    d.title("{{ office.name }}月度服务报告", "{{ office.name }} Monthly Service Report")
    d.paragraph("{{ month_label }}", align="center", bold=True, size=14)
    d.right(
        "统计截至 {{ cutoff|datetime }}　　编制日期 {{ report_date|date }}",
        "Figures as of {{ cutoff|datetime }} · made on {{ report_date|date }}",
        size=9,
        color="666666",
    )
    with d.only_if("partial"):
        d.paragraph(
            d.t(
                "注意：本月尚未结束，以上为截至统计时点的数据。",
                "Note: the month is not over; the figures are as of the time above.",
            ),
            bold=True,
            color="C00000",
        )

    _heading(d, "一、主要指标", "1. Key figures")
    d.body(
        "本月受理 {{ received }} 件，闭环 {{ closed }} 件，解决率 {{ resolution_rate }}（目标 {{ resolution_target }}），"
        "满意率 {{ satisfied_share }}（目标 {{ satisfied_target }}）。",
        "{{ received }} complaints were received and {{ closed }} closed; {{ resolution_rate }} were resolved "
        "(target {{ resolution_target }}), {{ satisfied_share }} of scores were 4 or 5 (target "
        "{{ satisfied_target }}).",
    )
    d.body(
        "{% if not open_at_end %}月末无未结投诉。{% elif not overdue_count %}月末未结投诉 {{ open_at_end }} 件，"
        "均未逾期。{% else %}月末未结投诉 {{ open_at_end }} 件，其中逾期 {{ overdue_count }} 件需督办"
        "{% if overdue_by_level %}（{{ overdue_by_level }}）{% endif %}"
        "{% if overdue_older %}，{{ overdue_older }} 件受理于本月之前{% endif %}，清单见第七部分。{% endif %}"
        "{% if overdue_closing or overdue_survey %}另有已解决待回访逾期 {{ overdue_closing }} 件、"
        "满意度调查逾期 {{ overdue_survey }} 件。{% endif %}",
        "{% if not open_at_end %}No complaint was open at the month's end.{% elif not overdue_count %}"
        "{{ open_at_end }} complaints were open at the month's end, none of them overdue.{% else %}"
        "{{ open_at_end }} complaints were open at the month's end, {{ overdue_count }} of them overdue and to be "
        "acted on{% if overdue_by_level %} ({{ overdue_by_level }}){% endif %}"
        "{% if overdue_older %}; {{ overdue_older }} were received before the month{% endif %} (listed in part "
        "7).{% endif %}{% if overdue_closing or overdue_survey %} Besides, {{ overdue_closing }} resolved "
        "complaints are overdue for their feedback and {{ overdue_survey }} for their satisfaction survey.{% endif %}",
    )
    _table(
        d,
        [
            ("指标", "Figure"),
            ("本月", "This month"),
            ("目标", "Target"),
            ("达标", "Met"),
            ("上月", "Last month"),
            ("变化", "Change"),
        ],
        "for k in kpis",
        ["{{ k.label }}", "{{ k.value }}", "{{ k.target }}", "{{ k.status }}", "{{ k.previous }}", "{{ k.change }}"],
        [5.2, 2.2, 1.9, 1.6, 2.2, 2.7] if d.zh else [4.9, 2.0, 1.95, 1.8, 2.0, 3.15],
        one_line=(1, 2, 3, 4, 5),
    )

    _heading(d, "二、各环节按时率", "2. Steps done on time")
    _picture(d, "on_time")
    _table(
        d,
        [
            ("环节", "Step"),
            ("按时/评判", "On time / judged"),
            ("按时率", "On time"),
            ("目标", "Target"),
            ("达标", "Met"),
            ("上月", "Last month"),
            ("变化", "Change"),
        ],
        "for s in steps",
        [
            "{{ s.label }}",
            "{{ s.counts }}",
            "{{ s.value }}",
            "{{ s.target }}",
            "{{ s.status }}",
            "{{ s.previous }}",
            "{{ s.change }}",
        ],
        [2.6, 2.6, 2.0, 1.7, 1.6, 2.0, 3.3] if d.zh else [2.6, 2.6, 2.0, 1.95, 1.8, 2.0, 2.85],
        one_line=(1, 2, 3, 4, 5, 6),
    )

    _heading(d, "三、受理量", "3. Complaints received")
    _picture(d, "weekly")

    _heading(d, "四、分类统计", "4. Breakdowns")
    _picture(d, "category")
    for key, zh, en in (
        ("category", "按投诉类别", "By category"),
        ("priority", "按优先级", "By priority"),
        ("channel", "按渠道", "By channel"),
        ("department", "按涉及部门", "By department"),
        ("handler", "按处理人", "By handler"),
    ):
        _subheading(d, zh, en)
        _table_or_sentence(
            d,
            f"by_{key}",
            "本月无数据。",
            "Nothing this month.",
            [(zh.removeprefix("按"), en[3:].capitalize())] + _GROUP_HEAD,
            f"for g in by_{key}",
            ["{{ g.name }}"] + _GROUP_CELLS,
            _GROUP_WIDTHS[d.language],
            one_line=(1, 2, 3, 4, 5, 6),
        )

    _heading(d, "五、投诉最多的客户", "5. Customers with the most complaints")
    _table_or_sentence(
        d,
        "top_customers",
        "本月无投诉。",
        "No complaints this month.",
        [
            ("客户编号", "Customer"),
            ("客户名称", "Name"),
            ("等级", "Tier"),
            ("投诉数", "Complaints"),
            ("重复投诉", "Repeats"),
            ("月末未结", "Open at end"),
            ("低分", "Low scores"),
        ],
        "for c in top_customers",
        [
            "{{ c.customer_id }}",
            "{{ c.name }}",
            "{{ c.tier }}",
            "{{ c.complaints }}",
            "{{ c.repeats }}",
            "{{ c.open }}",
            "{{ c.low_scores }}",
        ],
        [2.0, 5.0, 1.4, 1.8, 1.9, 1.9, 1.8] if d.zh else [2.5, 3.6, 1.4, 2.8, 2.2, 1.6, 1.7],
        one_line=(0, 3, 4, 5, 6),
    )

    _heading(d, "六、客户等级", "6. Customer tiers")
    d.tag("{%p if tiers %}")
    _lead(d, "月末各等级客户数如下。", "Customers by tier at the month's end:")
    _table(
        d,
        [("等级", "Tier"), ("客户数", "Customers"), ("占比", "Share")],
        "for t in tiers",
        ["{{ t.tier }}", "{{ t.customers }}", "{{ t.share }}"],
        [5.8, 5.0, 5.0],
        one_line=(1, 2),
    )
    d.tag("{%p else %}")
    d.body("月末客户台账中没有客户。", "The customer register had no customers at the month's end.")
    d.tag("{%p endif %}")
    d.tag("{%p if tier_changes %}")
    _lead(
        d,
        "本月等级变更 {{ tier_change_count }} 户：升级 {{ tier_ups }} 户，降级 {{ tier_downs }} 户"
        "{% if tier_others %}，新客户转为正式等级等其他调整 {{ tier_others }} 户{% endif %}。",
        "{{ tier_change_count }} customers changed tier this month: {{ tier_ups }} up, {{ tier_downs }} down"
        "{% if tier_others %}, {{ tier_others }} other changes (such as new customers graded){% endif %}.",
    )
    _table(
        d,
        [
            ("客户编号", "Customer"),
            ("客户名称", "Name"),
            ("原等级", "From"),
            ("新等级", "To"),
            ("变更日期", "On"),
            ("依据", "Reason"),
        ],
        "for c in tier_changes",
        [
            "{{ c.customer_id }}",
            "{{ c.name }}",
            "{{ c.previous_tier }}",
            "{{ c.tier }}",
            "{{ c.changed_on|%s }}" % ("date" if d.zh else _SHORT_DATE_EN),
            "{{ c.reason }}",
        ],
        [2.0, 3.0, 1.5, 1.5, 3.5, 4.3] if d.zh else [2.5, 3.0, 1.5, 1.2, 2.7, 4.9],
        one_line=(0, 2, 3, 4),
    )
    d.tag("{%p else %}")
    d.body("本月无等级变化。", "No customer changed tier this month.")
    d.tag("{%p endif %}")
    with d.only_if("tier_source == 'register'"):
        d.note(
            "注：尚无等级变更记录，以上等级与变更取自客户台账，台账只保留每位客户最近一次变更，以往月份可能不完整。",
            "Note: there is no tier history yet; the tiers and changes above are read from the customer "
            "register, which keeps each customer's last change only, so past months may be incomplete.",
        )
    with d.only_if("tier_source == 'partial'"):
        d.note(
            "注：等级变更记录始于 {{ tier_history_since|date }}，此前的等级与变更取自客户台账（只保留每位客户最近一次变更），"
            "可能不完整。",
            "Note: the tier history begins on {{ tier_history_since|date }}; before that the tiers and changes "
            "are read from the customer register (each customer's last change only) and may be incomplete.",
        )

    _heading(d, "七、月末逾期清单", "7. Overdue at the month's end")
    d.tag("{%p if overdue %}")
    _lead(
        d,
        "月末未结投诉中有 {{ overdue_count }} 件逾期{% if overdue_by_step %}（按待办环节：{{ overdue_by_step }}）{% endif %}"
        "{% if overdue_older %}，其中 {{ overdue_older }} 件受理于本月之前{% endif %}。",
        "{{ overdue_count }} open complaints were overdue at the month's end"
        "{% if overdue_by_step %} (by step due: {{ overdue_by_step }}){% endif %}"
        "{% if overdue_older %}; {{ overdue_older }} of them were received before the month{% endif %}.",
    )
    _table(
        d,
        [("待办环节", "Step due"), ("L3", "L3"), ("L2", "L2"), ("L1", "L1"), ("L0", "L0"), ("合计", "Total")],
        "for r in overdue_grid",
        ["{{ r.step }}", "{{ r.L3 }}", "{{ r.L2 }}", "{{ r.L1 }}", "{{ r.L0 }}", "{{ r.total }}"],
        [3.8, 2.4, 2.4, 2.4, 2.4, 2.4],
        one_line=(1, 2, 3, 4, 5),
    )
    _lead(
        d,
        "下表按升级级别从高到低、同级按逾期工时从多到少列出"
        "{% if overdue_hidden %}前 {{ overdue_shown }} 件，其余 {{ overdue_hidden }} 件见投诉跟踪表"
        "{% else %}全部 {{ overdue_count }} 件{% endif %}。",
        "The list runs from the highest escalation level down, then by working hours late"
        "{% if overdue_hidden %}: the first {{ overdue_shown }}; the other {{ overdue_hidden }} are in the tracker"
        "{% else %}: all {{ overdue_count }}{% endif %}.",
    )
    _table(
        d,
        [
            ("级别", "Level"),
            ("投诉编号", "Complaint"),
            ("客户", "Customer"),
            ("处理人", "Handler"),
            ("待办环节", "Step due"),
            ("时限", "Deadline"),
            ("逾期工时", "Hours late"),
        ],
        "for o in overdue",
        [
            "{{ o.level }}",
            "{{ o.complaint_id }}",
            "{{ o.customer_name }}",
            "{{ o.handler }}",
            "{{ o.next_step }}",
            "{{ o.next_deadline|%s }}" % ("date" if d.zh else _SHORT_DATE_EN),
            "{{ o.hours_late }}",
        ],
        [1.2, 3.0, 2.85, 1.5, 1.9, 3.5, 1.85] if d.zh else [1.65, 3.1, 2.2, 2.15, 2.25, 2.7, 1.75],
        one_line=(0, 1, 5, 6),
    )
    d.tag("{%p else %}")
    d.body("月末无逾期未结投诉。", "No open complaint was overdue at the month's end.")
    d.tag("{%p endif %}")
    with d.only_if("overdue_closing or overdue_survey"):
        d.body(
            "已解决待回访逾期 {{ overdue_closing }} 件、满意度调查逾期 {{ overdue_survey }} 件不在本清单之列，"
            "可在投诉跟踪表中按时效状态筛选。",
            "The {{ overdue_closing }} resolved complaints overdue for their feedback and the {{ overdue_survey }} "
            "overdue for a satisfaction survey are not listed here: filter the tracker by its SLA state to see them.",
        )

    _heading(d, "八、低分复盘", "8. Low scores to review")
    d.tag("{%p if reviews %}")
    _lead(
        d,
        "本月评分低于 {{ review_below }} 分的投诉共 {{ review_count }} 件，需逐件复盘"
        "{% if review_count > review_shown %}（下表列出前 {{ review_shown }} 件）{% endif %}。",
        "{{ review_count }} complaints scored below {{ review_below }} and are to be reviewed"
        "{% if review_count > review_shown %} (the first {{ review_shown }} are listed){% endif %}.",
    )
    _table(
        d,
        [
            ("投诉编号", "Complaint"),
            ("客户", "Customer"),
            ("评分", "Score"),
            ("处理人", "Handler"),
            ("类别", "Category"),
            ("处理结果", "Solution"),
        ],
        "for r in reviews",
        [
            "{{ r.complaint_id }}",
            "{{ r.customer_name }}",
            "{{ r.score }}",
            "{{ r.handler }}",
            "{{ r.category }}",
            "{{ r.solution }}",
        ],
        [3.0, 3.3, 1.2, 1.6, 2.2, 4.5] if d.zh else [3.1, 2.8, 1.65, 2.15, 2.45, 3.65],
        one_line=(0, 2),
    )
    d.tag("{%p else %}")
    d.body("本月没有低于 {{ review_below }} 分的评价。", "No score this month was below {{ review_below }}.")
    d.tag("{%p endif %}")

    _heading(d, "说明", "Notes")
    d.tag("{%p for n in definitions %}")
    d.paragraph("{{ n }}", size=9, color="444444")
    d.tag("{%p endfor %}")
    d.footer(
        "{{ office.name }}　月度服务报告　{{ month_label }}",
        "{{ office.name }} · Monthly service report · {{ month_label }}",
    )
    d.page_numbers()
    return "月度服务报告"


def build(language: str = "zh") -> bytes:
    """The .docx bytes of the shipped report template (the same bytes every time)."""
    d = TemplateWriter(language)
    title = build_summary_doc(d)
    return d.save(title)


def build_all(folder: str | Path, languages: tuple[str, ...] = ("zh", "en")) -> list[Path]:
    """Write summary.docx and summary_en.docx into `folder` (unchanged files are not rewritten)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for language in languages:
        path = folder / template_file_name(NAME, language)
        data = build(language)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    return written
