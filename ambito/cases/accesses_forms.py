"""The forms of the access pages: registering an access and giving it its outcome."""

from typing import Any

from django import forms
from django.utils import timezone

from ambito.cases.access import cases_visible_to
from ambito.cases.actions import CLOSING_OUTCOMES, REGISTRATION_OUTCOMES
from ambito.cases.forms import OpenCaseForm, default_values
from ambito.cases.models import Access, Case
from ambito.forms import DATE_WIDGET, ItaliaFormMixin
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.access import persons_visible_to
from ambito.people.models import Person
from ambito.territory.models import Comune

# How many persons a search offers in the form's list.
PERSON_CHOICES = 30


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:  # type: ignore[override]
        code = obj.codice_fiscale or obj.get_missing_code_reason_display()
        return f"{obj.full_name} – {code} – {obj.comune_residenza}"


class AccessForm(ItaliaFormMixin, forms.Form):
    """Registering an access. The person is one the operator sees: the one of ?persona=, or one
    of those a search (?q=) found; none for an anonymous first contact."""

    date = forms.DateField(label="Data", widget=DATE_WIDGET)
    channel = forms.ChoiceField(
        label="Canale", choices=[("", "Seleziona il canale"), *Access.Channel.choices]
    )
    source = forms.ChoiceField(
        label="Chi segnala (fonte)",
        choices=[("", "Seleziona la fonte"), *Access.Source.choices],
        help_text="L'elenco SINBA delle fonti della segnalazione.",
    )
    referrer_name = forms.CharField(label="Nome di chi segnala", max_length=200, required=False)
    referrer_contact = forms.CharField(
        label="Recapito di chi segnala", max_length=200, required=False
    )
    person = PersonChoiceField(
        label="Persona",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Nessuna: primo contatto anonimo",
    )
    request = forms.CharField(label="Domanda espressa", widget=forms.Textarea(attrs={"rows": 4}))
    area = forms.ChoiceField(label="Area", choices=[("", "Seleziona l'area"), *Area.choices])
    owner = forms.ChoiceField(label="Ricevuta da (Comune o servizio)")
    privacy_notice_given = forms.BooleanField(
        label="Informativa sul trattamento dei dati consegnata", required=False
    )
    outcome = forms.ChoiceField(
        label="Esito",
        choices=[(value, Access.Outcome(value).label) for value in REGISTRATION_OUTCOMES],
        initial=Access.Outcome.PENDING,
        help_text="Per aprire la cartella: registrare la segnalazione in corso, poi «Apri "
        "cartella».",
    )
    referred_to = forms.CharField(
        label="Inviata a (per l'invio ad altro servizio)", max_length=300, required=False
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        operator: Operator,
        found: list[Person],
        preselected: Person | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "date": timezone.localdate(),
                "owner": default_values(operator)["owner"],
                "person": preselected,
            },
        )
        super().__init__(*args, **kwargs)
        self.comuni, self.units = owners_of(operator)
        self.fields["owner"].choices = owner_choices(self.comuni, self.units)  # type: ignore[attr-defined]
        # The persons offered: those found, the preselected one and, once posted, the chosen
        # one if the user sees it (anyone else is "not a valid choice").
        offered = [p.pk for p in found] + ([preselected.pk] if preselected else [])
        chosen = str(self.data.get("person", "")) if self.is_bound else ""
        if chosen.isdigit():
            offered.append(int(chosen))
        self.fields["person"].queryset = persons_visible_to(user).filter(pk__in=offered)  # type: ignore[attr-defined]

    def clean_owner(self) -> Comune | ServiceUnit:
        return chosen_owner(self.cleaned_data["owner"], self.comuni, self.units)

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of cases.actions.register_access (but ambito and by)."""
        data = dict(self.cleaned_data)
        owner = data.pop("owner")
        data["owner_comune"] = owner if isinstance(owner, Comune) else None
        data["owner_unit"] = owner if isinstance(owner, ServiceUnit) else None
        return data


def owners_of(operator: Operator) -> tuple[dict[str, Comune], dict[str, ServiceUnit]]:
    ambito = operator.ambito
    comuni = {str(c.pk): c for c in Comune.objects.in_ambito(ambito)}
    units = {str(u.pk): u for u in ServiceUnit.objects.filter(ambito=ambito)}
    return comuni, units


def owner_choices(comuni: dict[str, Comune], units: dict[str, ServiceUnit]) -> list[Any]:
    return [
        ("", "Seleziona"),
        ("Comuni", [(f"comune:{pk}", c.name) for pk, c in comuni.items()]),
        ("Servizi", [(f"unit:{pk}", u.name) for pk, u in units.items()]),
    ]


def chosen_owner(
    value: str, comuni: dict[str, Comune], units: dict[str, ServiceUnit]
) -> Comune | ServiceUnit:
    kind, _, pk = value.partition(":")
    return comuni[pk] if kind == "comune" else units[pk]


class CloseAccessForm(ItaliaFormMixin, forms.Form):
    """Information only, or a referral to another service (named)."""

    outcome = forms.ChoiceField(
        choices=[(value, Access.Outcome(value).label) for value in CLOSING_OUTCOMES],
        widget=forms.HiddenInput,
    )
    referred_to = forms.CharField(
        label="Servizio a cui la persona è inviata", max_length=300, required=False
    )


class OpenFromAccessForm(OpenCaseForm):
    """Opening the case of an access: its person and area are the access's; the owner is by
    default the desk that received it, the case manager the user."""

    area = None  # type: ignore[assignment]
    opened_on = None  # type: ignore[assignment]

    def __init__(self, *args: Any, operator: Operator, access: Access, **kwargs: Any) -> None:
        owner = access.owner
        prefix = "comune" if isinstance(owner, Comune) else "unit"
        kwargs.setdefault("initial", {"owner": f"{prefix}:{owner.pk}", "case_manager": operator.pk})  # type: ignore[union-attr]
        super().__init__(*args, operator=operator, **kwargs)

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of cases.actions.open_case_from_access."""
        owner = self.cleaned_data["owner"]
        return {
            "owner_comune": owner if isinstance(owner, Comune) else None,
            "owner_unit": owner if isinstance(owner, ServiceUnit) else None,
            "case_manager": self.cleaned_data["case_manager"],
        }


class LinkAccessForm(ItaliaFormMixin, forms.Form):
    """Linking the access to the open case of its person that the user sees."""

    case = forms.ModelChoiceField(
        label="Cartella aperta", queryset=Case.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, user: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cases = cases_visible_to(user).open()
        self.cases = cases.filter(person=access.person) if access.person else cases.none()
        self.fields["case"].queryset = self.cases  # type: ignore[attr-defined]
        self.fields["case"].label_from_instance = (  # type: ignore[attr-defined]
            lambda case: f"Cartella {case.reference} – {case.get_area_display()}"
        )
