"""PubMed's inline markup in titles and abstracts: a safe subset kept.

PubMed marks up titles and abstracts with `<i>`, `<b>`, `<sup>`, `<sub>` and
`<u>` (and MathML, which is dropped). Bio.Entrez (escape=True) leaves those
tags raw in the text and escapes the text itself, so a tag can be told from a
literal "<" in "p < 0.05". A string is read into tokens: the subset's tags,
balanced, and text. From them come

- `html`: the text HTML-escaped with the subset's tags, and nothing else, as
  the pages show it and the exports convert it (CSL's markup, LaTeX);
- `plain`: the text, with each superscript or subscript that Unicode can write
  written so ("10<sup>6</sup>" is "10⁶", "CD34<sup>+</sup>" "CD34⁺",
  "H<sub>2</sub>O" "H₂O"), for readers of plain text (RIS, Highwire tags,
  JSON-LD). Stripping the tags made "≥10<sup>6</sup> cells" read "≥106 cells";
- `text`: the text with the tags gone and nothing rewritten, as stored in
  `title` and `abstract`: what search indexes and a checked title is compared
  with ("IC50" must still find, and match, "IC<sub>50</sub>").
"""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

INLINE_TAGS = ("i", "b", "sup", "sub", "u")
_TAG = re.compile(r"<[^<>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^<>\"']*)*>")
# One of the subset's tags, its attributes (quoted values may hold ">") dropped.
_INLINE = re.compile(
    r"<(/?)(i|b|sup|sub|u)(?:\s(?:[^<>\"']|\"[^\"]*\"|'[^']*')*)?>", re.IGNORECASE
)
# Escaped tag-like text (&lt;script&gt;) would become markup for any consumer
# that forgets to escape; no title needs it, so it goes.
_TAG_LIKE = re.compile(r"</?[A-Za-z][^<>]*>")
_XML_ESCAPES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
_XML_ESCAPE = re.compile("|".join(_XML_ESCAPES))
# The characters Unicode writes raised or lowered ("\u2212" is the minus sign).
SUPERSCRIPTS = str.maketrans("0123456789+-\u2212=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿ")
SUBSCRIPTS = str.maketrans("0123456789+-\u2212=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
_SCRIPTS = {"sup": SUPERSCRIPTS, "sub": SUBSCRIPTS}


@dataclass(frozen=True)
class Marked:
    plain: str  # for reading: super- and subscripts in Unicode
    html: str
    text: str = ""  # for matching: the tags gone, nothing rewritten


@dataclass(frozen=True)
class _Token:
    text: str = ""  # the text, unescaped
    tag: str = ""  # an inline tag's name
    closing: bool = False


def _tokens(raw: str) -> Iterator[_Token]:
    """Text and the subset's tags, balanced: a closing tag with no open one
    is dropped, and what is left open is closed at the end."""
    open_tags: list[str] = []
    position = 0
    for match in _TAG.finditer(raw):
        if match.start() > position:
            yield _Token(text=_text(raw[position : match.start()]))
        position = match.end()
        inline = _INLINE.fullmatch(match.group())
        if inline is None:
            continue  # MathML and any other markup: its text stays, the tag goes
        closing, name = inline.group(1) == "/", inline.group(2).lower()
        if not closing:
            open_tags.append(name)
            yield _Token(tag=name)
        elif name in open_tags:
            while open_tags:
                last = open_tags.pop()
                yield _Token(tag=last, closing=True)
                if last == name:
                    break
    if position < len(raw):
        yield _Token(text=_text(raw[position:]))
    for name in reversed(open_tags):
        yield _Token(tag=name, closing=True)


def _text(escaped: str) -> str:
    text = _XML_ESCAPE.sub(lambda match: _XML_ESCAPES[match.group()], escaped)
    # Until none is left: removing "<script>" from "<scr<script>ipt>" makes one.
    while (stripped := _TAG_LIKE.sub("", text)) != text:
        text = stripped
    return text


def _scripted(text: str, table: dict[int, int]) -> str | None:
    """The text in Unicode super- or subscript, if every character has one."""
    written = text.translate(table)
    pairs = zip(text, written, strict=True)
    return written if all(a != b or a == " " for a, b in pairs) else None


def inline(value: object) -> Marked:
    """A parsed PubMed string as plain text and as the subset's HTML, each
    with its whitespace collapsed."""
    plain: list[str] = []
    marked: list[str] = []
    texts: list[str] = []
    scripts: list[str] = []  # the sup/sub elements open, innermost last
    buffer: list[str] = []  # the text inside the outermost sup/sub
    for token in _tokens(str(value or "")):
        if token.tag:
            marked.append(f"</{token.tag}>" if token.closing else f"<{token.tag}>")
            if token.tag in _SCRIPTS:
                if not token.closing:
                    scripts.append(token.tag)
                elif scripts:
                    scripts.pop()
                    if not scripts:
                        text = "".join(buffer)
                        converted = _scripted(text, _SCRIPTS[token.tag])
                        plain.append(text if converted is None else converted)
                        buffer = []
            continue
        marked.append(html.escape(token.text, quote=False))
        texts.append(token.text)
        (buffer if scripts else plain).append(token.text)
    plain.append("".join(buffer))
    return Marked(
        plain=" ".join("".join(plain).split()),
        html=" ".join("".join(marked).split()),
        text=" ".join("".join(texts).split()),
    )


_EXACT_TAG = re.compile(r"(</?(?:i|b|sup|sub|u)>)")


def balanced(marked: str) -> str:
    """The subset's HTML with every tag matched: a closing tag with no open
    one dropped, an open one closed at the end (a stored value need not have
    come from `inline`; an unclosed <b> would embolden the rest of a page)."""
    parts, open_tags = [], []
    for i, part in enumerate(_EXACT_TAG.split(marked or "")):
        if not i % 2:
            parts.append(part)
            continue
        name = part.strip("</>")
        if not part.startswith("</"):
            open_tags.append(name)
            parts.append(part)
        elif name in open_tags:
            while open_tags:
                last = open_tags.pop()
                parts.append(f"</{last}>")
                if last == name:
                    break
    parts.extend(f"</{name}>" for name in reversed(open_tags))
    return "".join(parts)


def safe_html(text: str) -> str:
    """`text` (the subset's HTML) as HTML safe to show: the subset's bare tags
    kept and balanced, everything else escaped (after unescaping, so that
    "&amp;" is not escaped twice). Whatever a stored value holds, no other
    markup, attribute or script comes through; an escaped "&lt;i&gt;" stays
    text."""
    parts = _EXACT_TAG.split(text or "")
    escaped = "".join(
        part if i % 2 else html.escape(html.unescape(part), quote=False)
        for i, part in enumerate(parts)
    )
    return balanced(escaped)


def readable(marked: str) -> str:
    """The plain text a reader sees of a stored marked-up text: super- and
    subscripts in Unicode where it has them ("≥10⁶ cells")."""
    return inline(balanced(marked)).plain
