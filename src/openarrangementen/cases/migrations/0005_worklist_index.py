from django.db import migrations, models

from openarrangementen.core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # Built concurrently on PostgreSQL: the trajects table stays writable (issue #14).
    atomic = False

    dependencies = [("cases", "0004_stored_deadlines")]

    operations = [
        AddIndexConcurrently(
            model_name="traject",
            index=models.Index(fields=["next_deadline_on", "id"], name="traject_urgency_idx"),
        ),
        AddIndexConcurrently(
            model_name="traject",
            index=models.Index(
                fields=["status", "next_deadline_on", "id"], name="traject_status_urgency_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="traject",
            index=models.Index(
                fields=["provider", "next_deadline_on", "id"], name="traject_inbox_idx"
            ),
        ),
    ]
