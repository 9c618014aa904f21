"""German dates with a time as the workshop pages write them: "4. Dezember 2026, 09:00".

Django's German module leaves out the comma ("4. Dezember 2026 09:00"); e-mails and PDFs that use
DATETIME_FORMAT would then differ from the pages. Everything else comes from Django's module.
"""

DATETIME_FORMAT = "j. F Y, H:i"
