import pytest
from django.core.management import CommandError, call_command

from claims.models import Publication, RefreshRun
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db

ZHU, KHAKOO = 16214129, 16636132


def test_sync_refresh_adds_new_pmids_and_prints_a_summary(
    fake_eutils, fast_rate, capsys
):
    call_command("refresh_citations", str(ZHU), str(KHAKOO), "99999999", "--sync")

    out = capsys.readouterr().out
    assert "2 changed, 0 unchanged, 1 missing, 0 failed" in out
    assert set(Publication.objects.values_list("pmid", "metadata_state")) == {
        (ZHU, "current"),
        (KHAKOO, "current"),
        (99999999, "missing"),
    }
    assert RefreshRun.objects.get().trigger == "command"


def test_sync_refresh_of_stale_papers_only_fetches_the_due_ones(fake_eutils, fast_rate):
    PublicationFactory(pmid=ZHU, metadata_state="pending")
    call_command("refresh_citations", "--sync")

    call_command("refresh_citations", "--sync", "--stale")

    assert len(fake_eutils.requests) == 1
    assert RefreshRun.objects.order_by("pk").last().requested == 0


def test_sync_refresh_records_an_ncbi_outage_and_keeps_the_data(
    fake_eutils, fast_rate, capsys
):
    PublicationFactory(pmid=ZHU, metadata_state="pending", title="Kept")
    fake_eutils.inject("500")

    call_command("refresh_citations", "--all", "--sync")

    pub = Publication.objects.get(pmid=ZHU)
    assert (pub.metadata_state, pub.title) == ("failed", "Kept")
    assert "1 failed" in capsys.readouterr().out


def test_without_sync_the_refresh_is_queued_for_the_worker(
    fake_eutils, django_capture_on_commit_callbacks, capsys
):
    PublicationFactory(pmid=ZHU, metadata_state="pending")

    with django_capture_on_commit_callbacks() as callbacks:
        call_command("refresh_citations")

    assert len(callbacks) == 1
    assert "Queued 1 PMIDs" in capsys.readouterr().out
    assert fake_eutils.requests == []


def test_a_junk_pmid_is_a_clear_command_error():
    with pytest.raises(CommandError, match="'12ab' is not a PMID"):
        call_command("refresh_citations", "12ab", "--sync")
