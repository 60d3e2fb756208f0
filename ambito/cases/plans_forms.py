"""The forms of the case's plans, and what the case page's section needs."""

from functools import partial
from typing import Any

from django import forms
from django.db.models import Prefetch
from django.utils import timezone

from ambito.cases.actions.plans import PLAN_SUMMARY_MAX
from ambito.cases.folded import Folded
from ambito.cases.models import Case, Goal, GoalReview, Plan, Review
from ambito.copay.sections import isee_flags
from ambito.forms import DATE_WIDGET, ItaliaFormMixin
from ambito.interventions.catalogue import usable_services
from ambito.interventions.models import (
    Delivery,
    FundingSource,
    Intervention,
    MonthApproval,
    Service,
    UnitOfOffer,
)
from ambito.organizations.models import Ente

Outcome = Goal.Outcome


class ServiceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        service: Service = obj
        code = f" ({service.siuss_code})" if service.siuss_code else ""
        return f"{service.name}{code} – {service.get_unit_display().lower()}"


def _service_field(case: Case, *, required: bool = True) -> ServiceChoiceField:
    return ServiceChoiceField(
        label="Intervento dal catalogo",
        queryset=usable_services(case),
        empty_label="Seleziona l'intervento",
        required=required,
    )


def _quantity_field() -> forms.DecimalField:
    return forms.DecimalField(
        label="Quantità prevista al mese",
        min_value=0.01,
        max_digits=9,
        decimal_places=2,
        required=False,
        help_text="Nell'unità dell'intervento (ore, accessi, giorni, mesi, euro).",
    )


class PlanForm(ItaliaFormMixin, forms.Form):
    """The plan itself; its goals, supports and commitments are formsets beside it."""

    html_id = "plan_%s"

    kind = forms.ChoiceField(
        label="Tipo di progetto", choices=[("", "Seleziona il tipo"), *Plan.Kind.choices]
    )
    starts_on = forms.DateField(label="Valido dal", widget=DATE_WIDGET, initial=timezone.localdate)
    ends_on = forms.DateField(label="Valido fino al", widget=DATE_WIDGET, required=False)
    summary = forms.CharField(
        label="Sintesi dei bisogni e delle risorse",
        max_length=PLAN_SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_review_on = forms.DateField(
        label="Prima verifica entro il", widget=DATE_WIDGET, required=False
    )


class GoalForm(ItaliaFormMixin, forms.Form):
    """A goal: in the new-plan page's formset, and alone on the case page."""

    html_id = "goal_%s"

    description = forms.CharField(label="Obiettivo", max_length=500)
    expected_result = forms.CharField(label="Risultato atteso", max_length=500)
    measure = forms.CharField(label="Come si misura (indicatore)", max_length=300, required=False)
    due_on = forms.DateField(label="Entro il", widget=DATE_WIDGET, required=False)
    responsible = forms.CharField(label="Chi se ne occupa", max_length=200, required=False)


class SupportForm(ItaliaFormMixin, forms.Form):
    """A support of the new plan: a service of the catalogue and its planned quantity."""

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"] = _service_field(case)
        self.fields["planned_quantity"] = _quantity_field()
        self.fields["planned_quantity"].widget.attrs["class"] = "form-control"
        self.fields["notes"] = forms.CharField(label="Note", max_length=500, required=False)
        self.fields["notes"].widget.attrs["class"] = "form-control"


class CommitmentForm(ItaliaFormMixin, forms.Form):
    """A commitment of the person or the family in the new plan."""

    who = forms.CharField(label="Chi si impegna", max_length=200)
    description = forms.CharField(label="Impegno", max_length=500)
    due_on = forms.DateField(label="Entro il", widget=DATE_WIDGET, required=False)


GoalFormSet = forms.formset_factory(GoalForm, extra=2, min_num=1, validate_min=True)
SupportFormSet = forms.formset_factory(SupportForm, extra=3)
CommitmentFormSet = forms.formset_factory(CommitmentForm, extra=2)


class NewPlan:
    """The new-plan page's form and formsets, bound together."""

    def __init__(self, case: Case, data: Any = None) -> None:
        self.form = PlanForm(data)
        # The rows' ids follow the page's pattern (a formset passes its own to its forms).
        rows = "plan_%s"
        self.goals = GoalFormSet(data, prefix="goals", auto_id=rows)
        self.supports = SupportFormSet(
            data, prefix="supports", form_kwargs={"case": case}, auto_id=rows
        )
        self.commitments = CommitmentFormSet(data, prefix="commitments", auto_id=rows)

    def is_valid(self) -> bool:
        # Every part is validated, so that the page shows all the errors at once.
        valid = [
            self.form.is_valid(),
            self.goals.is_valid(),
            self.supports.is_valid(),
            self.commitments.is_valid(),
        ]
        return all(valid)

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of cases.actions.create_plan."""

        def filled(formset: forms.BaseFormSet) -> list[dict[str, Any]]:  # type: ignore[type-arg]
            return [f.cleaned_data for f in formset.forms if f.cleaned_data]

        return {
            **self.form.cleaned_data,
            "goals": filled(self.goals),
            "supports": filled(self.supports),
            "commitments": filled(self.commitments),
        }


class InterventionForm(ItaliaFormMixin, forms.Form):
    """One more support of the plan in force, on the case page."""

    html_id = "intervention_%s"

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"] = _service_field(case)
        self.fields["planned_quantity"] = _quantity_field()
        self.fields["planned_quantity"].widget.attrs["class"] = "form-control"
        self.fields["notes"] = forms.CharField(label="Note", max_length=500, required=False)
        self.fields["notes"].widget.attrs["class"] = "form-control"


class AgreementForm(ItaliaFormMixin, forms.Form):
    """The draft plan signed (when and by whom) or refused (why)."""

    html_id = "agreement_%s"

    decision = forms.ChoiceField(
        label="Esito",
        choices=[("sottoscritto", "Sottoscritto"), ("rifiutato", "Non sottoscritto (rifiutato)")],
        widget=forms.RadioSelect,
        initial="sottoscritto",
    )
    agreed_on = forms.DateField(
        label="Sottoscritto il", widget=DATE_WIDGET, required=False, initial=timezone.localdate
    )
    agreed_by = forms.CharField(
        label="Sottoscritto da (persona, familiari)", max_length=300, required=False
    )
    reason = forms.CharField(label="Motivo del rifiuto", max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "sottoscritto":
            if not data.get("agreed_on"):
                self.add_error("agreed_on", "Indicare la data della sottoscrizione.")
            if not (data.get("agreed_by") or "").strip():
                self.add_error("agreed_by", "Indicare chi ha sottoscritto il progetto.")
        elif data.get("decision") == "rifiutato" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Indicare il motivo del rifiuto.")
        return data


class EndPlanForm(ItaliaFormMixin, forms.Form):
    html_id = "plan_end_%s"

    ends_on = forms.DateField(label="Concluso il", widget=DATE_WIDGET, initial=timezone.localdate)
    reason = forms.CharField(label="Motivo della conclusione", max_length=300)


class ReviewForm(ItaliaFormMixin, forms.Form):
    """A review of the plan: the date, each goal's progress and note (fields `goal_<id>` and
    `goal_<id>_note`), notes and the next review."""

    html_id = "review_%s"

    date = forms.DateField(
        label="Data della verifica", widget=DATE_WIDGET, initial=timezone.localdate
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = list(plan.goals.all())
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=f"Andamento dell'obiettivo «{goal.description}»",
                choices=[("", "Seleziona l'andamento"), *Outcome.choices],
            )
            note = forms.CharField(
                label=f"Note sull'obiettivo «{goal.description}»", max_length=500, required=False
            )
            note.widget.attrs["class"] = "form-control"
            self.fields[f"goal_{goal.pk}_note"] = note
        self.fields["notes"] = forms.CharField(
            label="Note della verifica",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        )
        self.fields["next_review_on"] = forms.DateField(
            label="Prossima verifica entro il", widget=DATE_WIDGET, required=False
        )
        self.fields["next_review_on"].widget.attrs["class"] = "form-control"

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of cases.actions.add_review."""
        data = self.cleaned_data
        return {
            "date": data["date"],
            "progress": {
                goal.pk: (data[f"goal_{goal.pk}"], data[f"goal_{goal.pk}_note"])
                for goal in self.goals
            },
            "notes": data["notes"],
            "next_review_on": data["next_review_on"],
        }


class ProviderForm(ItaliaFormMixin, forms.Form):
    """The provider of one of the plan's interventions, with its unit of offer, cost and
    funding (interventions.actions.assign_provider)."""

    html_id = "provider_%s"

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        interventions = plan.interventions.exclude(status=Intervention.Status.ENDED)
        providers = Ente.objects.filter(ambito_id=plan.case.ambito_id, kind=Ente.Kind.PROVIDER)
        self.fields["intervention"] = forms.ModelChoiceField(
            label="Intervento", queryset=interventions.select_related("service"), empty_label=None
        )
        self.fields["provider"] = forms.ModelChoiceField(
            label="Ente gestore", queryset=providers, empty_label="Seleziona l'ente gestore"
        )
        self.fields["unit_of_offer"] = forms.ModelChoiceField(
            label="Unità d'offerta",
            queryset=UnitOfOffer.objects.filter(ente__in=providers).select_related("ente"),
            required=False,
            empty_label="Nessuna (senza tariffa)",
        )
        self.fields["unit_cost"] = forms.DecimalField(
            label="Costo per unità (€)",
            min_value=0,
            max_digits=9,
            decimal_places=2,
            localize=True,
            required=False,
            help_text="Vuoto: la tariffa in vigore dell'unità d'offerta.",
        )
        self.fields["funding_source"] = forms.ChoiceField(
            label="Fonte di finanziamento",
            choices=[("", "Non indicata"), *FundingSource.choices],
            required=False,
        )
        self.fields["unit_cost"].widget.attrs["class"] = "form-control"


def deliveries_by_month(plan: Plan) -> list[dict[str, Any]]:
    """The plan's deliveries, newest month first: month, intervention, units, approved."""
    deliveries = list(
        Delivery.objects.filter(intervention__plan=plan)
        .select_related("intervention__service", "intervention__provider")
        .order_by("-month", "intervention_id")
    )
    approved = set(
        MonthApproval.objects.filter(
            ente_id__in={d.intervention.provider_id for d in deliveries},
            month__in={d.month for d in deliveries},
        ).values_list("ente_id", "month")
    )
    return [
        {"delivery": d, "approved": (d.intervention.provider_id, d.month) in approved}
        for d in deliveries
    ]


def _with_latest_progress(plan: Plan) -> list[Goal]:
    """The plan's goals, each with `latest` (its GoalReview at the newest review, or None)."""
    goals = list(plan.goals.all())
    latest: dict[int, GoalReview] = {}
    for review in plan.reviews.all():  # newest first
        for goal_review in review.goal_reviews.all():
            latest.setdefault(goal_review.goal_id, goal_review)
    for goal in goals:
        goal.latest = latest.get(goal.pk)  # type: ignore[attr-defined]
    return goals


def plans_section(case: Case, user: Any, *, writable: bool) -> dict[str, Any]:
    """What the case page's plans section shows, and its blank forms when `writable`: the plan
    in force (goals with their latest progress, interventions, commitments, reviews) and the
    earlier ones."""
    plans = list(
        case.plans.select_related("created_by").prefetch_related(
            "goals",
            "commitments",
            Prefetch(
                "interventions",
                queryset=Intervention.objects.select_related(
                    "service", "provider", "unit_of_offer"
                ).order_by("pk"),
            ),
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("created_by").prefetch_related(
                    "goal_reviews__goal", "participants__user"
                ),
            ),
        )
    )
    current = next((plan for plan in plans if plan.in_force), None)
    for plan in plans:
        plan.goals_with_progress = _with_latest_progress(plan)  # type: ignore[attr-defined]
    editable = writable and current is not None
    return {
        "plan": current,
        "earlier_plans": [plan for plan in plans if plan is not current],
        "running": [
            i for i in current.interventions.all() if i.status == Intervention.Status.ACTIVE
        ]
        if current
        else [],
        "plans_writable": writable,
        "goal_form": Folded(GoalForm) if editable else None,
        "intervention_form": Folded(partial(InterventionForm, case=case)) if editable else None,
        "agreement_form": Folded(AgreementForm)
        if editable and current and current.status == Plan.Status.DRAFT
        else None,
        "end_plan_form": EndPlanForm() if editable else None,
        "provider_form": Folded(partial(ProviderForm, plan=current))
        if editable and current
        else None,
        "plan_deliveries": deliveries_by_month(current) if current else [],
        **isee_flags(case, current),
        "today": timezone.localdate(),
    }
