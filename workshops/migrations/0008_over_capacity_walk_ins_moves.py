import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Walk-ins, seats confirmed over capacity (who, when), cancellations by a coordinator and
    moves to another workshop; the overbooking constraint allows exactly the seats a
    coordinator gave beyond the capacity."""

    dependencies = [
        ("workshops", "0007_invitation_language_participant_message"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="workshop",
            name="over_capacity_seats",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RemoveConstraint(model_name="workshop", name="workshop_never_overbooked"),
        migrations.AddConstraint(
            model_name="workshop",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    seats_taken__lte=models.F("capacity") + models.F("over_capacity_seats")
                ),
                name="workshop_never_overbooked",
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="walk_in",
            field=models.BooleanField(default=False, verbose_name="walk-in"),
        ),
        migrations.AddField(
            model_name="registration",
            name="over_capacity_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="confirmed over capacity"
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="over_capacity_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="moved_to",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="moved_from",
                to="workshops.registration",
                verbose_name="moved to",
            ),
        ),
    ]
