from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from claims import curation

pytestmark = pytest.mark.django_db


def test_in_debug_a_demo_editor_is_created_with_a_password_printed_once(
    settings, capsys
):
    settings.DEBUG = True

    call_command("create_demo_editor")
    first = capsys.readouterr().out
    call_command("create_demo_editor")
    second = capsys.readouterr().out

    password = first.split("password '")[1].split("'")[0]
    request = RequestFactory().post("/admin/login/")
    user = authenticate(request, username="demo-editor", password=password)
    assert user is not None
    assert curation.is_editor(user)
    assert user.is_staff
    assert password not in second


def test_in_debug_a_demo_curator_is_created_who_records_but_never_reviews(
    settings, capsys
):
    settings.DEBUG = True

    call_command("create_demo_curator")
    first = capsys.readouterr().out
    call_command("create_demo_curator")
    second = capsys.readouterr().out

    password = first.split("password '")[1].split("'")[0]
    request = RequestFactory().post("/admin/login/")
    user = authenticate(request, username="demo-curator", password=password)
    assert user is not None
    assert user.is_staff
    assert user.has_perm("claims.add_evidence")
    assert not curation.is_editor(user)
    assert "Demo curator 'demo-curator' exists" in second


@pytest.mark.parametrize(
    ("command", "username"),
    [("create_demo_editor", "demo-editor"), ("create_demo_curator", "demo-curator")],
)
def test_without_debug_no_demo_account_is_created(settings, command, username):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DEBUG"):
        call_command(command)

    assert not get_user_model().objects.filter(username=username).exists()


def test_make_run_creates_both_demo_accounts():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run = makefile.split("\nrun:")[1].split("\n\n")[0]

    assert "manage.py create_demo_editor" in run
    assert "manage.py create_demo_curator" in run
