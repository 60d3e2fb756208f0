"""The forms of the case's assessments, and what the case page's section needs."""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils import timezone

from ambito.cases.actions.assessments import OTHER_PARTICIPANTS_MAX, OUTCOME_MAX
from ambito.cases.instruments import (
    REQUIRED_ANSWER,
    Score,
    answer_label,
    format_score,
    not_allowed,
    score_labels,
    suggested_outcome,
)
from ambito.cases.models import Assessment, Case, Instrument
from ambito.forms import DATE_WIDGET, ItaliaFormMixin
from ambito.organizations.models import Operator

# Up to this many allowed answers an item shows radios; more, a select.
MAX_RADIOS = 7


class AssessmentForm(ItaliaFormMixin, forms.Form):
    """One field per item of the instrument (radios or a select; checkboxes for a multiple
    item), named by the item's code, plus the date, the team present and the outcome."""

    html_id = "assessment_%s"

    date = forms.DateField(
        label="Data della valutazione", widget=DATE_WIDGET, initial=timezone.localdate
    )

    def __init__(self, *args: Any, instrument: Instrument, case: Case, **kwargs: Any) -> None:
        self.instrument = instrument
        definition = instrument.definition
        super().__init__(*args, **kwargs)
        for item in definition["items"]:
            self.fields[item["code"]] = _item_field(item)
        operators = Operator.objects.filter(ambito=case.ambito_id).select_related("user")
        self.fields["participants"] = forms.ModelMultipleChoiceField(
            label="Équipe presente (operatori dell'Ambito)",
            queryset=operators.order_by("user__last_name", "user__first_name"),
            required=False,
            help_text="Tenere premuto Ctrl (o Cmd) per sceglierne più di uno.",
        )
        self.fields["other_participants"] = forms.CharField(
            label="Altri presenti (famiglia, medico, scuola…)",
            max_length=OTHER_PARTICIPANTS_MAX,
            required=False,
        )
        self.fields["outcome"] = _outcome_field(definition.get("outcomes", []))
        self.fields["next_due_on"] = forms.DateField(
            label="Da ripetere entro il",
            widget=DATE_WIDGET,
            required=False,
            help_text=_repeat_help(instrument),
        )
        # The fields the item loop made got no Bootstrap Italia classes: the mixin ran first.
        for field_ in self.fields.values():
            widget = field_.widget
            if not isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.Select):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} form-control".strip()

    def fieldsets(self) -> list[tuple[str, list[BoundField]]]:
        """The item fields grouped by dimension, in the instrument's order."""
        items = self.instrument.definition["items"]
        return [
            (
                dimension["name"],
                [self[item["code"]] for item in items if item["dimension"] == dimension["code"]],
            )
            for dimension in self.instrument.definition["dimensions"]
        ]

    def other_fields(self) -> list[BoundField]:
        return [self[name] for name in ("participants", "other_participants", "outcome")] + [
            self["next_due_on"]
        ]

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of cases.actions.add_assessment."""
        data = self.cleaned_data
        items = self.instrument.definition["items"]
        return {
            "instrument": self.instrument,
            "date": data["date"],
            "answers": {i["code"]: data[i["code"]] for i in items if data.get(i["code"])},
            "participants": list(data["participants"]),
            "other_participants": data["other_participants"],
            "outcome": data["outcome"],
            "next_due_on": data["next_due_on"],
        }


def _item_field(item: dict[str, Any]) -> forms.Field:
    choices = [(answer["value"], answer["label"]) for answer in item["answers"]]
    allowed = [value for value, _ in choices]
    messages = {
        "required": REQUIRED_ANSWER,
        "invalid_choice": not_allowed("%(value)s", allowed),
    }
    required = bool(item.get("required"))
    if item.get("multiple"):
        return forms.MultipleChoiceField(
            label=item["label"],
            choices=choices,
            required=required,
            widget=forms.CheckboxSelectMultiple,
            error_messages=messages,
        )
    if len(choices) <= MAX_RADIOS:
        return forms.ChoiceField(
            label=item["label"],
            choices=choices,
            required=required,
            widget=forms.RadioSelect,
            error_messages=messages,
        )
    return forms.ChoiceField(
        label=item["label"],
        choices=[("", "Seleziona"), *choices],
        required=required,
        error_messages=messages,
    )


def _outcome_field(outcomes: list[str]) -> forms.Field:
    if outcomes:
        return forms.ChoiceField(
            label="Esito",
            choices=[("", "Da decidere"), *[(o, o) for o in outcomes]],
            required=False,
        )
    return forms.CharField(
        label="Esito",
        max_length=OUTCOME_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="I bisogni e le risorse emersi, le decisioni dell'équipe.",
    )


def _repeat_help(instrument: Instrument) -> str:
    if instrument.repeat_after_days:
        return (
            f"Se vuoto: {instrument.repeat_after_days} giorni dopo la valutazione. "
            "Compare nelle Scadenze."
        )
    return "Se indicato, compare nelle Scadenze."


# --- the section of the case page ----------------------------------------------------------------


@dataclass
class Cell:
    """One score at one time, with its change from the time before, in signs and in words."""

    value: str
    arrow: str = ""
    change: str = ""
    words: str = ""


@dataclass
class Movement:
    """The assessments with one instrument, and how their scores moved T0 → T1 → T2."""

    code: str
    name: str
    assessments: list[Assessment]
    times: list[Assessment]  # one per time: the newest correction replaces what it corrects
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)
    # Every assessment with the outcome its band suggests ("" when none).
    entries: list[tuple[Assessment, str]] = field(default_factory=list)

    @property
    def has_bands(self) -> bool:
        return any(assessment.band for assessment in self.times)


def _cell(value: Score | None, before: Score | None, time: str, better_up: bool) -> Cell:
    if value is None:
        return Cell("—")
    cell = Cell(format_score(value))
    if before is None:
        return cell
    delta = value - before
    if isinstance(delta, float):
        delta = round(delta, 2)
    if delta == 0:
        return Cell(cell.value, "=", "invariato", f"invariato rispetto a {time}")
    up = delta > 0
    verdict = "migliora" if up == better_up else "peggiora"
    sign = "+" if up else "−"
    change = f"{sign}{format_score(abs(delta))}"
    direction = "aumentato" if up else "diminuito"
    words = f"{direction} di {format_score(abs(delta))} rispetto a {time}: {verdict}"
    return Cell(cell.value, "↑" if up else "↓", f"{change} ({verdict})", words)


def _movement(code: str, assessments: list[Assessment]) -> Movement:
    chronological = sorted(assessments, key=lambda a: (a.sequence, a.pk))
    by_time: dict[int, Assessment] = {}
    for assessment in chronological:
        by_time[assessment.sequence] = assessment
    times = [by_time[n] for n in sorted(by_time)]
    newest = max(assessments, key=lambda a: a.instrument.version).instrument
    movement = Movement(code, newest.name, chronological, times)
    better_up = newest.definition.get("higher_is_better", True)
    for key, name in score_labels(newest.definition):
        cells, before, label = [], None, ""
        for assessment in times:
            value = assessment.scores.get(key)
            cells.append(_cell(value, before, label, better_up))
            before, label = value, assessment.time_label
        movement.rows.append((name, cells))
    movement.entries = [
        (a, suggested_outcome(a.instrument.definition, a.band)) for a in chronological
    ]
    return movement


def assessment_movements(case: Case) -> list[Movement]:
    """The case's assessments grouped by instrument (the most recently used first)."""
    assessments = list(
        case.assessments.select_related("instrument", "created_by")
        .prefetch_related("participants__user")
        .order_by("-date", "-pk")
    )
    groups: dict[str, list[Assessment]] = {}
    for assessment in assessments:
        groups.setdefault(assessment.instrument.code, []).append(assessment)
    return [_movement(code, found) for code, found in groups.items()]


def instruments_for(case: Case) -> list[Instrument]:
    """The current instruments usable in the case's area."""
    return [i for i in Instrument.objects.current() if i.used_in(case.area)]


def assessments_section(case: Case, user: Any, *, writable: bool) -> dict[str, Any]:
    """What the case page's assessments section shows, and its blank forms when `writable`."""
    return {
        "assessment_movements": assessment_movements(case),
        "assessment_instruments": instruments_for(case) if writable else [],
        "assessments_writable": writable,
    }


def answers_table(assessment: Assessment) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answers of an assessment by dimension: (dimension, [(item label, answer label)])."""
    definition = assessment.instrument.definition
    return [
        (
            dimension["name"],
            [
                (item["label"], answer_label(item, assessment.answers[item["code"]]))
                for item in definition["items"]
                if item["dimension"] == dimension["code"] and item["code"] in assessment.answers
            ],
        )
        for dimension in definition["dimensions"]
    ]


def initial_from(assessment: Assessment) -> dict[str, Any]:
    """A correction's form starts from the answers it corrects."""
    initial: dict[str, Any] = dict(assessment.answers)
    initial.update(
        date=assessment.date,
        other_participants=assessment.other_participants,
        outcome=assessment.outcome,
        participants=list(assessment.participants.all()),
    )
    return initial
