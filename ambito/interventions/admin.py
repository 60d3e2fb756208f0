"""The admin holds the catalogue of each Ambito and the providers' units of offer with their
tariffs (configuration, kept by the system administrator), never the interventions of a plan
nor their deliveries: those are case content, which the system administrator does not read.
The providers themselves are Enti (organizations admin)."""

from django.contrib import admin

from ambito.interventions.models import Service, Tariff, UnitOfOffer


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "siuss_code", "area", "unit", "periodic", "active", "ambito"]
    list_filter = ["ambito", "active", "area", "unit"]
    search_fields = ["name", "code", "siuss_code"]


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
