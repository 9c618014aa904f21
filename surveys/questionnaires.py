"""The three ready-made questionnaires and their stable question codes.

Results, exports, the training-needs demand board and the funders' indicators key on these
codes, never on a question's pk or text: a copy of a ready-made questionnaire keeps them, and a
new version of a survey keeps them. Option values are stable too (below each code).

This module is plain data (no model imports): the data migration 0002 builds the ready-made
questionnaires (``Survey.is_template=True``) from ``READY_MADE``.
"""

# --- Workshop feedback (purpose "feedback") ---------------------------------------------------
FEEDBACK_SATISFACTION = "satisfaction"  # scale 1..5 (1 = not at all, 5 = very satisfied)
FEEDBACK_RECOMMEND = "recommend"  # single: "yes" | "no"
FEEDBACK_RATINGS = "ratings"  # matrix rows "content", "trainer", "organisation"; scale 1..5
FEEDBACK_IMPROVE = "improve"  # long text
FEEDBACK_NEXT_TOPICS = "next_topics"  # topic choice (values: regiolab.models.Topic.slug)

RECOMMEND_YES = "yes"
RECOMMEND_NO = "no"

# --- Company training needs (purpose "training_needs") -----------------------------------------
NEEDS_TOPICS = "topics"  # topic choice (values: Topic.slug)
NEEDS_FORMATS = "formats"  # multiple: "on_site", "online", "hybrid", "in_house"
NEEDS_MONTHS = "months"  # multiple: "1" .. "12" (January .. December)
NEEDS_TIMES = "times"  # multiple: "morning", "afternoon", "evening", "full_day"
NEEDS_STAFF = "staff"  # number 0..10000
NEEDS_LANGUAGES = "languages"  # multiple: "de", "en", "other"
NEEDS_OTHER_LANGUAGE = "other_language"  # short text, shown if languages includes "other"

FORMAT_VALUES = ("on_site", "online", "hybrid", "in_house")
MONTH_VALUES = tuple(str(month) for month in range(1, 13))

# --- Network coordinator (panel) survey (purpose "panel") --------------------------------------
PANEL_NETWORK_TYPE = "network_type"  # single: "training", "cluster", "sector", "regional", "other"
PANEL_NETWORK_SIZE = "network_size"  # number 0..100000 (member organisations)
PANEL_SME_SHARE = "sme_share"  # number 0..100 (per cent)
PANEL_SME_ROLES = "sme_roles"  # multiple
PANEL_SME_REACH = "sme_reach"  # multiple
PANEL_SUCCESS_FACTORS = "success_factors"  # matrix, importance 1..5
PANEL_OBSTACLES = "obstacles"  # multiple
PANEL_OBSTACLES_TEXT = "obstacles_text"  # long text
PANEL_SUPPORT = "support"  # long text


def _options(*triples: tuple[str, str, str]) -> list[dict]:
    return [{"value": value, "label": de, "label_en": en} for value, de, en in triples]


_MONTHS = (
    ("Januar", "January"),
    ("Februar", "February"),
    ("März", "March"),
    ("April", "April"),
    ("Mai", "May"),
    ("Juni", "June"),
    ("Juli", "July"),
    ("August", "August"),
    ("September", "September"),
    ("Oktober", "October"),
    ("November", "November"),
    ("Dezember", "December"),
)

FEEDBACK = {
    "key": "feedback",
    "purpose": "feedback",
    "title": "Feedback zur Veranstaltung",
    "title_en": "Workshop feedback",
    "description": "Vielen Dank für Ihre Teilnahme. Ihre Antworten helfen uns, die nächsten "
    "Veranstaltungen besser zu machen. Die Befragung dauert etwa zwei Minuten.",
    "description_en": "Thank you for taking part. Your answers help us make the next workshops "
    "better. The survey takes about two minutes.",
    "sections": [
        {
            "title": "Ihre Bewertung",
            "title_en": "Your rating",
            "questions": [
                {
                    "code": FEEDBACK_SATISFACTION,
                    "type": "scale",
                    "text": "Wie zufrieden sind Sie insgesamt mit der Veranstaltung?",
                    "text_en": "Overall, how satisfied are you with the workshop?",
                    "required": True,
                    "scale_max": 5,
                    "low_label": "gar nicht zufrieden",
                    "low_label_en": "not at all satisfied",
                    "high_label": "sehr zufrieden",
                    "high_label_en": "very satisfied",
                },
                {
                    "code": FEEDBACK_RECOMMEND,
                    "type": "single",
                    "text": "Würden Sie die Veranstaltung weiterempfehlen?",
                    "text_en": "Would you recommend the workshop?",
                    "required": True,
                    "options": _options((RECOMMEND_YES, "Ja", "Yes"), (RECOMMEND_NO, "Nein", "No")),
                },
                {
                    "code": FEEDBACK_RATINGS,
                    "type": "matrix",
                    "text": "Wie bewerten Sie …",
                    "text_en": "How do you rate …",
                    "scale_max": 5,
                    "low_label": "schlecht",
                    "low_label_en": "poor",
                    "high_label": "sehr gut",
                    "high_label_en": "very good",
                    "rows": _options(
                        ("content", "die Inhalte", "the content"),
                        ("trainer", "die Referentin / den Referenten", "the trainer"),
                        ("organisation", "die Organisation", "the organisation"),
                    ),
                },
            ],
        },
        {
            "title": "Ausblick",
            "title_en": "Looking ahead",
            "questions": [
                {
                    "code": FEEDBACK_IMPROVE,
                    "type": "long_text",
                    "text": "Was können wir besser machen?",
                    "text_en": "What could we improve?",
                    "max_length": 2000,
                },
                {
                    "code": FEEDBACK_NEXT_TOPICS,
                    "type": "topic",
                    "text": "Zu welchen Themen wünschen Sie sich weitere Veranstaltungen?",
                    "text_en": "Which topics would you like further workshops on?",
                },
            ],
        },
    ],
}

TRAINING_NEEDS = {
    "key": "training_needs",
    "purpose": "training_needs",
    "title": "Weiterbildungsbedarf Ihres Unternehmens",
    "title_en": "Your company's training needs",
    "description": "Mit Ihren Angaben planen wir die nächsten Weiterbildungen in Ihrer Region. "
    "Sie können Ihre Antwort bis zum Ende der Befragungsrunde ändern.",
    "description_en": "Your answers help us plan the next training courses in your region. "
    "You can change your answer until the survey round closes.",
    "sections": [
        {
            "title": "Themen und Formate",
            "title_en": "Topics and formats",
            "questions": [
                {
                    "code": NEEDS_TOPICS,
                    "type": "topic",
                    "text": "Zu welchen Themen möchten Sie Beschäftigte weiterbilden?",
                    "text_en": "On which topics would you like to train staff?",
                    "required": True,
                },
                {
                    "code": NEEDS_FORMATS,
                    "type": "multiple",
                    "text": "Welche Formate passen für Sie?",
                    "text_en": "Which formats suit you?",
                    "options": _options(
                        ("on_site", "vor Ort (Präsenz)", "on site"),
                        ("online", "online", "online"),
                        ("hybrid", "hybrid", "hybrid"),
                        ("in_house", "im eigenen Unternehmen (Inhouse)", "in-house"),
                    ),
                },
            ],
        },
        {
            "title": "Zeitpunkt und Umfang",
            "title_en": "Timing and scope",
            "questions": [
                {
                    "code": NEEDS_MONTHS,
                    "type": "multiple",
                    "text": "In welchen Monaten passt eine Weiterbildung am besten?",
                    "text_en": "In which months does training suit you best?",
                    "options": [
                        {"value": str(number), "label": de, "label_en": en}
                        for number, (de, en) in enumerate(_MONTHS, start=1)
                    ],
                },
                {
                    "code": NEEDS_TIMES,
                    "type": "multiple",
                    "text": "Zu welchen Tageszeiten?",
                    "text_en": "At which times of day?",
                    "options": _options(
                        ("morning", "vormittags", "mornings"),
                        ("afternoon", "nachmittags", "afternoons"),
                        ("evening", "abends", "evenings"),
                        ("full_day", "ganztägig", "full day"),
                    ),
                },
                {
                    "code": NEEDS_STAFF,
                    "type": "number",
                    "text": "Wie viele Beschäftigte möchten Sie weiterbilden?",
                    "text_en": "How many staff would you like to train?",
                    "min_value": 0,
                    "max_value": 10000,
                },
                {
                    "code": NEEDS_LANGUAGES,
                    "type": "multiple",
                    "text": "In welchen Sprachen soll die Weiterbildung stattfinden?",
                    "text_en": "In which languages should the training be held?",
                    "options": _options(
                        ("de", "Deutsch", "German"),
                        ("en", "Englisch", "English"),
                        ("other", "andere Sprache", "other language"),
                    ),
                },
                {
                    "code": NEEDS_OTHER_LANGUAGE,
                    "type": "short_text",
                    "text": "Welche andere Sprache?",
                    "text_en": "Which other language?",
                    "max_length": 200,
                    "show_if": (NEEDS_LANGUAGES, "other"),
                },
            ],
        },
    ],
}

PANEL = {
    "key": "panel",
    "purpose": "panel",
    "title": "Befragung der Netzwerkkoordinationen",
    "title_en": "Survey of network coordinators",
    "description": "Diese standardisierte Befragung richtet sich an Koordinatorinnen und "
    "Koordinatoren von Netzwerken. Sie fragt nach der Rolle kleiner und mittlerer Unternehmen "
    "(KMU), nach Erfolgsfaktoren und Hemmnissen.",
    "description_en": "This standardised survey is addressed to network coordinators. It asks "
    "about the roles of small and medium-sized enterprises (SMEs), success factors and "
    "obstacles.",
    "sections": [
        {
            "title": "Ihr Netzwerk",
            "title_en": "Your network",
            "questions": [
                {
                    "code": PANEL_NETWORK_TYPE,
                    "type": "single",
                    "text": "Welcher Art ist Ihr Netzwerk?",
                    "text_en": "What kind of network is yours?",
                    "required": True,
                    "options": _options(
                        ("training", "Weiterbildungsverbund", "training network"),
                        ("cluster", "Cluster", "cluster"),
                        ("sector", "Branchennetzwerk", "sector network"),
                        ("regional", "regionales Unternehmensnetzwerk", "regional network"),
                        ("other", "anderes", "other"),
                    ),
                },
                {
                    "code": PANEL_NETWORK_SIZE,
                    "type": "number",
                    "text": "Wie viele Organisationen gehören dem Netzwerk an?",
                    "text_en": "How many organisations belong to the network?",
                    "min_value": 0,
                    "max_value": 100000,
                },
                {
                    "code": PANEL_SME_SHARE,
                    "type": "number",
                    "text": "Wie hoch ist der Anteil der KMU unter den Mitgliedern (in Prozent)?",
                    "text_en": "What share of the members are SMEs (per cent)?",
                    "min_value": 0,
                    "max_value": 100,
                },
            ],
        },
        {
            "title": "KMU im Netzwerk",
            "title_en": "SMEs in the network",
            "questions": [
                {
                    "code": PANEL_SME_ROLES,
                    "type": "multiple",
                    "text": "Welche Rollen übernehmen KMU in Ihrem Netzwerk?",
                    "text_en": "Which roles do SMEs take in your network?",
                    "options": _options(
                        ("participant", "Teilnehmende an Angeboten", "participants in offers"),
                        ("initiator", "Initiatoren", "initiators"),
                        ("steering", "Mitglied der Steuerungsgruppe", "steering group members"),
                        ("host", "Gastgeber von Veranstaltungen", "hosts of events"),
                        ("expert", "Fachleute / Referierende", "experts or trainers"),
                        ("funder", "Mitfinanzierende", "co-funders"),
                    ),
                },
                {
                    "code": PANEL_SME_REACH,
                    "type": "multiple",
                    "text": "Wie erreichen Sie KMU?",
                    "text_en": "How do you reach SMEs?",
                    "options": _options(
                        ("personal", "persönliche Ansprache", "personal contact"),
                        ("chambers", "Kammern und Verbände", "chambers and associations"),
                        ("events", "Veranstaltungen", "events"),
                        ("newsletter", "Newsletter / E-Mail", "newsletter or e-mail"),
                        ("social_media", "soziale Medien", "social media"),
                        ("partners", "über Partnerunternehmen", "through partner companies"),
                    ),
                },
            ],
        },
        {
            "title": "Erfolgsfaktoren und Hemmnisse",
            "title_en": "Success factors and obstacles",
            "questions": [
                {
                    "code": PANEL_SUCCESS_FACTORS,
                    "type": "matrix",
                    "text": "Wie wichtig sind diese Faktoren für den Erfolg Ihres Netzwerks?",
                    "text_en": "How important are these factors for your network's success?",
                    "scale_max": 5,
                    "low_label": "unwichtig",
                    "low_label_en": "unimportant",
                    "high_label": "sehr wichtig",
                    "high_label_en": "very important",
                    "rows": _options(
                        ("trust", "Vertrauen unter den Mitgliedern", "trust among members"),
                        ("coordination", "eine feste Koordination", "dedicated coordination"),
                        ("funding", "verlässliche Finanzierung", "reliable funding"),
                        ("benefit", "sichtbarer Nutzen für KMU", "visible benefit for SMEs"),
                        (
                            "management",
                            "Unterstützung der Geschäftsführungen",
                            "management support",
                        ),
                        ("proximity", "räumliche Nähe", "regional proximity"),
                    ),
                },
                {
                    "code": PANEL_OBSTACLES,
                    "type": "multiple",
                    "text": "Welche Hemmnisse erleben Sie?",
                    "text_en": "Which obstacles do you encounter?",
                    "options": _options(
                        ("time", "fehlende Zeit der KMU", "SMEs lack time"),
                        ("costs", "Kosten", "costs"),
                        ("staff", "Personalengpässe", "staff shortages"),
                        ("awareness", "geringe Bekanntheit", "little awareness"),
                        ("bureaucracy", "Bürokratie der Förderung", "funding bureaucracy"),
                        ("distance", "weite Wege", "long distances"),
                    ),
                },
                {
                    "code": PANEL_OBSTACLES_TEXT,
                    "type": "long_text",
                    "text": "Weitere Hemmnisse oder Erläuterungen",
                    "text_en": "Further obstacles or comments",
                    "max_length": 2000,
                },
                {
                    "code": PANEL_SUPPORT,
                    "type": "long_text",
                    "text": "Welche Unterstützung wünschen Sie sich?",
                    "text_en": "What support would you like?",
                    "max_length": 2000,
                },
            ],
        },
    ],
}

# Built by migration 0002 as Survey(is_template=True), in this order.
READY_MADE = (FEEDBACK, TRAINING_NEEDS, PANEL)
