from django.db import migrations, models

from openarrangementen.core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # built concurrently on a full database (issue #14)

    dependencies = [
        ("cases", "0009_worklist_municipality_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="traject",
            index=models.Index(
                condition=models.Q(("is_practice", False))
                & ~models.Q(("status__in", ["ingetrokken", "advies", "beeindigd"])),
                fields=["municipality", "status", "next_deadline_on", "id"],
                name="traject_worklist_status_idx",
            ),
        ),
    ]
