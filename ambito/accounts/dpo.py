"""The DPO's side of the access log: search, CSV export and the report of who accessed a person.

The DPO (Operator.Role.DPO) reads the log of their Ambito and nothing else: the gatekeepers of
persons and cases give them nothing, so the person is named only as the log names them. Everyone
else gets 404 here, as for anything they may not see.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ambito.accounts.access import operator_of
from ambito.accounts.models import AccessLog, User
from ambito.forms import DATE_WIDGET, ItaliaFormMixin
from ambito.organizations.models import Operator
from ambito.people.models import Person

PAGE_SIZE = 50
PURPOSE_LOG_EXPORT = "controllo del registro degli accessi (DPO)"
PURPOSE_SUBJECT_REPORT = "riscontro alla richiesta di accesso dell'interessato (GDPR art. 15)"

# What the log rows are about, in Italian; a type missing here is shown as written.
OBJECT_TYPES = {
    "person": "Scheda della persona",
    "household": "Nucleo familiare",
    "case": "Cartella",
    "access_log": "Registro degli accessi",
    "access_report": "Elenco degli accessi (art. 15)",
}
# Objects whose number tells the data subject something; a person's is the subject's own.
NUMBERED_OBJECTS = {"household", "case"}
# Excel runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def dpo_operator_of(user: Any) -> Operator | None:
    """The caller's Operator when they are the DPO, else None."""
    op = operator_of(user)
    return op if op is not None and op.role == Operator.Role.DPO else None


def dpo_of(user: Any) -> Operator:
    """The caller's Operator when they are the DPO; Http404 for everyone else."""
    op = dpo_operator_of(user)
    if op is None:
        raise Http404("Pagina non trovata.")
    return op


def access_log_for(op: Operator) -> QuerySet[AccessLog]:
    """The rows of the DPO's Ambito: written by its users or about its persons."""
    return AccessLog.objects.filter(
        Q(ambito=op.ambito) | Q(person__ambito=op.ambito)
    ).select_related("user__operator__ente", "person")


def get_data_subject_for_dpo(op: Operator, codice_fiscale: str) -> Person:
    """The person of the DPO's Ambito with this codice fiscale, for the art. 15 report only
    (name and code: the DPO never reads the person's record); Http404 if there is none."""
    code = "".join(codice_fiscale.split()).upper()
    try:
        return Person.objects.get(ambito=op.ambito, codice_fiscale=code)
    except Person.DoesNotExist as exc:
        raise Http404("Nessuna persona con questo codice fiscale nell'Ambito.") from exc


class OperatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.get_username()} ({obj.get_username()})"


class AccessLogFilter(ItaliaFormMixin, forms.Form):
    """The DPO's search of the log; every field may be left empty."""

    utente = OperatorChoice(
        queryset=User.objects.none(), required=False, label="Operatore", empty_label="Tutti"
    )
    codice_fiscale = forms.CharField(
        label="Codice fiscale della persona interessata", max_length=16, required=False
    )
    oggetto = forms.ChoiceField(
        label="Oggetto", choices=[("", "Tutti"), *OBJECT_TYPES.items()], required=False
    )
    azione = forms.ChoiceField(
        label="Azione", choices=[("", "Tutte"), *AccessLog.Action.choices], required=False
    )
    dal = forms.DateField(label="Dal", required=False, widget=DATE_WIDGET)
    al = forms.DateField(label="Al", required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, ambito: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = User.objects.filter(operator__ambito=ambito).order_by("last_name", "first_name")
        self.fields["utente"].queryset = users  # type: ignore[attr-defined]

    def clean_codice_fiscale(self) -> str:
        return "".join(self.cleaned_data["codice_fiscale"].split()).upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("dal") and data.get("al") and data["dal"] > data["al"]:
            self.add_error("al", "La data finale precede quella iniziale.")
        return data

    def apply(self, rows: QuerySet[AccessLog]) -> QuerySet[AccessLog]:
        """The rows matching the valid form (call is_valid() first)."""
        data = self.cleaned_data
        if data["utente"]:
            rows = rows.filter(user=data["utente"])
        if data["codice_fiscale"]:
            rows = rows.filter(person__codice_fiscale=data["codice_fiscale"])
        if data["oggetto"]:
            rows = rows.filter(object_type=data["oggetto"])
        if data["azione"]:
            rows = rows.filter(action=data["azione"])
        if data["dal"]:
            rows = rows.filter(at__gte=timezone.make_aware(datetime.combine(data["dal"], time())))
        if data["al"]:
            next_day = datetime.combine(data["al"] + timedelta(days=1), time())
            rows = rows.filter(at__lt=timezone.make_aware(next_day))
        return rows

    def summary(self) -> dict[str, str]:
        """The filters in use, for the detail of the export's own log row."""
        return {
            name: str(value.get_username() if isinstance(value, User) else value)
            for name, value in self.cleaned_data.items()
            if value
        }


@dataclass(frozen=True)
class Entry:
    """One log row as the DPO and the data subject read it."""

    at: datetime
    username: str
    user_name: str
    ente: str
    action: str
    action_label: str
    object_type: str
    object_label: str
    object_id: str
    person_code: str
    person_name: str
    purpose: str
    detail: str

    @property
    def what(self) -> str:
        """ "Consultazione: cartella n. 12", as the data subject reads it."""
        number = f" n. {self.object_id}" if self.object_type in NUMBERED_OBJECTS else ""
        return f"{self.action_label}: {self.object_label.lower()}{number}"

    @classmethod
    def of(cls, row: AccessLog) -> "Entry":
        operator = getattr(row.user, "operator", None)
        person = row.person
        return cls(
            at=timezone.localtime(row.at),
            username=row.user.get_username(),
            user_name=row.user.get_full_name() or row.user.get_username(),
            ente=operator.ente.name if operator else "",
            action=row.action,
            action_label=row.get_action_display(),
            object_type=row.object_type,
            object_label=OBJECT_TYPES.get(row.object_type, row.object_type),
            object_id=row.object_id,
            person_code=(person.codice_fiscale or "") if person else "",
            person_name=person.full_name if person else "",
            purpose=row.purpose,
            detail="; ".join(f"{key}: {value}" for key, value in row.detail.items()),
        )


CSV_HEADER = [
    "Data e ora",
    "Utente",
    "Nome e cognome",
    "Ente",
    "Azione",
    "Oggetto",
    "Identificativo",
    "Codice fiscale interessato",
    "Interessato",
    "Finalità",
    "Dettagli",
]


def safe_cell(value: str) -> str:
    """A text Excel shows as text: a leading apostrophe defuses a would-be formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


class _Line:
    """The file-like object csv.writer needs, returning each line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(entries: Iterable[Entry]) -> Iterator[str]:
    """The log as Italian Excel opens it: UTF-8 with BOM, `;` between fields, CRLF lines."""
    writer = csv.writer(_Line(), delimiter=";")
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for e in entries:
        fields = [
            e.username,
            e.user_name,
            e.ente,
            e.action_label,
            e.object_label,
            e.object_id,
            e.person_code,
            e.person_name,
            e.purpose,
            e.detail,
        ]
        yield writer.writerow([f"{e.at:%d/%m/%Y %H:%M:%S}", *map(safe_cell, fields)])
