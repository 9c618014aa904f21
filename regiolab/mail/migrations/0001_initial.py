# The outbox moves out of the core app: its tables keep their names and rows (state-only
# CreateModel; regiolab.0010 removes the models from the core's state).

from django.db import migrations, models

from regiolab.app_split import move_content_types

MODELS = ["outboundemail", "mailoptout"]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("regiolab", "0008_privacy_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='OutboundEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('to', models.EmailField(max_length=254, verbose_name='recipient')),
                        ('subject', models.CharField(max_length=255, verbose_name='subject')),
                        ('body_text', models.TextField(verbose_name='text')),
                        ('body_html', models.TextField(blank=True, verbose_name='HTML')),
                        ('attachments', models.JSONField(blank=True, default=list, verbose_name='attachments')),
                        ('status', models.CharField(choices=[('pending', 'pending'), ('sent', 'sent'), ('failed', 'failed')], default='pending', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('message_id', models.CharField(blank=True, max_length=255, verbose_name='Message-ID')),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt')),
                        ('failing_since', models.DateTimeField(blank=True, null=True, verbose_name='failing since')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                    ],
                    options={
                        'verbose_name': 'outgoing e-mail',
                        'verbose_name_plural': 'outgoing e-mails',
                        'db_table': 'regiolab_outboundemail',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['created_at'], name='outbox_pending_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='MailOptOut',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, unique=True, verbose_name='e-mail')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='unsubscribed')),
                    ],
                    options={
                        'verbose_name': 'unsubscribed address',
                        'verbose_name_plural': 'unsubscribed addresses',
                        'db_table': 'regiolab_mailoptout',
                        'ordering': ['-created_at'],
                    },
                ),
            ],
        ),
        move_content_types("regiolab", "outbox", MODELS),
    ]
