from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openarrangementen.core"
    label = "core"
    verbose_name = "Basis"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # The schedules are code (core.jobs); written after every migrate (issue #23).
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="core-schedules")


def _after_migrate(using="default", **kwargs) -> None:
    from django.db import connections

    from .jobs import install_schedules

    if "django_q_schedule" in connections[using].introspection.table_names():
        install_schedules()
