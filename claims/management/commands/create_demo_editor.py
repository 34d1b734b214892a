"""Create a demo editor account for a local DEBUG run; never in production."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from claims.curation import EDITOR_GROUP

USERNAME = "demo-editor"


class Command(BaseCommand):
    help = "In DEBUG only: create the demo editor and print its password once."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing: the demo editor exists only with DEBUG on.")
        User = get_user_model()
        if User.objects.filter(username=USERNAME).exists():
            self.stdout.write(f"Demo editor '{USERNAME}' exists (password not shown).")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(USERNAME, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=EDITOR_GROUP))
        self.stdout.write(
            f"Demo editor created: user '{USERNAME}', password '{password}' "
            "(shown once; log in at /admin/)."
        )
