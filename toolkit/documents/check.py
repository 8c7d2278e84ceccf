"""Checking a template before a batch: every field it uses must come from a column or the notice's data.

A misspelt field (``{{ custmer_name }}``) would otherwise fail every notice of the batch; here it is
found once, before anything is written, and listed with the closest names that do exist (difflib),
the paragraph it is in, and for fields of rows in a table loop (``{{ c.hanlder }}`` inside
``{%tr for c in complaints %}``) the names the rows have. Malformed and unsupported tags are found
when the template is opened (`DocxTemplate.open` raises a `TemplateError` listing them).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from toolkit.documents.names import used_names
from toolkit.documents.template import DocxTemplate, TemplateError, clip
from toolkit.i18n import _


@dataclass
class FieldIssue:
    name: str
    paragraph: str
    part: str
    suggestions: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.suggestions:
            text = _("'{name}' - did you mean {names}?").format(name=self.name, names=_(", ").join(self.suggestions))
        else:
            text = _("'{name}' - no column has a similar name").format(name=self.name)
        if self.paragraph:
            text += " " + _('(paragraph: "{text}")').format(text=clip(self.paragraph))
        return text


def _suggest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    candidates = sorted(set(candidates))
    found = difflib.get_close_matches(name, candidates, n=n, cutoff=0.6)
    if not found:
        found = difflib.get_close_matches(name, candidates, n=n, cutoff=0.4)
    lowered = name.lower()
    for c in candidates:  # a name contained in a longer one (phone -> contact_phone) is a good hint too
        if len(found) < n and c not in found and len(lowered) >= 3 and (lowered in c.lower() or c.lower() in lowered):
            found.append(c)
    return found


def field_issues(
    template: DocxTemplate, provided: Iterable[str], shapes: Mapping[str, Iterable[str]] | None = None
) -> list[FieldIssue]:
    """Fields the template uses that neither `provided` nor `shapes` have, with the closest names."""
    provided = set(provided) | set(shapes or {})
    shapes = {k: set(v) for k, v in (shapes or {}).items()}
    issues: list[FieldIssue] = []
    seen: set[str] = set()
    for part, cp in template.parts.items():
        for used in used_names(cp.ast, template.env, shapes):
            if used.name in seen:
                continue
            if used.top:
                if used.name in provided:
                    continue
                suggestions = _suggest(used.name, provided)
            else:
                base, _dot, key = used.name.rpartition(".")
                keys = shapes.get(base.removesuffix("[]"), set())
                if key in keys:
                    continue
                suggestions = [f"{base}.{k}" for k in _suggest(key, keys)]
            seen.add(used.name)
            issues.append(FieldIssue(used.name, cp.paragraph(used.lineno), part, suggestions))
    return issues


def check_template(
    template: DocxTemplate,
    provided: Iterable[str],
    shapes: Mapping[str, Iterable[str]] | None = None,
    *,
    what: str = "",
) -> None:
    """Raise a TemplateError listing every field the template uses that the data does not provide."""
    issues = field_issues(template, provided, shapes)
    if issues:
        lines = "\n".join(f"  - {i}" for i in issues)
        raise TemplateError(
            (
                _("the template for {what} uses fields that no column or notice data provides:").format(what=what)
                if what
                else _("the template uses fields that no column or notice data provides:")
            )
            + "\n"
            + lines,
            path=template.path or template.name,
            issues=issues,
            hint=_(
                "correct the field names in the template, or add the column to the workbook and its name under [[tracker.columns]] / [[register.columns]] in toolkit.toml"
            ),
        )
