"""schema.org JSON-LD for the pages: what search engines and linked-data
readers take a paper, a claim and the portal's data set from.

Pure functions of what the pages already hold (a paper as the API serializes
it, a claim and its papers), with absolute URLs given; the templates embed the
result with the `ld_json` filter.
"""

from collections.abc import Iterable

from claims.exports.citation_formats import (
    Name,
    date_string,
    expand_pages,
    names,
    shown_title,
)

CONTEXT = "https://schema.org"


def _person(name: Name) -> dict:
    if name.literal:
        return {"@type": "Organization", "name": name.literal}
    full = " ".join(part for part in (name.given, name.family) if part)
    if name.suffix:
        full = f"{full} {name.suffix}"
    person = {"@type": "Person", "familyName": name.family, "name": full}
    if name.given:
        person["givenName"] = name.given
    if name.suffix:
        person["honorificSuffix"] = name.suffix
    return person


def _container(pub: dict) -> dict | str:
    """The journal, its volume and its issue, nested as schema.org has it: an
    issue is part of a volume, which is part of the periodical."""
    part: dict | str = (
        {"@type": "Periodical", "name": pub["journal"]} if pub.get("journal") else ""
    )
    for kind, key, number in (
        ("PublicationVolume", "volume", "volumeNumber"),
        ("PublicationIssue", "issue", "issueNumber"),
    ):
        if pub.get(key):
            part = {"@type": kind, number: pub[key]} | (
                {"isPartOf": part} if part else {}
            )
    return part


def scholarly_article(pub: dict, url: str) -> dict:
    """A paper, at its page's URL, with its PubMed and DOI identities."""
    start, end = expand_pages(pub.get("pages") or "")
    identifiers = [
        {"@type": "PropertyValue", "propertyID": "PMID", "value": str(pub["pmid"])}
    ]
    same_as = [pub["pubmed_url"]] if pub.get("pubmed_url") else []
    if pub.get("doi"):
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "DOI", "value": pub["doi"]}
        )
        same_as.append(f"https://doi.org/{pub['doi']}")
    article: dict = {
        "@context": CONTEXT,
        "@type": "ScholarlyArticle",
        "@id": url,
        "url": url,
        "name": shown_title(pub),
        "headline": shown_title(pub),
        "author": [_person(name) for name in names(pub)],
        "datePublished": date_string(pub, "-"),  # ISO 8601
        "isPartOf": _container(pub),
        "pageStart": start,
        "pageEnd": end,
        "identifier": identifiers,
        "sameAs": same_as,
        "creativeWorkStatus": "Retracted" if pub.get("is_retracted") else "",
    }
    return {key: value for key, value in article.items() if value not in ("", [])}


def claim(
    *,
    statement: str,
    url: str,
    status: str,
    reason: str,
    updated: str,
    papers: Iterable[tuple[str, str]],
) -> dict:
    """A claim, at its page's URL, citing the pages of the papers its evidence
    comes from ((url, title) each), with its computed status."""
    return {
        "@context": CONTEXT,
        "@type": "Claim",
        "@id": url,
        "url": url,
        "text": statement,
        "name": statement,
        "description": f"{status}: {reason}" if reason else status,
        "dateModified": updated,
        "citation": [
            {"@type": "ScholarlyArticle", "@id": paper_url, "name": title}
            for paper_url, title in papers
        ],
    }


def dataset(
    *, name: str, description: str, url: str, updated: str, based_on: dict, csv: str
) -> dict:
    """The portal's curated content as a data set, based on its review."""
    found = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "name": name,
        "description": description,
        "dateModified": updated,
        "isBasedOn": based_on,
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": csv}
        ],
    }
    return {key: value for key, value in found.items() if value not in ("", {})}
