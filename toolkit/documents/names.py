"""The names a template reads from its data, found in its Jinja syntax tree.

Used to list a template's fields (`DocxTemplate.fields`) and to check them before a batch
(`toolkit.documents.check`): top-level names, fields of known dicts (``office.name``) and fields of
the rows of a table loop (``complaints[].handler``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jinja2 import nodes

_DICT_METHODS = {"get", "items", "keys", "values"}


@dataclass(frozen=True)
class UsedName:
    name: str  # e.g. "customer_name", or "complaints[].handler" for a row field in a loop
    lineno: int
    top: bool = True  # a top-level name (False: a field of a dict or of a loop's rows)


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
            for assigned, value in zip(node.targets, node.values):
                visit(value, scope)
                for t in _targets(assigned):
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
