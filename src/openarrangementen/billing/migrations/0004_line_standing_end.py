from django.db import migrations, models

from openarrangementen.core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # built concurrently on a full database (issue #14)

    dependencies = [
        ("billing", "0003_line_received_all"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="line",
            index=models.Index(
                condition=models.Q(("credit", False), ("standing", True)),
                fields=["side", "provider", "municipality", "period_end"],
                include=["client"],
                name="billing_line_standing_end",
            ),
        ),
    ]
