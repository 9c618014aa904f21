import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("regiolab", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AnonymisationRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "pseudonym",
                    models.CharField(
                        db_index=True, max_length=254, verbose_name="placeholder address"
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("request", "on request"),
                            ("retention", "retention period passed"),
                        ],
                        max_length=10,
                        verbose_name="reason",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                ("counts", models.JSONField(default=dict, verbose_name="rows changed")),
                (
                    "performed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="performed"
                    ),
                ),
                (
                    "performed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="performed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "anonymisation",
                "verbose_name_plural": "anonymisations",
                "ordering": ["-performed_at", "-pk"],
            },
        ),
    ]
