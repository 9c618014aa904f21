from django.contrib import admin
from django.db import models

from .models import Topic

# A bare "firma.de" in a link field means https (Django 6's default; 5.2 still assumes http).
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_de", "name_en"]
    search_fields = ["slug", "name_de", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}
