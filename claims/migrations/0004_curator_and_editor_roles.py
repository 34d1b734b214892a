"""Create the Curator and Editor groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "review",
    "topic",
    "claim",
    "evidence",
    "publication",
    "refreshrun",
    "publicationchange",
]
CURATOR = [f"view_{m}" for m in MODELS] + [
    "add_evidence",
    "change_evidence",
    "add_publication",
    "change_publication",
]
EDITOR = CURATOR + [
    "moderate_evidence",
    "delete_evidence",
    "add_claim",
    "change_claim",
    "add_topic",
    "change_topic",
    "change_review",
]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Curator", CURATOR), ("Editor", EDITOR)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="claims", codename__in=codenames
            )
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Curator", "Editor"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("claims", "0003_evidence_created_by_and_moderation"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
