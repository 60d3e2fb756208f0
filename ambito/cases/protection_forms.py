"""The forms of child protection, the ADI path, the closure and the reopening, and what the
case page's protection section needs."""

from functools import partial
from typing import Any

from django import forms
from django.utils import timezone

from ambito.accounts.access import CASE_READER_ROLES, operator_of
from ambito.cases.access import may_change_case
from ambito.cases.folded import Folded
from ambito.cases.forms import CloseCaseForm, OperatorChoiceField
from ambito.cases.models import Case, CourtOrder, Mandate, Placement, SupervisedVisit
from ambito.forms import DATE_WIDGET, ItaliaFormMixin
from ambito.organizations.models import Area, Operator

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _blank(choices: Any, label: str) -> list[Any]:
    return [("", label), *choices]


class MandateForm(ItaliaFormMixin, forms.Form):
    html_id = "mandate_%s"

    mandate = forms.ChoiceField(
        label="Mandato", choices=_blank(Mandate.choices, "Seleziona il mandato")
    )


class AdiForm(ItaliaFormMixin, forms.Form):
    html_id = "adi_%s"

    pad_on = forms.DateField(label="Patto di attivazione digitale (PAD) del", widget=DATE_WIDGET)
    first_meeting_on = forms.DateField(
        label="Primo incontro col nucleo il",
        widget=DATE_WIDGET,
        required=False,
        help_text="Entro 120 giorni dal PAD; va registrato anche su GePI.",
    )


class CourtOrderField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CourtOrder) -> str:  # type: ignore[override]
        reference = f", {obj.reference}" if obj.reference else ""
        return f"{obj.get_authority_display()} del {obj.issued_on:%d/%m/%Y}{reference}"


class PlacementForm(ItaliaFormMixin, forms.Form):
    """A placement: the fields of foster care or of a residential structure, as its kind says
    (the action refuses those of the other kind)."""

    html_id = "placement_%s"

    kind = forms.ChoiceField(
        label="Tipo di collocamento", choices=_blank(Placement.Kind.choices, "Seleziona il tipo")
    )
    form = forms.ChoiceField(
        label="Forma (SINBA)", choices=_blank(Placement.Form.choices, "Seleziona la forma")
    )
    court_order = CourtOrderField(
        label="Provvedimento che lo dispone",
        queryset=CourtOrder.objects.none(),
        required=False,
        empty_label="Nessuno (collocamento consensuale)",
    )
    placed_with = forms.CharField(label="Presso (famiglia affidataria o struttura)", max_length=300)
    starts_on = forms.DateField(label="Dal", widget=DATE_WIDGET)
    expected_end_on = forms.DateField(
        label="Durata prevista fino al", widget=DATE_WIDGET, required=False
    )
    foster_type = forms.ChoiceField(
        label="Affido: tipo",
        choices=_blank(Placement.FosterType.choices, "Solo per l'affido"),
        required=False,
    )
    foster_duration = forms.ChoiceField(
        label="Affido: durata",
        choices=_blank(Placement.FosterDuration.choices, "Solo per l'affido"),
        required=False,
    )
    foster_character = forms.ChoiceField(
        label="Affido: carattere",
        choices=_blank(Placement.FosterCharacter.choices, "Solo per l'affido"),
        required=False,
    )
    residential_type = forms.ChoiceField(
        label="Struttura: tipo di inserimento",
        choices=_blank(Placement.ResidentialType.choices, "Solo per la struttura"),
        required=False,
    )
    residential_character = forms.ChoiceField(
        label="Struttura: carattere dell'inserimento",
        choices=_blank(Placement.ResidentialCharacter.choices, "Solo per la struttura"),
        required=False,
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court_order"].queryset = case.court_orders.all()  # type: ignore[attr-defined]


class EndPlacementForm(ItaliaFormMixin, forms.Form):
    html_id = "placement_end_%s"

    ends_on = forms.DateField(label="Concluso il", widget=DATE_WIDGET, initial=timezone.localdate)
    outcome = forms.ChoiceField(
        label="Esito (SINBA)", choices=_blank(Placement.Outcome.choices, "Seleziona l'esito")
    )


class VisitForm(ItaliaFormMixin, forms.Form):
    """A supervised visit to schedule, led by an operator of the case's Ambito."""

    html_id = "visit_%s"

    scheduled_at = forms.DateTimeField(
        label="Data e ora", widget=DATETIME_WIDGET, input_formats=["%Y-%m-%dT%H:%M"]
    )
    place = forms.CharField(label="Luogo", max_length=200, initial="Spazio neutro")
    visitor = forms.CharField(label="Con (genitore, parente)", max_length=200)
    facilitator = OperatorChoiceField(
        label="Operatore che conduce l'incontro",
        queryset=Operator.objects.none(),
        empty_label="Seleziona l'operatore",
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = (  # type: ignore[attr-defined]
            Operator.objects.filter(ambito=case.ambito_id, role__in=CASE_READER_ROLES)
            .select_related("user", "ente")
            .order_by("user__last_name", "user__first_name")
        )


class VisitOutcomeForm(ItaliaFormMixin, forms.Form):
    """The outcome of one scheduled visit: one small form per visit, ids of its own."""

    status = forms.ChoiceField(
        label="Esito",
        choices=[
            ("", "Seleziona l'esito"),
            *[
                c
                for c in SupervisedVisit.Status.choices
                if c[0] != SupervisedVisit.Status.SCHEDULED
            ],
        ],
    )
    attended_by = forms.CharField(label="Presenti", max_length=300, required=False)
    notes = forms.CharField(
        label="Osservazioni", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, visit: SupervisedVisit, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"visit_{visit.pk}_%s")
        super().__init__(*args, **kwargs)


class ReopenForm(ItaliaFormMixin, forms.Form):
    html_id = "reopen_%s"

    reason = forms.CharField(
        label="Motivo della riapertura",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    opened_on = forms.DateField(
        label="Nuovo episodio aperto il", widget=DATE_WIDGET, initial=timezone.localdate
    )


def protection_section(case: Case, user: Any, *, writable: bool) -> dict[str, Any]:
    """What the case page's protection section shows: the mandate and placements and visits
    of a famiglia e minori case, the ADI dates of a poverty case, the closure form of an open
    case and the reopening form of a closed one; the blank forms when `writable` (the user may
    change the open case)."""
    minors = case.area == Area.FAMILY_MINORS
    placements = list(case.placements.select_related("court_order"))
    current = next((p for p in placements if p.is_current), None)
    visits = list(case.visits.select_related("facilitator__user"))
    operator = operator_of(user)
    closed = case.status == Case.Status.CLOSED
    # Only a closed case is reopened as a new episode.
    next_episode = Case.objects.filter(previous_episode=case).first() if closed else None
    may_reopen = closed and next_episode is None and may_change_case(user, case)
    return {
        "protection_minors": minors,
        "protection_poverty": case.area == Area.POVERTY,
        "placements": placements,
        "current_placement": current,
        # Each visit with the form of its outcome while it waits for one.
        "visit_rows": [
            (
                v,
                VisitOutcomeForm(visit=v)
                if writable and v.status == SupervisedVisit.Status.SCHEDULED
                else None,
            )
            for v in visits
        ],
        "protection_writable": writable,
        "next_episode": next_episode,
        "mandate_form": MandateForm(initial={"mandate": case.mandate})
        if writable and minors
        else None,
        "adi_form": Folded(
            partial(
                AdiForm,
                initial={"pad_on": case.adi_pad_on, "first_meeting_on": case.adi_first_meeting_on},
            )
        )
        if writable and case.area == Area.POVERTY
        else None,
        "placement_form": Folded(partial(PlacementForm, case=case))
        if writable and minors and current is None
        else None,
        "end_placement_form": Folded(EndPlacementForm)
        if writable and current is not None
        else None,
        "visit_form": Folded(partial(VisitForm, case=case, initial={"facilitator": operator}))
        if writable and minors
        else None,
        "closure_form": CloseCaseForm(case=case) if writable else None,
        "reopen_form": ReopenForm() if may_reopen else None,
    }
