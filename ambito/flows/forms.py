"""The forms of the flows page: publish a month, build a file for the manual upload, choose the
month of what waits for data."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from ambito.flows.models import Flow, FlowKind
from ambito.forms import DATE_WIDGET, ItaliaFormMixin
from ambito.interventions.months import parse_month


class MonthField(forms.CharField):
    """A month as `<input type="month">` sends it (AAAA-MM), up to the current one."""

    widget = forms.TextInput(attrs={"type": "month"})

    def clean(self, value: Any) -> dt.date:  # type: ignore[override]
        text = super().clean(value)
        month = parse_month(text or "")
        if month is None:
            raise forms.ValidationError("Indicare il mese nella forma AAAA-MM.")
        if month > timezone.localdate().replace(day=1):
            raise forms.ValidationError("Il mese non è ancora iniziato.")
        return month


def last_month() -> str:
    return f"{timezone.localdate().replace(day=1) - dt.timedelta(days=1):%Y-%m}"


class PublishMonthForm(ItaliaFormMixin, forms.Form):
    """The month whose flows go to the outbox: PS/PSA/SINA of the month, SINBA at its end."""

    html_id = "pub_%s"

    month = MonthField(
        label="Mese da pubblicare", help_text="Nella forma AAAA-MM, ad esempio 2026-01."
    )


class WaitingForm(ItaliaFormMixin, forms.Form):
    html_id = "wait_%s"

    mese = MonthField(label="Mese", help_text="Nella forma AAAA-MM.")


class ManualFileForm(ItaliaFormMixin, forms.Form):
    """An Ente, a type and a period: the flows not yet sent go in one file."""

    html_id = "man_%s"

    kind = forms.ChoiceField(label="Tipo di flusso", choices=FlowKind.choices)
    ente_code = forms.ChoiceField(label="Ente")
    period_start = forms.DateField(label="Periodo dal", widget=DATE_WIDGET)
    period_end = forms.DateField(label="Periodo al", widget=DATE_WIDGET)

    def __init__(self, *args: Any, ambito_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enti = (
            Flow.objects.filter(ambito_id=ambito_id)
            .values_list("ente_code", "ente_name")
            .distinct()
            .order_by("ente_name", "ente_code")
        )
        field = self.fields["ente_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, f"{name} ({code})") for code, name in enti]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "La fine del periodo precede l'inizio.")
        return data
