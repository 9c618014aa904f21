"""Moving a model from the core app to one of its small apps without copying rows.

The table keeps its name (``Meta.db_table``); the old app's migration deletes the model from its
state only, the new app's first migration creates it in its state only
(``SeparateDatabaseAndState``), and :func:`move_content_types` relabels the model's content type,
so its permissions and audit-log entries follow it instead of being orphaned.
"""

from django.db import migrations


def move_content_types(old_label: str, new_label: str, models: list[str]) -> migrations.RunPython:
    """A RunPython operation that moves the content types of ``models`` (lower-case names) from
    ``old_label`` to ``new_label``, and back when reversed. On a fresh database there are none
    yet (they are created after ``migrate``), so it changes nothing there."""

    def relabel(source: str, target: str):
        def run(apps, schema_editor):
            from django.contrib.contenttypes.models import ContentType as LiveContentType

            content_type = apps.get_model("contenttypes", "ContentType")
            db = schema_editor.connection.alias
            for model in models:
                if content_type.objects.using(db).filter(app_label=target, model=model).exists():
                    continue  # already there (created by an earlier post_migrate)
                content_type.objects.using(db).filter(app_label=source, model=model).update(
                    app_label=target
                )
            # The live manager caches content types per process (tests migrate back and forth).
            LiveContentType.objects.clear_cache()

        return run

    return migrations.RunPython(relabel(old_label, new_label), relabel(new_label, old_label))
