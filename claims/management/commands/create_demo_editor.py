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
    # create_demo_curator makes the other role's account the same way.
    role, username, group = "editor", USERNAME, EDITOR_GROUP

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                f"Refusing: the demo {self.role} exists only with DEBUG on."
            )
        User = get_user_model()
        if User.objects.filter(username=self.username).exists():
            self.stdout.write(
                f"Demo {self.role} '{self.username}' exists (password not shown)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(self.username, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=self.group))
        self.stdout.write(
            f"Demo {self.role} created: user '{self.username}', password "
            f"'{password}' (shown once; log in at /admin/)."
        )
