"""Small template helpers of the reader's pages: labels and links."""

import json
from urllib.parse import quote

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from claims.labels import value_label
from claims.literature.pubmed.markup import safe_html
from claims.search import Query
from claims.search.snippets import highlight

register = template.Library()


@register.filter
def facet_value(value: str, facet: str) -> str:
    """`{{ e.delivery|facet_value:"delivery" }}` -> 'co-injection with tumor cells'."""
    return value_label(facet, value)


@register.filter
def title_markup(paper) -> str:
    """A paper's title with PubMed's inline markup (<i>, <sup>, ...), safe to
    show: only those tags come through (claims.literature.pubmed.markup).
    Before PubMed's title arrives, the curators' checked one, escaped; "" if
    neither is known."""
    if getattr(paper, "title_html", ""):
        return inline_html(paper.title_html)
    return conditional_escape(paper.title or paper.curated_title or "")


@register.filter
def inline_html(marked: str) -> str:
    """A stored text with PubMed's inline markup, safe to show: only <i>, <b>,
    <sup>, <sub> and <u> come through (claims.literature.pubmed.markup)."""
    return mark_safe(safe_html(marked))


@register.filter
def doi_url(doi: str) -> str:
    return f"https://doi.org/{quote(doi, safe='/:;()._-')}" if doi else ""


@register.filter
def pmc_url(pmcid: str) -> str:
    return f"https://pmc.ncbi.nlm.nih.gov/articles/{quote(pmcid)}/" if pmcid else ""


@register.filter
def author_name(author: dict) -> str:
    """'Karnoub AE', or a collective name as PubMed gives it."""
    if author.get("collective_name"):
        return author["collective_name"]
    initials = author.get("initials") or ""
    return f"{author.get('last_name', '')} {initials}".strip()


@register.filter
def remove_param(filters, name: str) -> str:
    """The query string of the current filters without one of them."""
    return filters.querystring(without=name)


@register.filter
def msc_description(evidence) -> str:
    """'Human bone marrow MSC', 'Rat MSC', 'Mouse MSC (other source)'."""
    words = [evidence.get_species_display()] if evidence.species else []
    other = evidence.msc_source == "other"
    if evidence.msc_source and not other:
        words.append(value_label("msc_source", evidence.msc_source))
    words.append("MSC (other source)" if other else "MSC")
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@register.filter
def marked(text: str, query: Query) -> str:
    """`{{ claim.statement|marked:query }}`: the words the search found, in <mark>."""
    return highlight(text or "", query)


@register.filter
def snippet(text: str, query: Query) -> str:
    """`{{ paper.abstract|snippet:query }}`: the words around the first match."""
    return highlight(text or "", query, snippet=True)


# What may not appear raw inside a <script> block (as Django's json_script).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def ld_json(data: dict) -> str:
    """A JSON-LD block: the data as JSON, safe inside <script>."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(
        _SCRIPT_ESCAPES
    )
    # Safe: json.dumps quotes every string, and the escapes above leave no
    # "</script>" or "<!--" that could end the block.
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(text)
    )
