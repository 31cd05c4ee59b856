from django.contrib import admin

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
    search_fields = ["actor__username", "client_id", "purpose"]
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
