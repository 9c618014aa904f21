# The information pages move out of the core app: their tables keep their names and rows
# (state-only CreateModel; regiolab.0007 removes them from the core's state).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import regiolab.validators
from regiolab.app_split import move_content_types

MODELS = ["accessibilityfeedback", "sitepage", "sitepagesection"]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("regiolab", "0006_mail_retry"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AccessibilityFeedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(blank=True, max_length=150, verbose_name='name')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail address')),
                        ('page_url', models.CharField(blank=True, max_length=500, verbose_name='page concerned')),
                        ('message', models.TextField(max_length=5000, verbose_name='message')),
                        ('language', models.CharField(blank=True, max_length=8, verbose_name='language')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='received')),
                    ],
                    options={
                        'verbose_name': 'accessibility feedback',
                        'verbose_name_plural': 'accessibility feedback',
                        'db_table': 'regiolab_accessibilityfeedback',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='SitePage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(choices=[('imprint', 'Imprint'), ('privacy', 'Privacy notice'), ('accessibility', 'Accessibility statement')], max_length=20, unique=True, verbose_name='page')),
                        ('updated_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last updated')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by')),
                    ],
                    options={
                        'verbose_name': 'information page',
                        'verbose_name_plural': 'information pages',
                        'db_table': 'regiolab_sitepage',
                    },
                ),
                migrations.CreateModel(
                    name='SitePageSection',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                        ('level', models.PositiveSmallIntegerField(choices=[(2, 'section'), (3, 'subsection')], default=2, verbose_name='heading level')),
                        ('heading_de', models.CharField(max_length=200, validators=[regiolab.validators.no_markup], verbose_name='heading (German)')),
                        ('heading_en', models.CharField(blank=True, max_length=200, validators=[regiolab.validators.no_markup], verbose_name='heading (English)')),
                        ('body_de', models.TextField(blank=True, max_length=20000, validators=[regiolab.validators.no_markup], verbose_name='text (German)')),
                        ('body_en', models.TextField(blank=True, max_length=20000, validators=[regiolab.validators.no_markup], verbose_name='text (English)')),
                        ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sections', to='pages.sitepage', verbose_name='page')),
                    ],
                    options={
                        'verbose_name': 'page section',
                        'verbose_name_plural': 'page sections',
                        'db_table': 'regiolab_sitepagesection',
                        'ordering': ['position', 'pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('level__in', [2, 3])), name='site_page_section_level')],
                    },
                ),
            ],
        ),
        move_content_types("regiolab", "pages", MODELS),
    ]
