"""The admin holds the catalogue of each Ambito (configuration), never the interventions of a
plan: those are case content, which the system administrator does not read."""

from django.contrib import admin

from ambito.interventions.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "siuss_code", "area", "unit", "periodic", "active", "ambito"]
    list_filter = ["ambito", "active", "area", "unit"]
    search_fields = ["name", "code", "siuss_code"]
