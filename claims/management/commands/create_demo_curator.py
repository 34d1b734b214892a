"""Create a demo curator account for a local DEBUG run; never in production."""

from claims.curation import CURATOR_GROUP
from claims.management.commands import create_demo_editor

USERNAME = "demo-curator"


class Command(create_demo_editor.Command):
    help = "In DEBUG only: create the demo curator and print its password once."
    # With the demo editor, four eyes can be tried: one records, the other reviews.
    role, username, group = "curator", USERNAME, CURATOR_GROUP
