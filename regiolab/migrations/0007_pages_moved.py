# The information pages now belong to regiolab.pages (its 0001_initial); their tables stay.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("regiolab", "0006_mail_retry"),
        ("pages", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="AccessibilityFeedback"),
                migrations.DeleteModel(name="SitePageSection"),
                migrations.DeleteModel(name="SitePage"),
            ],
        ),
    ]
