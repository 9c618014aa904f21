"""The demo call for ``seed_demo``, in the style of the Nordhessen regional management's Open
Innovation Challenge: six challenges of demo companies (German texts), published, with fifteen
submitted proposals. The call stands in its review phase (the deadline passed three days ago),
the pitch day lies ahead. Safe to run again: rows are written with ``update_or_create`` on
their natural keys; dates stay relative to today.

``demo_call()`` returns the call, for the review and pitch-day demos built on top of it."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from companies.models import Company
from regiolab import demo_data as data
from regiolab.models import Topic

from ..models import Call, Challenge, Criterion, Proposal
from .services import _create_pitch_event

SLUG = "open-innovation-challenge-hannover"

CRITERIA = [
    ("Innovationsgrad", "Degree of innovation", 3),
    ("Umsetzbarkeit", "Feasibility", 3),
    ("Wirtschaftlichkeit", "Cost-effectiveness", 2),
    ("Erfahrung des Teams", "Team experience", 2),
]

# owner, title, topics, sector, budget, pilot site, summary, problem, desired outcome
CHALLENGES = [
    (
        "Wunstorfer Getriebebau GmbH",
        "Rüstzeiten an der Verzahnungslinie halbieren",
        ["lean-production", "ai"],
        "C",
        "50k",
        True,
        "Ein Getriebehersteller sucht Wege, die Rüstzeiten seiner Verzahnungsmaschinen mit "
        "Daten und Assistenzsystemen deutlich zu verkürzen.",
        "Jeder Typwechsel an der Verzahnungslinie kostet bis zu vier Stunden; Erfahrungswissen "
        "steckt in wenigen Köpfen.",
        "Rüstzeiten um die Hälfte senken, Wissen für neue Beschäftigte zugänglich machen.",
    ),
    (
        "Bäckerei Ohlendorf GmbH",
        "Retouren im Filialnetz vorhersagen",
        ["ai", "digitalisation"],
        "C",
        "10k",
        True,
        "Eine Bäckerei mit 14 Filialen möchte mit besseren Prognosen weniger Brot wegwerfen.",
        "Bis zu 12 % der Backwaren kommen als Retoure zurück; die Bestellmengen werden nach "
        "Gefühl festgelegt.",
        "Eine Prognose je Filiale und Tag, die Retouren um ein Drittel senkt.",
    ),
    (
        "Spedition Hartmann GmbH",
        "Digitale Einweisung für Fahrerinnen und Fahrer",
        ["digital-learning", "skilled-workers"],
        "H",
        "10k",
        False,
        "Eine Spedition sucht eine mehrsprachige digitale Einweisung für neue Fahrerinnen und "
        "Fahrer.",
        "Neue Beschäftigte sprechen oft wenig Deutsch; die Einweisung bindet erfahrene "
        "Disponenten tagelang.",
        "Eine Einweisung auf dem Smartphone in vier Sprachen, in zwei Stunden absolviert.",
    ),
    (
        "Medizintechnik Deister GmbH",
        "Individuelle Orthesen aus dem 3D-Drucker",
        ["3d-printing", "digitalisation"],
        "C",
        "100k",
        True,
        "Ein Medizintechnikhersteller will Orthesen nach 3D-Scan individuell drucken.",
        "Orthesen werden heute in Handarbeit angepasst; die Lieferzeit beträgt drei Wochen.",
        "Ein geprüfter Prozess vom Scan bis zum gedruckten Bauteil in drei Tagen.",
    ),
    (
        "Burgwedel Verpackung GmbH",
        "Druckluftverluste finden und senken",
        ["energy-efficiency", "digitalisation"],
        "C",
        "50k",
        True,
        "Ein Verpackungshersteller möchte Leckagen im Druckluftnetz laufend erkennen.",
        "Die Druckluft verursacht ein Viertel des Stromverbrauchs; Leckagen werden erst spät "
        "bemerkt.",
        "Eine Überwachung, die Leckagen meldet und den Verbrauch um 15 % senkt.",
    ),
    (
        "Garbsener Kabelkonfektion GmbH",
        "Kabelbäume mit Cobots konfektionieren",
        ["robotics", "lean-production"],
        "C",
        "more",
        True,
        "Ein Kabelkonfektionär sucht eine Lösung, um Kabelbäume teilautomatisiert mit "
        "kollaborativen Robotern zu fertigen.",
        "Das Verlegen der Leitungen ist reine Handarbeit; Fachkräfte fehlen.",
        "Ein Pilotarbeitsplatz mit Cobot, der die Hälfte der Handgriffe übernimmt.",
    ),
]

# challenge index, proposing company, approach, cost estimate (EUR)
PROPOSALS = [
    (
        0,
        "Institut für Produktionsautomatisierung Garbsen (Demo)",
        "Rüstassistent mit digitaler Rüstanleitung und Auswertung der Maschinendaten.",
        42000,
    ),
    (
        0,
        "Datenwerk Hannover GmbH",
        "Prozessdatenanalyse und Vorschlagssystem für die Rüstreihenfolge.",
        28000,
    ),
    (0, "Sensorik Laatzen GmbH", "Sensoren an Spannmitteln melden den Rüstfortschritt.", 19500),
    (
        1,
        "Datenwerk Hannover GmbH",
        "Absatzprognose je Filiale mit Wetter-, Ferien- und Kassendaten.",
        9500,
    ),
    (1, "CloudKontor IT-Service GmbH", "Bestell-App für die Filialen mit Prognosevorschlag.", 8800),
    (
        2,
        "Bildungswerk Technik Hannover e. V.",
        "Mehrsprachige Lernvideos und ein kurzes Quiz auf dem Smartphone.",
        7600,
    ),
    (
        2,
        "Handwerkskammer-Bildungszentrum Region Hannover (Demo)",
        "Blended-Learning-Einweisung mit Präsenztermin am Standort.",
        6200,
    ),
    (2, "CloudKontor IT-Service GmbH", "Lernplattform mit Übersetzungen und Nachweisen.", 9800),
    (
        3,
        "3D-Druckwerk Isernhagen GmbH",
        "Druck der Orthesen aus PA12 nach 3D-Scan, Prozessvalidierung inklusive.",
        64000,
    ),
    (
        3,
        "Institut für Produktionsautomatisierung Garbsen (Demo)",
        "Parametrische Konstruktion aus dem Scan und Prüfstand.",
        88000,
    ),
    (3, "Formenbau Pattensen GmbH", "Hybridfertigung: gedruckter Kern, gefräste Auflage.", 47000),
    (4, "Sensorik Laatzen GmbH", "Ultraschallsensoren im Druckluftnetz mit Leckagekarte.", 31000),
    (4, "Ingenieurbüro Tegtmeyer PartG mbB", "Druckluftaudit und Monitoringkonzept.", 12500),
    (
        5,
        "Robotik-Systeme Burgdorf GmbH",
        "Cobot-Zelle mit Kamera zum Greifen und Verlegen der Leitungen.",
        145000,
    ),
    (
        5,
        "Sondermaschinenbau Ronnenberg GmbH",
        "Verlegebrett mit Cobot und Werkerführung per Projektion.",
        118000,
    ),
]

TERMS = (
    "Die vertraulichen Angaben der Herausforderungen dürfen nur zur Vorbereitung eines "
    "Lösungsvorschlags genutzt und nicht an Dritte weitergegeben werden."
)


def demo_call() -> Call | None:
    """The demo call (None before ``seed_demo`` ran)."""
    return Call.objects.filter(slug=SLUG).select_related("pitch_event").first()


def _local(day, at: time):
    return timezone.make_aware(datetime.combine(day, at))


def seed_call_demo(stdout) -> Call | None:
    """The demo call on the demo companies (None, writing nothing, without them)."""
    needed = {row[0] for row in CHALLENGES} | {row[1] for row in PROPOSALS}
    companies = {c.name: c for c in Company.objects.filter(name__in=needed)}
    if len(companies) < len(needed):
        stdout.write("Challenges: the demo companies are missing; no demo call written")
        return None
    today = timezone.localdate()
    coordinator = get_user_model().objects.filter(email=data.COORDINATOR["email"]).first()
    call, _created = Call.objects.update_or_create(
        slug=SLUG,
        defaults={
            "title": "Open Innovation Challenge Region Hannover",
            "title_en": "Open Innovation Challenge Hanover Region",
            "description": (
                "Unternehmen der Region stellen Herausforderungen aus Digitalisierung und "
                "Fachkräftesicherung vor; Unternehmen, Start-ups, Hochschulen und "
                "Bildungsträger schlagen Lösungen vor. Die besten treffen sich am Pitch-Tag."
            ),
            "description_en": (
                "Companies of the region present challenges of digitalisation and skilled "
                "labour; companies, start-ups, universities and education providers propose "
                "solutions. The best meet on the pitch day."
            ),
            "organiser": "Regionalmanagement (Demo)",
            "funding_note": "Gefördert im Rahmen von Interreg Europe SCALE UP (Demo).",
            "funding_note_en": "Funded by Interreg Europe SCALE UP (demo).",
            "collecting_from": today - timedelta(days=70),
            "published_from": today - timedelta(days=40),
            "proposals_from": today - timedelta(days=38),
            "proposals_until": _local(today - timedelta(days=3), time(18, 0)),
            "review_until": today + timedelta(days=10),
            "follow_up_from": today + timedelta(days=45),
            "confidentiality_terms": TERMS,
            "terms_version": "1",
            "created_by": coordinator,
        },
    )
    for position, (name, name_en, weight) in enumerate(CRITERIA):
        Criterion.objects.update_or_create(
            call=call,
            name=name,
            defaults={"name_en": name_en, "weight": weight, "position": position},
        )
    if call.pitch_event_id is None:
        call.pitch_event = _create_pitch_event(call, today + timedelta(days=14), coordinator)
        call.save(update_fields=["pitch_event"])

    topics = {topic.slug: topic for topic in Topic.objects.all()}
    challenges = []
    published_at = _local(call.published_from, time(9, 0))
    for owner, title, slugs, sector, budget, pilot, summary, problem, outcome in CHALLENGES:
        challenge, _ = Challenge.objects.update_or_create(
            call=call,
            title=title,
            defaults={
                "company": companies[owner],
                "public_summary": summary,
                "problem": problem,
                "desired_outcome": outcome,
                "context": "Mittelständischer Betrieb in der Region Hannover.",
                "sector": sector,
                "offer_budget": budget,
                "offer_pilot_site": pilot,
                "offer_staff_time": "1 Tag pro Woche",
                "confidential_text": (
                    "Vertraulich: Kennzahlen, Maschinenpark und Ansprechpartner werden nach "
                    "Annahme der Vertraulichkeitsbedingungen genannt."
                ),
                "status": Challenge.Status.PUBLISHED,
                "submitted_at": published_at - timedelta(days=14),
                "approved_at": published_at - timedelta(days=7),
                "published_at": published_at,
            },
        )
        challenge.topics.set([topics[slug] for slug in slugs if slug in topics])
        challenges.append(challenge)

    submitted_at = _local(today - timedelta(days=5), time(16, 0))
    for index, company_name, approach, cost in PROPOSALS:
        Proposal.objects.update_or_create(
            challenge=challenges[index],
            company=companies[company_name],
            defaults={
                "approach": approach,
                "team": "Projektleitung und zwei Fachleute",
                "references": "Vergleichbare Projekte mit regionalen KMU",
                "cost_estimate": Decimal(cost),
                "timeline": "Pilot in 3 Monaten, Umsetzung in 6 Monaten",
            },
            # The review and pitch-day demos move proposals on (shortlisted …): kept on reruns.
            create_defaults={
                "approach": approach,
                "team": "Projektleitung und zwei Fachleute",
                "references": "Vergleichbare Projekte mit regionalen KMU",
                "cost_estimate": Decimal(cost),
                "timeline": "Pilot in 3 Monaten, Umsetzung in 6 Monaten",
                "status": Proposal.Status.SUBMITTED,
                "submitted_at": submitted_at,
            },
        )
    stdout.write(
        f"Challenges: call “{call.title}” with {len(challenges)} challenges and "
        f"{len(PROPOSALS)} proposals"
    )
    return call
