# Search that ignores accents and case, and lists sorted as German readers expect
# (regiolab/collation.py). Both operations run on PostgreSQL only; SQLite gets the same function
# and collation from regiolab.collation on every connection.

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

from regiolab.collation import create_german_collation


def create_collation(apps, schema_editor):
    create_german_collation(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("regiolab", "0008_privacy_moved"),
    ]

    operations = [
        UnaccentExtension(),
        # ICU's German order: ä sorted with a (DIN 5007-1), case after letters and accents.
        # Also created by companies 0003 (its index uses it), so never dropped going back.
        migrations.RunPython(create_collation, migrations.RunPython.noop),
    ]
