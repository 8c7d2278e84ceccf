"""Bench: 1,000 Word notices from one template, the toolkit's renderer beside docxtpl.

The template is one page: a title, a few paragraphs of fields, a {%p if %} paragraph and a table
whose row repeats ({%tr for %}) for 5 items. Both renderers get the same data (values already
formatted, so both show the same text) with XML escaping on, and write 1,000 .docx files:

- toolkit: open (compile) the template once, then render + write each notice;
- docxtpl: the usual loop, load + render + save per notice (it has no compile-once API: `render`
  changes the loaded document in place).

Each side runs in a fresh Python process (time and peak memory). Afterwards a few notices from
both are read back with python-docx and their text compared.

    .venv/bin/python bench/bench_notices.py [count]
"""

from __future__ import annotations

import io
import json
import random
import shutil
import sys
from pathlib import Path

from common import OUT, measure, report

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOLDER = OUT / "notices"


def make_template(path: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(11)
    title = doc.add_paragraph()
    title.add_run("客户投诉处理结果反馈").bold = True
    doc.add_paragraph("编号：{{ complaint_id }}")
    doc.add_paragraph("{{ customer_name }}：")
    p = doc.add_paragraph("尊敬的")
    p.add_run("{{ contact }}").bold = True  # a tag in its own run, as Word often stores them
    p.add_run("，您好！您于{{ received_at }}反映的问题已于{{ resolved_at }}处理完毕，处理情况如下：")
    table = doc.add_table(rows=4, cols=4)
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, ("项目", "说明", "数量", "金额")):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for i in items %}"
    for cell, text in zip(table.rows[2].cells, ("{{ i.name }}", "{{ i.desc }}", "{{ i.qty }}", "{{ i.amount }}")):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("合计：{{ total }}")
    doc.add_paragraph("{%p if followup %}")
    doc.add_paragraph("后续安排：我们将在{{ followup }}前回访，确认问题已彻底解决。")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("如有疑问，请致电 {{ phone }}。")
    doc.add_paragraph("{{ office }}")
    doc.add_paragraph("{{ date }}")
    doc.save(path)


def make_contexts(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    names = [
        "上海华信电子有限公司",
        "北京远宏贸易有限公司",
        "A&B <联合> 公司",
        "天津润海汽车配件有限公司",
        "Star&Moon <星月> 设计",
    ]
    people = ["陈文娜", "王志强", "李晓燕", "张伟", "刘洋"]
    parts = ["滤芯", "主板", "电源模块", "传感器", "安装服务", "上门检测"]
    out = []
    for k in range(n):
        items = []
        total = 0
        for _ in range(5):
            qty = rng.randint(1, 9)
            price = rng.randint(10, 5000)
            total += qty * price
            items.append(
                {
                    "name": rng.choice(parts),
                    "desc": f'型号 X{rng.randint(100, 999)} "标准" & 保修',
                    "qty": str(qty),
                    "amount": f"¥{qty * price:,.2f}",
                }
            )
        out.append(
            {
                "complaint_id": f"TS2026-{k + 1:06d}",
                "customer_name": rng.choice(names),
                "contact": rng.choice(people),
                "received_at": f"2026年11月{rng.randint(1, 19)}日 {rng.randint(9, 17)}:{rng.randint(0, 59):02d}",
                "resolved_at": "2026年11月20日 16:30",
                "items": items,
                "total": f"¥{total:,.2f}",
                "followup": "2026年11月25日" if k % 3 else "",
                "phone": "400-800-0000",
                "office": "客户服务中心",
                "date": "2026年11月20日",
            }
        )
    return out


OURS = """
import json
from pathlib import Path
from toolkit.documents import DocxTemplate
folder = Path({folder!r})
contexts = json.loads((folder / "contexts.json").read_text(encoding="utf-8"))
out = folder / "toolkit"
tpl = DocxTemplate.open(folder / "template.docx")
for n, ctx in enumerate(contexts):
    tpl.render_to(out / f"notice_{{n:04d}}.docx", ctx)
"""

DOCXTPL = """
import json
from pathlib import Path
from docxtpl import DocxTemplate
folder = Path({folder!r})
contexts = json.loads((folder / "contexts.json").read_text(encoding="utf-8"))
out = folder / "docxtpl"
for n, ctx in enumerate(contexts):
    tpl = DocxTemplate(folder / "template.docx")
    tpl.render(ctx, autoescape=True)
    tpl.save(out / f"notice_{{n:04d}}.docx")
"""


def text_of(path: Path) -> list[str]:
    from docx import Document

    doc = Document(io.BytesIO(path.read_bytes()))
    lines = ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in doc.element.body.iter(f"{{{W}}}p")]
    return [line for line in lines if line.strip()]


def main(count: int = 1000) -> None:
    try:
        import docxtpl  # noqa: F401
    except ImportError:
        raise SystemExit(
            'docxtpl is not installed: .venv/bin/pip install -e ".[bench]" (the baseline of this bench)'
        ) from None
    shutil.rmtree(FOLDER, ignore_errors=True)
    for sub in ("toolkit", "docxtpl"):
        (FOLDER / sub).mkdir(parents=True)
    make_template(FOLDER / "template.docx")
    contexts = make_contexts(count)
    (FOLDER / "contexts.json").write_text(json.dumps(contexts, ensure_ascii=False), encoding="utf-8")

    ours = measure(OURS.format(folder=str(FOLDER)))
    theirs = measure(DOCXTPL.format(folder=str(FOLDER)))

    checked = sorted({0, 1, 2, count // 2, count - 1})
    for n in checked:
        a = text_of(FOLDER / "toolkit" / f"notice_{n:04d}.docx")
        b = text_of(FOLDER / "docxtpl" / f"notice_{n:04d}.docx")
        if a != b:
            raise SystemExit(f"notice {n}: the texts differ\n toolkit: {a}\n docxtpl: {b}")
    assert "A&B <联合> 公司：" in sum((text_of(FOLDER / "toolkit" / f"notice_{n:04d}.docx") for n in range(20)), [])
    size_a = sum(p.stat().st_size for p in (FOLDER / "toolkit").iterdir()) / count
    size_b = sum(p.stat().st_size for p in (FOLDER / "docxtpl").iterdir()) / count
    print(report(f"{count:,} notices from a one-page template with a 5-row table", ours, theirs, "docxtpl"))
    print(
        f"   per notice: toolkit {ours['seconds'] / count * 1000:.2f} ms, docxtpl "
        f"{theirs['seconds'] / count * 1000:.2f} ms; file size {size_a / 1024:.1f} KB vs {size_b / 1024:.1f} KB"
    )
    print(f"   same text in notices {', '.join(map(str, checked))} (read back with python-docx)")
    ratio = theirs["seconds"] / ours["seconds"]
    print(f"   target: at least 5x faster - {'met' if ratio >= 5 else 'NOT met'} ({ratio:.1f}x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
