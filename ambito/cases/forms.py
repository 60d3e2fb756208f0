from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ambito.accounts.access import CASE_READER_ROLES, CASE_ROLES
from ambito.cases.actions import BREAK_GLASS_MIN_REASON, DIARY_MAX_TEXT, concerns_a_minor
from ambito.cases.models import (
    ADULT_CLOSURE_REASONS,
    MINOR_CLOSURE_REASONS,
    Case,
    ClosureReason,
    ClosureSituation,
    DiaryEntry,
    DocumentKind,
    Goal,
    Plan,
    Reserved,
)
from ambito.cases.uploads import ACCEPTED, ACCEPTED_LABEL
from ambito.forms import DATE_WIDGET, ItaliaFormMixin
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.territory.models import Comune


class OperatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Operator) -> str:  # type: ignore[override]
        return f"{obj} – {obj.ente}"


class OpenCaseForm(ItaliaFormMixin, forms.Form):
    """Opening a case: the owner is one of the Ambito's Comuni or service units."""

    area = forms.ChoiceField(label="Area", choices=[("", "Seleziona l'area"), *Area.choices])
    owner = forms.ChoiceField(label="Titolare della cartella (Comune o servizio)")
    case_manager = OperatorChoiceField(
        label="Operatore responsabile (case manager)",
        queryset=Operator.objects.none(),
        empty_label="Seleziona l'operatore",
    )
    opened_on = forms.DateField(label="Data di apertura", widget=DATE_WIDGET)

    def __init__(self, *args: Any, operator: Operator, **kwargs: Any) -> None:
        kwargs.setdefault("initial", default_values(operator))
        super().__init__(*args, **kwargs)
        ambito = operator.ambito
        self.comuni = {str(c.pk): c for c in Comune.objects.in_ambito(ambito)}
        self.units = {str(u.pk): u for u in ServiceUnit.objects.filter(ambito=ambito)}
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", "Seleziona il titolare"),
            ("Comuni", [(f"comune:{pk}", c.name) for pk, c in self.comuni.items()]),
            ("Servizi", [(f"unit:{pk}", u.name) for pk, u in self.units.items()]),
        ]
        self.fields["case_manager"].queryset = (  # type: ignore[attr-defined]
            Operator.objects.filter(ambito=ambito, role__in=CASE_ROLES)
            .select_related("user", "ente")
            .order_by("user__last_name", "user__first_name")
        )

    def clean_owner(self) -> Comune | ServiceUnit:
        kind, _, pk = self.cleaned_data["owner"].partition(":")
        return self.comuni[pk] if kind == "comune" else self.units[pk]

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of cases.actions.open_case."""
        data = self.cleaned_data
        owner = data["owner"]
        return {
            "area": data["area"],
            "owner_comune": owner if isinstance(owner, Comune) else None,
            "owner_unit": owner if isinstance(owner, ServiceUnit) else None,
            "case_manager": data["case_manager"],
            "opened_on": data["opened_on"],
        }


def default_values(operator: Operator) -> dict[str, Any]:
    """A Comune's social worker opens for their Comune; the others for one of their units."""
    if operator.comune is not None:
        owner = f"comune:{operator.comune.pk}"
    else:
        unit = operator.units.order_by("name").first()
        owner = f"unit:{unit.pk}" if unit else ""
    return {"owner": owner, "case_manager": operator.pk, "opened_on": timezone.localdate()}


class CloseCaseForm(ItaliaFormMixin, forms.Form):
    """Closing a case (phase E): the coded reason and situation of the lists that apply to
    the person (SINBA for a minor's case), a note, the follow-up, and one outcome per goal of
    the plan in force (fields `goal_<id>`). Without `case` (the blank form of the case page's
    context) it offers both lists and no goals."""

    html_id = "close_%s"

    reason_code = forms.ChoiceField(label="Motivo della chiusura")
    situation = forms.ChoiceField(label="Situazione alla chiusura", required=False)
    note = forms.CharField(
        label="Note sulla chiusura",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up = forms.CharField(
        label="Dopo la chiusura (follow-up)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Chi segue la persona, quando ricontattarla, a quale servizio è stata inviata.",
    )
    closed_on = forms.DateField(
        label="Data di chiusura", widget=DATE_WIDGET, initial=timezone.localdate
    )

    def __init__(self, *args: Any, case: Case | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        minor = concerns_a_minor(case) if case is not None else None
        reasons, situations = _closure_choices(minor)
        self.fields["reason_code"].choices = [("", "Seleziona il motivo"), *reasons]  # type: ignore[attr-defined]
        self.fields["situation"].choices = [  # type: ignore[attr-defined]
            ("", "Seleziona la situazione" if minor else "Non indicata"),
            *situations,
        ]
        if minor:
            self.fields["reason_code"].help_text = "Elenco SINBA (MotivazioneChiusuraCarico)."
            self.fields["situation"].help_text = "Elenco SINBA (SituazioneChiusuraCarico)."
        self.goals = list(_goals_in_force(case)) if case is not None else []
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=f"Esito dell'obiettivo «{goal.description}»",
                choices=[("", "Seleziona l'esito"), *Goal.Outcome.choices],
                initial=goal.outcome,
            )
            self.fields[f"goal_{goal.pk}_note"] = forms.CharField(
                label=f"Note sull'esito dell'obiettivo «{goal.description}»",
                max_length=500,
                required=False,
                initial=goal.outcome_note,
            )
            self.fields[f"goal_{goal.pk}_note"].widget.attrs["class"] = "form-control"

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of cases.actions.close_case."""
        data = self.cleaned_data
        return {
            "reason_code": data["reason_code"],
            "situation": data["situation"],
            "note": data["note"],
            "follow_up": data["follow_up"],
            "closed_on": data["closed_on"],
            "goal_outcomes": {
                goal.pk: (data[f"goal_{goal.pk}"], data[f"goal_{goal.pk}_note"])
                for goal in self.goals
            },
        }


def _closure_choices(minor: bool | None) -> tuple[list[Any], list[Any]]:
    """The reason and situation choices for a minor's case, an adult's, or (None) both lists
    grouped."""
    reasons = dict(ClosureReason.choices)
    situations = dict(ClosureSituation.choices)
    minor_situations = [c for c in situations if not c.startswith("A")]
    adult_situations = [c for c in situations if c.startswith("A")]
    minors = (
        [(c, reasons[c]) for c in MINOR_CLOSURE_REASONS],
        [(c, situations[c]) for c in minor_situations],
    )
    adults = (
        [(c, reasons[c]) for c in ADULT_CLOSURE_REASONS],
        [(c, situations[c]) for c in adult_situations],
    )
    if minor is None:
        return (
            [("Minori (SINBA)", minors[0]), ("Adulti", adults[0])],
            [("Minori (SINBA)", minors[1]), ("Adulti", adults[1])],
        )
    return minors if minor else adults


def _goals_in_force(case: Case) -> QuerySet[Goal]:
    return Goal.objects.filter(
        plan__case=case, plan__status__in=[Plan.Status.DRAFT, Plan.Status.AGREED]
    ).order_by("order", "pk")


class MemberForm(ItaliaFormMixin, forms.Form):
    """Adding an operator of the Ambito (health-trust staff included) to the case's équipe."""

    html_id = "member_%s"

    operator = OperatorChoiceField(
        label="Operatore", queryset=Operator.objects.none(), empty_label="Seleziona l'operatore"
    )
    since = forms.DateField(
        label="Nell'équipe dal", widget=DATE_WIDGET, required=False, initial=timezone.localdate
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not those already in the équipe, its manager included.
        team = {case.case_manager_id, *case.members.active().values_list("operator", flat=True)}
        self.fields["operator"].queryset = (  # type: ignore[attr-defined]
            Operator.objects.filter(ambito=case.ambito_id, role__in=CASE_READER_ROLES)
            .exclude(pk__in=[pk for pk in team if pk is not None])
            .select_related("user", "ente")
            .order_by("user__last_name", "user__first_name")
        )


class ShareForm(ItaliaFormMixin, forms.Form):
    """Sharing the case with another Comune or service unit of the Ambito."""

    html_id = "share_%s"

    target = forms.ChoiceField(label="Condividi con (Comune o servizio)")
    reason = forms.CharField(label="Motivo della condivisione", max_length=300)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.comuni = {str(c.pk): c for c in Comune.objects.in_ambito(case.ambito)}
        self.units = {str(u.pk): u for u in ServiceUnit.objects.filter(ambito=case.ambito_id)}
        # The owner is not a choice: it sees the case already.
        self.comuni.pop(str(case.owner_comune_id), None)
        self.units.pop(str(case.owner_unit_id), None)
        self.fields["target"].choices = [  # type: ignore[attr-defined]
            ("", "Seleziona il destinatario"),
            ("Comuni", [(f"comune:{pk}", c.name) for pk, c in self.comuni.items()]),
            ("Servizi", [(f"unit:{pk}", u.name) for pk, u in self.units.items()]),
        ]

    def clean_target(self) -> Comune | ServiceUnit:
        kind, _, pk = self.cleaned_data["target"].partition(":")
        return self.comuni[pk] if kind == "comune" else self.units[pk]

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of cases.actions.share_case."""
        target = self.cleaned_data["target"]
        return {
            "comune": target if isinstance(target, Comune) else None,
            "unit": target if isinstance(target, ServiceUnit) else None,
            "reason": self.cleaned_data["reason"],
        }


class ReservedForm(ItaliaFormMixin, forms.Form):
    html_id = "reserved_%s"
    reserved = forms.ChoiceField(
        label="Riservatezza",
        choices=[("", "Non riservata (visibile secondo le regole ordinarie)"), *Reserved.choices],
        required=False,
    )
    reason = forms.CharField(
        label="Motivo della scelta", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class BreakGlassForm(ItaliaFormMixin, forms.Form):
    reason = forms.CharField(
        label="Motivo dell'accesso straordinario",
        min_length=BREAK_GLASS_MIN_REASON,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Almeno {BREAK_GLASS_MIN_REASON} caratteri: perché serve accedere ora.",
    )


class CorrectedEntryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DiaryEntry) -> str:  # type: ignore[override]
        return f"{obj.date:%d/%m/%Y} – {obj.get_kind_display()} – {obj.author}"


class DiaryEntryForm(ItaliaFormMixin, forms.Form):
    """A new entry of the case diary; `entries` are those the user may correct (the visible
    ones)."""

    html_id = "diary_%s"

    date = forms.DateField(label="Data", widget=DATE_WIDGET, initial=timezone.localdate)
    kind = forms.ChoiceField(
        label="Tipo", choices=[("", "Seleziona il tipo"), *DiaryEntry.Kind.choices]
    )
    text = forms.CharField(
        label="Testo",
        max_length=DIARY_MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reserved = forms.BooleanField(
        label="Nota professionale riservata",
        required=False,
        help_text="La leggono solo gli operatori della sua professione e il coordinatore "
        "d'area; gli altri non ne vedono nulla.",
    )
    corrects = CorrectedEntryField(
        label="Rettifica della voce",
        queryset=DiaryEntry.objects.none(),
        required=False,
        empty_label="Nessuna: è una voce nuova",
        help_text="Il diario non si modifica: una voce sbagliata si corregge con una nuova voce "
        "che la rettifica.",
    )

    def __init__(self, *args: Any, entries: QuerySet[DiaryEntry], **kwargs: Any) -> None:
        # Ids of its own: the case page holds several forms with a "kind" or a "date".
        kwargs.setdefault("auto_id", "diario_%s")
        super().__init__(*args, **kwargs)
        self.fields["corrects"].queryset = entries  # type: ignore[attr-defined]


class DocumentKindField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DocumentKind) -> str:  # type: ignore[override]
        return f"{obj.name} (riservato)" if obj.confidential else obj.name


class DocumentForm(ItaliaFormMixin, forms.Form):
    """A file added to the case: its kind (of the case's Ambito), a title, the file."""

    html_id = "document_%s"

    kind = DocumentKindField(
        label="Tipo di documento",
        queryset=DocumentKind.objects.none(),
        empty_label="Seleziona il tipo",
    )
    title = forms.CharField(label="Titolo", max_length=200)
    file = forms.FileField(
        label="File",
        widget=forms.FileInput(attrs={"accept": ",".join(f".{ext}" for ext in ACCEPTED)}),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "documento_%s")
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = DocumentKind.objects.filter(  # type: ignore[attr-defined]
            ambito=case.ambito_id
        )
        limit = settings.AMBITO_MAX_UPLOAD_MB
        self.fields["file"].help_text = f"{ACCEPTED_LABEL}, al massimo {limit} MB."

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of cases.actions.add_document."""
        data = self.cleaned_data
        return {"kind": data["kind"], "title": data["title"], "uploaded_file": data["file"]}
