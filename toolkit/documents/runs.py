"""Word's XML → Jinja source: tags split across runs made whole, paragraph and row tags lifted.

Word splits text into runs (`<w:r>`) wherever formatting, spell-checking or editing history
changes, so a tag typed as ``{{ customer_name }}`` is often stored as ``{{ cust`` + ``omer_na`` +
``me }}`` in three runs. Here, per paragraph, every tag is moved whole into the run where it
starts (that run's formatting is used for the value); the text around the tags stays where it was.

Then the structural tags are lifted out of the text:

- ``{%p if x %}`` … ``{%p endif %}``: the whole paragraph holding the tag becomes ``{% if x %}``;
- ``{%tr for x in items %}`` … ``{%tr endfor %}``: the whole table row becomes the tag, so the
  rows between repeat (docxtpl's syntax);
- other docxtpl tags (``{%tc %}``, ``{% vm %}``, ``{% hm %}``, ``{% cellbg %}``, ``{% colspan %}``,
  ``{%r %}``/``{{r }}`` rich text, ``{{p }}`` sub-documents, ...) are reported as not supported.

The result is the part's XML as text with Jinja tags in it, one paragraph per line (so a Jinja
error's line number names the paragraph), and, per line, the paragraph's text for messages.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_P, W_T, W_R, W_TR = (f"{{{W}}}{n}" for n in ("p", "t", "r", "tr"))
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_OPEN = re.compile(r"\{\{|\{%|\{#")
_SMART = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " "})
_MARK = "tkjinja"

# docxtpl tags this renderer does not do, and what they are for (named in the message).
_UNSUPPORTED = [
    (re.compile(r"^\{%-?\s*tc\b|^\{\{-?\s*tc\b"), "{%tc %} (dynamic table columns)"),
    (re.compile(r"^\{%-?\s*vm\s*-?%\}"), "{% vm %} (vertically merged cells)"),
    (re.compile(r"^\{%-?\s*hm\s*-?%\}"), "{% hm %} (horizontally merged cells)"),
    (re.compile(r"^\{%-?\s*cellbg\b"), "{% cellbg %} (cell background colours)"),
    (re.compile(r"^\{%-?\s*colspan\b"), "{% colspan %} (cells spanning columns)"),
    (re.compile(r"^\{%-?\s*r\s"), "{%r %} (run-level tags)"),
    (re.compile(r"^\{\{-?\s*r\s"), "{{r }} (rich text objects)"),
    (re.compile(r"^\{\{-?\s*p\s"), "{{p }} (sub-documents / rich paragraphs)"),
    (re.compile(r"^\{\{-?\s*tr\s"), "{{tr }} (row-level values)"),
]
_STRUCT = re.compile(r"^\{%(-?)\s*(p|tr)\s+(.*?)\s*(-?)%\}$", re.S)


@dataclass
class TagIssue:
    """A tag the renderer cannot use, with the text of the paragraph it is in."""

    message: str
    paragraph: str
    part: str = ""


@dataclass
class Prepared:
    source: str  # Jinja source (the part's XML with tags)
    lines: list[str] = field(default_factory=list)  # per source line: the paragraph's text
    issues: list[TagIssue] = field(default_factory=list)
    has_tags: bool = False


def paragraph_text(p) -> str:
    return "".join(t.text or "" for t in _own_texts(p))


def _own_texts(p) -> list:
    """The w:t elements of paragraph `p` itself (not of paragraphs nested in text boxes)."""
    out = []
    for t in p.iter(W_T):
        anc = t.getparent()
        while anc is not None and anc.tag != W_P:
            anc = anc.getparent()
        if anc is p:
            out.append(t)
    return out


def merge_split_tags(p) -> bool:
    """Make every tag in paragraph `p` whole inside one w:t; returns True when the paragraph has tags."""
    texts = _own_texts(p)
    if not texts:
        return False
    values = [t.text or "" for t in texts]
    full = "".join(values)
    if "{" not in full:
        return False
    spans = [(m.start(), m.end()) for m in TAG.finditer(full)]
    if not spans:
        return bool(_OPEN.search(full))
    owner: list[int] = []
    for k, v in enumerate(values):
        owner.extend([k] * len(v))
    moved = False
    for start, end in spans:
        first = owner[start]
        if owner[end - 1] != first:
            moved = True
            for i in range(start, end):
                owner[i] = first
    pieces: list[list[str]] = [[] for _ in values]
    for i, ch in enumerate(full):
        pieces[owner[i]].append(ch)
    tagged = {owner[s] for s, _ in spans}
    for k, t in enumerate(texts):
        new = "".join(pieces[k])
        if k in tagged:
            new = TAG.sub(lambda m: m.group(0).translate(_SMART), new)
        if moved or k in tagged:
            t.text = new
        if k in tagged or (moved and new != new.strip()):
            t.set(XML_SPACE, "preserve")
    return True


def _attached(el, root) -> bool:
    while el is not None and el is not root:
        el = el.getparent()
    return el is root


def _ancestor(el, tag):
    el = el.getparent()
    while el is not None and el.tag != tag:
        el = el.getparent()
    return el


def prepare(root, part: str = "") -> Prepared:
    """Turn one parsed part (document, header, footer...) into Jinja source text."""
    issues: list[TagIssue] = []
    statements: list[str] = []
    has_tags = False
    paragraphs = list(root.iter(W_P))
    for p in paragraphs:
        if merge_split_tags(p):
            has_tags = True
    replace: dict = {}  # container element -> marker index
    for p in paragraphs:
        for t in _own_texts(p):
            text = t.text or ""
            if "{" not in text:
                continue
            for m in TAG.finditer(text):
                tag = m.group(0)
                for pattern, what in _UNSUPPORTED:
                    if pattern.search(tag):
                        issues.append(
                            TagIssue(f"{tag} uses docxtpl's {what}, which is not supported", paragraph_text(p), part)
                        )
                        break
                else:
                    sm = _STRUCT.match(tag)
                    if sm is None:
                        continue
                    level = sm.group(2)
                    container = p if level == "p" else _ancestor(p, W_TR)
                    if container is None:
                        issues.append(
                            TagIssue(f"{tag} is a table-row tag but is not inside a table row", paragraph_text(p), part)
                        )
                        continue
                    if container in replace:
                        issues.append(
                            TagIssue(
                                f"{tag}: only one {{%{level} %}} tag fits in one "
                                f"{'paragraph' if level == 'p' else 'table row'}",
                                paragraph_text(p),
                                part,
                            )
                        )
                        continue
                    replace[container] = len(statements)
                    statements.append("{%" + sm.group(1) + " " + sm.group(3) + " " + sm.group(4) + "%}")
    texts_for_marker = {}
    for container, n in replace.items():
        texts_for_marker[n] = (
            paragraph_text(container)
            if container.tag == W_P
            else " | ".join(paragraph_text(q) for q in container.iter(W_P))
        )
        marker = etree.Element(_MARK, n=str(n))
        marker.tail = container.tail
        container.getparent().replace(container, marker)
    for p in paragraphs:
        if _attached(p, root):
            issues.extend(_paragraph_issues(p, part))
    xml = etree.tostring(root, encoding="unicode")
    xml = xml.replace("</w:p>", "</w:p>\n")
    xml = _MARKER.sub(lambda m: "\n\x01" + m.group(1) + "\x01\n", xml)
    out_lines, texts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'], [""]
    for line in xml.split("\n"):
        marked = _MARKER_LINE.fullmatch(line)
        if marked:
            n = int(marked.group(1))
            out_lines.append(statements[n])
            texts.append(texts_for_marker[n])
        else:
            out_lines.append(TAG_IN_XML.sub(_unescape_tag, line))
            texts.append(_line_text(line))
    return Prepared("\n".join(out_lines), texts, issues, has_tags or bool(replace))


_MARKER = re.compile("<" + _MARK + r' n="(\d+)"/>')
_MARKER_LINE = re.compile("\x01(\\d+)\x01")
TAG_IN_XML = re.compile(r"\{\{[^<]*?\}\}|\{%[^<]*?%\}|\{#[^<]*?#\}")
_BLOCK_OPEN = {"if", "for", "with", "macro", "call", "filter", "raw", "autoescape", "trans"}
_BLOCK_MIDDLE = {"elif": "if", "else": ("if", "for")}


def _paragraph_issues(p, part: str) -> list[TagIssue]:
    """Unclosed tags, and inline {% if %}/{% for %} blocks that do not end in the paragraph they start in."""
    texts = _own_texts(p)
    text = "".join(t.text or "" for t in texts)
    if "{" not in text and "}" not in text:
        return []
    issues = []
    rest = TAG.sub(" ", text)
    if _OPEN.search(rest) or "}}" in rest or "%}" in rest:
        issues.append(TagIssue("a tag is not closed or not opened (every {{ needs }}, every {% needs %})", text, part))
    stack: list[tuple[str, str]] = []
    for m in TAG.finditer(text):
        tag = m.group(0)
        if not tag.startswith("{%") or _STRUCT.match(tag):
            continue
        words = tag[2:-2].strip("- \t").split(None, 1)
        if not words:
            continue
        word = words[0]
        if word == "set" and "=" not in tag:
            word = "setblock"
        if word in _BLOCK_OPEN or word == "setblock":
            stack.append((word if word != "setblock" else "set", tag))
        elif word in _BLOCK_MIDDLE:
            want = _BLOCK_MIDDLE[word]
            if not stack or stack[-1][0] not in (want if isinstance(want, tuple) else (want,)):
                issues.append(TagIssue(f"{tag} has no matching opening tag in the same paragraph", text, part))
        elif word.startswith("end"):
            opener = word[3:]
            if stack and stack[-1][0] == opener:
                stack.pop()
            else:
                issues.append(
                    TagIssue(
                        f"{tag} has no matching {{% {opener} %}} in the same paragraph (to show, hide or repeat whole "
                        f"paragraphs use {{%p {opener} ... %}}; whole table rows: {{%tr ... %}})",
                        text,
                        part,
                    )
                )
    for word, tag in stack:
        issues.append(
            TagIssue(
                f"{tag} is not closed in the same paragraph (an inline {{% {word} %}} needs its {{% end{word} %}} in the "
                f"same paragraph; to show, hide or repeat whole paragraphs use {{%p {word} ... %}} and {{%p end{word} %}}, "
                f"for table rows {{%tr {word} ... %}})",
                text,
                part,
            )
        )
    return issues


def _unescape_tag(m: re.Match) -> str:
    return html.unescape(m.group(0)) if "&" in m.group(0) else m.group(0)


_XML_TAG = re.compile(r"<[^>]*>")


def _line_text(line: str) -> str:
    text = _XML_TAG.sub("", line)
    return html.unescape(text).strip() if "&" in text else text.strip()
