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


def test_without_debug_no_demo_account_is_created(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DEBUG"):
        call_command("create_demo_editor")

    assert not get_user_model().objects.filter(username="demo-editor").exists()
