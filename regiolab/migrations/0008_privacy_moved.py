# Consents and anonymisation records now belong to regiolab.privacy (its 0001_initial); their
# tables stay.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("regiolab", "0007_pages_moved"),
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="AnonymisationRecord"),
                migrations.DeleteModel(name="Consent"),
            ],
        ),
    ]
