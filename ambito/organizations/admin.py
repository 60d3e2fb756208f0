from django.contrib import admin

from ambito.organizations.models import Ente, Operator, ServiceUnit, Team


@admin.register(Ente)
class EnteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "ambito", "comune"]
    list_filter = ["ambito", "kind"]
    search_fields = ["name", "tax_code"]
    list_select_related = ["ambito", "comune"]


@admin.register(ServiceUnit)
class ServiceUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "ente", "ambito"]
    list_filter = ["ambito", "area"]
    search_fields = ["name"]
    list_select_related = ["ambito", "ente"]


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "profession", "role", "ente", "ambito"]
    list_filter = ["ambito", "role", "profession"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "ente__name"]
    list_select_related = ["user", "ente", "ambito"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["units"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "ambito"]
    list_filter = ["ambito"]
    search_fields = ["name"]
    list_select_related = ["unit", "ambito"]
    filter_horizontal = ["members"]
