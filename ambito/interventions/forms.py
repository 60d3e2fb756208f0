"""The forms of the deliveries pages: a month's units, a file to upload, a month to approve."""

from datetime import date
from typing import Any

from django import forms

from ambito.forms import ItaliaFormMixin
from ambito.interventions.months import parse_month

MONTH_WIDGET = forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"})


class MonthField(forms.CharField):
    """A month written AAAA-MM (what <input type="month"> sends), cleaned to its first day."""

    widget = MONTH_WIDGET

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError("Indicare il mese nel formato AAAA-MM (es. 2026-10).")
        return month


class DeliveryForm(ItaliaFormMixin, forms.Form):
    """The units of one intervention in a month: one small form per row of the list, each
    with ids of its own (`delivery_<intervention>_<field>`)."""

    month = MonthField(label="Mese")
    units = forms.DecimalField(
        label="Unità erogate",
        min_value=0,
        max_digits=9,
        decimal_places=2,
        localize=True,
        error_messages={"invalid": "Indicare un numero (es. 12,5)."},
    )

    def __init__(self, *args: Any, intervention_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"delivery_{intervention_id}_%s")
        super().__init__(*args, **kwargs)
        self.intervention_id = intervention_id


class UploadForm(ItaliaFormMixin, forms.Form):
    html_id = "upload_%s"

    file = forms.FileField(
        label="File delle prestazioni (CSV o XLSX)",
        help_text="Colonne codice_fiscale, intervention_id, month (AAAA-MM), units: "
        "scaricare il modello qui sotto.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
