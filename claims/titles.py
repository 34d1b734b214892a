"""Comparing a paper's text with what a curator checked: titles and quotes."""

import difflib
import re

from claims.models import Publication

TITLE_SIMILARITY_MIN = 0.9


def normalised(text: str) -> str:
    """Casefolded words, punctuation and runs of whitespace dropped."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def titles_match(checked: str, pubmed: str) -> bool:
    """Whether two titles are the same paper's, ignoring case and punctuation."""
    ratio = difflib.SequenceMatcher(None, normalised(checked), normalised(pubmed))
    return ratio.ratio() >= TITLE_SIMILARITY_MIN


def publication_check_title(publication: Publication) -> None:
    """Confirm a paper whose PubMed record is in hand, unless its title differs
    from the one a curator checked: then it is a wrong PMID, often. Unsaved."""
    checked = publication.curated_title
    if not checked or titles_match(checked, publication.title):
        publication.verification = Publication.Verification.VERIFIED
        return
    publication.verification = Publication.Verification.MISMATCH
    publication.needs_review = True
    publication.review_note = (
        f"PubMed's title differs from the checked title '{checked}'; is the PMID right?"
    )


def publication_set_checked_title(publication: Publication, title: str) -> list[str]:
    """Set the title a curator checked; once PubMed's record is here, hold it
    against it at once. Unsaved; returns the fields that may have changed."""
    if publication.curated_title == title:
        return []
    publication.curated_title = title
    if publication.fetched_at is None:
        return ["curated_title"]
    publication_check_title(publication)
    return ["curated_title", "verification", "needs_review", "review_note"]
