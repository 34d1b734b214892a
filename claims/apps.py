from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims and evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_repair_search_index, sender=self)


def _repair_search_index(using: str, **kwargs) -> None:
    """After any migration: a SQLite table rebuilt since 0014 lost its search
    triggers with it (claims.search.sqlite_index)."""
    from django.db import connections

    from claims.search.sqlite_index import repair

    repair(connections[using])
