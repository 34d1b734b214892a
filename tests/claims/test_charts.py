"""The claim page's charts and their key: a texture per effect, both languages."""

import re

import pytest
from django.template import Context, Template

from claims.models import Evidence
from tests.factories import ClaimFactory, EvidenceFactory, PublicationFactory

CHARTS_AND_KEY = Template(
    '{% load charts %}{% colour_key %}{% balance_chart evidence "balance" %}'
    '{% years_chart evidence "years" %}'
)


def confirmed_paper(year: int):
    return PublicationFactory(
        year=year, metadata_state="current", verification="verified"
    )


def test_the_key_names_every_stance_and_every_effect_with_its_texture():
    html = Template("{% load charts %}{% colour_key %}").render(Context())

    for stance in Evidence.Stance:
        assert (
            f'<span class="stance stance-{stance.value}">{stance.label}</span>' in html
        )
    for fx in Evidence.Effect:
        assert f'<span class="effect effect-{fx.value}">{fx.label}</span>' in html
        assert f'fill="url(#key-fx-{fx.value})"' in html


@pytest.mark.django_db
def test_every_chart_segment_carries_the_texture_of_its_effect_and_ids_stay_unique():
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, publication=confirmed_paper(2005))
    EvidenceFactory(
        claim=claim,
        publication=confirmed_paper(2009),
        stance=Evidence.Stance.REFUTES,
        effect=Evidence.Effect.ANTI_TUMOR,
    )
    evidence = list(claim.evidence.select_related("publication"))

    html = CHARTS_AND_KEY.render(Context({"evidence": evidence}))

    for chart in ("balance", "years"):
        for fx in ("pro_tumor", "anti_tumor"):
            assert f'fill="url(#{chart}-fx-{fx})"' in html
            assert f'class="seg-label on-{fx}"' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
