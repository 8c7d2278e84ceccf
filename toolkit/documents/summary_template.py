"""The shipped monthly report template (toolkit/templates/summary.docx, summary_en.docx), built by code.

Built like the notice templates (:mod:`toolkit.documents.stock`: python-docx, A4, CJK fonts, the
same bytes on every build; ``python scripts/build_templates.py`` writes them). Offices copy it into the
``templates/`` folder beside their workbooks and change it in Word; the report job uses the
office's copy first.

What the template can use is the context :func:`toolkit.jobs.summary.report_context` makes
(listed in docs/templates.md): figures already written as text ("96.2%", "5.3"), lists of
table rows for ``{%tr for %}`` loops, and ``{{ charts.weekly }}`` / ``{{ charts.category }}`` /
``{{ charts.on_time }}``, each in a paragraph of its own, where the charts go as pictures.
"""

from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from toolkit.documents.stock import TemplateWriter, template_file_name

NAME = "summary"


def _heading(d: TemplateWriter, zh: str, en: str):
    p = d.paragraph(d.t(zh, en), bold=True, size=13, space_before=10)
    p.paragraph_format.keep_with_next = True
    return p


def _picture(d: TemplateWriter, field: str):

    p = d.paragraph("{{ charts." + field + " }}")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing = 1.0
    return p


_GROUP_HEAD = [
    ("受理", "Received"),
    ("解决率", "Resolved"),
    ("解决按时率", "Resolved on time"),
    ("月末逾期", "Overdue at end"),
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
_GROUP_WIDTHS = [3.4, 1.6, 2.2, 2.3, 2.0, 1.8, 2.5]


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
        "满意率 {{ satisfied_share }}（目标 {{ satisfied_target }}），月末逾期 {{ overdue_count }} 件。",
        "{{ received }} complaints were received and {{ closed }} closed; {{ resolution_rate }} were resolved "
        "(target {{ resolution_target }}), {{ satisfied_share }} of scores were 4 or 5 (target "
        "{{ satisfied_target }}); {{ overdue_count }} complaints were overdue at the month's end.",
    )
    d.loop_table(
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
        [5.2, 2.2, 1.9, 1.6, 2.2, 2.7],
    )

    _heading(d, "二、各环节按时率", "2. Steps done on time")
    d.loop_table(
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
        [2.6, 2.6, 2.0, 1.7, 1.6, 2.0, 3.3],
    )
    _picture(d, "on_time")

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
        d.paragraph(d.t(zh, en), bold=True, space_before=4).paragraph_format.keep_with_next = True
        d.loop_table(
            [(zh.removeprefix("按"), en[3:].capitalize())] + _GROUP_HEAD,
            f"for g in by_{key}",
            ["{{ g.name }}"] + _GROUP_CELLS,
            _GROUP_WIDTHS,
        )

    _heading(d, "五、投诉最多的客户", "5. Customers with the most complaints")
    d.loop_table(
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
        [2.0, 5.0, 1.4, 1.8, 1.9, 1.9, 1.8],
    )

    _heading(d, "六、客户等级", "6. Customer tiers")
    d.loop_table(
        [("等级", "Tier"), ("客户数", "Customers"), ("占比", "Share")],
        "for t in tiers",
        ["{{ t.tier }}", "{{ t.customers }}", "{{ t.share }}"],
        [5.0, 3.0, 3.0],
    )
    d.body(
        "本月等级变更 {{ tier_change_count }} 户（升级 {{ tier_ups }} 户，降级 {{ tier_downs }} 户）。",
        "{{ tier_change_count }} customers changed tier this month ({{ tier_ups }} up, {{ tier_downs }} down).",
    )
    d.loop_table(
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
            "{{ c.changed_on|date }}",
            "{{ c.reason }}",
        ],
        [2.0, 3.6, 1.4, 1.4, 2.6, 4.8],
    )

    _heading(d, "七、月末逾期清单", "7. Overdue at the month's end")
    d.body(
        "月末共有 {{ overdue_count }} 件投诉逾期{% if overdue_by_step %}（{{ overdue_by_step }}）{% endif %}"
        "{% if overdue_count > overdue_shown %}，下表按逾期工时列出前 {{ overdue_shown }} 件{% endif %}。",
        "{{ overdue_count }} complaints were overdue at the month's end{% if overdue_by_step %} "
        "({{ overdue_by_step }}){% endif %}{% if overdue_count > overdue_shown %}; the {{ overdue_shown }} "
        "latest are listed{% endif %}.",
    )
    d.loop_table(
        [
            ("投诉编号", "Complaint"),
            ("客户", "Customer"),
            ("处理人", "Handler"),
            ("待办环节", "Step due"),
            ("时限", "Deadline"),
            ("逾期工时", "Hours late"),
            ("级别", "Level"),
        ],
        "for o in overdue",
        [
            "{{ o.complaint_id }}",
            "{{ o.customer_name }}",
            "{{ o.handler }}",
            "{{ o.next_step }}",
            "{{ o.next_deadline|datetime }}",
            "{{ o.hours_late }}",
            "{{ o.level }}",
        ],
        [3.0, 3.6, 1.6, 1.9, 2.9, 1.6, 1.2],
    )

    _heading(d, "八、低分复盘", "8. Low scores to review")
    d.body(
        "本月评分低于 {{ review_below }} 分的投诉共 {{ review_count }} 件，需逐件复盘"
        "{% if review_count > review_shown %}（下表列出前 {{ review_shown }} 件）{% endif %}。",
        "{{ review_count }} complaints scored below {{ review_below }} and are to be reviewed"
        "{% if review_count > review_shown %} (the first {{ review_shown }} are listed){% endif %}.",
    )
    d.loop_table(
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
        [3.0, 3.6, 1.2, 1.6, 2.2, 4.2],
    )

    _heading(d, "说明", "Notes")
    d.tag("{%p for n in definitions %}")
    d.paragraph("{{ n }}", size=9, color="444444")
    d.tag("{%p endfor %}")
    d.footer(
        "{{ office.name }}　月度服务报告　{{ month_label }}",
        "{{ office.name }} · Monthly service report · {{ month_label }}",
    )
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
