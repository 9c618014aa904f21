"""Answers get random keys (UUID) like responses: rising integer keys would tell the order in
which responses arrived. A key's type cannot be changed in place (bigint to uuid has no cast),
so the table is made again; rows already there are kept, each with a new random key."""

import uuid

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

_KEPT: list[dict] = []
_FIELDS = ("response_id", "question_id", "row", "option", "number", "text")


def keep_answers(apps, schema_editor):
    Answer = apps.get_model("surveys", "Answer")
    _KEPT[:] = list(Answer.objects.order_by("?").values(*_FIELDS))


def restore_answers(apps, schema_editor):
    Answer = apps.get_model("surveys", "Answer")
    Answer.objects.bulk_create((Answer(**row) for row in _KEPT), batch_size=2000)
    _KEPT.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_ready_made_questionnaires"),
    ]

    operations = [
        migrations.RunPython(keep_answers, migrations.RunPython.noop),
        migrations.DeleteModel(name="Answer"),
        migrations.CreateModel(
            name="Answer",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("row", models.CharField(blank=True, max_length=40)),
                ("option", models.CharField(blank=True, max_length=100)),
                (
                    "number",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True),
                ),
                ("text", models.TextField(blank=True)),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="surveys.question",
                    ),
                ),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="surveys.response",
                    ),
                ),
            ],
            options={
                "verbose_name": "answer",
                "verbose_name_plural": "answers",
                "indexes": [
                    models.Index(fields=["question", "option"], name="surveys_ans_questio_3cafa7_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=django.db.models.lookups.LessThanOrEqual(
                            django.db.models.functions.text.Length("text"), 2000
                        ),
                        name="answer_text_at_most_2000",
                    )
                ],
            },
        ),
        migrations.RunPython(restore_answers, migrations.RunPython.noop),
    ]
