from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "openarrangementen.cases"
    label = "cases"
    verbose_name = "Trajecten"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from auditlog.registry import auditlog

        from openarrangementen.core.models import EquatedHoliday

        from . import checks, deadlines  # noqa: F401 (checks registers itself)
        from .models import DeadlineRule, Intake, Suspension, Traject, ZrmScore

        # Changes of personal data are logged (SPEC §7); reads go to core.AccessLog. The
        # stored next deadline is derived, not a change anyone made.
        auditlog.register(Traject, exclude_fields=list(deadlines.NEXT_DEADLINE_FIELDS))
        auditlog.register(Suspension)
        auditlog.register(Intake)
        auditlog.register(ZrmScore)

        # What moves a stored next deadline besides the traject itself (issue #14).
        for signal in (post_save, post_delete):
            signal.connect(deadlines.on_suspension_saved, sender=Suspension)
            signal.connect(deadlines.on_region_terms_changed, sender=DeadlineRule)
            signal.connect(deadlines.on_holiday_changed, sender=EquatedHoliday)
