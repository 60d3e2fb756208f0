"""The pages of co-payment: the simulator and the Ambito's regulations."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ambito.copay.access import reader_of, simulator_user_of
from ambito.copay.engine import Computation, scheme_for, tariff
from ambito.copay.forms import SimulatorForm
from ambito.copay.models import Regulation
from ambito.forms import add_action_errors


@login_required
def simulator(request: HttpRequest) -> HttpResponse:
    """A GET form (it changes nothing): empty at first, then the computation or the errors."""
    op = simulator_user_of(request.user)
    bound = bool(request.GET)
    form = SimulatorForm(request.GET if bound else None, ambito_id=op.ambito_id)
    result: Computation | None = None
    if bound and form.is_valid():
        data = form.cleaned_data
        scheme = scheme_for(data["service"], data["date"])
        if scheme is None:
            message = _("Il %(day)s il regolamento ISEE non prevede compartecipazione per «%(s)s».")
            day = f"{data['date']:%d/%m/%Y}"
            form.add_error("service", message % {"day": day, "s": data["service"]})
        else:
            try:
                result = tariff(
                    scheme,
                    isee=None if data["without_isee"] else data["isee"],
                    units=data["units"],
                    on=data["date"],
                    court_ordered=data["court_ordered"],
                    surcharges=data["surcharges"],
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
    return render(request, "copay/simulator.html", {"form": form, "result": result})


@login_required
def regulations(request: HttpRequest) -> HttpResponse:
    """Every version of the Ambito's regulation, newest first, with its schemes and bands."""
    op = reader_of(request.user)
    versions = Regulation.objects.filter(ambito_id=op.ambito_id).prefetch_related(
        "schemes__service", "schemes__bands", "schemes__surcharges"
    )
    return render(request, "copay/regulations.html", {"regulations": versions})
