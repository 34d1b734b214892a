"""The invariant, over every door: a claim's stored verdict is what the rules give
its evidence now, whatever changed the evidence and in whatever order.

Hypothesis drives random sequences of operations through the admin (forms,
list actions, deletes, history revert), the API, the review loader, PubMed
refreshes (confirming, contradicting, retracting, renaming, losing a paper) and
checks `claims_drift()` after every step. Each sequence runs in a savepoint of
its own, rolled back afterwards, so every sequence starts from the same world.
"""

import contextlib
import datetime as dt
import itertools
from pathlib import Path

import pytest
import yaml
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from rest_framework.test import APIClient

from claims.curation import CURATOR_GROUP, EDITOR_GROUP
from claims.literature import citations
from claims.models import Claim, Evidence, Publication, Review, Topic
from claims.review_file import read_review_file
from claims.selectors import claims_drift
from claims.services import claims_recompute_status, review_load
from claims.status_rules import ClaimKind
from tests.admin_forms import post_form
from tests.api.conftest import UNLIMITED
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    PublicationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

USERS = {
    "curator": [CURATOR_GROUP],
    "curator2": [CURATOR_GROUP],
    "editor": [EDITOR_GROUP],
    "editor2": [EDITOR_GROUP],
}
PMIDS = (31000001, 31000002, 31000003, 31000004)
TITLES = ("MSC enlarge xenografts", "MSC shrink gliomas", "A different paper")
KINDS = st.sampled_from(ClaimKind.values)
STANCES = st.sampled_from(Evidence.Stance.values)
LEVELS = st.sampled_from(["animal", "in_vitro", "clinical", "review"])
DELIVERIES = st.sampled_from(["", "co_injection", "systemic"])
FETCHED = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
PICK = st.integers(min_value=0, max_value=99)  # an index into what exists now
user_names = st.sampled_from(sorted(USERS))
editors = st.sampled_from(["editor", "editor2"])


def nth(queryset, index: int):
    """The index-th record (modulo their number), or None when there are none."""
    records = list(queryset.order_by("pk"))
    return records[index % len(records)] if records else None


def build_world() -> None:
    """Claims of each kind, confirmed and pending papers, accepted evidence."""
    topic = TopicFactory(slug="doors")
    claims = [
        ClaimFactory(topic=topic, slug=f"claim-{kind}", kind=kind)
        for kind in ClaimKind.values[:3]
    ]
    for pmid, title in zip(PMIDS, itertools.cycle(TITLES[:2]), strict=False):
        PublicationFactory(
            pmid=pmid, title=title, curated_title=title, fetched_at=FETCHED
        )
    PublicationFactory(
        pmid=31000009, metadata_state="pending", verification="unverified"
    )
    for claim, stance in zip(claims, ["supports", "refutes", "supports"], strict=True):
        for pmid in PMIDS[:2]:
            EvidenceFactory(
                claim=claim,
                publication=Publication.objects.get(pmid=pmid),
                stance=stance,
            )
    claims_recompute_status()


class Doors(RuleBasedStateMachine):
    """One world, and every door that can change what a verdict rests on."""

    tmp: Path  # set by the test

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        build_world()
        self.users = {
            name: UserFactory(username=name, is_staff=True, groups=groups)
            for name, groups in USERS.items()
        }
        self.users["admin"] = UserFactory(
            username="admin", is_staff=True, is_superuser=True
        )
        self.hashes = itertools.count()
        self.clients: dict[str, Client] = {}

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    def admin(self, name: str) -> Client:
        if name not in self.clients:
            self.clients[name] = Client()
            self.clients[name].force_login(self.users[name])
        return self.clients[name]

    def api(self, name: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(self.users[name])
        return client

    @invariant()
    def stored_verdicts_are_the_rules(self):
        drifted = {claim.slug: diff for claim, diff in claims_drift()}
        assert drifted == {}

    # -- the admin ---------------------------------------------------------------

    @rule(who=st.sampled_from(["curator", "curator2"]), claim=PICK, paper=PICK)
    def admin_adds_evidence(self, who, claim, paper):
        claim, paper = nth(Claim.objects, claim), nth(Publication.objects, paper)
        if claim is None:
            return
        post_form(
            self.admin(who),
            reverse("admin:claims_evidence_add"),
            claim=claim.pk,
            publication=paper.pk,
            stance="supports",
            effect="pro_tumor",
            level="animal",
            rating=4,
            finding="Co-injected MSC enlarged the tumors.",
        )

    @rule(
        who=user_names,
        record=PICK,
        claim=PICK,
        paper=PICK,
        stance=STANCES,
        level=LEVELS,
        delivery=DELIVERIES,
        rating=st.integers(1, 5),
    )
    def admin_edits_evidence(self, who, record, claim, paper, **changes):
        evidence = nth(Evidence.objects, record)
        if evidence is None:
            return
        url = reverse("admin:claims_evidence_change", args=[evidence.pk])
        changes["claim"] = nth(Claim.objects, claim).pk
        changes["publication"] = nth(Publication.objects, paper).pk
        post_form(self.admin(who), url, **changes)

    @rule(
        who=user_names,
        record=PICK,
        transition=st.sampled_from(["submit", "accept", "reject"]),
    )
    def admin_moderates(self, who, record, transition):
        evidence = nth(Evidence.objects, record)
        if evidence is None:
            return
        url = reverse("admin:claims_evidence_moderate", args=[evidence.pk, transition])
        self.admin(who).post(url, {"reason": "Checked the figures."})

    @rule(
        who=user_names,
        action=st.sampled_from(
            ["submit_selected", "accept_selected", "delete_selected"]
        ),
        records=st.lists(PICK, min_size=1, max_size=3),
    )
    def admin_acts_on_a_selection(self, who, action, records):
        selected = {nth(Evidence.objects, i) for i in records} - {None}
        self.admin(who).post(
            reverse("admin:claims_evidence_changelist"),
            {
                "action": action,
                "_selected_action": [e.pk for e in selected],
                "post": "yes",
            },
        )

    @rule(who=editors, record=PICK)
    def admin_deletes_evidence(self, who, record):
        evidence = nth(Evidence.objects, record)
        if evidence is not None:
            url = reverse("admin:claims_evidence_delete", args=[evidence.pk])
            self.admin(who).post(url, {"post": "yes"})

    @rule(
        who=st.sampled_from([*USERS, "admin"]),
        model=st.sampled_from([Evidence, Claim, Publication]),
        record=PICK,
        version=PICK,
    )
    def admin_reverts_to_a_past_version(self, who, model, record, version):
        record = nth(model.objects, record)
        if record is None:
            return
        past = nth(record.history, version)
        name = f"admin:claims_{model._meta.model_name}_simple_history"
        url = reverse(name, args=[record.pk, past.history_id])
        post_form(self.admin(who), url)

    @rule(who=editors, record=PICK, kind=KINDS, setting=st.sampled_from(["both", ""]))
    def admin_edits_a_claim(self, who, record, kind, setting):
        claim = nth(Claim.objects, record)
        if claim is None:
            return
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        changes = {"kind": kind} | ({"setting": setting} if setting else {})
        post_form(self.admin(who), url, **changes)

    @rule(who=editors, kind=KINDS)
    def admin_adds_a_claim(self, who, kind):
        post_form(
            self.admin(who),
            reverse("admin:claims_claim_add"),
            topic=Topic.objects.get(slug="doors").pk,
            slug=f"added-{next(self.hashes)}",
            statement="MSC home to tumors.",
            setting="primary_tumor",
            kind=kind,
            position=9,
        )

    @rule(model=st.sampled_from([Claim, Publication]), record=PICK)
    def admin_deletes_a_claim_or_paper(self, model, record):
        record = nth(model.objects, record)
        if record is not None:
            name = f"admin:claims_{model._meta.model_name}_delete"
            self.admin("admin").post(reverse(name, args=[record.pk]), {"post": "yes"})

    @rule(who=user_names, record=PICK, title=st.sampled_from(TITLES))
    def admin_checks_a_papers_title(self, who, record, title):
        paper = nth(Publication.objects, record)
        url = reverse("admin:claims_publication_change", args=[paper.pk])
        post_form(self.admin(who), url, curated_title=title)

    # -- the API -------------------------------------------------------------------

    @rule(who=user_names, claim=PICK, paper=PICK, stance=STANCES, level=LEVELS)
    def api_records_evidence(self, who, claim, paper, stance, level):
        claim = nth(Claim.objects, claim)
        if claim is None:
            return
        body = {
            "claim": claim.slug,
            "publication": nth(Publication.objects, paper).pmid,
            "stance": stance,
            "effect": "pro_tumor",
            "level": level,
            "finding": "MSC changed tumor growth.",
            "rating": 4,
        }
        self.api(who).post("/api/v1/evidence/", body, format="json")

    @rule(
        who=user_names,
        record=PICK,
        claim=PICK,
        paper=PICK,
        stance=STANCES,
        rating=st.integers(1, 5),
        fields=st.sets(st.sampled_from(["claim", "publication", "stance", "rating"])),
    )
    def api_edits_evidence(self, who, record, claim, paper, stance, rating, fields):
        evidence = nth(Evidence.objects, record)
        if evidence is None or not Claim.objects.exists():
            return
        body = {
            "claim": nth(Claim.objects, claim).slug,
            "publication": nth(Publication.objects, paper).pmid,
            "stance": stance,
            "rating": rating,
        }
        body = {k: v for k, v in body.items() if k in fields}
        self.api(who).patch(f"/api/v1/evidence/{evidence.pk}/", body, format="json")

    @rule(
        who=user_names,
        record=PICK,
        transition=st.sampled_from(["submit", "accept", "reject"]),
    )
    def api_moderates(self, who, record, transition):
        evidence = nth(Evidence.objects, record)
        if evidence is not None:
            url = f"/api/v1/evidence/{evidence.pk}/{transition}/"
            self.api(who).post(url, {"reason": "Wrong paper."}, format="json")

    # -- the loader and PubMed ---------------------------------------------------------

    @rule(
        claims=st.lists(
            st.tuples(st.sampled_from(["claim-empirical", "claim-new"]), KINDS),
            min_size=1,
            max_size=2,
            unique_by=lambda c: c[0],
        ),
        evidence=st.lists(
            st.tuples(st.sampled_from(PMIDS), STANCES, LEVELS), min_size=1, max_size=3
        ),
        title=st.sampled_from(TITLES),
    )
    def the_review_file_is_loaded(self, claims, evidence, title):
        path = self.tmp / "review.yaml"
        path.write_text(yaml.safe_dump(review_file(claims, evidence, title)))
        # A file repeating a record the database holds is refused as a whole.
        with contextlib.suppress(IntegrityError):
            review_load(data=read_review_file(path))

    @rule(
        papers=st.lists(st.sampled_from([*PMIDS, 31000009]), min_size=1, max_size=3),
        title=st.sampled_from(TITLES),
        author=st.sampled_from(["Zhu", "Karnoub"]),
        retracted=st.booleans(),
        missing=st.booleans(),
    )
    def pubmed_is_refreshed(self, papers, title, author, retracted, missing):
        pmids = sorted(set(papers))
        returned = pmids[:-1] if missing else pmids
        fields = {"title": title, "first_author": author, "is_retracted": retracted}
        payloads = [
            {"pmid": pmid, "hash": f"h{next(self.hashes)}", "fields": fields}
            for pmid in returned
        ]
        citations.refresh_apply(pmids=pmids, payloads=payloads)


def review_file(claims, evidence, title) -> dict:
    """A small review data file: the world's topic, some claims, some evidence."""
    papers = [
        {"pmid": p, "title": title, "first_author": "Zhu", "journal": "J", "year": 2006}
        for p in PMIDS
    ]
    entries = [
        {
            "slug": slug,
            "statement": "MSC promote tumor growth.",
            "setting": "primary_tumor",
            "kind": kind,
            "evidence": [
                {
                    "key": f"{slug}-{n}",
                    "pmid": pmid,
                    "stance": stance,
                    "effect": "pro_tumor",
                    "level": level,
                    "finding": "MSC changed tumor growth.",
                    "rating": 4,
                }
                for n, (pmid, stance, level) in enumerate(evidence)
            ],
        }
        for slug, kind in claims
    ]
    review = Review.objects.select_related("publication").get()
    return {
        "format": 1,
        "review": {
            "pmid": review.publication.pmid,
            "slug": review.slug,
            "title": "The review",
            "first_author": "Bergfeld",
            "journal": "Cancer Metastasis Rev",
            "year": 2010,
        },
        "publications": papers,
        "topics": [{"slug": "doors", "name": "Doors", "claims": entries}],
    }


def test_every_door_keeps_stored_verdicts_equal_to_the_rules(unthrottled, tmp_path):
    Doors.tmp = tmp_path
    run = settings(
        max_examples=25,
        stateful_step_count=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    run_state_machine_as_test(Doors, settings=run)


@pytest.fixture
def unthrottled(settings):
    """Requests without throttling: a run sends hundreds in a minute."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": UNLIMITED,
    }
    return settings
