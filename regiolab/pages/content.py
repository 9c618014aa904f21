"""The first content of the information pages (Impressum, privacy notice, accessibility
statement), written by a data migration and editable by coordinators afterwards.

Everything the office has to fill in is marked [PLATZHALTER: …] / [PLACEHOLDER: …], so that a
page published before it is completed shows its gaps instead of inventing data. Each section is
(level, heading_de, heading_en, body_de, body_en); bodies are plain text: a blank line between
paragraphs, "- " starts a bullet point, web and e-mail addresses become links.

The official bodies of the accessibility statement live in templates/pages/accessibility.html
(see the comments there). The data protection authority below: name and web address are its
own; the postal address is unverified (check https://www.lfd.niedersachsen.de before going live).
"""

from django.utils import timezone

OFFICE_DE = "regioLab – Koordinierungsstelle Weiterbildungsverbund Region Hannover"
OFFICE_EN = "regioLab – coordination office of the continuing-education network Region Hannover"

IMPRINT = [
    (
        2,
        "Angaben gemäß § 5 DDG",
        "Information pursuant to section 5 DDG (German Digital Services Act)",
        f"""{OFFICE_DE}
[PLATZHALTER: Name und Rechtsform des Trägers der Koordinierungsstelle]
[PLATZHALTER: Straße und Hausnummer]
[PLATZHALTER: Postleitzahl] Hannover""",
        f"""{OFFICE_EN}
[PLACEHOLDER: name and legal form of the organisation running the office]
[PLACEHOLDER: street and number]
[PLACEHOLDER: postcode] Hannover, Germany""",
    ),
    (
        2,
        "Vertreten durch",
        "Represented by",
        "[PLATZHALTER: Name der vertretungsberechtigten Person(en), z. B. Geschäftsführung oder "
        "Vorstand]",
        "[PLACEHOLDER: name(s) of the person(s) authorised to represent the organisation, e.g. "
        "managing director or board]",
    ),
    (
        2,
        "Kontakt",
        "Contact",
        """Telefon: [PLATZHALTER: +49 511 …]
E-Mail: info@regiolab.example [PLATZHALTER: echte Adresse eintragen]""",
        """Phone: [PLACEHOLDER: +49 511 …]
E-mail: info@regiolab.example [PLACEHOLDER: enter the real address]""",
    ),
    (
        2,
        "Registereintrag",
        "Register entry",
        "[PLATZHALTER: Registergericht und Registernummer, z. B. Amtsgericht Hannover, VR … oder "
        "HRB …; Abschnitt löschen, wenn der Träger nicht eingetragen ist]",
        "[PLACEHOLDER: register court and number, e.g. Amtsgericht Hannover, VR … or HRB …; "
        "delete this section if the organisation is not registered]",
    ),
    (
        2,
        "Umsatzsteuer-Identifikationsnummer",
        "VAT identification number",
        "Umsatzsteuer-Identifikationsnummer nach § 27a Umsatzsteuergesetz: [PLATZHALTER: DE … – "
        "Abschnitt löschen, wenn keine vergeben ist]",
        "VAT identification number under section 27a of the German VAT Act: [PLACEHOLDER: DE … – "
        "delete this section if none has been issued]",
    ),
    (
        2,
        "Förderung und Aufsicht",
        "Funding and supervision",
        """Die Koordinierungsstelle wird öffentlich gefördert:
- [PLATZHALTER: Förderprogramm und Förderkennzeichen, z. B. „Aufbau von Weiterbildungsverbünden“ des Bundesministeriums für Arbeit und Soziales, kofinanziert aus dem Europäischen Sozialfonds Plus (ESF Plus)] – 70 %
- Region Hannover – 30 %

Zuständige Aufsichtsbehörde: [PLATZHALTER: nur angeben, wenn die Tätigkeit einer behördlichen Zulassung bedarf; sonst diesen Absatz löschen]""",
        """The coordination office is publicly funded:
- [PLACEHOLDER: funding programme and grant reference, e.g. "Aufbau von Weiterbildungsverbünden" of the Federal Ministry of Labour and Social Affairs, co-financed by the European Social Fund Plus (ESF Plus)] – 70 %
- Region Hannover – 30 %

Supervisory authority: [PLACEHOLDER: only if the activity requires an official licence; otherwise delete this paragraph]""",
    ),
    (
        2,
        "Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV",
        "Responsible for the content under section 18 (2) MStV (Interstate Media Treaty)",
        "[PLATZHALTER: Vor- und Nachname, Anschrift wie oben]",
        "[PLACEHOLDER: first and last name, address as above]",
    ),
]

PRIVACY = [
    (
        2,
        "Verantwortliche Stelle",
        "Controller",
        f"""Verantwortlich für die Verarbeitung Ihrer personenbezogenen Daten in diesem Portal ist:

{OFFICE_DE}
[PLATZHALTER: Träger, Anschrift wie im Impressum]
E-Mail: datenschutz@regiolab.example [PLATZHALTER: echte Adresse eintragen]""",
        f"""The controller of your personal data in this portal is:

{OFFICE_EN}
[PLACEHOLDER: organisation and address as in the imprint]
E-mail: datenschutz@regiolab.example [PLACEHOLDER: enter the real address]""",
    ),
    (
        2,
        "Datenschutzbeauftragte Person",
        "Data protection officer",
        "[PLATZHALTER: Name oder beauftragter Dienstleister], erreichbar unter "
        "datenschutz@regiolab.example [PLATZHALTER] oder per Post an die oben genannte Anschrift "
        "mit dem Zusatz „Datenschutzbeauftragte Person“.",
        "[PLACEHOLDER: name or appointed service provider], reachable at "
        "datenschutz@regiolab.example [PLACEHOLDER] or by post to the address above, marked "
        '"Data protection officer".',
    ),
    (
        2,
        "Zwecke und Rechtsgrundlagen",
        "Purposes and legal bases",
        "Wir verarbeiten nur die Daten, die wir für die folgenden Zwecke brauchen. Die "
        "Rechtsgrundlage nennen wir jeweils nach der Datenschutz-Grundverordnung (DSGVO).",
        "We process only the data we need for the following purposes. For each, we name the legal "
        "basis under the General Data Protection Regulation (GDPR).",
    ),
    (
        3,
        "Benutzerkonto",
        "User account",
        """Daten: Name, E-Mail-Adresse, Passwort (nur als sicherer Hash gespeichert), Zeitpunkt der Anmeldung, gegebenenfalls Daten des zweiten Anmeldefaktors.
Zweck: Anmeldung im Portal und Schutz Ihres Kontos.
Rechtsgrundlage: Art. 6 Abs. 1 lit. b DSGVO (Nutzungsverhältnis), für Sicherheitsmaßnahmen Art. 6 Abs. 1 lit. f DSGVO (berechtigtes Interesse an einem sicheren Betrieb).""",
        """Data: name, e-mail address, password (stored only as a secure hash), time of sign-in, where used the data of the second sign-in factor.
Purpose: signing in to the portal and protecting your account.
Legal basis: Art. 6(1)(b) GDPR (terms of use); for security measures Art. 6(1)(f) GDPR (legitimate interest in operating the portal securely).""",
    ),
    (
        3,
        "Unternehmensprofile",
        "Company profiles",
        """Daten: Angaben zum Unternehmen (Name, Anschrift, Branche, Beschäftigtenzahl, Umsatz oder Bilanzsumme zur Bestimmung der KMU-Größenklasse, Weiterbildungsbedarfe) und die Personen, die das Profil pflegen; Notizen unserer Beratungsgespräche.
Zweck: Beratung Ihres Unternehmens, Aufbau der Weiterbildungsverbünde, passende Förderangebote finden, Nachweis der erreichten Unternehmen gegenüber den Fördermittelgebern.
Rechtsgrundlage: Art. 6 Abs. 1 lit. b DSGVO (Mitwirkung im Verbund und Beratung auf Ihren Wunsch), Art. 6 Abs. 1 lit. f DSGVO (Nachweis der zweckgerechten Verwendung öffentlicher Mittel). Kontaktaufnahme durch uns nur mit Ihrer Einwilligung, Art. 6 Abs. 1 lit. a DSGVO.""",
        """Data: details of the company (name, address, sector, headcount, turnover or balance-sheet total to determine the SME size class, training needs) and the people who keep the profile; notes of our consultations.
Purpose: advising your company, building the training networks, finding suitable funding offers, proving to our funders which companies we reached.
Legal basis: Art. 6(1)(b) GDPR (taking part in a network and advice at your request), Art. 6(1)(f) GDPR (proving the proper use of public funds). We contact you only with your consent, Art. 6(1)(a) GDPR.""",
    ),
    (
        3,
        "Anmeldungen zu Workshops",
        "Workshop registrations",
        """Daten: Name, E-Mail-Adresse, Unternehmen, Status der Anmeldung (bestätigt, Warteliste, storniert), Teilnahme.
Zweck: Durchführung der Workshops mit Warteliste, Erinnerungen und Teilnahmebescheinigung; Unterschriftenliste als Nachweis gegenüber den Fördermittelgebern.
Rechtsgrundlage: Art. 6 Abs. 1 lit. b DSGVO (Ihre Anmeldung), für die Nachweise Art. 6 Abs. 1 lit. c DSGVO in Verbindung mit den Nachweispflichten des Zuwendungsrechts [PLATZHALTER: Rechtsgrundlage mit der Förderstelle abstimmen].""",
        """Data: name, e-mail address, company, status of the registration (confirmed, waitlist, cancelled), attendance.
Purpose: running the workshops with waitlist, reminders and certificate of attendance; signature sheet as evidence for our funders.
Legal basis: Art. 6(1)(b) GDPR (your registration); for the evidence Art. 6(1)(c) GDPR together with the reporting duties of German grant law [PLACEHOLDER: confirm the legal basis with the funding body].""",
    ),
    (
        3,
        "Statistische Angaben für den ESF Plus (freiwillig)",
        "Statistics for the ESF Plus (voluntary)",
        """Daten: Geschlecht, Altersgruppe, Erwerbsstatus, Bildungsabschluss – nur wenn Sie bei der Anmeldung eingewilligt haben.
Zweck: Statistik, die der Europäische Sozialfonds Plus von geförderten Vorhaben verlangt.
Rechtsgrundlage: Ihre Einwilligung, Art. 6 Abs. 1 lit. a DSGVO. Sie können auch ohne diese Angaben teilnehmen und Ihre Einwilligung jederzeit mit Wirkung für die Zukunft widerrufen – in Ihrem Konto oder per E-Mail an uns.""",
        """Data: gender, age band, employment status, level of education – only if you consented when registering.
Purpose: statistics the European Social Fund Plus requires from funded projects.
Legal basis: your consent, Art. 6(1)(a) GDPR. You can take part without giving these details and withdraw your consent at any time with effect for the future – in your account or by e-mail to us.""",
    ),
    (
        3,
        "Berichte an Fördermittelgeber",
        "Reports to funders",
        """Wir berichten unseren Fördermittelgebern über den Fortschritt des Vorhabens (Zwischen- und Verwendungsnachweis). Die Berichte enthalten zusammengefasste Zahlen – etwa erreichte Unternehmen, Teilnehmende und Teilnahmestunden –, aber keine Namen. Prüfstellen der Fördermittelgeber und Rechnungshöfe dürfen die Originalnachweise (z. B. Unterschriftenlisten) bei uns einsehen.
Rechtsgrundlage: Art. 6 Abs. 1 lit. c DSGVO in Verbindung mit den Nebenbestimmungen des Zuwendungsbescheids.""",
        """We report the progress of the project to our funders (interim and final reports). The reports contain aggregate figures – such as companies reached, participants and participant hours – but no names. Auditors of the funders and courts of audit may inspect the original evidence (e.g. signature sheets) at our office.
Legal basis: Art. 6(1)(c) GDPR together with the conditions of the grant notice.""",
    ),
    (
        3,
        "E-Mails",
        "E-mails",
        """Wir schicken E-Mails zu Ihrem Konto (Bestätigung der Adresse, Passwort), zu Ihren Anmeldungen (Bestätigung, Warteliste, Erinnerung, Absage, Teilnahmebescheinigung) und Antworten auf Ihre Nachrichten. Einladungen zu Workshops erhalten Sie nur, wenn Sie der Kontaktaufnahme zugestimmt haben.
Rechtsgrundlage: Art. 6 Abs. 1 lit. b DSGVO, für Einladungen Art. 6 Abs. 1 lit. a DSGVO.""",
        """We send e-mails about your account (address confirmation, password), about your registrations (confirmation, waitlist, reminder, cancellation, certificate of attendance) and answers to your messages. You receive invitations to workshops only if you agreed to be contacted.
Legal basis: Art. 6(1)(b) GDPR; for invitations Art. 6(1)(a) GDPR.""",
    ),
    (
        3,
        "Server-Protokolle",
        "Server logs",
        "Beim Aufruf einer Seite speichert der Server kurzzeitig die IP-Adresse, die aufgerufene "
        "Adresse und den Zeitpunkt, um Angriffe abzuwehren und Fehler zu finden. Die Protokolle "
        "werden nach [PLATZHALTER: 14] Tagen gelöscht. Rechtsgrundlage: Art. 6 Abs. 1 lit. f "
        "DSGVO.",
        "When you open a page, the server briefly stores the IP address, the address requested and "
        "the time, to fend off attacks and find errors. The logs are deleted after [PLACEHOLDER: "
        "14] days. Legal basis: Art. 6(1)(f) GDPR.",
    ),
    (
        2,
        "Empfänger",
        "Recipients",
        """- Unser Hosting- und E-Mail-Dienstleister verarbeitet die Daten in unserem Auftrag (Art. 28 DSGVO): [PLATZHALTER: Name und Sitz des Dienstleisters].
- Fördermittelgeber erhalten nur zusammengefasste Zahlen, keine Namen.
- Prüfstellen und Rechnungshöfe dürfen Nachweise bei uns einsehen (siehe oben).
- Die Koordinierenden eines Weiterbildungsverbunds sehen die Unternehmen und Anmeldungen ihres Verbunds.

Wir übermitteln keine Daten in Staaten außerhalb der Europäischen Union und geben keine Daten zu Werbezwecken weiter.""",
        """- Our hosting and e-mail provider processes the data on our behalf (Art. 28 GDPR): [PLACEHOLDER: name and seat of the provider].
- Funders receive aggregate figures only, no names.
- Auditors and courts of audit may inspect evidence at our office (see above).
- The coordinators of a training network see the companies and registrations of their network.

We transfer no data to countries outside the European Union and pass on no data for advertising.""",
    ),
    (
        2,
        "Speicherdauer",
        "Retention",
        """- Benutzerkonto: solange das Konto besteht.
- Anmeldungen, Teilnahme und Nachweise: bis zum Ende der Aufbewahrungsfrist des jeweiligen Förderprogramms nach dem Verwendungsnachweis [PLATZHALTER: Frist je Förderprogramm eintragen, z. B. für ESF-Plus-Vorhaben]. Danach anonymisieren wir die Daten: Name, E-Mail-Adresse und freie Texte werden gelöscht; übrig bleiben nur Angaben wie Workshop, Datum und Größenklasse des Unternehmens, aus denen sich niemand mehr bestimmen lässt.
- Freiwillige statistische Angaben: wie die Anmeldung, oder bis zu Ihrem Widerruf.
- Nachrichten über das Feedback-Formular zur Barrierefreiheit: [PLATZHALTER: z. B. zwei Jahre] nach Abschluss des Anliegens.""",
        """- User account: as long as the account exists.
- Registrations, attendance and evidence: until the end of the retention period of the funding programme after the final report [PLACEHOLDER: enter the period of each funding programme, e.g. for ESF Plus projects]. Then we anonymise the data: name, e-mail address and free texts are deleted; only details such as workshop, date and the company's size class remain, from which nobody can be identified.
- Voluntary statistics: as long as the registration, or until you withdraw your consent.
- Messages sent through the accessibility feedback form: [PLACEHOLDER: e.g. two years] after the matter is closed.""",
    ),
    (
        2,
        "Ihre Rechte",
        "Your rights",
        """Sie haben das Recht auf
- Auskunft über Ihre Daten (Art. 15 DSGVO) – in Ihrem Konto unter „Datenschutz“ (/accounts/privacy/) laden Sie Ihre Daten jederzeit als JSON-Datei herunter;
- Berichtigung (Art. 16 DSGVO) – die meisten Angaben ändern Sie selbst in Ihrem Konto oder Unternehmensprofil;
- Löschung (Art. 17 DSGVO) – soweit wir Nachweise aufbewahren müssen, anonymisieren wir Ihre Daten stattdessen;
- Einschränkung der Verarbeitung (Art. 18 DSGVO) und Datenübertragbarkeit (Art. 20 DSGVO);
- Widerspruch gegen Verarbeitungen auf Grundlage berechtigter Interessen (Art. 21 DSGVO);
- Widerruf einer Einwilligung mit Wirkung für die Zukunft (Art. 7 Abs. 3 DSGVO) – in Ihrem Konto unter „Datenschutz“ oder per E-Mail.

Schreiben Sie uns dazu an datenschutz@regiolab.example [PLATZHALTER].""",
        """You have the right to
- access your data (Art. 15 GDPR) – in your account under "Privacy" (/accounts/privacy/) you can download your data as a JSON file at any time;
- rectification (Art. 16 GDPR) – you change most details yourself in your account or company profile;
- erasure (Art. 17 GDPR) – where we must keep evidence, we anonymise your data instead;
- restriction of processing (Art. 18 GDPR) and data portability (Art. 20 GDPR);
- object to processing based on legitimate interests (Art. 21 GDPR);
- withdraw a consent with effect for the future (Art. 7(3) GDPR) – in your account under "Privacy" or by e-mail.

To do so, write to datenschutz@regiolab.example [PLACEHOLDER].""",
    ),
    (
        2,
        "Beschwerde bei der Aufsichtsbehörde",
        "Complaint to the supervisory authority",
        """Sie können sich bei einer Datenschutz-Aufsichtsbehörde beschweren, für uns zuständig ist:
Landesbeauftragte für den Datenschutz Niedersachsen (LfD Niedersachsen)
Prinzenstraße 5, 30159 Hannover
https://www.lfd.niedersachsen.de""",
        """You may lodge a complaint with a data protection supervisory authority; the one responsible for us is:
Landesbeauftragte für den Datenschutz Niedersachsen (LfD, data protection authority of Lower Saxony)
Prinzenstraße 5, 30159 Hannover, Germany
https://www.lfd.niedersachsen.de""",
    ),
    (
        2,
        "Cookies",
        "Cookies",
        """Das Portal setzt nur technisch notwendige Cookies:
- ein Sitzungs-Cookie, solange Sie angemeldet sind oder die Sprache umgestellt haben;
- ein Sicherheits-Cookie gegen gefälschte Formularübermittlungen (CSRF).

Wir verwenden keine Analyse- oder Tracking-Werkzeuge und laden keine Inhalte von Dritten (Schriften, Skripte und Bilder kommen von unserem eigenen Server).""",
        """The portal sets only technically necessary cookies:
- a session cookie while you are signed in or after you switched the language;
- a security cookie against forged form submissions (CSRF).

We use no analytics or tracking tools and load no content from third parties (fonts, scripts and images come from our own server).""",
    ),
    (
        2,
        "Pflicht zur Angabe, keine automatisierten Entscheidungen",
        "Whether you must provide data; no automated decisions",
        "Ohne Name und E-Mail-Adresse können wir Sie nicht zu einem Workshop anmelden; alle "
        "statistischen Angaben sind freiwillig. Wir treffen keine automatisierten Entscheidungen "
        "im Sinne von Art. 22 DSGVO; der Fördermittel-Finder schlägt nur passende Programme vor.",
        "Without name and e-mail address we cannot register you for a workshop; all statistical "
        "details are voluntary. We make no automated decisions within the meaning of Art. 22 GDPR; "
        "the funding finder only suggests suitable programmes.",
    ),
]


def _accessibility(today: str) -> list:
    return [
        (
            2,
            "Geltungsbereich",
            "Scope",
            f"""Diese Erklärung gilt für das Portal von {OFFICE_DE} unter [PLATZHALTER: Web-Adresse des Portals].
Wir sind bemüht, das Portal im Einklang mit § 9a des Niedersächsischen Behindertengleichstellungsgesetzes (NBGG) und der Niedersächsischen Verordnung über barrierefreie Informationstechnik (NBITVO) barrierefrei zugänglich zu machen. [PLATZHALTER: prüfen, ob der Träger öffentliche Stelle im Sinne des § 9 NBGG ist; andernfalls handelt es sich um eine freiwillige Erklärung.]""",
            f"""This statement applies to the portal of {OFFICE_EN} at [PLACEHOLDER: web address of the portal].
We aim to make the portal accessible in accordance with section 9a of the Lower Saxony Disability Equality Act (NBGG) and the Lower Saxony ordinance on accessible information technology (NBITVO). [PLACEHOLDER: check whether the organisation is a public body within the meaning of section 9 NBGG; otherwise this statement is voluntary.]""",
        ),
        (
            2,
            "Stand der Vereinbarkeit mit den Anforderungen",
            "Compliance status",
            "Das Portal ist mit den Anforderungen der Web Content Accessibility Guidelines (WCAG) "
            "2.1 auf Stufe AA, der europäischen Norm EN 301 549 und der BITV 2.0 teilweise "
            "vereinbar. Die Inhalte, die noch nicht barrierefrei sind, führen wir unten auf.",
            "The portal is partially compliant with the Web Content Accessibility Guidelines (WCAG) "
            "2.1 level AA, the European standard EN 301 549 and BITV 2.0. The content that is not "
            "yet accessible is listed below.",
        ),
        (
            3,
            "Wie wir die Barrierefreiheit prüfen",
            "How we assess accessibility",
            """Die Bewertung beruht auf einer Selbstbewertung:
- automatisierte Prüfungen mit axe-core auf allen Seiten, jeweils angemeldet in jeder Rolle (Gast, Unternehmen, Koordination, Fördermittelgeber);
- ein Tastaturtest der wichtigsten Abläufe (Registrierung, Anmeldung zu Workshops, Formulare der Koordination);
- eine Durchsicht von Überschriften, Beschriftungen, Kontrasten und Fehlermeldungen durch das Team.
Eine Prüfung durch externe Sachverständige (z. B. BITV-Test) steht noch aus. [PLATZHALTER: Ergebnis eintragen, sobald sie erfolgt ist.]""",
            """The assessment is a self-assessment:
- automated checks with axe-core on every page, signed in as each role (guest, company, coordinator, funder);
- a keyboard test of the main flows (sign-up, registering for workshops, the coordinators' forms);
- a review of headings, labels, contrast and error messages by the team.
A test by external experts (e.g. BITV test) is still to come. [PLACEHOLDER: add the result once it has taken place.]""",
        ),
        (
            2,
            "Nicht barrierefreie Inhalte",
            "Content that is not accessible",
            """- PDF-Dokumente: Teilnahmebescheinigungen, Unterschriftenlisten und Sachberichte werden automatisch als PDF erzeugt. Sie enthalten echten Text, sind aber nicht als barrierefreies PDF (PDF/UA) geprüft. Alternative: Die Angaben stehen auch auf den Seiten des Portals, Berichte zusätzlich als Excel-Tabelle; auf Wunsch schicken wir Ihnen die Inhalte in einem anderen Format.
- Ältere Dokumente: PDF-Dateien, die vor der Einführung des Portals erstellt wurden, und Ausschreibungen von Förderprogrammen anderer Stellen sind oft nicht barrierefrei. Auf Anfrage senden wir Ihnen die Inhalte als Text.
- Online-Workshops: Für Online-Termine verlinken wir Videokonferenz-Dienste anderer Anbieter, deren Barrierefreiheit wir nicht beeinflussen können. Teilen Sie uns bei der Anmeldung mit, was Sie brauchen (z. B. Einwahl per Telefon, Unterlagen vorab, Schriftdolmetschung) – wir suchen eine Lösung.
- Verlinkte Seiten anderer Stellen (z. B. Förderprogramme) liegen außerhalb unserer Verantwortung.
- Erläuterungen in Deutscher Gebärdensprache und in Leichter Sprache bieten wir derzeit nicht an.""",
            """- PDF documents: certificates of attendance, signature sheets and progress reports are generated automatically as PDF. They contain real text but have not been checked as accessible PDF (PDF/UA). Alternative: the details are also shown on the portal's pages, reports also as an Excel spreadsheet; on request we send you the content in another format.
- Older documents: PDF files created before the portal went live, and calls of funding programmes published by other bodies, are often not accessible. On request we send you the content as text.
- Online workshops: for online sessions we link video-conferencing services of other providers whose accessibility we cannot influence. Tell us what you need when you register (e.g. dial-in by phone, material in advance, speech-to-text interpreting) – we will find a solution.
- Linked pages of other bodies (e.g. funding programmes) are outside our responsibility.
- We do not yet offer explanations in German Sign Language or in Easy Language.""",
        ),
        (
            2,
            "Erstellung dieser Erklärung",
            "Preparation of this statement",
            f"Diese Erklärung wurde am {today} erstellt. Sie beruht auf der oben beschriebenen "
            "Selbstbewertung. Wir überprüfen sie mindestens einmal im Jahr und bei jeder "
            "wesentlichen Änderung des Portals; das Datum der letzten Überprüfung steht am Ende "
            "dieser Seite.",
            f"This statement was prepared on {today}. It is based on the self-assessment described "
            "above. We review it at least once a year and whenever the portal changes "
            "substantially; the date of the last review is shown at the end of this page.",
        ),
        (
            2,
            "Kontakt zur Barrierefreiheit",
            "Accessibility contact",
            """Sie erreichen uns auch direkt:
E-Mail: barrierefreiheit@regiolab.example [PLATZHALTER: echte Adresse eintragen]
Telefon: [PLATZHALTER: +49 511 …]""",
            """You can also reach us directly:
E-mail: barrierefreiheit@regiolab.example [PLACEHOLDER: enter the real address]
Phone: [PLACEHOLDER: +49 511 …]""",
        ),
    ]


def initial_sections(key: str) -> list[tuple]:
    today = timezone.localdate().strftime("%d.%m.%Y")
    return {"imprint": IMPRINT, "privacy": PRIVACY, "accessibility": _accessibility(today)}[key]


def create_initial_pages(site_page_model, section_model) -> None:
    """Create the pages that do not exist yet (takes the models, so a migration can pass its
    historical ones)."""
    for key in ("imprint", "privacy", "accessibility"):
        page, created = site_page_model.objects.get_or_create(key=key)
        if not created:
            continue
        section_model.objects.bulk_create(
            section_model(
                page=page,
                position=index,
                level=level,
                heading_de=heading_de,
                heading_en=heading_en,
                body_de=body_de,
                body_en=body_en,
            )
            for index, (level, heading_de, heading_en, body_de, body_en) in enumerate(
                initial_sections(key), start=1
            )
        )
