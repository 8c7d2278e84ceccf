"""Checking a template before a batch: every field it uses must come from a column or the notice's data.

A misspelt field (``{{ custmer_name }}``) would otherwise fail every notice of the batch; here it is
found once, before anything is written, and listed with the closest names that do exist (difflib),
the paragraph it is in, and for fields of rows in a table loop (``{{ c.hanlder }}`` inside
``{%tr for c in complaints %}``) the names the rows have. Malformed and unsupported tags are found
when the template is opened (`DocxTemplate.open` raises a `TemplateError` listing them).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from jinja2 import nodes

from toolkit.documents.template import DocxTemplate, TemplateError, _clip

_DICT_METHODS = {"get", "items", "keys", "values"}


@dataclass(frozen=True)
class UsedName:
    name: str  # e.g. "customer_name", or "complaints[].handler" for a row field in a loop
    lineno: int
    top: bool = True  # a top-level name (False: a field of a dict or of a loop's rows)


@dataclass
class FieldIssue:
    name: str
    paragraph: str
    part: str
    suggestions: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"'{self.name}'"
        if self.suggestions:
            text += " - did you mean " + ", ".join(self.suggestions) + "?"
        else:
            text += " - no column has a similar name"
        if self.paragraph:
            text += f' (paragraph: "{_clip(self.paragraph)}")'
        return text


def used_names(ast: nodes.Template, env, shapes: Mapping[str, Iterable[str]] | None = None) -> list[UsedName]:
    """Every name the template reads from its data, in order; fields of `shapes` names are checked too.

    `shapes` maps a top-level name holding a dict (or a list of dicts, for loops) to its keys.
    """
    shapes = {k: set(v) for k, v in (shapes or {}).items()}
    out: list[UsedName] = []
    known_globals = set(env.globals)

    def visit(node, scope: dict[str, str | None]):
        if isinstance(node, nodes.For):
            visit(node.iter, scope)
            inner = dict(scope)
            iter_shape = node.iter.name if isinstance(node.iter, nodes.Name) and node.iter.name in shapes else None
            if isinstance(node.iter, nodes.Name) and node.iter.name in scope and scope[node.iter.name]:
                iter_shape = None  # a loop over a local: not checked
            for target in _targets(node.target):
                inner[target] = iter_shape if isinstance(node.target, nodes.Name) else None
            inner["loop"] = None
            for child in node.body:
                visit(child, inner)
            if node.test is not None:
                visit(node.test, inner)
            for child in node.else_:
                visit(child, scope)
            return
        if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
            for child in node.iter_child_nodes(exclude=("target",)):
                visit(child, scope)
            for target in _targets(node.target):
                scope[target] = None
            return
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope)
            for arg in getattr(node, "args", []):
                inner[arg.name] = None
            for child in node.body:
                visit(child, inner)
            return
        if isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                visit(value, scope)
                for t in _targets(target):
                    inner[t] = None
            for child in node.body:
                visit(child, inner)
            return
        if isinstance(node, (nodes.Getattr, nodes.Getitem)) and isinstance(node.node, nodes.Name):
            base = node.node.name
            key = (
                node.attr
                if isinstance(node, nodes.Getattr)
                else (node.arg.value if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) else None)
            )
            if base in scope:
                shape = scope[base]
                if shape and key is not None and key not in _DICT_METHODS:
                    out.append(UsedName(f"{shape}[].{key}", node.lineno, False))
            elif base not in known_globals:
                out.append(UsedName(base, node.lineno))
                if base in shapes and key is not None and key not in _DICT_METHODS:
                    out.append(UsedName(f"{base}.{key}", node.lineno, False))
            if isinstance(node, nodes.Getitem):
                visit(node.arg, scope)
            return
        if isinstance(node, nodes.Name) and node.ctx == "load":
            if node.name not in scope and node.name not in known_globals:
                out.append(UsedName(node.name, node.lineno))
            return
        if (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Name)
            and node.node.name == "mergefield"
            and node.args
            and isinstance(node.args[0], nodes.Const)
        ):
            out.append(UsedName(str(node.args[0].value), node.lineno))
            return
        for child in node.iter_child_nodes():
            visit(child, scope)

    visit(ast, {})
    return out


def _targets(target) -> list[str]:
    if isinstance(target, nodes.Name):
        return [target.name]
    if isinstance(target, nodes.Tuple):
        return [n for item in target.items for n in _targets(item)]
    return []


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
                base, _, key = used.name.rpartition(".")
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
            f"the template{(' for ' + what) if what else ''} uses field(s) that no column or "
            f"notice data provides:\n{lines}",
            path=template.path or template.name,
            issues=issues,
            hint="correct the field names in the template, or add the column to the workbook "
            "and its name under [[tracker.columns]] / [[register.columns]] in toolkit.toml",
        )
