"""The forms of the Piano di Zona's pages: the dashboard's filter, an action's status, a new
indicator from the measures the system offers, a manual value with its evidence, the
evaluation card.

The rules (evidence required, a year inside the plan, no manual value on a computed indicator,
a measure's parameters) are the actions' (`ambito.planning.actions`): the forms only read what
was typed, so that the page and the API refuse the same things with the same words.
"""

import json
from typing import Any

from django import forms
from django.utils.text import slugify

from ambito.copay.forms import ItalianDecimalField
from ambito.forms import DATE_WIDGET, ItaliaFormMixin
from ambito.interventions.models import Service
from ambito.organizations.models import Area
from ambito.planning.measures import MEASURES
from ambito.planning.models import Action, Evaluation, Indicator, PolicyArea, ZonePlan
from ambito.territory.models import Comune

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    """The choices of a field that depend on the plan or the Ambito."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class DashboardFilterForm(ItaliaFormMixin, forms.Form):
    """A GET form: the policy area to show, and the year of the figures by Comune."""

    html_id = "filtro_%s"

    area = forms.ChoiceField(label="Area di policy", required=False)
    anno = forms.TypedChoiceField(label="Anno dei dati per Comune", coerce=int, required=False)

    def __init__(self, *args: Any, plan: ZonePlan, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        present = set(plan.objectives.values_list("area", flat=True))
        areas = [(code, label) for code, label in PolicyArea.choices if code in present]
        set_choices(self, "area", [("", "Tutte le aree"), *areas])
        set_choices(self, "anno", [(year, str(year)) for year in reversed(years)])


class ActionStatusForm(ItaliaFormMixin, forms.Form):
    """The status of one action of the card (one form per action: give it its own auto_id)."""

    action = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Stato", choices=Action.Status.choices)
    note = forms.CharField(label="Nota sullo stato", widget=TEXTAREA, required=False)


def measure_choices() -> list[tuple[str, str]]:
    measures = sorted(MEASURES.values(), key=lambda m: m.label)
    return [
        ("", "Nessuna: valore inserito con evidenza"),
        *((m.code, f"{m.label} ({m.unit})") for m in measures),
    ]


class IndicatorForm(ItaliaFormMixin, forms.Form):
    """A new indicator of a card: computed from the record by one of the system's measures, with
    its parameters (areas, Comune, services; the others as JSON), or entered by hand."""

    html_id = "indicatore_%s"

    name = forms.CharField(label="Indicatore", max_length=300)
    code = forms.SlugField(
        label="Codice",
        max_length=40,
        required=False,
        help_text="Lettere minuscole, numeri e trattini. Vuoto: ricavato dal nome.",
    )
    level = forms.ChoiceField(label="Livello", choices=Indicator.Level.choices)
    measure = forms.ChoiceField(
        label="Misura",
        required=False,
        help_text="Come il sistema calcola il valore dalla cartella sociale.",
    )
    area = forms.MultipleChoiceField(
        label="Aree della cartella (vuoto: tutte)",
        choices=Area.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comune = forms.ChoiceField(label="Comune (vuoto: tutto l'Ambito)", required=False)
    service = forms.MultipleChoiceField(
        label="Servizi del catalogo (vuoto: tutti)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    parameters = forms.CharField(
        label="Altri parametri della misura (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='Ad esempio {"minors": true} oppure {"reason": ["obiettivi_raggiunti"]}.',
    )
    unit = forms.CharField(
        label="Unità",
        max_length=30,
        required=False,
        help_text="Vuoto: quella della misura (per i valori inseriti: «n.»).",
    )
    direction = forms.ChoiceField(
        label="Verso", choices=Indicator.Direction.choices, widget=forms.RadioSelect
    )
    baseline = ItalianDecimalField(
        label="Valore di partenza", required=False, decimal_places=2, max_digits=14
    )
    baseline_year = forms.IntegerField(label="Anno di partenza", required=False)
    target = ItalianDecimalField(label="Target", decimal_places=2, max_digits=14)
    deadline = forms.DateField(label="Scadenza", widget=DATE_WIDGET)
    description = forms.CharField(label="Definizione", widget=TEXTAREA, required=False)

    def __init__(self, *args: Any, plan: ZonePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "measure", measure_choices())
        comuni = Comune.objects.filter(ambito=plan.ambito_id).order_by("name")
        set_choices(
            self, "comune", [("", "Tutto l'Ambito")] + [(c.istat_code, c.name) for c in comuni]
        )
        services = Service.objects.filter(ambito=plan.ambito_id).order_by("name")
        set_choices(self, "service", [(s.code, s.name) for s in services])

    def clean_parameters(self) -> dict[str, Any]:
        text = self.cleaned_data["parameters"].strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise forms.ValidationError(
                'Scrivere gli altri parametri come oggetto JSON, ad esempio {"minors": true}.'
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = {key: data.get(key) for key in ("area", "comune", "service") if data.get(key)}
        if not data.get("measure") and (chosen or data.get("parameters")):
            raise forms.ValidationError(
                "Un indicatore inserito con evidenza non ha parametri: scegliere una misura o "
                "togliere aree, Comune, servizi e altri parametri."
            )
        return data

    def action_arguments(self) -> dict[str, Any]:
        """The fields of `actions.add_indicator`."""
        data = self.cleaned_data
        measure = data["measure"]
        parameters = dict(data["parameters"])
        for key in ("area", "service"):
            if data[key]:
                parameters[key] = list(data[key])
        if data["comune"]:
            parameters["comune"] = data["comune"]
        return {
            "code": data["code"] or slugify(data["name"])[:40].strip("-"),
            "name": data["name"],
            "description": data["description"],
            "level": data["level"],
            "kind": Indicator.Kind.COMPUTED if measure else Indicator.Kind.MANUAL,
            "measure": measure,
            "parameters": parameters,
            "unit": data["unit"],
            "direction": data["direction"],
            "baseline": data["baseline"],
            "baseline_year": data["baseline_year"],
            "target": data["target"],
            "deadline": data["deadline"],
        }


class IndicatorValueForm(ItaliaFormMixin, forms.Form):
    """A manual value of an indicator for a year, with the document it comes from."""

    html_id = "valore_%s"

    year = forms.IntegerField(label="Anno")
    value = ItalianDecimalField(label="Valore", decimal_places=2, max_digits=14)
    evidence = forms.CharField(
        label="Evidenza (documento, atto)",
        max_length=300,
        required=False,
        help_text="Obbligatoria: il documento da cui risulta il valore, es. «Delibera "
        "dell'Assemblea dei Sindaci n. 4/2026».",
    )
    evidence_date = forms.DateField(label="Data dell'evidenza", widget=DATE_WIDGET, required=False)
    note = forms.CharField(label="Nota", widget=TEXTAREA, required=False)


class EvaluationForm(ItaliaFormMixin, forms.Form):
    """The evaluation card of an objective (the format of the previous plans' evaluations)."""

    html_id = "valutazione_%s"

    actions_done = forms.CharField(
        label="Breve descrizione delle azioni realizzate",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    critical_issues = forms.CharField(
        label="Criticità rilevate", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    answered_need = forms.ChoiceField(
        label="Questo obiettivo ha adeguatamente risposto a un bisogno producendo un "
        "cambiamento positivo nell'area individuata come problematica?",
        choices=Evaluation.Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Indicare se l'obiettivo ha risposto al bisogno."},
    )
    why = forms.CharField(
        label="Perché",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Spiegare perché."},
    )
