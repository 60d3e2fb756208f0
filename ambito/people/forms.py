from typing import Any

from django import forms

from ambito.forms import DATE_WIDGET, ItaliaFormMixin
from ambito.people import codice_fiscale as cf
from ambito.people.models import Person, Sex
from ambito.territory.models import Ambito, Comune


class PersonForm(ItaliaFormMixin, forms.Form):
    """Registration of a person. The rules across fields live in people.actions.register_person."""

    codice_fiscale = forms.CharField(
        label="Codice fiscale",
        required=False,
        max_length=20,
        help_text="Data di nascita, sesso e luogo di nascita sono ricavati dal codice.",
    )
    missing_code_reason = forms.ChoiceField(
        label="Motivo dell'assenza del codice fiscale",
        required=False,
        choices=[("", "Seleziona il motivo"), *Person.MissingCodeReason.choices],
    )
    missing_code_note = forms.CharField(
        label="Note sull'identificazione", required=False, max_length=300
    )
    birth_date = forms.DateField(label="Data di nascita", required=False, widget=DATE_WIDGET)
    sex = forms.TypedChoiceField(
        label="Sesso", required=False, choices=Sex.choices, widget=forms.RadioSelect
    )
    last_name = forms.CharField(label="Cognome", max_length=100)
    first_name = forms.CharField(label="Nome", max_length=100)
    comune_residenza = forms.ModelChoiceField(
        label="Comune di residenza",
        queryset=Comune.objects.none(),
        empty_label="Seleziona il Comune",
    )
    address = forms.CharField(label="Indirizzo", required=False, max_length=200)
    phone = forms.CharField(
        label="Telefono",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    email = forms.EmailField(label="Email", required=False)
    confirm_not_duplicate = forms.BooleanField(
        label="Ho verificato: non è la stessa persona", required=False
    )

    def __init__(self, *args: Any, ambito: Ambito, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comune_residenza"].queryset = Comune.objects.in_ambito(ambito)  # type: ignore[attr-defined]
        self.fields["codice_fiscale"].widget.attrs.update(autocomplete="off", spellcheck="false")

    def clean_codice_fiscale(self) -> str:
        """The code's shape, checksum and decoding; the action checks the rest."""
        code = cf.normalize(self.cleaned_data["codice_fiscale"])
        if code:
            cf.decode(code)  # raises ValidationError in Italian
        return code
