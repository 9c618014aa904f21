"""The surveys' part of ``seed_demo``: two past demo workshops with their attendees' answered
feedback, and an open training-needs round the demo companies answered. Safe to run again
(natural keys; responses only where a survey has none yet)."""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from companies.models import Company
from networks.models import TrainingNetwork
from regiolab.models import Topic
from workshops.models import Registration, Workshop

from .models import Answer, Question, Response, Survey, SurveyVersion, WorkshopFeedback

BERLIN = ZoneInfo("Europe/Berlin")
FEEDBACK_TITLE = "Workshop-Feedback (Demo)"
NEEDS_TITLE = "Weiterbildungsbedarf 2026 (Demo)"
# slug, title, network slug, days ago, attendees
PAST_WORKSHOPS = [
    ("lean-grundlagen-demo", "Lean-Grundlagen für kleine Betriebe", "robotik-automatisierung", 40, 9),
    ("arbeitsschutz-digital-demo", "Arbeitsschutz-Unterweisung digital",
     "digitalisierung-maschinenbau", 18, 7),
]  # fmt: skip
FIRST_NAMES = ["Anna", "Ben", "Clara", "Deniz", "Emma", "Felix", "Greta", "Hakan", "Ida"]
COMMENTS = ["Mehr Zeit für Übungen", "Sehr praxisnah", "Unterlagen vorab schicken", ""]

FEEDBACK_QUESTIONS = [
    {"code": "satisfaction", "type": "scale", "scale_max": 5, "required": True,
     "text": "Wie zufrieden waren Sie insgesamt?", "text_en": "How satisfied were you overall?",
     "low_label": "gar nicht", "low_label_en": "not at all", "high_label": "sehr",
     "high_label_en": "very"},
    {"code": "recommend", "type": "single", "required": True,
     "text": "Würden Sie den Workshop weiterempfehlen?",
     "text_en": "Would you recommend the workshop?",
     "options": [{"value": "yes", "label": "Ja", "label_en": "Yes"},
                 {"value": "no", "label": "Nein", "label_en": "No"}]},
    {"code": "ratings", "type": "matrix", "scale_max": 5, "text": "Wie bewerten Sie …",
     "text_en": "How do you rate …", "low_label": "schlecht", "high_label": "sehr gut",
     "rows": [{"value": "content", "label": "den Inhalt", "label_en": "the content"},
              {"value": "trainer", "label": "die Trainerin / den Trainer",
               "label_en": "the trainer"},
              {"value": "organisation", "label": "die Organisation",
               "label_en": "the organisation"}]},
    {"code": "improve", "type": "long_text", "text": "Was können wir verbessern?",
     "text_en": "What could we improve?", "max_length": 2000},
]  # fmt: skip
NEEDS_QUESTIONS = [
    {"code": "topics", "type": "topic", "required": True, "text": "Welche Themen brauchen Sie?",
     "text_en": "Which topics do you need?"},
    {"code": "months", "type": "multiple", "text": "In welchen Monaten passt es?",
     "text_en": "Which months suit you?",
     "options": [{"value": str(m), "label": str(m)} for m in range(1, 13)]},
    {"code": "formats", "type": "multiple", "text": "Welche Formate?", "text_en": "Which formats?",
     "options": [{"value": v, "label": de, "label_en": en} for v, de, en in (
         ("on_site", "vor Ort", "on site"), ("online", "online", "online"),
         ("hybrid", "hybrid", "hybrid"), ("in_house", "im Betrieb", "in house"))]},
    {"code": "staff", "type": "number", "text": "Wie viele Beschäftigte möchten Sie schulen?",
     "text_en": "How many staff would you like to train?", "min_value": 0, "max_value": 10000},
]  # fmt: skip


def _survey(title: str, purpose: str, anonymity: str, status: str, questions: list[dict]):
    survey, _created = Survey.objects.get_or_create(
        title=title, defaults={"purpose": purpose, "anonymity": anonymity, "status": status}
    )
    if survey.current_version_id is None:
        version = SurveyVersion.objects.create(survey=survey, number=1)
        for position, spec in enumerate(questions, 1):
            Question.objects.create(version=version, position=position, **spec)
        survey.current_version = version
        survey.save(update_fields=["current_version"])
    return survey, {q.code: q for q in survey.current_version.questions.all()}


def _past_workshops() -> list[Workshop]:
    today = timezone.localdate()
    networks = {n.slug: n for n in TrainingNetwork.objects.all()}
    companies = list(Company.objects.order_by("name")[:6])
    workshops = []
    for slug, title, network_slug, days_ago, attendees in PAST_WORKSHOPS:
        starts = datetime.combine(today - timedelta(days=days_ago), time(9), tzinfo=BERLIN)
        workshop, created = Workshop.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title, "network": networks.get(network_slug), "format": "on_site",
                "venue": "Bildungswerk Technik Hannover", "starts_at": starts,
                "ends_at": starts + timedelta(hours=4), "capacity": 12, "status": "done",
                "published_at": starts - timedelta(days=30),
            },
        )  # fmt: skip
        if created:
            for n in range(attendees):
                company = companies[n % len(companies)] if companies else None
                Registration.objects.create(
                    workshop=workshop, first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                    last_name="Beispiel", email=f"teilnahme{n}.{slug}@demo.regiolab.example",
                    company=company, company_name=company.name if company else "",
                    status="attended",
                )  # fmt: skip
            Workshop.objects.filter(pk=workshop.pk).update(seats_taken=attendees)
        workshops.append(workshop)
    return workshops


def seed_survey_demo(stdout=None) -> None:
    rng = random.Random(18)
    feedback, q = _survey(FEEDBACK_TITLE, "feedback", "anonymous", "open", FEEDBACK_QUESTIONS)
    answered = 0
    for workshop in _past_workshops():
        WorkshopFeedback.objects.update_or_create(
            workshop=workshop,
            defaults={"survey": feedback, "enabled": True, "invited_at": workshop.ends_at},
        )
        if feedback.responses.filter(workshop=workshop).exists():
            continue
        attendees = list(workshop.registrations.select_related("company"))
        for registration in attendees[: max(len(attendees) - 2, 0)]:
            company = registration.company
            response = Response.objects.create(
                survey=feedback, version=feedback.current_version,
                answered_on=timezone.localdate(workshop.ends_at) + timedelta(days=1),
                workshop=workshop, network=workshop.network,
                size_class=company.size_class if company else "",
                sector=company.sector if company else "",
                municipality=company.municipality if company else "",
            )  # fmt: skip
            points = rng.choice([3, 4, 4, 5, 5])
            rows = [
                Answer(response=response, question=q["satisfaction"], number=points),
                Answer(response=response, question=q["recommend"],
                       option="yes" if points >= 4 else "no"),
            ] + [
                Answer(response=response, question=q["ratings"], row=row,
                       number=max(1, min(5, points + rng.choice([-1, 0, 0, 1]))))
                for row in ("content", "trainer", "organisation")
            ]  # fmt: skip
            if comment := rng.choice(COMMENTS):
                rows.append(Answer(response=response, question=q["improve"], text=comment))
            Answer.objects.bulk_create(rows)
            answered += 1
    needs, q = _survey(NEEDS_TITLE, "training_needs", "identified", "open", NEEDS_QUESTIONS)
    companies = 0
    if not needs.responses.exists():
        slugs = list(Topic.objects.order_by("slug").values_list("slug", flat=True))
        for company in Company.objects.order_by("name"):
            response = Response.objects.create(
                survey=needs, version=needs.current_version, company=company,
                answered_on=timezone.localdate() - timedelta(days=rng.randint(1, 20)),
                size_class=company.size_class, sector=company.sector,
                municipality=company.municipality,
            )  # fmt: skip
            wanted = list(company.training_needs.values_list("slug", flat=True))[:2] or slugs[:1]
            rows = [Answer(response=response, question=q["topics"], option=s) for s in wanted]
            rows += [
                Answer(response=response, question=q["months"], option=str(m))
                for m in rng.sample(range(1, 13), 2)
            ]
            rows.append(
                Answer(response=response, question=q["formats"],
                       option=rng.choice(["on_site", "online", "hybrid", "in_house"]))
            )  # fmt: skip
            rows.append(Answer(response=response, question=q["staff"], number=rng.randint(1, 12)))
            Answer.objects.bulk_create(rows)
            companies += 1
    if stdout is not None:
        stdout.write(
            f"Surveys: {answered} feedback responses for past workshops, "
            f"{companies} training-needs answers"
        )
