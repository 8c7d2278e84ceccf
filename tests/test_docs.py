"""The docs: every Python example in docs/api.md runs as written, and the docs' links lead somewhere.

Like sqlite-utils' documentation tests: the examples are run in order, in one namespace, in a folder
holding a copy of the shipped sample workbooks as `客服台账/`; their own asserts check the results.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
API = REPO / "docs" / "api.md"


def python_examples(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL)


def test_the_api_examples_run_as_written(tmp_path, monkeypatch):
    folder = tmp_path / "客服台账"
    folder.mkdir()
    for name in ("customers.xlsx", "complaints.xlsx", "office_days.xlsx"):
        shutil.copy(REPO / "workbooks" / name, folder / name)
    monkeypatch.chdir(tmp_path)
    examples = python_examples(API)
    assert len(examples) >= 10
    namespace: dict = {}
    for n, code in enumerate(examples, 1):
        exec(compile(code, f"docs/api.md example {n}", "exec"), namespace)  # noqa: S102 - our own docs


@pytest.mark.parametrize("doc", ["README.md", *(f"docs/{p.name}" for p in sorted((REPO / "docs").glob("*.md")))])
def test_links_between_the_docs_lead_to_files(doc):
    path = REPO / doc
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
        assert (path.parent / target).exists(), f"{doc} links to {target}, which is not there"
