"""The demo data of ``manage.py seed_demo``: a small, believable Region Hannover.

Plain data only (no imports of the business apps), so the core package stays independent;
regiolab/management/commands/seed_demo.py writes it. Every company, person and network here is
invented; names of real bodies carry "(Demo)".
"""

from decimal import Decimal

DEMO_PASSWORD = "regiolab-demo"  # noqa: S105 — the documented demo password, printed on seeding

# slug: (German, English)
TOPICS = {
    "digitalisation": ("Digitalisierung", "Digitalisation"),
    "robotics": ("Robotik", "Robotics"),
    "3d-printing": ("3D-Druck", "3D printing"),
    "personnel-development": ("Personalentwicklung", "Personnel development"),
    "digital-learning": ("Digitales Lernen", "Digital learning"),
    "ai": ("Künstliche Intelligenz", "Artificial intelligence"),
    "it-security": ("IT-Sicherheit", "IT security"),
    "lean-production": ("Lean Production", "Lean production"),
    "leadership": ("Führungskräfteentwicklung", "Leadership development"),
    "skilled-workers": ("Fachkräftesicherung", "Securing skilled workers"),
    "energy-efficiency": ("Energieeffizienz", "Energy efficiency"),
    "occupational-safety": ("Arbeitssicherheit", "Occupational safety"),
}

M = Decimal(1_000_000)

# name, legal form, municipality, postcode, street, NACE section, WZ code, kind,
# headcount, turnover (EUR), balance-sheet total (EUR), training needs (topic slugs)
COMPANIES = [
    # Large enterprises
    ("Nutzfahrzeugwerk Hannover-Stöcken AG (Demo)", "AG", "Hannover", "30419", "Werksstraße 1", "C", "29.10", "large", 6500, 4800 * M, 2900 * M, ["robotics", "ai", "lean-production"]),
    ("Zuliefertechnik Langenhagen AG", "AG", "Langenhagen", "30855", "Flughafenstraße 40", "C", "29.32", "large", 420, 85 * M, 52 * M, ["lean-production", "robotics"]),
    # Medium-sized
    ("Wöhler Maschinenbau GmbH & Co. KG", "GmbH & Co. KG", "Langenhagen", "30853", "Walsroder Straße 121", "C", "28.41", "sme", 145, 28 * M, 19 * M, ["digitalisation", "ai", "personnel-development"]),
    ("Kunststofftechnik Seelze GmbH", "GmbH", "Seelze", "30926", "Hannoversche Straße 55", "C", "22.29", "sme", 62, Decimal("11500000"), 8 * M, ["robotics", "3d-printing"]),
    ("Heitmann Antriebstechnik GmbH", "GmbH", "Lehrte", "31275", "Zuckerpassage 9", "C", "28.15", "sme", 88, 17 * M, 11 * M, ["digitalisation", "it-security"]),
    # 55 staff of its own, but 60 % held by a group of 400 (ASSOCIATED): not an SME.
    ("Isernhagener Steuerungstechnik GmbH", "GmbH", "Isernhagen", "30916", "Gewerbering 12", "C", "27.12", "large", 55, Decimal("9800000"), 6 * M, ["robotics", "ai"]),
    ("Burgwedel Verpackung GmbH", "GmbH", "Burgwedel", "30938", "Industriestraße 7", "C", "17.21", "sme", 110, 21 * M, 14 * M, ["lean-production", "energy-efficiency"]),
    ("Logistik Lehrte GmbH & Co. KG", "GmbH & Co. KG", "Lehrte", "31275", "Am Güterbahnhof 3", "H", "52.10", "sme", 180, 34 * M, 20 * M, ["digitalisation", "occupational-safety"]),
    ("Spedition Hartmann GmbH", "GmbH", "Sehnde", "31319", "Peiner Straße 88", "H", "49.41", "sme", 75, 12 * M, 7 * M, ["digital-learning", "skilled-workers"]),
    ("Medizintechnik Deister GmbH", "GmbH", "Barsinghausen", "30890", "Egestorfer Straße 20", "C", "32.50", "sme", 95, 15 * M, 10 * M, ["3d-printing", "it-security"]),
    # 240 staff plus 35 % of a 200-person partner (ASSOCIATED): 310, not an SME.
    ("Lackfabrik Misburg GmbH", "GmbH", "Hannover", "30629", "Anderter Straße 101", "C", "20.30", "large", 240, 48 * M, 39 * M, ["occupational-safety", "energy-efficiency"]),
    ("Garbsener Kabelkonfektion GmbH", "GmbH", "Garbsen", "30823", "Planetenring 24", "C", "27.33", "sme", 130, 19 * M, 12 * M, ["robotics", "lean-production"]),
    ("Anlagenbau Neustadt GmbH", "GmbH", "Neustadt am Rübenberge", "31535", "Siemensstraße 6", "C", "28.29", "sme", 68, Decimal("13500000"), 9 * M, ["digitalisation", "leadership"]),
    ("Wunstorfer Getriebebau GmbH", "GmbH", "Wunstorf", "31515", "Hagenburger Straße 45", "C", "28.15", "sme", 205, 41 * M, 30 * M, ["ai", "lean-production", "leadership"]),
    ("Pflegedienst Lindenhof GmbH", "GmbH", "Hannover", "30453", "Davenstedter Straße 60", "Q", "88.10", "sme", 58, Decimal("2900000"), Decimal("1100000"), ["digital-learning", "personnel-development"]),
    # Small
    ("Brandes Präzisionstechnik GmbH", "GmbH", "Garbsen", "30827", "Osterfeldstraße 14", "C", "25.62", "sme", 38, Decimal("5200000"), Decimal("3100000"), ["digitalisation", "robotics", "3d-printing"]),
    ("Sensorik Laatzen GmbH", "GmbH", "Laatzen", "30880", "Karlsruher Straße 8", "C", "26.51", "sme", 24, Decimal("3100000"), Decimal("2200000"), ["ai", "robotics"]),
    ("Formenbau Pattensen GmbH", "GmbH", "Pattensen", "30982", "Im Sieke 3", "C", "25.73", "sme", 17, Decimal("2400000"), Decimal("1900000"), ["3d-printing"]),
    ("Elektro Bartels GmbH", "GmbH", "Burgdorf", "31303", "Marktstraße 31", "F", "43.21", "sme", 14, Decimal("1600000"), Decimal("900000"), ["digital-learning", "skilled-workers"]),
    ("Bäckerei Ohlendorf GmbH", "GmbH", "Springe", "31832", "Zum Niedertor 5", "C", "10.71", "sme", 42, Decimal("3800000"), Decimal("1500000"), ["personnel-development", "leadership"]),
    ("Dachdeckerei Lüdeke GmbH", "GmbH", "Barsinghausen", "30890", "Bahnhofstraße 22", "F", "43.91", "sme", 11, Decimal("1300000"), Decimal("700000"), ["occupational-safety", "skilled-workers"]),
    ("Stuckateur Dreyer GmbH", "GmbH", "Ronnenberg", "30952", "Hansastraße 17", "F", "43.31", "sme", 12, Decimal("1400000"), Decimal("600000"), ["personnel-development"]),
    ("Wedemark Holzbau GmbH", "GmbH", "Wedemark", "30900", "Am Kreisel 2", "F", "43.91", "sme", 19, Decimal("2200000"), Decimal("1200000"), ["digitalisation", "skilled-workers"]),
    ("Metallbau Uetze GmbH", "GmbH", "Uetze", "31311", "Marktstraße 50", "C", "25.11", "sme", 27, Decimal("3900000"), Decimal("2100000"), ["occupational-safety", "lean-production"]),
    ("Hemminger Feinwerktechnik GmbH", "GmbH", "Hemmingen", "30966", "Göttinger Straße 70", "C", "25.62", "sme", 33, Decimal("4400000"), Decimal("2600000"), ["digitalisation", "3d-printing"]),
    ("Datenwerk Hannover GmbH", "GmbH", "Hannover", "30159", "Georgstraße 36", "J", "62.01", "sme", 21, Decimal("2600000"), Decimal("1300000"), ["ai", "it-security"]),
    ("Ingenieurbüro Tegtmeyer PartG mbB", "PartG mbB", "Hannover", "30519", "Hildesheimer Straße 265", "M", "71.12", "sme", 16, Decimal("1900000"), Decimal("800000"), ["digitalisation", "leadership"]),
    ("Druckerei Leinetal GmbH", "GmbH", "Laatzen", "30880", "Erich-Panitz-Straße 11", "C", "18.12", "sme", 36, Decimal("4100000"), Decimal("2800000"), ["digitalisation", "energy-efficiency"]),
    ("Feinkost Langenhagen GmbH", "GmbH", "Langenhagen", "30851", "Frankenring 19", "C", "10.89", "sme", 48, 7 * M, Decimal("3500000"), ["lean-production", "occupational-safety"]),
    ("Sondermaschinenbau Ronnenberg GmbH", "GmbH", "Ronnenberg", "30952", "Benther Straße 33", "C", "28.99", "sme", 44, Decimal("6800000"), Decimal("4100000"), ["robotics", "digitalisation"]),
    ("Robotik-Systeme Burgdorf GmbH", "GmbH", "Burgdorf", "31303", "Uetzer Straße 70", "C", "28.99", "sme", 29, Decimal("5500000"), Decimal("3000000"), ["robotics", "ai"]),
    ("Agrar-Service Uetze eG", "eG", "Uetze", "31311", "Dollberger Straße 4", "A", "01.61", "sme", 12, Decimal("2100000"), Decimal("1200000"), ["digitalisation"]),
    # Micro
    ("Tischlerei Kruse e. K.", "e. K.", "Wennigsen", "30974", "Hauptstraße 12", "C", "16.23", "sme", 6, Decimal("600000"), Decimal("350000"), ["digitalisation", "3d-printing"]),
    ("Haustechnik Meyer & Sohn GmbH", "GmbH", "Sehnde", "31319", "Mittelstraße 9", "F", "43.22", "sme", 9, Decimal("1100000"), Decimal("500000"), ["skilled-workers", "digital-learning"]),
    ("Malerbetrieb Hoppe e. K.", "e. K.", "Gehrden", "30989", "Steinweg 4", "F", "43.34", "sme", 5, Decimal("450000"), Decimal("200000"), ["personnel-development"]),
    ("Kfz-Meisterbetrieb Schrader GmbH", "GmbH", "Wunstorf", "31515", "Luther Weg 28", "G", "45.20", "sme", 8, Decimal("1200000"), Decimal("600000"), ["digitalisation", "it-security"]),
    ("Friseursalon Haarwerk Neustadt GbR", "GbR", "Neustadt am Rübenberge", "31535", "Marktstraße 16", "S", "96.02", "sme", 7, Decimal("350000"), Decimal("90000"), ["digital-learning"]),
    ("CloudKontor IT-Service GmbH", "GmbH", "Hannover", "30169", "Hildesheimer Straße 53", "J", "62.02", "sme", 8, Decimal("900000"), Decimal("400000"), ["it-security", "ai"]),
    ("3D-Druckwerk Isernhagen GmbH", "GmbH", "Isernhagen", "30916", "Burgwedeler Straße 80", "C", "25.99", "sme", 6, Decimal("700000"), Decimal("450000"), ["3d-printing"]),
    # Education providers, chamber, research, public partner
    ("Bildungswerk Technik Hannover e. V.", "e. V.", "Hannover", "30167", "Lister Meile 90", "P", "85.59", "education_provider", 35, Decimal("2800000"), Decimal("1600000"), ["digital-learning"]),
    ("Handwerkskammer-Bildungszentrum Region Hannover (Demo)", "KdöR", "Garbsen", "30827", "Berenbosteler Straße 30", "S", "94.12", "chamber", 120, 9 * M, 12 * M, []),
    ("Institut für Produktionsautomatisierung Garbsen (Demo)", "e. V.", "Garbsen", "30823", "An der Universität 2", "M", "72.19", "research", 80, 7 * M, 5 * M, []),
    ("Wirtschaftsförderung Region Hannover (Demo)", "AöR", "Hannover", "30169", "Hildesheimer Straße 20", "O", "84.13", "public_body", 45, Decimal("4000000"), Decimal("2000000"), []),
]  # fmt: skip

# Partner (25–50 %, pro rata) and linked (> 50 %, whole) enterprises.
# company name: [(name, relation, share %, headcount, turnover, balance-sheet total)]
ASSOCIATED = {
    # 24 staff of its own, 30 % of a 100-person partner counts: small becomes medium.
    "Sensorik Laatzen GmbH": [
        ("Nordkapital Beteiligungs GmbH", "partner", Decimal(30), 100, 20 * M, 15 * M),
    ],
    # 60 % held by a group of 400 people: linked, so the whole group counts: large.
    "Isernhagener Steuerungstechnik GmbH": [
        ("Nordwerk Holding AG", "linked", Decimal(60), 400, 95 * M, 70 * M),
    ],
    # 240 staff plus 35 % of a 200-person partner: over 250, large.
    "Lackfabrik Misburg GmbH": [
        ("Chemiepark Leine GmbH", "partner", Decimal(35), 200, 40 * M, 30 * M),
    ],
    # A small partner that does not change the class.
    "Brandes Präzisionstechnik GmbH": [
        ("Brandes Verwaltungs GmbH", "partner", Decimal(25), 2, Decimal("150000"), Decimal("400000")),
    ],
}  # fmt: skip

# slug: name, topics, sector focus, status, start, end, description
NETWORKS = {
    "digitalisierung-maschinenbau": {
        "name": "Digitalisierung im Maschinenbau",
        "topics": ["digitalisation", "ai", "it-security"],
        "sector_focus": "C",
        "status": "active",
        "start_date": (2026, 1, 15),
        "end_date": (2028, 12, 31),
        "description": (
            "Kleine und mittlere Maschinenbauer aus der Region qualifizieren ihre Beschäftigten "
            "gemeinsam für vernetzte Produktion, Datenauswertung und IT-Sicherheit in der Werkhalle."
        ),
    },
    "robotik-automatisierung": {
        "name": "Robotik & Automatisierung Region Hannover",
        "topics": ["robotics", "ai", "lean-production"],
        "sector_focus": "C",
        "status": "active",
        "start_date": (2026, 3, 1),
        "end_date": (2028, 12, 31),
        "description": (
            "Zulieferer und Automatisierer lernen mit einem großen Fahrzeughersteller als "
            "Ankerunternehmen, Roboterzellen zu planen, zu programmieren und sicher zu betreiben."
        ),
    },
    "personalentwicklung-handwerk": {
        "name": "Personalentwicklung im Handwerk",
        "topics": ["personnel-development", "digital-learning", "skilled-workers"],
        "sector_focus": "",
        "status": "active",
        "start_date": (2026, 4, 1),
        "end_date": (2028, 6, 30),
        "description": (
            "Handwerksbetriebe entwickeln mit der Kammer Wege, Fachkräfte zu gewinnen, "
            "weiterzubilden und zu halten – mit kurzen digitalen Lerneinheiten für die Baustelle."
        ),
    },
}

# network slug: [(company name, role, status)]
MEMBERSHIPS = {
    "digitalisierung-maschinenbau": [
        ("Wöhler Maschinenbau GmbH & Co. KG", "member", "active"),
        ("Heitmann Antriebstechnik GmbH", "member", "active"),
        ("Brandes Präzisionstechnik GmbH", "member", "active"),
        ("Hemminger Feinwerktechnik GmbH", "member", "active"),
        ("Sondermaschinenbau Ronnenberg GmbH", "member", "active"),
        ("Anlagenbau Neustadt GmbH", "member", "active"),
        ("Wunstorfer Getriebebau GmbH", "member", "active"),
        ("Datenwerk Hannover GmbH", "member", "active"),
        ("Bildungswerk Technik Hannover e. V.", "education_provider", "active"),
        ("Wirtschaftsförderung Region Hannover (Demo)", "public_partner", "active"),
    ],
    "robotik-automatisierung": [
        ("Nutzfahrzeugwerk Hannover-Stöcken AG (Demo)", "anchor", "active"),
        ("Robotik-Systeme Burgdorf GmbH", "member", "active"),
        ("Garbsener Kabelkonfektion GmbH", "member", "active"),
        ("Kunststofftechnik Seelze GmbH", "member", "active"),
        ("Formenbau Pattensen GmbH", "member", "active"),
        ("Isernhagener Steuerungstechnik GmbH", "member", "active"),
        ("Zuliefertechnik Langenhagen AG", "member", "active"),
        ("Institut für Produktionsautomatisierung Garbsen (Demo)", "education_provider", "active"),
        ("Sensorik Laatzen GmbH", "member", "requested"),  # the open request
    ],
    "personalentwicklung-handwerk": [
        ("Handwerkskammer-Bildungszentrum Region Hannover (Demo)", "chamber", "active"),
        ("Elektro Bartels GmbH", "member", "active"),
        ("Tischlerei Kruse e. K.", "member", "active"),
        ("Haustechnik Meyer & Sohn GmbH", "member", "active"),
        ("Dachdeckerei Lüdeke GmbH", "member", "active"),
        ("Malerbetrieb Hoppe e. K.", "member", "active"),
        ("Stuckateur Dreyer GmbH", "member", "active"),
        ("Wedemark Holzbau GmbH", "member", "active"),
        ("Kfz-Meisterbetrieb Schrader GmbH", "member", "active"),
        ("Bäckerei Ohlendorf GmbH", "member", "active"),
        ("Friseursalon Haarwerk Neustadt GbR", "member", "left"),
    ],
}

COORDINATOR = {
    "email": "coordinator@regiolab.example",
    "first_name": "Miriam",
    "last_name": "Albers",
}
REPRESENTATIVE = {
    "email": "rep@regiolab.example",
    "first_name": "Jana",
    "last_name": "Bartels",
    "company": "Elektro Bartels GmbH",
}
FUNDER_USER = {"email": "funder@regiolab.example", "first_name": "Thomas", "last_name": "Weber"}
# The bodies of the demo grant's programme "Aufbau von Weiterbildungsverbünden": the federal
# labour ministry with ESF Plus money pays 70 %, the region the other 30 %.
FUNDERS = [
    ("Bundesministerium für Arbeit und Soziales – ESF Plus (Demo)", "federal"),
    ("Region Hannover (Demo)", "region"),
]
# Names earlier demos used: a re-run renames them, keeping their users and shares.
RENAMED_FUNDERS = {
    "Bundesministerium für Bildung und Forschung (Demo)": FUNDERS[0][0],
}

# company, days ago, channel, subjects, follow-up in days after the consultation (None: none),
# done, minutes
CONSULTATIONS = [
    ("Brandes Präzisionstechnik GmbH", 60, "on_site", ["training_needs", "network"], 14, True, "Erstgespräch im Betrieb: Bedarf an CAD/CAM- und Robotik-Schulungen für sechs Beschäftigte."),
    ("Brandes Präzisionstechnik GmbH", 20, "phone", ["funding"], 10, False, "Fördermöglichkeiten für die Robotik-Qualifizierung besprochen; Unterlagen zum Programm zugesagt."),
    ("Sensorik Laatzen GmbH", 12, "video", ["network"], 7, False, "Interesse am Verbund Robotik & Automatisierung; Beitrittsanfrage gestellt, Rückmeldung ausstehend."),
    ("Elektro Bartels GmbH", 45, "on_site", ["training_needs", "digital_learning"], 30, True, "Lernplattform für Monteure vorgestellt; Betrieb testet zwei Module."),
    ("Tischlerei Kruse e. K.", 30, "event", ["network"], None, False, "Auf dem Verbundtreffen Handwerk kennengelernt; Aufnahme in den Verbund vereinbart."),
    ("Wunstorfer Getriebebau GmbH", 9, "email", ["funding", "training_needs"], 5, False, "Anfrage zur Qualifizierung von Schichtleitungen; Angebot für Führungskräfte-Workshop folgt."),
    ("Pflegedienst Lindenhof GmbH", 75, "phone", ["digital_learning"], None, False, "Kurzberatung zu digitalen Lernangeboten für Pflegehilfskräfte."),
    ("Medizintechnik Deister GmbH", 5, "video", ["training_needs"], 21, False, "Bedarf an Schulungen zum 3D-Druck von Prototypen; Termin mit Bildungsträger vorbereiten."),
]  # fmt: skip

# slug, German title, English title, network slug, topics, format, days from today, start hour,
# duration hours, capacity, trainers, German description
WORKSHOPS = [
    ("roboterzellen-planen", "Roboterzellen planen und sicher betreiben", "Planning and safely running robot cells", "robotik-automatisierung", ["robotics", "occupational-safety"], "on_site", 12, 9, 7, 12, "Dr. Katrin Vogt", "Von der Aufgabe zur Roboterzelle: Auslegung, Sicherheitskonzept nach Maschinenrichtlinie und Inbetriebnahme an einer Lernzelle."),
    ("ki-im-mittelstand", "KI im Mittelstand: erste Anwendungen", "AI in SMEs: first applications", "digitalisierung-maschinenbau", ["ai", "digitalisation"], "hybrid", 19, 13, 4, 20, "Jonas Petersen", "Wo Künstliche Intelligenz in Produktion und Verwaltung heute schon hilft – mit Beispielen aus Betrieben der Region."),
    ("it-sicherheit-werkhalle", "IT-Sicherheit in der Werkhalle", "IT security on the shop floor", "digitalisierung-maschinenbau", ["it-security"], "online", 26, 10, 3, 16, "Sabine Krüger", "Vernetzte Maschinen schützen: typische Angriffe, einfache Gegenmaßnahmen und ein Notfallplan für kleine Betriebe."),
    ("azubis-gewinnen-handwerk", "Auszubildende gewinnen und halten", "Attracting and keeping apprentices", "personalentwicklung-handwerk", ["personnel-development", "skilled-workers"], "on_site", 33, 16, 3, 15, "Marco Lindemann", "Ausbildungsmarketing, Onboarding und Bindung im Handwerksbetrieb – mit Erfahrungen aus der Kammerarbeit."),
    ("3d-druck-einstieg", "3D-Druck für Einsteiger", "3D printing for beginners", None, ["3d-printing"], "on_site", 40, 9, 6, 8, "Lena Hoffmann", "Verfahren, Werkstoffe und Kosten des 3D-Drucks; am Nachmittag drucken alle ein eigenes Bauteil."),
]  # fmt: skip

WORKSHOP_VENUE = "Bildungswerk Technik Hannover, Lister Meile 90, 30167 Hannover"
WORKSHOP_ONLINE_URL = "https://meet.regiolab.example/"
WORKSHOP_FUNDING_NOTE = (
    "Gefördert im Demo-Projekt „Weiterbildungsverbünde Region Hannover“ – Beispieldaten."
)
WORKSHOP_FUNDING_NOTE_EN = (
    "Funded by the demo project “Continuing-education networks Region Hannover” – sample data."
)

# --- The learning programme (learning/demo.py seeds it) ------------------------------------------
# A metal-industry competence-provision group: six firms, the city, a vocational school and the
# employment agency; cycle 1 done, cycle 2 running, cycle 3 ahead.
LEARNING_PROGRAMME = {
    "slug": "kompetenzsicherung-metall-region-hannover",
    "title": "Kompetenzsicherung Metall Region Hannover",
    "goal": (
        "Betriebe der Metall- und Elektroindustrie, Stadt, Berufsschule und Arbeitsagentur "
        "sichern gemeinsam Fachkräfte: mehr Ausbildungsplätze besetzen, An- und Ungelernte "
        "qualifizieren, Übergänge von der Schule in den Betrieb verbessern."
    ),
    "description": (
        "Drei Lernworkshops im Abstand von acht Wochen. Jede Organisation berichtet über "
        "Aktivitäten, Herausforderungen, Hindernisse und Chancen und erprobt zwischen den "
        "Workshops eigene Schritte. Am Ende stehen Werkzeuge und Handlungsempfehlungen für "
        "die Region."
    ),
    "network": "digitalisierung-maschinenbau",
    "public_summary": (
        "Neun Organisationen aus Industrie, Verwaltung, Schule und Arbeitsagentur arbeiten in "
        "drei Lernzyklen an der Fachkräftesicherung in der Metallindustrie der Region Hannover."
    ),
    "themes": [
        ("Fachkräftebedarf erheben", "Assessing the need for skilled workers"),
        (
            "Ausbildung und Übergänge Schule–Betrieb",
            "Apprenticeships and school-to-work transitions",
        ),
        ("Qualifizierung An- und Ungelernter", "Upskilling low-skilled workers"),
    ],
    "interval_weeks": 8,
    # Cycle 1's workshop lay this many days ago; cycle 2's is interval - this ahead.
    "first_workshop_days_ago": 42,
}
# The organisations that are not demo companies yet: name, legal form, municipality, postcode,
# street, NACE section, WZ code, kind, headcount, turnover, balance-sheet total.
LEARNING_COMPANIES = [
    ("Landeshauptstadt Hannover – Wirtschaftsförderung (Demo)", "KdöR", "Hannover", "30159", "Friedrichswall 10", "O", "84.11", "public_body", 120, 0, 0),
    ("BBS Metalltechnik · Elektrotechnik Hannover (Demo)", "KdöR", "Hannover", "30451", "Am Lindener Hafen 12", "P", "85.32", "education_provider", 140, 0, 0),
    ("Agentur für Arbeit Hannover (Demo)", "KdöR", "Hannover", "30173", "Brühlstraße 4", "O", "84.30", "public_body", 900, 0, 0),
]  # fmt: skip
# company, actor type, people (first name, last name, e-mail), cycle-1 report
# (activity, challenge, obstacle, opportunity), tags of the obstacle and of the opportunity.
LEARNING_ORGANISATIONS = [
    ("Elektro Bartels GmbH", "firm", [("Jana", "Bartels", "rep@regiolab.example")], (
        "Zwei Auszubildende aus der BBS-Kooperation übernommen.",
        "Monteure fehlen für Schaltschrankbau bei Metallkunden.",
        "Kleine Betriebe finden keine Zeit für Ausbildungsplanung.",
        "Verbundausbildung mit Metallbau Uetze für das zweite Lehrjahr.",
    ), ["Ausbildungsplätze"], ["Verbundausbildung"]),
    ("Brandes Präzisionstechnik GmbH", "firm", [("Klaus", "Brandes", "k.brandes@brandes-praezision.example"), ("Svenja", "Möller", "s.moeller@brandes-praezision.example")], (
        "Qualifizierungsmatrix für alle Zerspanungsmechaniker erstellt.",
        "Drei Fachkräfte gehen bis 2027 in Rente.",
        "CNC-Weiterbildung nur in Vollzeit und außerhalb der Region.",
        "Modulare Teilzeitkurse mit dem Bildungswerk Technik planen.",
    ), ["Weiterbildung An- und Ungelernte"], ["Modulare Weiterbildung"]),
    ("Metallbau Uetze GmbH", "firm", [("Dirk", "Wiebe", "d.wiebe@metallbau-uetze.example")], (
        "Tag der offenen Werkstatt mit 40 Schülerinnen und Schülern.",
        "Bewerbungen kommen oft unvollständig oder zu spät.",
        "Busverbindung nach Uetze für Auszubildende ungünstig.",
        "Azubi-Ticket der Region bekannter machen.",
    ), ["Mobilität"], ["Ausbildungsplätze"]),
    ("Hemminger Feinwerktechnik GmbH", "firm", [("Aylin", "Demir", "a.demir@hemminger-feinwerk.example")], (
        "Mentoring für neue Mitarbeitende eingeführt.",
        "Sprachbarrieren bei Zugewanderten in der Montage.",
        "Anerkennung ausländischer Abschlüsse dauert Monate.",
        "Berufsbezogene Deutschkurse über die Arbeitsagentur.",
    ), ["Anerkennung"], ["Weiterbildung An- und Ungelernte"]),
    ("Wunstorfer Getriebebau GmbH", "firm", [("Thomas", "Grote", "t.grote@wunstorfer-getriebe.example")], (
        "Ausbildungsquote auf acht Prozent erhöht.",
        "Abbrüche im ersten Lehrjahr.",
        "Zu wenig Ausbildungspersonal mit Zeit für Betreuung.",
        "Ausbildungsbegleitung durch die BBS im ersten Halbjahr.",
    ), ["Ausbildungsplätze"], ["Kooperation Schule–Betrieb"]),
    ("Heitmann Antriebstechnik GmbH", "firm", [("Petra", "Heitmann", "p.heitmann@heitmann-antrieb.example")], (
        "Teilzeitmodelle für Fachkräfte mit Familie erprobt.",
        "Schichtarbeit schreckt Bewerberinnen ab.",
        "Kinderbetreuung passt nicht zu den Schichtzeiten.",
        "Betriebsübergreifende Kita-Plätze mit der Stadt prüfen.",
    ), ["Fachkräftebindung"], ["Fachkräftebindung"]),
    ("Landeshauptstadt Hannover – Wirtschaftsförderung (Demo)", "public_sector", [("Marc", "Oltmanns", "m.oltmanns@hannover-stadt.example")], (
        "Fachkräftebörse Metall im Rathaus vorbereitet.",
        "Betriebe kennen die Förderangebote der Stadt kaum.",
        "Zuständigkeiten zwischen Stadt und Region unklar.",
        "Eine gemeinsame Anlaufstelle für Betriebe einrichten.",
    ), ["Zuständigkeiten"], ["Kooperation Schule–Betrieb"]),
    ("BBS Metalltechnik · Elektrotechnik Hannover (Demo)", "education", [("Birgit", "Schaper", "b.schaper@bbs-me.example")], (
        "Berufsorientierungswoche mit sechs Betrieben durchgeführt.",
        "Klassen in Metallberufen schrumpfen.",
        "Lehrkräftemangel in der Fachpraxis.",
        "Betriebe stellen Ausbilder als Gastdozenten.",
    ), ["Ausbildungsplätze"], ["Kooperation Schule–Betrieb"]),
    ("Agentur für Arbeit Hannover (Demo)", "public_sector", [("Frank", "Lüders", "f.lueders@arbeitsagentur.example")], (
        "Qualifizierungsberatung für die Betriebe der Gruppe angeboten.",
        "Förderung nach dem Qualifizierungschancengesetz wenig genutzt.",
        "Antragsverfahren gelten als aufwendig.",
        "Sammelantrag für mehrere Betriebe vorbereiten.",
    ), ["Fördermittel"], ["Weiterbildung An- und Ungelernte"]),
]  # fmt: skip
# Cycle 2's tasks (title, instructions) and which organisations handed in or drafted.
LEARNING_TASKS = [
    ("Ausbildungsbedarf 2026 erheben", "Wie viele Ausbildungsplätze wollen Sie 2026 in welchen Berufen besetzen?"),
    ("Eine Maßnahme aus Zyklus 1 erproben", "Beschreiben Sie kurz, was Sie ausprobiert haben und was dabei herauskam."),
]  # fmt: skip
LEARNING_SUBMITTED = ["Brandes Präzisionstechnik GmbH", "Wunstorfer Getriebebau GmbH"]
LEARNING_DRAFTS = ["Metallbau Uetze GmbH", "Agentur für Arbeit Hannover (Demo)"]
