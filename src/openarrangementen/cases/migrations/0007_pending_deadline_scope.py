"""The traject's municipality and provider on each stored pending deadline (issue #14,
ADR 0010 §9): added empty, filled from the traject in one statement, then required."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    PendingDeadline = apps.get_model("cases", "PendingDeadline")
    Traject = apps.get_model("cases", "Traject")
    traject = Traject.objects.filter(pk=OuterRef("traject_id"))
    PendingDeadline.objects.update(
        municipality_id=Subquery(traject.values("municipality_id")[:1]),
        provider_id=Subquery(traject.values("provider_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_beheer_scoping"),
        ("cases", "0006_inbox_partial_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="pendingdeadline",
            name="municipality",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="accounts.municipality",
            ),
        ),
        migrations.AddField(
            model_name="pendingdeadline",
            name="provider",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="+",
                to="accounts.provider",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="pendingdeadline",
            name="municipality",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="+", to="accounts.municipality"
            ),
        ),
    ]
