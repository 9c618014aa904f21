"""Scale rows of the good-practice library: 500 practices (most validated) with topics and a
transfer for every tenth, bulk-inserted."""

from policy.models import GoodPractice, PracticeFigure, Transfer

SLUG_MARK = "scale-practice-"
PRACTICES = 500

REGIONS = [
    ("Nordhessen", "DE"),
    ("Region Hannover", "DE"),
    ("Lazio", "IT"),
    ("Attica", "GR"),
    ("Lubelskie", "PL"),
    ("Nottingham", "GB"),
    ("Noord-Brabant", "NL"),
    ("Västra Götaland", "SE"),
]
THEMES = ["Open Innovation", "Innovation lab", "Skills", "Digitalisation", "Cluster policy"]


def flush_scale_practices() -> None:
    GoodPractice.objects.filter(slug__startswith=SLUG_MARK).delete()


def seed_scale_practices(seeder) -> int:
    rng = seeder.rng
    topic_ids = list(getattr(seeder, "topic_ids", []))
    rows = []
    for n in range(PRACTICES):
        region, country = rng.choice(REGIONS)
        theme = rng.choice(THEMES)
        rows.append(
            GoodPractice(
                slug=f"{SLUG_MARK}{n:04d}",
                title=f"Praxisbeispiel {n:04d}: {theme} in {region}",
                title_en=f"Practice {n:04d}: {theme} in {region}" if n % 2 else "",
                summary=(
                    f"Wie {region} mit {theme} kleine und mittlere Unternehmen erreicht "
                    f"(Beispiel {n})."
                ),
                description="Beschreibung des Vorgehens, der Beteiligten und der Schritte. " * 5,
                region=region,
                country=country,
                organisation=f"Agentur {region}",
                theme=theme,
                evidence="Mehr Unternehmen erreicht, neue Kooperationen.",
                status=(
                    GoodPractice.Status.DRAFT if n % 25 == 0 else GoodPractice.Status.VALIDATED
                ),
                author=None,
                validated_by=getattr(seeder, "coordinator", None) if n % 25 else None,
            )
        )
    practices = GoodPractice.objects.bulk_create(rows, batch_size=500)
    through = GoodPractice.topics.through
    links = []
    if topic_ids:
        for practice in practices:
            for topic_id in rng.sample(topic_ids, k=min(2, len(topic_ids))):
                links.append(through(goodpractice_id=practice.pk, topic_id=topic_id))
    through.objects.bulk_create(links, batch_size=1000)
    figures = [
        PracticeFigure(practice_id=practice.pk, kind="workshops_held")
        for practice in practices[::5]
    ]
    PracticeFigure.objects.bulk_create(figures, batch_size=500)
    transfers = [
        Transfer(
            practice_id=practice.pk,
            from_region=practice.region,
            to_region="Nordhessen" if practice.region != "Nordhessen" else "Lazio",
            partner="Partnerregion",
            status=rng.choice(Transfer.Status.values),
        )
        for practice in practices[::10]
    ]
    Transfer.objects.bulk_create(transfers, batch_size=500)
    return len(practices) + len(links) + len(figures) + len(transfers)
