"""Every admin URL refuses a staff user who holds no permission, GET included."""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern
from rest_framework.authtoken.models import Token

from claims.admin.evidence import TRANSITIONS
from claims.curation import CURATOR_GROUP
from claims.models import Evidence, RefreshRun
from tests.factories import EvidenceFactory, UserFactory

pytestmark = pytest.mark.django_db

# Site-wide pages every staff user may open: they show nothing of the data.
SITE_OPEN = {"index", "password_change", "password_change_done", "jsi18n"}
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\[\^/\]\+\)")


@pytest.fixture
def records():
    """One real row for every registered model, a draft evidence record among them."""
    editor = UserFactory(username="owner", is_staff=True)
    EvidenceFactory(status=Evidence.Status.DRAFT, created_by=editor)
    RefreshRun.objects.create(trigger=RefreshRun.Trigger.ADMIN)
    Group.objects.get_or_create(name="Readers")
    Token.objects.create(user=editor)
    AccessAttempt.objects.create(username="someone", failures_since_start=1)
    AccessLog.objects.create(username="someone")
    AccessFailureLog.objects.create(username="someone")


def fill(route: str, pk: int, version: int, transition: str) -> str:
    """A pattern's route with its parameters: the row's id, then the version's."""
    values = iter([pk, version])

    def value(match: re.Match) -> str:
        if match.group(1) == "transition":
            return transition
        return str(pk if match.group(1) in ("object_id", "id") else next(values))

    return PARAM.sub(value, route)


def admin_urls():
    """(name, URL) for every pattern of every ModelAdmin, ids of real rows filled in."""
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.order_by("pk").first()
        version = obj.history.first().history_id if hasattr(obj, "history") else 1
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern).lstrip("^").rstrip("$")
            transitions = TRANSITIONS if "transition>" in route else ["-"]
            for transition in transitions:
                yield pattern.name, prefix + fill(route, obj.pk, version, transition)


def refused(response) -> bool:
    login = response.status_code == 302 and "/login/" in response["Location"]
    return response.status_code == 403 or login


def test_every_admin_url_refuses_a_staff_user_without_permissions(client, records):
    client.force_login(UserFactory(username="nobody", is_staff=True))
    opened = []
    for name, url in admin_urls():
        response = client.get(url)
        if response.status_code == 302 and "/login/" not in response["Location"]:
            response = client.get(response["Location"])  # the bare id's redirect
        if not refused(response):
            opened.append((name, url, response.status_code))
    assert opened == []


def test_the_site_pages_open_to_staff_show_no_data_and_never_fail(client, records):
    client.force_login(UserFactory(username="nobody", is_staff=True))
    for pattern in admin.site.get_urls():
        if not isinstance(pattern, URLPattern) or pattern.name not in SITE_OPEN:
            continue
        response = client.get(f"/admin/{pattern.pattern}")
        assert response.status_code == 200, pattern.name
        assert b"MSC co-injected" not in response.content


def test_a_curator_may_open_submit_on_their_own_draft_never_accept(client):
    curator = UserFactory(username="cur", is_staff=True, groups=[CURATOR_GROUP])
    draft = EvidenceFactory(status=Evidence.Status.DRAFT, created_by=curator)
    other = EvidenceFactory(status=Evidence.Status.DRAFT)
    client.force_login(curator)

    def opened(evidence, transition):
        return client.get(
            f"/admin/claims/evidence/{evidence.pk}/moderate/{transition}/"
        )

    assert opened(draft, "submit").status_code == 200
    assert opened(draft, "accept").status_code == 403
    assert opened(other, "submit").status_code == 403
