"""The review file's new keys: an evidence record's `not_reported` facets, and a
claim's retired slugs (`formerly`) as ClaimAlias, which the curators' and
editors' roles may view (the claim's admin page lists them)."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

ROLES = ("Curator", "Editor")


def grant_alias_views(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.filter(
        content_type__app_label="claims", codename="view_claimalias"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(*view)


def revoke_alias_views(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.filter(
        content_type__app_label="claims", codename="view_claimalias"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*view)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0012_controlled_vocabularies'),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name='evidence',
            name='not_reported',
            field=models.JSONField(blank=True, default=list, help_text='The context facets that apply to the finding but the abstract does not state (names of claims.facets.CONTEXT_FACETS).'),
        ),
        migrations.AddField(
            model_name='historicalevidence',
            name='not_reported',
            field=models.JSONField(blank=True, default=list, help_text='The context facets that apply to the finding but the abstract does not state (names of claims.facets.CONTEXT_FACETS).'),
        ),
        migrations.CreateModel(
            name='ClaimAlias',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('slug', models.SlugField(max_length=120, unique=True)),
                ('claim', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='aliases', to='claims.claim')),
            ],
            options={
                'verbose_name_plural': 'claim aliases',
                'ordering': ['slug'],
            },
        ),
        migrations.RunPython(grant_alias_views, revoke_alias_views),
    ]
