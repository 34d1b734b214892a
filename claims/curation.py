"""Curation services: who may change what, and the moderation workflow.

Evidence: draft -> submitted -> accepted | rejected. Curators create and edit
their own drafts and submit them; editors may edit anything and accept or reject
submitted evidence with a reason, never their own (four eyes, unless the
CURATION_FOUR_EYES setting is off). Only accepted evidence counts toward a
claim's status. Editors also add and change claims; curators and editors change
what curators own on a paper. Every interface (admin, API, history revert) goes
through these functions, so the rules hold identically everywhere, and each
recomputes the verdicts its change may move; each raises PermissionDenied or
ValidationError.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from claims.facets import (
    CONTEXT_FACETS,
    SEPARATING_FACETS,
    TERM_FACETS,
    not_reported_problems,
)
from claims.literature.tasks import publications_add
from claims.models import (
    Claim,
    ClaimAlias,
    Evidence,
    EvidenceQuerySet,
    Publication,
    Term,
)
from claims.services import claims_recompute_status, evidence_save
from claims.titles import normalised, publication_set_checked_title

CURATOR_GROUP = "Curator"
EDITOR_GROUP = "Editor"
MODERATE_PERMISSION = "claims.moderate_evidence"
EDITABLE_FIELDS = frozenset(
    {
        "claim",
        "publication",
        "stance",
        "effect",
        # Level is one of them; cancer type is held by its many-to-many field.
        *(TERM_FACETS.get(f, f) for f in SEPARATING_FACETS),
        "msc_tumor_ratio",
        "finding",
        "quote",
        "not_reported",
        "rating",
    }
)
# What an editor writes on a claim; its verdict is the rules', never written here.
CLAIM_FIELDS = frozenset({"topic", "slug", "statement", "setting", "kind", "position"})
# What curators own on a paper; PubMed owns the rest (claims.models.PUBMED_FIELDS).
PUBLICATION_FIELDS = frozenset({"curated_title", "needs_review", "review_note"})


class QuoteStatus:
    VERIFIED = "verified"
    NOT_FOUND = "not_found"
    UNVERIFIABLE = "unverifiable"
    NONE = "none"


def is_editor(user: User) -> bool:
    return user.is_active and user.has_perm(MODERATE_PERMISSION)


def can_edit(user: User, evidence: Evidence) -> bool:
    """Editors edit anything; a curator edits only their own unsubmitted drafts."""
    if is_editor(user):
        return True
    own = evidence.created_by_id == user.pk
    return (
        user.has_perm("claims.change_evidence")
        and own
        and evidence.status == Evidence.Status.DRAFT
    )


def quote_status(*, quote: str, abstract: str) -> str:
    """Whether a quote is in the abstract, ignoring whitespace, case, punctuation."""
    if not quote.strip():
        return QuoteStatus.NONE
    if not abstract.strip():
        return QuoteStatus.UNVERIFIABLE
    found = normalised(quote) in normalised(abstract)
    return QuoteStatus.VERIFIED if found else QuoteStatus.NOT_FOUND


def evidence_duplicates(
    *,
    claim: Claim,
    publication: Publication,
    stance: str,
    exclude_pk: int | None = None,
) -> EvidenceQuerySet:
    """Evidence already recorded for the same claim, paper and stance: the
    possible duplicates a curator is warned of. They include every exact
    duplicate, which the evidence_no_exact_duplicate constraint refuses: the
    same stance, effect, level and single-valued context (cancer types do not
    tell records apart; one record lists them all)."""
    same = Evidence.objects.filter(claim=claim, publication=publication, stance=stance)
    return same.exclude(pk=exclude_pk) if exclude_pk else same


def _check_fields(
    fields: dict[str, Any], editable: frozenset[str] = EDITABLE_FIELDS
) -> None:
    unknown = set(fields) - editable
    if unknown:
        raise ValidationError(f"Not editable here: {', '.join(sorted(unknown))}.")


def _save(record: Claim | Publication, by: User, reason: str) -> None:
    record.full_clean()
    record._change_reason = reason
    record._history_user = by
    record.save()


def _save_evidence(
    evidence: Evidence,
    by: User,
    reason: str,
    cancer_types: Iterable[Term] | None = None,
) -> None:
    """Save a record and, when given, its cancer types, as one version."""
    evidence.full_clean()
    if cancer_types is not None:
        cancer_types = list(cancer_types)
        if any(term.vocabulary != Term.Vocabulary.CANCER_TYPE for term in cancer_types):
            raise ValidationError({"cancer_types": "Only cancer-type terms."})
    given: dict[str, object] = {n: evidence.facet_value(n) for n in CONTEXT_FACETS}
    if cancer_types is not None:
        given["cancer_type"] = cancer_types
    if problems := not_reported_problems(evidence.not_reported, given):
        raise ValidationError({"not_reported": problems})
    evidence._change_reason = reason
    evidence._history_user = by
    evidence_save(evidence=evidence, cancer_types=cancer_types)


def _check_four_eyes(evidence: Evidence, by: User) -> None:
    """An editor never reviews their own work: another pair of eyes does."""
    own = by.pk in (evidence.created_by_id, evidence.submitted_by_id)
    if own and settings.CURATION_FOUR_EYES:
        raise PermissionDenied(
            "Four eyes: you created or submitted this evidence, so another editor "
            "must accept or reject it."
        )


@transaction.atomic
def evidence_create(*, by: User, reason: str = "", **fields: Any) -> Evidence:
    """Record new evidence as a draft owned by its curator."""
    if not by.has_perm("claims.add_evidence"):
        raise PermissionDenied("Only curators and editors may record evidence.")
    _check_fields(fields)
    cancer_types = fields.pop("cancer_types", ())
    evidence = Evidence(**fields, created_by=by, status=Evidence.Status.DRAFT)
    _save_evidence(evidence, by, reason or "Created", cancer_types)
    return evidence


@transaction.atomic
def evidence_update(
    *, evidence: Evidence, by: User, reason: str = "", **fields: Any
) -> Evidence:
    """Change evidence fields; a curator only on their own drafts."""
    if not can_edit(by, evidence):
        raise PermissionDenied("You may edit only your own drafts.")
    _check_fields(fields)
    previous_claim = evidence.claim_id
    cancer_types = fields.pop("cancer_types", None)
    for name, value in fields.items():
        setattr(evidence, name, value)
    _save_evidence(evidence, by, reason or "Edited", cancer_types)
    if evidence.status == Evidence.Status.ACCEPTED:
        claims_recompute_status(claim_ids={previous_claim, evidence.claim_id})
    return evidence


# The review workflow: each status a record may be moved to, and from which.
MOVES_FROM: dict[str, set[str]] = {
    Evidence.Status.SUBMITTED: {Evidence.Status.DRAFT, Evidence.Status.REJECTED},
    Evidence.Status.ACCEPTED: {Evidence.Status.SUBMITTED},
    Evidence.Status.REJECTED: {Evidence.Status.SUBMITTED, Evidence.Status.ACCEPTED},
}


def _transition(evidence: Evidence, *, by: User, to: str, reason: str) -> Evidence:
    if evidence.status not in MOVES_FROM[to]:
        raise ValidationError(
            f"Evidence that is {evidence.get_status_display().lower()} cannot become "
            f"{Evidence.Status(to).label.lower()}."
        )
    evidence.status = to
    evidence._change_reason = reason
    evidence._history_user = by
    evidence.save()
    claims_recompute_status(claim_ids=[evidence.claim_id])
    return evidence


@transaction.atomic
def evidence_submit(*, evidence: Evidence, by: User) -> Evidence:
    """Send a draft to the editors for review."""
    if not (is_editor(by) or evidence.created_by_id == by.pk):
        raise PermissionDenied("Only the evidence's curator or an editor may submit.")
    evidence.submitted_by = by
    return _transition(
        evidence, by=by, to=Evidence.Status.SUBMITTED, reason="Submitted for review"
    )


@transaction.atomic
def evidence_accept(*, evidence: Evidence, by: User, reason: str = "") -> Evidence:
    """Accept submitted evidence; it starts counting toward its claim's status."""
    return _review(evidence, by=by, to=Evidence.Status.ACCEPTED, reason=reason)


@transaction.atomic
def evidence_reject(*, evidence: Evidence, by: User, reason: str) -> Evidence:
    """Reject submitted evidence with the editor's reason; it never counts."""
    return _review(evidence, by=by, to=Evidence.Status.REJECTED, reason=reason)


def _review(evidence: Evidence, *, by: User, to: str, reason: str) -> Evidence:
    """An editor's decision on someone else's record, with its reason."""
    label = Evidence.Status(to).label  # "Accepted", "Rejected"
    if not is_editor(by):
        verb = label.lower().removesuffix("ed")
        raise PermissionDenied(f"Only editors may {verb} evidence.")
    _check_four_eyes(evidence, by)
    if to == Evidence.Status.REJECTED and not reason.strip():
        raise ValidationError({"reason": "Say why the evidence is rejected."})
    evidence.reviewed_by = by
    evidence.review_reason = reason
    return _transition(
        evidence, by=by, to=to, reason=f"{label}: {reason}" if reason else label
    )


@transaction.atomic
def evidence_delete(*, evidence: Iterable[Evidence], by: User) -> int:
    """Delete evidence (editors only) and recompute the statuses it counted in."""
    if not is_editor(by):
        raise PermissionDenied("Only editors may delete evidence.")
    records = list(evidence)
    claim_ids = {record.claim_id for record in records}
    for record in records:
        record.delete()  # one by one, so history records who deleted what
    claims_recompute_status(claim_ids=claim_ids)
    return len(records)


@transaction.atomic
def claim_create(*, by: User, reason: str = "", **fields: Any) -> Claim:
    """Add a claim (editors); its verdict is computed at once."""
    if not by.has_perm("claims.add_claim"):
        raise PermissionDenied("Only editors may add claims.")
    _check_fields(fields, CLAIM_FIELDS)
    return _claim_save(Claim(**fields), by, reason or "Created")


@transaction.atomic
def claim_update(*, claim: Claim, by: User, reason: str = "", **fields: Any) -> Claim:
    """Change a claim (editors) and recompute its verdict: its kind decides how
    its evidence counts."""
    if not by.has_perm("claims.change_claim"):
        raise PermissionDenied("Only editors may change claims.")
    _check_fields(fields, CLAIM_FIELDS)
    for name, value in fields.items():
        setattr(claim, name, value)
    return _claim_save(claim, by, reason or "Edited")


def _claim_save(claim: Claim, by: User, reason: str) -> Claim:
    """Save a claim as one version and store the verdict its kind now gives."""
    alias = ClaimAlias.objects.filter(slug=claim.slug).first()
    if alias is not None:
        raise ValidationError(
            {"slug": f"'{claim.slug}' is a former slug of '{alias.claim.slug}'."}
        )
    _save(claim, by, reason)
    claims_recompute_status(claim_ids=[claim.pk])
    claim.refresh_from_db()
    return claim


@transaction.atomic
def publication_update(
    *, publication: Publication, by: User, reason: str = "", **fields: Any
) -> Publication:
    """Change what curators own on a paper; a new checked title is held against
    PubMed's record at once, and the claims whose evidence it holds follow."""
    if not by.has_perm("claims.change_publication"):
        raise PermissionDenied("Only curators and editors may change papers.")
    _check_fields(fields, PUBLICATION_FIELDS)
    title = fields.pop("curated_title", publication.curated_title)
    for name, value in fields.items():
        setattr(publication, name, value)
    publication_set_checked_title(publication, title)
    _save(publication, by, reason or "Edited")
    claims = publication.evidence.values_list("claim_id", flat=True)
    claims_recompute_status(claim_ids=list(claims))
    return publication


@transaction.atomic
def publication_correct_pmid(
    *, publication: Publication, pmid: int, by: User
) -> Publication:
    """Move a paper's evidence to the paper of the right PMID (editors), each
    record flagged for re-review; the wrong paper is kept, with its history."""
    if not is_editor(by):
        raise PermissionDenied("Only editors may correct a PMID.")
    if pmid == publication.pmid:
        raise ValidationError({"pmid": "That is the paper's PMID already."})
    (correct,) = publications_add(pmids=[pmid])
    reason = f"PMID corrected from {publication.pmid} to {correct.pmid}"
    for evidence in publication.evidence.order_by("pk"):
        evidence.needs_rereview, evidence.rereview_reason = True, reason
        evidence_update(evidence=evidence, by=by, reason=reason, publication=correct)
    return correct
