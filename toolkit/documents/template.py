"""A .docx template: compiled once, rendered many times.

::

    from toolkit.documents import DocxTemplate

    tpl = DocxTemplate.open("templates/ack.docx")            # parse, merge split runs, compile: once
    tpl.render_to("out/ack_TS2026-000123.docx", {"customer_name": "A&B <联合> 公司", ...})
    data = tpl.render(context)                                 # the .docx as bytes

Opening the template does the slow work once: the XML of every part that holds tags (document,
headers, footers, foot- and endnotes) is parsed, Word mail-merge fields become Jinja tags, tags
split across runs are made whole, ``{%p %}``/``{%tr %}`` tags are lifted to their paragraph or row,
and the result is compiled to a Jinja template. Rendering a notice is then: render the Jinja
templates to XML text, and write a zip in which those parts are new and every other part is
copied as its stored bytes.
"""

from __future__ import annotations

import ctypes
import re
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from lxml import etree

from toolkit.documents.environment import DocumentEnvironment, LimitError
from toolkit.documents.mergefield import convert_fields, remove_mail_merge
from toolkit.documents.names import used_names
from toolkit.documents.package import DocxPackage
from toolkit.documents.runs import TagIssue, prepare
from toolkit.errors import ToolkitError
from toolkit.i18n import _

_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True, remove_blank_text=False)
MAX_SECONDS = 20.0  # rendering one document
MAX_OUTPUT = 50_000_000  # characters of XML in one document


class _Timeout(Exception):
    """Raised inside a render that went over MAX_SECONDS (by the watchdog, between two Python steps)."""


PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


class TemplateError(ToolkitError):
    """A template that cannot be used: malformed or unsupported tags, or fields no data provides."""

    def __init__(self, message: str, *, path=None, issues: list | None = None, hint: str | None = None):
        self.issues = list(issues or [])
        super().__init__(message, path=path, hint=hint)


class RenderError(ToolkitError):
    """One document could not be rendered (a value the template cannot use, a missing field).
    `limit`: it went over a rendering limit (the template, not the row, is at fault)."""

    limit = False


@dataclass
class CompiledPart:
    name: str  # part name in the package, e.g. word/document.xml
    filename: str  # the name Jinja knows it by (for tracebacks)
    template: Template
    ast: nodes.Template
    lines: list[str] = field(default_factory=list)  # per line: the paragraph's text

    def paragraph(self, lineno: int | None) -> str:
        if lineno is None or not 1 <= lineno <= len(self.lines):
            return ""
        return self.lines[lineno - 1]


def describe_issues(issues: Iterable[TagIssue]) -> str:
    lines = []
    seen = set()
    for issue in issues:
        if (issue.message, issue.paragraph, issue.part) in seen:
            continue
        seen.add((issue.message, issue.paragraph, issue.part))
        where = f" (in {issue.part})" if issue.part and not issue.part.endswith("document.xml") else ""
        shown = clip(issue.paragraph)
        lines.append(f"  - {issue.message}{where}" + (f'; paragraph: "{shown}"' if shown else ""))
    return "\n".join(lines)


def clip(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class DocxTemplate:
    """A compiled .docx template. Use `DocxTemplate.open(path_or_bytes)`."""

    def __init__(self, pkg: DocxPackage, *, language: str = "zh", name: str | None = None, compresslevel: int = 6):
        self.package = pkg
        self.path = pkg.path
        self.name = name or (pkg.path.name if pkg.path else "template.docx")
        self.language = language
        self.env = DocumentEnvironment(language)
        self.parts: dict[str, CompiledPart] = {}
        self.merge_fields = 0
        issues: list[TagIssue] = []
        for part in pkg.template_parts():
            xml = pkg.read(part)
            if b"{" not in xml and b"MERGEFIELD" not in xml:
                continue
            try:
                root = etree.fromstring(xml, _PARSER)
            except etree.XMLSyntaxError as exc:
                raise TemplateError(
                    _("part {part} is not well-formed XML ({reason})").format(part=part, reason=exc), path=self.path
                ) from None
            converted, field_issues = convert_fields(root, part)
            self.merge_fields += converted
            prepared = prepare(root, part)
            issues += field_issues + prepared.issues
            if not prepared.has_tags and not converted:
                continue
            filename = f"<{self.name}:{part}>"
            try:
                ast = self.env.parse(prepared.source, name=self.name, filename=filename)
                if any(True for _ in ast.find_all((nodes.EvalContextModifier, nodes.ScopedEvalContextModifier))):
                    issues.append(
                        TagIssue("{% autoescape %} is not allowed: every value is escaped for Word", "", part)
                    )
                    continue
                code = self.env.compile(ast, name=self.name, filename=filename)
                template = self.env.template_class.from_code(self.env, code, self.env.make_globals(None), None)
            except TemplateSyntaxError as exc:
                line = prepared.lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(prepared.lines) else ""
                if not any(i.paragraph == line for i in issues):  # the cause is usually listed already
                    issues.append(TagIssue(_syntax_message(exc), line, part))
                continue
            self.parts[part] = CompiledPart(part, filename, template, ast, prepared.lines)
        if issues:
            raise TemplateError(
                _("the template cannot be used:\n") + describe_issues(issues),
                path=self.path,
                issues=issues,
                hint=_("correct the tags in Word and save the template again"),
            )
        fixed = {}
        if self.merge_fields:
            settings = pkg.part_of_type("/settings")
            if settings:
                fixed[settings] = remove_mail_merge(pkg.read(settings))
        self._writer = pkg.writer(frozenset(self.parts), fixed, compresslevel)
        self._checked_xml = False

    @classmethod
    def open(
        cls, source: str | Path | bytes, *, language: str = "zh", name: str | None = None, compresslevel: int = 6
    ) -> DocxTemplate:
        pkg = DocxPackage.open(source)
        return cls(pkg, language=language, name=name, compresslevel=compresslevel)

    # ------------------------------------------------------------------ what the template uses

    def fields(self) -> set[str]:
        """The top-level names the template reads (mail-merge field names included)."""
        names: set[str] = set()
        for cp in self.parts.values():
            names |= {u.name for u in used_names(cp.ast, self.env)}
        return names

    # ------------------------------------------------------------------ rendering

    def render_parts(self, context: Mapping) -> dict[str, bytes]:
        """The rendered XML of every template part, each checked to be well-formed XML.

        Within limits: MAX_SECONDS and MAX_OUTPUT per document, and the environment's limits on
        numbers, texts and loop steps; a document over one fails alone, with the template named."""
        out = {}
        steps = self.env.new_steps()
        data = dict(context)
        data["range"] = steps.range
        deadline = time.monotonic() + MAX_SECONDS
        with _Watchdog(MAX_SECONDS):
            for name, cp in self.parts.items():
                try:
                    chunks, size = [], 0
                    for chunk in cp.template.generate(data):
                        size += len(chunk)
                        if size > MAX_OUTPUT:
                            raise LimitError(f"more than {MAX_OUTPUT:,} characters of output")
                        if time.monotonic() > deadline:
                            raise _Timeout
                        chunks.append(chunk)
                    text = "".join(chunks)
                except Exception as exc:  # noqa: BLE001 - any failure in one document is reported, not raised raw
                    error = RenderError(self._explain(exc, cp))
                    error.limit = isinstance(exc, (LimitError, _Timeout))
                    raise error from exc
                out[name] = text.encode("utf-8")
        if not self._checked_xml:
            self._check_xml(out)  # the first: a template whose tags break Word's XML is refused as a whole
        else:
            self._check_document(out)
        return out

    def render(self, context: Mapping) -> bytes:
        """The rendered document as .docx bytes."""
        return self._writer.write_bytes(self.render_parts(context))

    def render_to(self, path: str | Path, context: Mapping) -> Path:
        """Render and write the document to `path` (written beside it first, then moved into place)."""
        return self.write(path, self.render_parts(context))

    def write(self, path: str | Path, parts: Mapping[str, bytes]) -> Path:
        """Write an already rendered document (see `render_parts`)."""
        return self._writer.write(path, dict(parts))

    def merge(self, rendered: list[Mapping[str, bytes]]) -> bytes:
        """One .docx holding several rendered documents of this template, each starting on a new page.

        Headers and footers come from the first document.
        """
        if not rendered:
            raise ValueError("nothing to merge")
        main = self.package.main
        first = dict(rendered[0])
        if main not in first:
            first[main] = self.package.read(main)
            bodies = [first[main]] * len(rendered)
        else:
            bodies = [r[main] for r in rendered]
        head, _body, tail = _split_body(first[main].decode("utf-8"))
        inner = [_split_body(b.decode("utf-8"))[1] for b in bodies]
        first[main] = (head + PAGE_BREAK.join(inner) + tail).encode("utf-8")
        return self._writer.write_bytes(first)

    def _check_xml(self, out: dict[str, bytes]) -> None:
        """The first document rendered is parsed once: a template whose tags break Word's XML is refused."""
        for name, data in out.items():
            try:
                etree.fromstring(data, _PARSER)
            except etree.XMLSyntaxError as exc:
                raise TemplateError(
                    _(
                        "the template produces damaged Word XML in {name} ({reason}); check that every {{%p %}} and {{%tr %}} tag has its end tag"
                    ).format(name=name, reason=exc),
                    path=self.path,
                ) from None
        self._checked_xml = True

    def _check_document(self, out: dict[str, bytes]) -> None:
        """Every rendered document is parsed before it counts as made: damaged XML fails that document."""
        for name, data in out.items():
            try:
                etree.fromstring(data, _PARSER)
            except etree.XMLSyntaxError as exc:
                raise RenderError(
                    f"the template {self.name} made damaged Word XML in {name} for this document ({exc})"
                ) from None

    def _explain(self, exc: Exception, cp: CompiledPart) -> str:
        if isinstance(exc, _Timeout):
            return f"the template {self.name} took longer than {MAX_SECONDS:.0f} s for one document (a limit)"
        if isinstance(exc, LimitError):
            return f"the template {self.name} went over a limit: {exc}"
        lineno = None
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename == cp.filename:
                lineno = frame.lineno
        paragraph = clip(cp.paragraph(lineno))
        if isinstance(exc, UndefinedError):
            m = re.search(r"'([^']+)' is undefined", str(exc))
            reason = (
                _("the template uses '{name}', which this notice's data does not have").format(name=m.group(1))
                if m
                else _("the template uses a value this notice's data does not have ({reason})").format(reason=exc)
            )
        elif isinstance(exc, SecurityError):
            reason = _("the template tried something templates may not do ({reason})").format(reason=exc)
        elif isinstance(exc, RenderError):
            return str(exc)
        else:
            reason = f"{type(exc).__name__}: {exc}"
        return reason + (f' (paragraph: "{paragraph}")' if paragraph else "")


class _Watchdog:
    """Stops a render that runs longer than `seconds`: raises _Timeout in the rendering thread at its next
    Python step (any thread: the panel renders in a worker thread, where an alarm signal cannot reach)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.thread_id = threading.get_ident()
        self.timer: threading.Timer | None = None
        self.fired = False
        self.lock = threading.Lock()

    def _fire(self) -> None:
        with self.lock:
            if self.timer is None:
                return
            self.fired = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id), ctypes.py_object(_Timeout))

    def __enter__(self):
        self.timer = threading.Timer(self.seconds, self._fire)
        self.timer.daemon = True
        self.timer.start()
        return self

    def __exit__(self, *exc):
        with self.lock:
            timer, self.timer = self.timer, None
        if timer is not None:
            timer.cancel()
        if self.fired and exc[0] is None:  # fired after the render finished: clear what is pending
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id), None)
        return False


def _syntax_message(exc: TemplateSyntaxError) -> str:
    msg = exc.message or str(exc)
    m = re.search(r"Encountered unknown tag '(\w+)'", msg)
    if m:
        return f"unknown tag {{% {m.group(1)} %}} ({msg})"
    return f"malformed tag: {msg}"


_BODY_OPEN = re.compile(r"<w:body\b[^>]*>")


def _split_body(xml: str) -> tuple[str, str, str]:
    """(everything up to and including <w:body>, the body's content without its final sectPr, the rest)."""
    m = _BODY_OPEN.search(xml)
    end = xml.rfind("</w:body>")
    if not m or end < 0:
        raise ValueError("the document has no <w:body>")
    start = m.end()
    body = xml[start:end]
    sect = body.rfind("<w:sectPr")
    if sect >= 0 and body[sect:].rstrip().endswith("</w:sectPr>") and "</w:p>" not in body[sect:]:
        return xml[:start], body[:sect], body[sect:] + xml[end:]
    return xml[:start], body, xml[end:]
