# The company list is sorted by name in German order (regiolab.collation.german, collation
# regiolab_de): on PostgreSQL an index on the collated name lets the first page be read from the
# index. Not on SQLite: an index there would need the collation in every program that writes
# the file, and the embedded default's few companies sort quickly without one.

from django.db import migrations

from regiolab.collation import create_german_collation

INDEX = "company_name_de_id_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The collation comes with regiolab 0009 too; created here as well, so that this app's
        # migrations need no core migration after the core's apps were split off.
        create_german_collation(schema_editor)
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON companies_company ((name COLLATE "regiolab_de"), id)'
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_list_order_indexes"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
