"""Word mail-merge fields (MERGEFIELD) → Jinja tags, so templates made for Word's mail merge work too.

Both ways Word stores a field are handled:

- simple: ``<w:fldSimple w:instr=" MERGEFIELD city \\* MERGEFORMAT "><w:r><w:t>«city»</w:t></w:r></w:fldSimple>``
- complex: runs holding ``<w:fldChar w:fldCharType="begin"/>``, the instruction in ``<w:instrText>``
  (possibly split over several runs), ``separate``, the shown result «city», ``end``.

The field becomes one run (with the formatting of the field's result) holding ``{{ city }}``.
Field names that are not plain names (``MERGEFIELD "Naam klant"``) become
``{{ mergefield("Naam klant") }}``. Switches: ``\\b``/``\\f`` text before/after a non-empty value,
``\\* Upper/Lower/FirstCap/Caps``, ``\\@`` date pictures, ``\\#`` number pictures; MERGEFORMAT and
CHARFORMAT are ignored. A MERGEFIELD nested inside another field (e.g. inside an IF field) is
reported as not supported. The document's mail-merge data source (``<w:mailMerge>`` in
settings.xml) is removed from rendered documents, as Word would otherwise ask for it.
"""

from __future__ import annotations

import keyword
import re

from lxml import etree

from toolkit.documents.runs import W_P, W_R, XML_SPACE, TagIssue, W, paragraph_text

W_FLDSIMPLE, W_FLDCHAR, W_INSTR, W_RPR, W_T = (f"{{{W}}}{n}" for n in ("fldSimple", "fldChar", "instrText", "rPr", "t"))
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_JINJA_WORDS = {
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "else",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
    "loop",
    "self",
    "mergefield",
}
_CASE = {"upper": "upper", "lower": "lower", "firstcap": "capitalize", "caps": "title"}
_AT, _HASH, _STAR, _BEFORE, _AFTER = "\\@", "\\#", "\\*", "\\b", "\\f"
MAIL_MERGE = re.compile(rb"<w:mailMerge\b.*?</w:mailMerge>|<w:mailMerge\b[^>]*/>", re.S)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_instruction(instr: str) -> tuple[str, dict[str, str]] | None:
    """(field name, switches) of a MERGEFIELD instruction; None for other fields."""
    tokens = [m.group(1) if m.group(1) is not None else m.group(2) for m in _TOKEN.finditer(instr)]
    if len(tokens) < 2 or tokens[0].upper() != "MERGEFIELD":
        return None
    name = tokens[1].replace('\\"', '"')
    switches: dict[str, str] = {}
    i = 2
    while i < len(tokens):
        tok = tokens[i]
        if tok.startswith("\\") and len(tok) >= 2:
            key = tok[:2].lower()
            arg = tok[2:].strip()
            if not arg and key in ("\\*", "\\b", "\\f", "\\@", "\\#") and i + 1 < len(tokens):
                arg = tokens[i + 1]
                i += 1
            if key == "\\*":
                switches.setdefault("\\*", "")
                if arg.lower() not in ("mergeformat", "charformat"):
                    switches["\\*"] = arg
            else:
                switches[key] = arg
        i += 1
    return name, switches


def jinja_for(name: str, switches: dict[str, str]) -> str:
    """The Jinja tag for one merge field."""
    if name.isidentifier() and not keyword.iskeyword(name) and name not in _JINJA_WORDS:
        expr = name
    else:
        expr = f"mergefield({_quote(name)})"
    date_pic, num_pic = switches.get(_AT), switches.get(_HASH)
    before, after = switches.get(_BEFORE, ""), switches.get(_AFTER, "")
    if date_pic is not None:
        expr = f"{expr}|word_date({_quote(date_pic)})"
    elif num_pic is not None:
        expr = f"{expr}|word_number({_quote(num_pic)})"
    case = _CASE.get(switches.get(_STAR, "").lower())
    if case:
        expr = f"{expr}|string|{case}"
    if before or after:
        expr = f"{expr}|around({_quote(before)}, {_quote(after)})"
    return "{{ " + expr + " }}"


def _field_run(rpr_source, text: str):
    run = etree.Element(W_R)
    if rpr_source is not None:
        rpr = rpr_source.find(W_RPR)
        if rpr is not None:
            run.append(_copy(rpr))
    t = etree.SubElement(run, W_T)
    t.text = text
    t.set(XML_SPACE, "preserve")
    return run


def _copy(el):
    return etree.fromstring(etree.tostring(el))


def convert_fields(root, part: str = "") -> tuple[int, list[TagIssue]]:
    """Replace every MERGEFIELD in the parsed part by a run with its Jinja tag; (fields converted, issues)."""
    count = 0
    issues: list[TagIssue] = []
    for fld in list(root.iter(W_FLDSIMPLE)):
        parsed = parse_instruction(fld.get(f"{{{W}}}instr", ""))
        if parsed is None:
            continue
        if any(inner is not fld for inner in fld.iter(W_FLDSIMPLE, W_FLDCHAR)):
            issues.append(
                TagIssue(f"MERGEFIELD {parsed[0]} holds another field, which is not supported", _para_text(fld), part)
            )
            continue
        first_run = fld.find(W_R)
        run = _field_run(first_run, jinja_for(*parsed))
        run.tail = fld.tail
        fld.getparent().replace(fld, run)
        count += 1
    # complex fields: begin ... instrText ... separate ... result ... end
    stack: list[dict] = []
    for el in list(root.iter(W_FLDCHAR, W_INSTR)):
        if el.tag == W_FLDCHAR:
            kind = el.get(f"{{{W}}}fldCharType")
            run = el.getparent()
            if kind == "begin":
                if stack and not stack[-1]["separated"]:
                    stack[-1]["nested"] = True
                stack.append({"begin": run, "instr": [], "separated": False, "nested": False})
            elif kind == "separate" and stack:
                stack[-1]["separated"] = True
            elif kind == "end" and stack:
                frame = stack.pop()
                parsed = parse_instruction("".join(frame["instr"]))
                if parsed is None:
                    continue
                if stack or frame["nested"]:
                    issues.append(
                        TagIssue(
                            f"MERGEFIELD {parsed[0]} inside (or around) another field is not supported",
                            _para_text(run),
                            part,
                        )
                    )
                    continue
                begin = frame["begin"]
                if begin.getparent() is None or begin.getparent() is not run.getparent():
                    issues.append(
                        TagIssue(
                            f"MERGEFIELD {parsed[0]} spans more than one paragraph or element, which is not supported",
                            _para_text(run),
                            part,
                        )
                    )
                    continue
                parent = begin.getparent()
                siblings = list(parent)
                a, b = siblings.index(begin), siblings.index(run)
                span = siblings[a : b + 1]
                style_from = _result_run(span)
                if style_from is None:
                    style_from = begin
                new = _field_run(style_from, jinja_for(*parsed))
                new.tail = run.tail
                parent.insert(a, new)
                for old in span:
                    parent.remove(old)
                count += 1
        else:  # instrText
            if stack and not stack[-1]["separated"]:
                stack[-1]["instr"].append(el.text or "")
    return count, issues


def _result_run(span: list):
    """The first run of the field's shown result (its formatting is kept), else the first run with formatting."""
    separated = False
    for el in span:
        if el.tag != W_R:
            continue
        ch = el.find(W_FLDCHAR)
        if ch is not None:
            separated = separated or ch.get(f"{{{W}}}fldCharType") == "separate"
            continue
        if separated and el.find(W_T) is not None:
            return el
    return next((el for el in span if el.tag == W_R and el.find(W_RPR) is not None), None)


def _para_text(el) -> str:
    p = el
    while p is not None and p.tag != W_P:
        p = p.getparent()
    return paragraph_text(p) if p is not None else ""


def remove_mail_merge(settings_xml: bytes) -> bytes:
    """settings.xml without its mail-merge data source."""
    return MAIL_MERGE.sub(b"", settings_xml)
