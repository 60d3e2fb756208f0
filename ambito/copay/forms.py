"""The simulator's form, the month to run, the adjustment of a charge and an ISEE declaration."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from ambito.copay.models import IseeType, Surcharge
from ambito.forms import DATE_WIDGET, ItaliaFormMixin
from ambito.interventions.models import Service

# 9.000 or 12.345.678: dots that group thousands, without a decimal part.
THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


class ItalianDecimalField(forms.DecimalField):
    """Reads amounts as Italians type them: «9.000,50», «9000,5», «9000.50», «€ 9.000» (a text
    input: a number input refuses the decimal comma in many browsers)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            text = value.replace("€", "").replace(" ", "").strip()
            if "," in text:
                text = text.replace(".", "").replace(",", ".")
            elif THOUSANDS.match(text):
                text = text.replace(".", "")
            value = text
        return super().to_python(value)


class SimulatorForm(ItaliaFormMixin, forms.Form):
    """A service, an ISEE (or none valid), the units and the day: what the regulation in force
    that day makes the user pay."""

    html_id = "sim_%s"

    service = forms.ModelChoiceField(
        label="Servizio", queryset=Service.objects.none(), empty_label="Seleziona il servizio"
    )
    isee = ItalianDecimalField(
        label="Valore ISEE (€)",
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
        help_text="Ad esempio 9.000,00. Lasciare vuoto se si sceglie «Senza ISEE valido».",
    )
    without_isee = forms.BooleanField(label="Senza ISEE valido", required=False)
    units = ItalianDecimalField(
        label="Unità (ore, accessi, giorni o mesi)",
        min_value=Decimal("0.01"),
        decimal_places=2,
        max_digits=9,
    )
    date = forms.DateField(
        label="Data (regolamento in vigore quel giorno)",
        widget=DATE_WIDGET,
        initial=timezone.localdate,
    )
    court_ordered = forms.BooleanField(
        label="Servizio disposto dall'Autorità giudiziaria", required=False
    )
    surcharges = forms.MultipleChoiceField(
        label="Maggiorazioni",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, ambito_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = Service.objects.filter(
            ambito_id=ambito_id, copay_schemes__isnull=False
        ).distinct()
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        names = (
            Surcharge.objects.filter(scheme__regulation__ambito_id=ambito_id)
            .order_by("name")
            .values_list("name", flat=True)
            .distinct()
        )
        self.fields["surcharges"].choices = [(n, n) for n in names]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        without, isee = data.get("without_isee"), data.get("isee")
        if without and isee is not None:
            self.add_error("isee", "Indicare il valore ISEE o «Senza ISEE valido», non entrambi.")
        elif not without and isee is None and "isee" not in self.errors:
            self.add_error("isee", "Indicare il valore ISEE oppure scegliere «Senza ISEE valido».")
        return data


MONTH_PATTERN = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")


def parse_month(text: str) -> date | None:
    """«2026-01» → 1 January 2026; None when it is not a month."""
    match = MONTH_PATTERN.match(text.strip())
    if match is None or not 1 <= int(match["month"]) <= 12:
        return None
    return date(int(match["year"]), int(match["month"]), 1)


class RunMonthForm(ItaliaFormMixin, forms.Form):
    """The month to charge (an `<input type="month">`: AAAA-MM)."""

    html_id = "run_%s"

    month = forms.CharField(
        label="Mese da calcolare",
        help_text="Nella forma AAAA-MM, ad esempio 2026-01.",
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def clean_month(self) -> date:
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError("Indicare il mese nella forma AAAA-MM.")
        return month


class AdjustForm(ItaliaFormMixin, forms.Form):
    """The corrected user's share of a charge and why."""

    html_id = "adj_%s"

    user_share = ItalianDecimalField(
        label="Quota dell'utente corretta (€)", min_value=0, decimal_places=2, max_digits=12
    )
    reason = forms.CharField(label="Motivo della rettifica", max_length=500)


class IseeDeclarationForm(ItaliaFormMixin, forms.Form):
    """An ISEE attestation as the DSU states it, of the person or of their current household
    (`subjects`: the choices the user may record). The checks of the values are the action's
    (copay.actions.declare_isee), so the page and the API say the same."""

    html_id = "isee_%s"

    subject = forms.ChoiceField(label="Dichiarazione di", widget=forms.RadioSelect)
    isee_type = forms.ChoiceField(
        label="Tipo di ISEE", choices=[("", "Seleziona il tipo"), *IseeType.choices]
    )
    protocol = forms.CharField(
        label="Numero di protocollo DSU",
        max_length=40,
        help_text="Nella forma INPS-ISEE-AAAA-XXXXXXXXX-XX.",
    )
    dsu_date = forms.DateField(label="Data di presentazione della DSU", widget=DATE_WIDGET)
    value = ItalianDecimalField(
        label="Valore ISEE (€)", max_digits=14, help_text="Ad esempio 9.000,00."
    )
    valid_until = forms.DateField(
        label="Valida fino al",
        widget=DATE_WIDGET,
        required=False,
        help_text="Se vuota: il 31 dicembre dell'anno della DSU (sei mesi per l'ISEE corrente).",
    )

    def __init__(self, *args: Any, subjects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subjects  # type: ignore[attr-defined]
        if subjects:
            self.fields["subject"].initial = subjects[0][0]

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of copay.actions.declare_isee (the subject apart)."""
        names = ("isee_type", "protocol", "dsu_date", "value", "valid_until")
        return {name: self.cleaned_data[name] for name in names}
