from django.contrib import admin

from .models import NetworkMembership, TrainingNetwork


class NetworkMembershipInline(admin.TabularInline):
    model = NetworkMembership
    extra = 0
    fields = ["company", "role", "status", "joined_on", "left_on", "requested_by"]
    raw_id_fields = ["company", "requested_by"]


@admin.register(TrainingNetwork)
class TrainingNetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "sector_focus", "start_date", "end_date"]
    list_filter = ["status", "sector_focus"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics", "coordinators"]
    inlines = [NetworkMembershipInline]


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(admin.ModelAdmin):
    # Membership changes that send e-mails go through the dashboard (networks.services).
    list_display = ["company", "network", "role", "status", "joined_on", "left_on"]
    list_filter = ["status", "role", "network"]
    search_fields = ["company__name", "network__name"]
    list_select_related = ["company", "network"]
    raw_id_fields = ["company", "requested_by"]
