from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openarrangementen.core"
    label = "core"
    verbose_name = "Basis"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_migrate

        from . import logs

        # Every log line of a request carries its id (core.logs, issue #23).
        request_started.connect(logs.request_started, dispatch_uid="core-request-id")
        request_finished.connect(logs.request_finished, dispatch_uid="core-request-id-end")

        # The schedules are code (core.jobs); written after every migrate (issue #23).
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="core-schedules")


def _after_migrate(using="default", **kwargs) -> None:
    from django.db import connections

    from .jobs import install_schedules

    if "django_q_schedule" in connections[using].introspection.table_names():
        install_schedules()
