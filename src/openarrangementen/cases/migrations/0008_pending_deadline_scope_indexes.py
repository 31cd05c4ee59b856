from django.db import migrations, models

from openarrangementen.core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # built concurrently on a full database (issue #14)

    dependencies = [
        ("cases", "0007_pending_deadline_scope"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="pendingdeadline",
            index=models.Index(
                fields=["municipality", "due_on", "traject"],
                name="pending_deadline_municipality",
            ),
        ),
        AddIndexConcurrently(
            model_name="pendingdeadline",
            index=models.Index(
                condition=models.Q(("provider__isnull", False)),
                fields=["provider", "due_on", "traject"],
                name="pending_deadline_provider",
            ),
        ),
    ]
