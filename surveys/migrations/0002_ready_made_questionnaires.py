"""The three ready-made questionnaires (workshop feedback, company training needs, network
coordinator survey), German and English, as templates coordinators copy. Their content and
stable question codes are in surveys/questionnaires.py."""

from django.db import migrations

from surveys.questionnaires import READY_MADE


def create_ready_made(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    SurveyVersion = apps.get_model("surveys", "SurveyVersion")
    Section = apps.get_model("surveys", "Section")
    Question = apps.get_model("surveys", "Question")
    for definition in READY_MADE:
        if Survey.objects.filter(is_template=True, title=definition["title"]).exists():
            continue
        survey = Survey.objects.create(
            title=definition["title"],
            title_en=definition["title_en"],
            description=definition["description"],
            description_en=definition["description_en"],
            purpose=definition["purpose"],
            anonymity="identified" if definition["purpose"] == "training_needs" else "anonymous",
            is_template=True,
        )
        version = SurveyVersion.objects.create(survey=survey, number=1)
        by_code = {}
        position = 0
        for section_position, section_data in enumerate(definition["sections"], start=1):
            section = Section.objects.create(
                version=version,
                position=section_position,
                title=section_data["title"],
                title_en=section_data["title_en"],
            )
            for data in section_data["questions"]:
                position += 1
                fields = {key: value for key, value in data.items() if key != "show_if"}
                condition = data.get("show_if")
                if condition:
                    fields["show_if_question"] = by_code[condition[0]]
                    fields["show_if_value"] = condition[1]
                by_code[data["code"]] = Question.objects.create(
                    version=version, section=section, position=position, **fields
                )
        survey.current_version = version
        survey.save(update_fields=["current_version"])


def remove_ready_made(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    titles = [definition["title"] for definition in READY_MADE]
    Survey.objects.filter(is_template=True, title__in=titles, responses__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create_ready_made, remove_ready_made)]
