"""The admin shows no case content (the system administrator does not read cases): only the
configuration of the cases app, the kinds of document of each Ambito."""

from django.contrib import admin

from ambito.cases.models import DocumentKind


@admin.register(DocumentKind)
class DocumentKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "ambito", "confidential", "author_profession_only"]
    list_filter = ["ambito", "confidential"]
    search_fields = ["name", "code"]
