"""The main journeys, walked through real requests on whichever database the run has.

``make test`` runs them twice: with the rest of the suite on PostgreSQL, and again with the
environment ``make run`` uses (SQLite, no Redis: eager Celery, local-memory cache). They run
with real commits (``transaction=True``), so e-mails leave the outbox after commit and eager
tasks run then, as under ``make run``.
"""

# The grant and its funders as the funding tests have them; report files in a temporary folder.
from tests.funding.conftest import _private_files_in_tmp, funder_user, funders, grant  # noqa: F401
