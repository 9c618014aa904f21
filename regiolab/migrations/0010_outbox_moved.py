# The outbox's models now belong to regiolab.mail (label "outbox", its 0001_initial); their
# tables stay.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("regiolab", "0009_unaccent_german_collation"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="MailOptOut"),
                migrations.DeleteModel(name="OutboundEmail"),
            ],
        ),
    ]
