"""The admin holds the catalogue of each Ambito and the providers' units of offer with their
tariffs (configuration, kept by the system administrator), never the interventions of a plan
nor their deliveries: those are case content, which the system administrator does not read.
The providers themselves are Enti (organizations admin)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ambito.interventions.models import BenefitCode, Service, Tariff, UnitOfOffer


@admin.register(BenefitCode)
class BenefitCodeAdmin(admin.ModelAdmin):
    """The INPS table, read-only: it changes only with the shipped file and its migration, so
    that every installation reports the same codes. Whoever keeps the catalogue reads it."""

    list_display = ["code", "name", "valid_from", "valid_to", "sina"]
    list_filter = ["sina"]
    search_fields = ["code", "name"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        return super().has_view_permission(request, obj) or user.has_perm(
            "interventions.view_service"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "siuss_code",
        "sioss_area",
        "area",
        "unit",
        "periodic",
        "standard_cost",
        "active",
        "ambito",
    ]
    list_filter = ["ambito", "active", "area", "sioss_area", "unit"]
    search_fields = ["name", "code", "siuss_code"]
    fields = [
        "ambito",
        "code",
        "name",
        "siuss_code",
        "sioss_area",
        "area",
        "unit",
        "periodic",
        "standard_cost",
        "active",
    ]


class TariffInline(admin.TabularInline):
    model = Tariff
    extra = 1
    autocomplete_fields = ["service"]


@admin.register(UnitOfOffer)
class UnitOfOfferAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "ente",
        "typology",
        "capacity",
        "cpe_on",
        "accreditation",
        "accredited_from",
        "accredited_to",
    ]
    list_filter = ["typology", "accreditation", "ente__ambito"]
    list_select_related = ["ente"]
    search_fields = ["name", "ente__name"]
    inlines = [TariffInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "ente":
            kwargs["queryset"] = db_field.related_model.objects.filter(kind="provider")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
