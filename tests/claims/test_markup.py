"""PubMed's inline markup: the subset kept, balanced and safe, whatever the
input (property-based), and super- and subscripts as Unicode in plain text."""

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.literature.pubmed.markup import inline, safe_html

ALLOWED = re.compile(r"</?(?:i|b|sup|sub|u)>")
# Text with markup in it: the subset's tags, other tags, attributes, escapes.
PIECES = st.sampled_from(
    [
        "<i>",
        "</i>",
        "<b>",
        "</b>",
        "<sup>",
        "</sup>",
        "<sub>",
        "</sub>",
        "<u>",
        "</u>",
        "<I>",
        "<script>",
        "</script>",
        '<b onclick="x>y">',
        "<mml:math>",
        "</mml:math>",
        "&lt;",
        "&gt;",
        "&amp;",
        "&lt;i&gt;",
        "&lt;script&gt;",
        " ",
        "a",
        "MSC",
        "10",
        "+",
        "β",
        '"',
        "'",
    ]
)
MARKED_UP = st.lists(PIECES, max_size=30).map("".join)


def balanced(markup: str) -> bool:
    stack = []
    for tag in ALLOWED.findall(markup):
        if tag.startswith("</"):
            if not stack or stack.pop() != tag[2:-1]:
                return False
        else:
            stack.append(tag[1:-1])
    return not stack


@given(MARKED_UP)
def test_the_markup_holds_only_the_subsets_bare_tags_balanced(raw):
    marked = inline(raw).html

    assert "<" not in ALLOWED.sub("", marked)
    assert ">" not in ALLOWED.sub("", marked)
    assert balanced(marked)
    assert safe_html(marked) == marked  # already safe: showing it changes nothing


@given(MARKED_UP)
def test_the_plain_text_has_no_markup_and_the_markups_text(raw):
    marked = inline(raw)

    # No tag survives (a lone "<a" is text: escaped wherever it is shown).
    assert not re.search(r"<[A-Za-z/][^<>]*>", marked.plain)
    assert not re.search(r"<[A-Za-z/][^<>]*>", marked.text)
    unmarked = html.unescape(ALLOWED.sub("", marked.html))
    assert len(marked.plain) <= len(unmarked)


@given(st.text(max_size=60))
def test_whatever_a_stored_title_holds_only_the_subsets_tags_are_shown(text):
    shown = safe_html(text)

    assert "<" not in ALLOWED.sub("", shown)


def test_plain_text_writes_super_and_subscripts_as_unicode_where_it_can():
    assert inline("≥10<sup>6</sup> cells").plain == "≥10⁶ cells"
    assert inline("CD34<sup>+</sup> and H<sub>2</sub>O").plain == "CD34⁺ and H₂O"
    # No Unicode superscript for letters: the text as it is.
    assert inline("Brand<sup>TM</sup>").plain == "BrandTM"


def test_shown_titles_keep_an_escaped_tag_as_text():
    assert safe_html("a &lt;i&gt; b <i>c</i>") == "a &lt;i&gt; b <i>c</i>"
    assert safe_html('<i>x</i><script>y</script><b class="z">w</b>') == (
        '<i>x</i>&lt;script&gt;y&lt;/script&gt;&lt;b class="z"&gt;w'
    )


@pytest.mark.django_db
def test_a_papers_page_shows_its_titles_markup_and_nothing_else(client):
    from tests.factories import PublicationFactory

    PublicationFactory(
        pmid=30000101,
        title="≥10⁶ cells in vivo",
        title_html="≥10<sup>6</sup> cells <i>in vivo</i>",
        abstract_sections=[
            {
                "label": "RESULTS",
                "text": "IL-1β rose in vivo.",
                "html": "IL-1<i>β</i> rose <i>in vivo</i>.",
            }
        ],
    )
    PublicationFactory(
        pmid=30000102,
        title="forged",
        title_html='forged <script>alert(1)</script><i onclick="x">y</i>',
    )

    page = client.get("/publications/30000101/").content.decode()
    forged = client.get("/publications/30000102/").content.decode()
    listing = client.get("/publications/").content.decode()

    assert '<h1 class="pub-title">≥10<sup>6</sup> cells <i>in vivo</i></h1>' in page
    assert "<title>≥10⁶ cells in vivo" in page  # the plain title where no markup goes
    assert "≥10<sup>6</sup> cells <i>in vivo</i>" in listing
    assert "IL-1<i>β</i> rose <i>in vivo</i>.</p>" in page
    assert "<script>alert(1)" not in forged
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in forged
    heading = forged.split('class="pub-title">')[1].split("</h1>")[0]
    assert heading == (
        'forged &lt;script&gt;alert(1)&lt;/script&gt;&lt;i onclick="x"&gt;y'
    )


def test_tag_like_text_is_removed_until_none_is_left():
    assert inline("Pre&lt;scr&lt;script&gt;ipt&gt; text").plain == "Pre text"


def test_a_stored_markup_is_balanced_before_it_is_shown_or_cited():
    from claims.exports.citation_formats import bibtex_title, cited_title_html

    assert safe_html("<b>bold never closed") == "<b>bold never closed</b>"
    assert safe_html("stray</i> <i>open") == "stray <i>open</i>"
    forged = cited_title_html({"title_html": "Forged</i>, note = <i>x"})
    # One title value: no "}" closes it early, no field is forged.
    assert bibtex_title(forged) == r"Forged, note = \textit{x}"


def test_a_protected_word_starting_with_an_escape_is_braced_twice():
    from claims.exports.citation_formats import bibtex_title

    assert bibtex_title("50% of &amp;MSC") == r"50\% of {{\&MSC}}"
