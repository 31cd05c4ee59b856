from django.contrib import admin

from .audit import access_log_for_client
from .models import AccessLog, EquatedHoliday


@admin.register(EquatedHoliday)
class EquatedHolidayAdmin(admin.ModelAdmin):
    list_display = ["day", "description", "source"]
    search_fields = ["description", "source"]
    date_hierarchy = "day"


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence and is never edited."""

    list_display = ["at", "actor", "actor_roles", "action", "object_type", "object_id", "purpose"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor__username", "purpose"]
    search_help_text = (
        "Zoek op gebruikersnaam of doel, of op een cliënt-id: dan alles wat met die cliënt "
        "gebeurde, ook in lijsten (NEN 7513)."
    )
    date_hierarchy = "at"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit():
            # Who saw, exported, searched or tried to open this client: one indexed query.
            return queryset.filter(pk__in=access_log_for_client(int(term)).values("pk")), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
