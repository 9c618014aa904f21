# Consents and anonymisation records move out of the core app: their tables keep their names and
# rows (state-only CreateModel; regiolab.0008 removes them from the core's state).

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from regiolab.app_split import move_content_types

MODELS = ["anonymisationrecord", "consent"]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("regiolab", "0007_pages_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AnonymisationRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('pseudonym', models.CharField(db_index=True, max_length=254, verbose_name='placeholder address')),
                        ('reason', models.CharField(choices=[('request', 'on request'), ('retention', 'retention period passed')], max_length=10, verbose_name='reason')),
                        ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                        ('counts', models.JSONField(default=dict, verbose_name='rows changed')),
                        ('performed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='performed')),
                        ('performed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='performed by')),
                    ],
                    options={
                        'verbose_name': 'anonymisation',
                        'verbose_name_plural': 'anonymisations',
                        'db_table': 'regiolab_anonymisationrecord',
                        'ordering': ['-performed_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Consent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail')),
                        ('purpose', models.CharField(choices=[('contact', 'Company may be contacted (advice, workshop invitations)'), ('workshop', 'Workshop registration and statistics for the funders')], max_length=20, verbose_name='purpose')),
                        ('text_version', models.CharField(max_length=40, verbose_name='text version')),
                        ('language', models.CharField(blank=True, max_length=8, verbose_name='language')),
                        ('source', models.CharField(choices=[('company_form', 'company profile'), ('workshop_registration', 'workshop registration'), ('colleague_registration', 'registration by a colleague')], max_length=30, verbose_name='given on')),
                        ('subject', models.CharField(blank=True, max_length=60, verbose_name='concerns')),
                        ('given_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='given')),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn')),
                        ('given_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='given by')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='consents', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'consent',
                        'verbose_name_plural': 'consents',
                        'db_table': 'regiolab_consent',
                        'ordering': ['-given_at', '-pk'],
                        'indexes': [models.Index(django.db.models.functions.text.Lower('email'), name='consent_email_lower_idx'), models.Index(condition=models.Q(('withdrawn_at__isnull', True)), fields=['subject'], name='consent_active_subject_idx')],
                    },
                ),
            ],
        ),
        move_content_types("regiolab", "privacy", MODELS),
    ]
