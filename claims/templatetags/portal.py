"""Small template helpers of the reader's pages: labels, links and the rules text."""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django import template

from claims import status_rules
from claims.disagreement import facet_label, value_label

register = template.Library()

_RULE_LINE = re.compile(r"^\s+(R\d+)\s+(\S+)\s{2,}(.+)$")


@dataclass(frozen=True)
class PublishedRule:
    rule: str
    status: str
    when: str

    @property
    def status_value(self) -> str:
        return self.status.lower().replace("-", "_")


@dataclass(frozen=True)
class PublishedRules:
    version: str
    preamble: str
    rules: tuple[PublishedRule, ...]


def published_rules(doc: str | None = status_rules.__doc__) -> PublishedRules:
    """The rules as claims/status_rules.py documents them, so the page shows the
    code's own text: the paragraph introducing the rules, then one row a rule."""
    rules: list[list[str]] = []
    preamble: list[str] = []
    for paragraph in (doc or "").split("\n\n"):
        lines = paragraph.splitlines()
        if not any(_RULE_LINE.match(line) for line in lines):
            continue
        for line in lines:
            if match := _RULE_LINE.match(line):
                rules.append(list(match.groups()))
            elif rules:
                rules[-1][2] += " " + line.strip()
    for paragraph in (doc or "").split("\n\n"):
        if paragraph.strip().startswith("Rules v"):
            preamble = paragraph.split()
    return PublishedRules(
        version=status_rules.RULES_VERSION,
        preamble=" ".join(preamble),
        rules=tuple(PublishedRule(*rule) for rule in rules),
    )


@register.simple_tag
def status_rules_published() -> PublishedRules:
    return published_rules()


@register.filter
def facet_name(facet: str) -> str:
    label = facet_label(facet)
    return label[:1].upper() + label[1:]


@register.filter
def facet_value(value: str, facet: str) -> str:
    """`{{ e.delivery|facet_value:"delivery" }}` -> 'co-injection with tumor cells'."""
    return value_label(facet, value)


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
