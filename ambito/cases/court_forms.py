"""The forms of the case page's section on court orders, and what that section shows."""

from functools import partial
from typing import Any

from django import forms
from django.utils import timezone

from ambito.cases.actions import COURT_SUMMARY_MAX
from ambito.cases.folded import Folded
from ambito.cases.models import Case, CourtOrder
from ambito.forms import DATE_WIDGET, ItaliaFormMixin


class CourtOrderForm(ItaliaFormMixin, forms.Form):
    """A court order with, optionally, the first report it asks for."""

    html_id = "court_%s"

    authority = forms.ChoiceField(
        label="Autorità giudiziaria",
        choices=[("", "Seleziona l'autorità"), *CourtOrder.Authority.choices],
    )
    kind = forms.ChoiceField(
        label="Tipo di provvedimento",
        choices=[("", "Altro (fuori dall'elenco SINBA)"), *CourtOrder.Kind.choices],
        required=False,
    )
    issued_on = forms.DateField(label="Data del provvedimento", widget=DATE_WIDGET)
    reference = forms.CharField(label="Numero (R.G., decreto n.)", max_length=100, required=False)
    summary = forms.CharField(
        label="Sintesi del contenuto",
        max_length=COURT_SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Le disposizioni essenziali (collocamento, prescrizioni, incontri…).",
    )
    report_due_on = forms.DateField(
        label="Prima relazione: da inviare entro il", widget=DATE_WIDGET, required=False
    )
    report_description = forms.CharField(
        label="Prima relazione: descrizione", max_length=300, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("report_due_on")) != bool(data.get("report_description", "").strip()):
            raise forms.ValidationError(
                "Per la prima relazione indicare sia la scadenza sia la descrizione."
            )
        return data

    def action_arguments(self) -> dict[str, Any]:
        """The keyword arguments of cases.actions.add_court_order."""
        data = self.cleaned_data
        due_on, description = data["report_due_on"], data["report_description"]
        return {
            "authority": data["authority"],
            "kind": data["kind"],
            "issued_on": data["issued_on"],
            "reference": data["reference"],
            "summary": data["summary"],
            "reports": [(due_on, description)] if due_on else [],
        }


class CourtReportForm(ItaliaFormMixin, forms.Form):
    """One more report owed to the court under one of the case's orders."""

    html_id = "report_%s"

    court_order = forms.ModelChoiceField(
        label="Provvedimento", queryset=CourtOrder.objects.none(), empty_label=None
    )
    due_on = forms.DateField(label="Da inviare entro il", widget=DATE_WIDGET)
    description = forms.CharField(label="Relazione dovuta", max_length=300)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court_order"].queryset = case.court_orders.all()  # type: ignore[attr-defined]
        self.fields["court_order"].label_from_instance = _order_label  # type: ignore[attr-defined]


def _order_label(order: CourtOrder) -> str:
    reference = f", {order.reference}" if order.reference else ""
    return f"{order.get_authority_display()} del {order.issued_on:%d/%m/%Y}{reference}"


class ReportSentForm(forms.Form):
    """The date a report left for the court (one small form per report: no labels of its own
    beyond the one the template writes)."""

    sent_on = forms.DateField(label="Inviata il", widget=DATE_WIDGET, initial=timezone.localdate)


def court_section(case: Case, *, writable: bool) -> dict[str, Any]:
    """What the case page's section on court orders needs: the orders with their reports, and
    the blank forms for those who may change the (open) case."""
    orders = list(case.court_orders.prefetch_related("reports").select_related("created_by"))
    return {
        "court_orders": orders,
        "court_order_form": Folded(CourtOrderForm) if writable else None,
        "court_report_form": Folded(partial(CourtReportForm, case=case))
        if writable and orders
        else None,
        "court_writable": writable,
        "today": timezone.localdate(),
    }
