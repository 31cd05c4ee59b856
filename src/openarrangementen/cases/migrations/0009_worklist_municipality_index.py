from django.db import migrations, models

from openarrangementen.core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # built concurrently on a full database (issue #14)

    dependencies = [
        ("cases", "0008_pending_deadline_scope_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="traject",
            index=models.Index(
                condition=models.Q(("is_practice", False))
                & ~models.Q(("status__in", ["ingetrokken", "advies", "beeindigd"])),
                fields=["municipality", "next_deadline_on", "id"],
                name="traject_worklist_idx",
            ),
        ),
    ]
