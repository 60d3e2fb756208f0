from django.contrib import admin

from ambito.territory.models import Ambito, Comune, Population


@admin.register(Ambito)
class AmbitoAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "province", "region"]
    search_fields = ["name", "code"]


@admin.register(Comune)
class ComuneAdmin(admin.ModelAdmin):
    list_display = ["name", "istat_code", "belfiore_code", "province", "ambito"]
    list_filter = ["ambito"]
    search_fields = ["name", "istat_code", "belfiore_code"]


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ["comune", "year", "residents", "residents_0_17", "approximate"]
    list_filter = ["year", "approximate", "comune__ambito"]
    search_fields = ["comune__name"]
    list_select_related = ["comune"]
