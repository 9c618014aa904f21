# Search that ignores accents and case, and lists sorted as German readers expect
# (regiolab/collation.py). Both operations run on PostgreSQL only; SQLite gets the same function
# and collation from regiolab.collation on every connection.

from django.contrib.postgres.operations import CreateCollation, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("regiolab", "0008_privacy_moved"),
    ]

    operations = [
        UnaccentExtension(),
        # ICU's German order: ä sorted with a (DIN 5007-1), case after letters and accents.
        CreateCollation("regiolab_de", provider="icu", locale="de"),
    ]
