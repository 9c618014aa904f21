"""English dates as a European office writes them: "4 Dec 2026, 14:00", one form on every page.

Django's own English formats are American ("Dec. 4, 2026", short "12/04/2026", "2 p.m."): next to
each other on one page, and read by Europeans, the short form is taken for 12 April. What is not
set here (input formats, numbers) comes from Django's English module.
"""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
