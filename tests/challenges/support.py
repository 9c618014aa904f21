"""Calls, challenges and proposals for the challenges tests, with explicit dates."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from challenges.models import Call, Challenge, Criterion, Proposal
from tests.factories import CompanyFactory, CompanyMemberFactory

_counter = {"n": 0}


def make_call(*, phase: str = "proposals", **fields) -> Call:
    """A call whose current phase is ``phase`` (today in Europe/Berlin)."""
    today = timezone.localdate()
    offsets = {
        # collecting, published, proposals_from, deadline (days from today)
        "collecting": (-5, 5, 10, 20),
        "published": (-10, -2, 5, 15),
        "proposals": (-20, -10, -5, 10),
        "review": (-40, -30, -20, -2),
    }[phase]
    collecting, published, proposals, deadline = (today + timedelta(days=d) for d in offsets)
    _counter["n"] += 1
    values = {
        "title": f"Innovationsaufruf {_counter['n']}",
        "slug": f"aufruf-{_counter['n']}",
        "description": "Unternehmen der Region suchen Lösungen.",
        "organiser": "Regionalmanagement Nordhessen",
        "collecting_from": collecting,
        "published_from": published,
        "proposals_from": proposals,
        "proposals_until": timezone.make_aware(datetime.combine(deadline, time(23, 59))),
        "review_until": deadline + timedelta(days=14),
        "follow_up_from": deadline + timedelta(days=30),
        "confidentiality_terms": "Vertraulich behandeln.",
        **fields,
    }
    call = Call.objects.create(**values)
    Criterion.objects.create(call=call, name="Machbarkeit", weight=2, position=0)
    return call


def owner_of(company=None):
    """A company's owner (user) and the company."""
    member = CompanyMemberFactory(company=company or CompanyFactory())
    return member.user, member.company


def make_challenge(call, company=None, *, status=Challenge.Status.PUBLISHED, **fields) -> Challenge:
    company = company or CompanyFactory()
    values = {
        "title": "Digitaler Zwilling der Fertigung",
        "problem": "Rüstzeiten sind hoch.",
        "desired_outcome": "Kürzere Rüstzeiten.",
        "public_summary": "Wir suchen eine Lösung für kürzere Rüstzeiten.",
        "confidential_text": "GEHEIM: Maschinenpark und Kennzahlen.",
        "status": status,
        **fields,
    }
    return Challenge.objects.create(call=call, company=company, **values)


def make_proposal(challenge, company=None, *, status=Proposal.Status.SUBMITTED) -> Proposal:
    return Proposal.objects.create(
        challenge=challenge,
        company=company or CompanyFactory(),
        approach="Sensorik und Datenanalyse.",
        status=status,
    )


def tiny_pdf(text: str = "Angebot") -> bytes:
    """A real one-page PDF (WeasyPrint is slow; this is written by hand)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
