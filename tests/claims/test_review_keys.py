"""The review file's keys quote, not_reported (evidence) and formerly (claims),
from the file through load_review to the admin, the API, the CSV and the pages."""

import copy
import csv
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims import curation
from claims.models import Claim, ClaimAlias, Evidence
from claims.review_file import ReviewFileError, read_review_file
from claims.services import _source_hash
from tests.api.conftest import client_for
from tests.api.test_writes import payload
from tests.claims.test_admin_curation import add_evidence, login
from tests.claims.test_load_review import MINIMAL, load, write
from tests.factories import ClaimFactory, PublicationFactory, UserFactory

pytestmark = pytest.mark.django_db

GROWTH, T_CELLS = "msc-promote-growth", "msc-suppress-t-cells"


def with_keys(**changes) -> dict:
    """The minimal file with keys set on its Zhu 2006 record ("evidence") or
    its claims ("growth", "t_cells")."""
    data = copy.deepcopy(MINIMAL)
    growth, t_cells = data["topics"][0]["claims"]
    growth["evidence"][0].update(changes.get("evidence", {}))
    growth.update(changes.get("growth", {}))
    t_cells.update(changes.get("t_cells", {}))
    return data


def zhu() -> Evidence:
    return Evidence.objects.get(source_key="zhu2006-growth")


# -- the file ---------------------------------------------------------------------

# The hashes the records of MINIMAL were loaded with before the keys existed.
HASHES_BEFORE_THE_KEYS = {
    "zhu2006-growth": (
        "d7563aa253c8edd7c23209fa5e64c60573897d0b2895aa82d346c9dfe3d50e92"
    ),
    "khakoo2006-growth": (
        "29145fd966da6be4fdbb759a0954e7e265009cab3f8e6aa41e2fd30008b0d76f"
    ),
    "dinicola2002-t-cells": (
        "b27dd13b7ab4eedf954e3babe0c57ea4c98d1c30b3da514c2cf9fd688cde0bb0"
    ),
    GROWTH: "ccbc0371f0aa2f072cf41893ab0994c47e92095e26462a711a08979f737f30c7",
    T_CELLS: "641f55504b61508e43a92dcc589eb6c59c7dd69ce8baa0257b555f3442d44173",
}


def hashes(data: dict, tmp_path) -> dict[str, str]:
    read = read_review_file(write(tmp_path, data))
    found = {claim.slug: claim.source_hash for claim in read.claims}
    return found | {record.key: record.source_hash for _, record in read.evidence}


def test_records_without_the_new_keys_keep_the_hashes_they_were_loaded_with(
    tmp_path,
):
    assert hashes(MINIMAL, tmp_path) == HASHES_BEFORE_THE_KEYS


def test_an_empty_not_reported_list_keeps_the_hash_and_a_quote_changes_it(tmp_path):
    empty = hashes(with_keys(evidence={"not_reported": []}), tmp_path)
    quoted = hashes(with_keys(evidence={"quote": "MSC enlarged tumors."}), tmp_path)

    assert empty == HASHES_BEFORE_THE_KEYS
    assert quoted["zhu2006-growth"] != HASHES_BEFORE_THE_KEYS["zhu2006-growth"]
    assert quoted["khakoo2006-growth"] == HASHES_BEFORE_THE_KEYS["khakoo2006-growth"]


def test_a_database_loaded_before_the_keys_holds_the_fingerprints_loaded_now(
    tmp_path,
):
    load(tmp_path, with_keys(evidence={"not_reported": []}))

    # What an older load stored: the old hash, with the record's claim.
    stored = zhu().source_hash
    assert stored == _source_hash(HASHES_BEFORE_THE_KEYS["zhu2006-growth"], GROWTH)
    assert sum(load(tmp_path).updated.values()) == 0


def test_the_file_accepts_the_three_keys(tmp_path):
    data = with_keys(
        evidence={"quote": "MSC enlarged tumors.", "not_reported": ["species"]},
        growth={"formerly": ["msc-drive-growth"]},
    )

    read = read_review_file(write(tmp_path, data))

    (growth, _) = read.claims
    record = growth.evidence[0]
    assert (record.quote, record.not_reported) == ("MSC enlarged tumors.", ("species",))
    assert growth.formerly == ("msc-drive-growth",)


def test_a_folded_quote_is_one_line(tmp_path):
    path = write(tmp_path, with_keys(evidence={"quote": "PLACEHOLDER"}))
    text = re.sub(
        r"( +)quote: PLACEHOLDER",
        r"\1quote: >-\n\1  Co-injected MSC\n\1  enlarged tumors.",
        path.read_text(),
    )
    path.write_text(text)

    (_, record), *_ = read_review_file(path).evidence

    assert record.quote == "Co-injected MSC enlarged tumors."


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"evidence": {"quote": 12}}, r"'quote' must be non-empty text"),
        ({"evidence": {"quote": " "}}, r"'quote' must be non-empty text"),
        ({"evidence": {"quote": "One line.\nAnother."}}, r"'quote' must be one line"),
        (
            {"evidence": {"quote": "word " * 120 + "end."}},
            r"'quote' is 604 characters long; at most 600",
        ),
        ({"evidence": {"not_reported": "species"}}, r"not_reported: Must be a list"),
        (
            {"evidence": {"not_reported": ["colour"]}},
            r"not_reported: 'colour' is not a context facet; one of msc_source,",
        ),
        (
            {"evidence": {"not_reported": ["stance"]}},
            r"'stance' is not a context facet",
        ),
        (
            {"evidence": {"not_reported": ["delivery"]}},
            r"delivery has a value, so it is reported",
        ),
        (
            {
                "evidence": {
                    "cancer_types": ["melanoma"],
                    "not_reported": ["cancer_type"],
                }
            },
            r"cancer_type has a value, so it is reported",
        ),
        (
            {"evidence": {"not_reported": ["species", "species"]}},
            r"A facet is listed twice",
        ),
        ({"growth": {"formerly": "old-slug"}}, r"'formerly' must be a list of slugs"),
        ({"growth": {"formerly": ["Old Slug"]}}, r"formerly 'Old Slug' must be lower"),
        (
            {"growth": {"formerly": ["x" * 121]}},
            r"'slug' is 121 characters long; at most 120",
        ),
        (
            {"growth": {"formerly": [T_CELLS]}},
            r"formerly 'msc-suppress-t-cells' is the slug of a claim in the file",
        ),
        (
            {"growth": {"formerly": [GROWTH]}},
            r"formerly 'msc-promote-growth' is the slug of a claim in the file",
        ),
        (
            {"growth": {"formerly": ["old"]}, "t_cells": {"formerly": ["old"]}},
            r"formerly 'old' is listed twice",
        ),
    ],
)
def test_a_bad_key_names_the_file_and_the_line_of_its_record(
    tmp_path, changes, message
):
    data = with_keys(**changes)
    path = write(tmp_path, data)

    with pytest.raises(ReviewFileError, match=message) as error:
        read_review_file(path)

    where, line, _ = str(error.value).split(":", 2)
    assert where == str(path)
    lines = path.read_text().splitlines()
    # The line named starts the record (or claim) the bad key is in.
    assert re.match(r"\s*- (key|slug): ", lines[int(line) - 1])


# -- quote and not_reported, loaded and served --------------------------------------

QUOTED = {
    "evidence": {"quote": "MSC enlarged tumors.", "not_reported": ["species", "model"]}
}


def test_quote_and_not_reported_load_and_a_change_in_the_file_updates_them(tmp_path):
    load(tmp_path, with_keys(**QUOTED))
    assert (zhu().quote, zhu().not_reported) == (
        "MSC enlarged tumors.",
        ["species", "model"],
    )

    changed = with_keys(evidence={"quote": "Tumors grew.", "not_reported": []})
    report = load(tmp_path, changed)

    assert (zhu().quote, zhu().not_reported) == ("Tumors grew.", [])
    assert report.updated["evidence"] == 1
    assert zhu().history.first().not_reported == []
    assert zhu().history.all()[1].not_reported == ["species", "model"]


def test_quote_and_not_reported_are_served_by_the_api_and_the_csv(tmp_path, client):
    load(tmp_path, with_keys(**QUOTED))

    body = client.get(f"/api/v1/evidence/{zhu().pk}/").json()
    claim = client.get(f"/api/v1/claims/{GROWTH}/").json()
    streamed = client.get("/api/v1/evidence/?format=csv").streaming_content
    text = b"".join(streamed).decode()

    assert (body["quote"], body["not_reported"]) == (
        "MSC enlarged tumors.",
        ["species", "model"],
    )
    (nested,) = [e for e in claim["evidence"] if e["id"] == zhu().pk]
    assert nested["not_reported"] == ["species", "model"]
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows[str(zhu().pk)]["not_reported"] == "species; model"
    assert rows[str(zhu().pk)]["quote"] == "MSC enlarged tumors."


def test_the_claim_page_says_which_facets_the_abstract_does_not_report(
    tmp_path, client
):
    load(tmp_path, with_keys(**QUOTED))

    page = client.get(f"/claims/{GROWTH}/").content.decode()

    assert "Species: not reported" in page
    assert "Experimental model: not reported" in page
    assert page.count(": not reported") == 2


# -- not_reported at the admin and the API ------------------------------------------


@pytest.fixture
def paper():
    return PublicationFactory(pmid=16214129, abstract="MSC enhanced tumor growth.")


def test_the_admin_form_saves_not_reported(client, paper):
    login(client, curation.CURATOR_GROUP)

    add_evidence(client, ClaimFactory(), paper, not_reported=["species", "delivery"])

    assert Evidence.objects.get().not_reported == ["species", "delivery"]


def test_the_admin_form_refuses_a_facet_given_a_value_and_listed(client, paper):
    login(client, curation.CURATOR_GROUP)

    response = add_evidence(
        client,
        ClaimFactory(),
        paper,
        delivery="co_injection",
        not_reported=["delivery"],
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["not_reported"]
    assert "delivery has a value, so it is reported" in errors[0]
    assert not Evidence.objects.exists()


def test_the_admin_form_refuses_an_unknown_facet(client, paper):
    login(client, curation.CURATOR_GROUP)

    response = add_evidence(client, ClaimFactory(), paper, not_reported=["colour"])

    assert "not_reported" in response.context["adminform"].form.errors
    assert not Evidence.objects.exists()


def evidence_payload(**overrides) -> dict:
    """The API tests' evidence payload, without their quote."""
    return payload(**{"quote": "", **overrides})


@pytest.fixture
def as_curator(paper):
    ClaimFactory(slug=GROWTH)
    return client_for(UserFactory(username="curator", groups=[curation.CURATOR_GROUP]))


def test_the_api_records_and_serves_not_reported(as_curator):
    response = as_curator.post(
        "/api/v1/evidence/",
        evidence_payload(not_reported=["species"], quote="MSC enhanced tumor growth."),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["not_reported"] == ["species"]
    assert Evidence.objects.get().not_reported == ["species"]


@pytest.mark.parametrize(
    ("not_reported", "message"),
    [
        (["delivery"], "delivery has a value, so it is reported"),
        (["colour"], "'colour' is not a context facet"),
        ("species", "Must be a list of facet names."),
    ],
)
def test_the_api_answers_400_naming_not_reported(as_curator, not_reported, message):
    response = as_curator.post(
        "/api/v1/evidence/", evidence_payload(not_reported=not_reported), format="json"
    )

    assert response.status_code == 400
    assert message in response.json()["error"]["fields"]["not_reported"][0]
    assert not Evidence.objects.exists()


def test_the_api_refuses_a_change_that_gives_a_listed_facet_a_value(as_curator):
    created = as_curator.post(
        "/api/v1/evidence/", evidence_payload(not_reported=["species"]), format="json"
    ).json()

    response = as_curator.patch(
        f"/api/v1/evidence/{created['id']}/", {"species": "human"}, format="json"
    )

    assert response.status_code == 400
    assert (
        "species has a value" in response.json()["error"]["fields"]["not_reported"][0]
    )
    assert Evidence.objects.get().species == ""


# -- formerly: renames, merges and redirects ---------------------------------------

RENAMED = {"growth": {"slug": "msc-drive-growth", "formerly": [GROWTH]}}


def merged() -> dict:
    """The T-cell claim merged into the growth claim, its record moved there."""
    data = with_keys(growth={"formerly": [T_CELLS]})
    claims = data["topics"][0]["claims"]
    claims[0]["evidence"] += claims[1]["evidence"]
    del claims[1]
    return data


def test_a_renamed_claim_keeps_its_record_and_its_old_slug_redirects(tmp_path):
    load(tmp_path)
    before = Claim.objects.get(slug=GROWTH)

    load(tmp_path, with_keys(**RENAMED))

    claim = Claim.objects.get(slug="msc-drive-growth")
    assert claim.pk == before.pk
    assert not Claim.objects.filter(slug=GROWTH).exists()
    assert ClaimAlias.objects.get(slug=GROWTH).claim == claim


def test_old_slugs_redirect_permanently_from_the_page_and_the_api(tmp_path, client):
    load(tmp_path, with_keys(**RENAMED))

    page = client.get(f"/claims/{GROWTH}/?from=old-link")
    api = client.get(f"/api/v1/claims/{GROWTH}/?format=json")

    assert page.status_code == 301
    assert page["Location"] == "/claims/msc-drive-growth/?from=old-link"
    assert api.status_code == 301
    assert (
        api["Location"]
        == "http://testserver/api/v1/claims/msc-drive-growth/?format=json"
    )
    assert client.get(page["Location"]).status_code == 200
    assert client.get(api["Location"]).json()["slug"] == "msc-drive-growth"


def test_an_unknown_slug_is_still_a_404(tmp_path, client):
    load(tmp_path, with_keys(**RENAMED))

    assert client.get("/claims/no-such-claim/").status_code == 404
    assert client.get("/api/v1/claims/no-such-claim/").status_code == 404


def test_a_merged_claim_is_removed_and_its_slug_redirects_after_every_load(
    tmp_path, client
):
    load(tmp_path)
    t_cells = Claim.objects.get(slug=T_CELLS)

    first = load(tmp_path, merged())
    second = load(tmp_path, merged())

    assert not Claim.objects.filter(pk=t_cells.pk).exists()
    growth = Claim.objects.get(slug=GROWTH)
    assert Evidence.objects.get(source_key="dinicola2002-t-cells").claim == growth
    assert (first.merged_away, second.merged_away) == (1, 0)
    assert (first.created["alias"], second.unchanged["alias"]) == (1, 1)
    assert sum(second.updated.values()) == 0
    assert client.get(f"/claims/{T_CELLS}/")["Location"] == f"/claims/{GROWTH}/"
    assert client.get(f"/api/v1/claims/{T_CELLS}/").status_code == 301


def test_a_merge_never_deletes_evidence_left_on_the_merged_claim(tmp_path):
    load(tmp_path)
    t_cells = Claim.objects.get(slug=T_CELLS)
    curator_work = Evidence.objects.create(
        claim=t_cells,
        publication=zhu().publication,
        stance="qualifies",
        effect="mixed",
        level="in_vitro",
        finding="Added in the admin.",
    )
    path = write(tmp_path, merged())

    with pytest.raises(CommandError, match=rf"{path}:\d+: claim 'msc-promote-growth'"):
        call_command("load_review", str(path))

    assert Claim.objects.filter(pk=t_cells.pk).exists()
    assert Evidence.objects.filter(pk=curator_work.pk).exists()
    assert not ClaimAlias.objects.exists()
    assert zhu().claim.slug == GROWTH


def test_an_alias_moves_to_the_claim_that_now_lists_it(tmp_path):
    load(tmp_path, with_keys(growth={"formerly": ["old-claim"]}))

    report = load(tmp_path, with_keys(t_cells={"formerly": ["old-claim"]}))

    assert ClaimAlias.objects.get(slug="old-claim").claim.slug == T_CELLS
    assert report.updated["alias"] == 1


def test_a_slug_live_again_is_no_longer_an_alias(tmp_path, client):
    load(tmp_path)
    load(tmp_path, with_keys(**RENAMED))

    load(tmp_path, with_keys(growth={"formerly": ["msc-drive-growth"]}))

    assert Claim.objects.filter(slug=GROWTH).exists()
    assert not ClaimAlias.objects.filter(slug=GROWTH).exists()
    assert ClaimAlias.objects.get(slug="msc-drive-growth").claim.slug == GROWTH
    assert client.get(f"/claims/{GROWTH}/").status_code == 200


def test_an_editor_cannot_give_a_claim_a_former_slug(tmp_path):
    load(tmp_path, with_keys(**RENAMED))
    editor = UserFactory(groups=[curation.EDITOR_GROUP])
    claim = Claim.objects.get(slug=T_CELLS)

    with pytest.raises(Exception, match="former slug of 'msc-drive-growth'"):
        curation.claim_update(claim=claim, by=editor, slug=GROWTH)


def test_the_claims_admin_page_lists_its_former_slugs(tmp_path, client):
    load(tmp_path, with_keys(**RENAMED))
    login(client, curation.EDITOR_GROUP)
    claim = Claim.objects.get(slug="msc-drive-growth")

    page = client.get(reverse("admin:claims_claim_change", args=[claim.pk]))

    assert page.status_code == 200
    (inline,) = [
        formset
        for formset in page.context["inline_admin_formsets"]
        if formset.formset.model is ClaimAlias
    ]
    assert [form.instance.slug for form in inline.formset.forms] == [GROWTH]
    assert "Former slugs (old links redirect here)" in page.content.decode()
