"""List each claim's status under rules v1 and under the current rules."""

from dataclasses import replace

from django.conf import settings
from django.core.management.base import BaseCommand

from claims import status_rules_v1
from claims.labels import reason_label
from claims.models import Claim, Evidence
from claims.review_file import read_review_file
from claims.selectors import evidence_facts
from claims.status_rules import compute_status


def v1_status(evidence: list[Evidence]) -> str:
    """What the frozen rules v1 gave a claim with this accepted evidence."""
    facts = [
        status_rules_v1.EvidenceFacts(
            pmid=e.publication.pmid,
            stance=e.stance,
            level=e.level,
            retracted=e.publication.is_retracted,
            context={f: _v1_value(e, f) for f in status_rules_v1.SEPARATING_FACETS},
        )
        for e in evidence
    ]
    return status_rules_v1.compute_status(facts).status.label


def _v1_value(evidence: Evidence, facet: str) -> str:
    """A facet's value as rules v1 read it: one string, a record's cancer types
    joined as the free text they replaced was."""
    value = evidence.facet_value(facet)
    return value if isinstance(value, str) else ", ".join(value)


def candidate_pmids() -> set[int]:
    """The PMIDs seen only on third-party pages: the papers the review file marks
    `verified: false`."""
    data = read_review_file(settings.REVIEW_DATA_FILE)
    return {paper.pmid for paper in data.publications if not paper.verified}


class Command(BaseCommand):
    help = (
        "A table of every claim's status under rules v1, under the current rules "
        "now, once PubMed confirms the checked papers (candidates still waiting), "
        "and once it confirms every paper."
    )

    def handle(self, *args, **options):
        claims = Claim.objects.prefetch_related(
            "evidence__publication", "evidence__cancer_types"
        )
        self.stdout.write(
            "claim\tv1\tv2 now\tv2 checked confirmed\tv2 all confirmed\trule\t"
            "reason (checked confirmed)"
        )
        candidates, moved = candidate_pmids(), 0
        for claim in claims.order_by("topic__position", "position"):
            accepted = [
                e for e in claim.evidence.all() if e.status == Evidence.Status.ACCEPTED
            ]
            facts = [evidence_facts(e) for e in accepted]
            now = compute_status(facts, kind=claim.kind, label=reason_label)
            checked = compute_status(
                [f if f.pmid in candidates else replace(f, paper="") for f in facts],
                kind=claim.kind,
                label=reason_label,
            )
            every = compute_status(
                [replace(f, paper="") for f in facts],
                kind=claim.kind,
                label=reason_label,
            )
            old = v1_status(accepted)
            moved += old != checked.status.label
            self.stdout.write(
                f"{claim.slug}\t{old}\t{now.status.label}\t{checked.status.label}\t"
                f"{every.status.label}\t{checked.rule}\t{checked.reason}"
            )
        self.stdout.write(
            f"{moved} of {claims.count()} claims move from v1 once PubMed confirms "
            "the checked papers."
        )
