"""The admin shows no case content (the system administrator does not read cases): only the
configuration of the cases app, the kinds of document of each Ambito and the assessment
instruments. Assessments are case content: they stay out, like the cases."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from ambito.cases.instruments import check_definition
from ambito.cases.models import DocumentKind, Instrument


@admin.register(DocumentKind)
class DocumentKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "ambito", "confidential", "author_profession_only"]
    list_filter = ["ambito", "confidential"]
    search_fields = ["name", "code"]


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = Instrument
        fields = [
            "code",
            "version",
            "name",
            "description",
            "source",
            "areas",
            "repeat_after_days",
            "definition",
            "active",
            "valid_from",
        ]

    def clean_definition(self) -> Any:
        definition = self.cleaned_data["definition"]
        try:
            check_definition(definition)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return definition


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    """A version used by an assessment is frozen (its scores rest on it): a change is a new
    version with the same code."""

    form = InstrumentForm
    list_display = ["name", "code", "version", "active", "repeat_after_days"]
    list_filter = ["active"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.assessments.exists():
            return ["code", "version", "definition", "areas"]
        return []
