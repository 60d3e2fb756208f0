"""Plans and what hangs from them in the province data set: a plan a year (goals, a
commitment, reviews every six months), the interventions of the catalogue with their providers,
and for the minors under a court order the orders, the reports owed, placements and supervised
visits. The deliveries and charges of each intervention come from `money`."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from ambito.cases.models import (
    CaseEvent,
    Commitment,
    CourtOrder,
    CourtReport,
    Goal,
    GoalReview,
    Mandate,
    Placement,
    Plan,
    Review,
    SupervisedVisit,
)
from ambito.demo.deliveries import FUNDING
from ambito.demo.plans import EXAMPLES, KIND_BY_AREA
from ambito.demo.province.cases import CaseRow, event
from ambito.interventions.models import FundingSource, Intervention
from ambito.organizations.models import Operator

if TYPE_CHECKING:
    from ambito.demo.province.build import Generator

Kind = CaseEvent.Kind
Status = Intervention.Status
# Planned quantity a month by service code: (low, high).
QUANTITY: dict[str, tuple[int, int]] = {
    "adm": (6, 12), "gruppi_genitori_bambini": (2, 4), "sad": (10, 30),
    "su_misura_sollievo": (4, 10), "tis": (1, 1), "contributo_economico": (150, 400),
    "adh": (8, 16), "fna_b2_caregiver": (400, 400), "ase": (10, 20), "incontri_protetti": (2, 4),
    "accoglienza_temporanea": (8, 20), "housing_first": (1, 1), "sostegno_psicologico": (2, 4),
    "comunita_minori": (30, 30), "affido_giudiziario": (1, 1),
}  # fmt: skip
# Supports a plan may add to its kind's two (demo.plans.EXAMPLES), with their probability.
EXTRAS: dict[str, list[tuple[str, float]]] = {
    Plan.Kind.FRAMEWORK: [("ase", 0.3)],
    Plan.Kind.PAI: [("accoglienza_temporanea", 0.2)],
    Plan.Kind.PAIS: [("housing_first", 0.15), ("sostegno_psicologico", 0.2)],
    Plan.Kind.LIFE: [("sad", 0.2)],
}
MORE_FUNDING = {"housing_first": FundingSource.PNRR, "sostegno_psicologico": FundingSource.FNPS}
REVIEW_DAYS = 180
ORDER_KINDS = {"5": 55, "8": 15, "4": 15, "7": 15}
PLACEMENT_OUTCOMES = {"1": 50, "2": 10, "4": 15, "6": 10, "9": 15}


@dataclass(frozen=True)
class Stay:
    """A placement of the case: (id, kind, start, end or None)."""

    pk: int
    kind: str
    starts_on: date
    ends_on: date | None


def plans_for_case(gen: "Generator", case: CaseRow) -> None:
    from ambito.demo.province.money import charge_all

    case.stays = _court(gen, case) if case.mandate == Mandate.COURT else []
    _plans(gen, case)
    charge_all(gen, case)


def _plans(gen: "Generator", case: CaseRow) -> None:
    stays = case.stays
    rng = gen.rng
    start = case.opened_on + timedelta(days=rng.randint(20, 90))
    for _number in range(6):
        if start > case.end:
            return
        natural_end = start + timedelta(days=365 + rng.randint(-30, 60))
        last = natural_end >= case.end
        ends_on = (case.end if case.closed else None) if last else natural_end
        _plan(gen, case, start, ends_on, stays)
        if last:
            return
        start = natural_end + timedelta(days=1)


def _plan(
    gen: "Generator", case: CaseRow, starts_on: date, ends_on: date | None, stays: list[Stay]
) -> None:
    rng, loader = gen.rng, gen.loader
    kind = KIND_BY_AREA.get(case.area, Plan.Kind.PAIS)
    example = EXAMPLES[kind]
    in_force = ends_on is None
    status = Plan.Status.ENDED
    if in_force:
        status = Plan.Status.AGREED if rng.random() < 0.85 else Plan.Status.DRAFT
    agreed = status != Plan.Status.DRAFT
    until = ends_on or gen.today
    reviews = []
    day = starts_on + timedelta(days=REVIEW_DAYS)
    while day < until:
        reviews.append(day)
        day += timedelta(days=REVIEW_DAYS + rng.randint(-15, 30))
    next_review = None
    if in_force:
        next_review = (reviews[-1] if reviews else starts_on) + timedelta(days=REVIEW_DAYS)
        if rng.random() < 0.15:
            next_review = gen.today - timedelta(days=rng.randint(1, 60))
        next_review = max(next_review, starts_on + timedelta(days=1))
    user = case.manager.user_id
    label = Plan.Kind(kind).label
    plan = loader[Plan].add(
        case_id=case.pk,
        kind=kind,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        summary="Bisogni e risorse emersi dai colloqui con la persona e la rete. "
        "(Testo di esempio.)",
        next_review_on=next_review,
        agreed_on=starts_on if agreed else None,
        agreed_by="La persona e i familiari" if agreed else "",
        refusal_reason="",
        created_by_id=user,
        created_at=gen.at(starts_on),
    )
    event(gen, case, Kind.PLAN_ADDED, starts_on, f"Redatto il {label} dal {starts_on:%d/%m/%Y}")
    if agreed:
        event(
            gen,
            case,
            Kind.PLAN_AGREED,
            starts_on,
            f"Sottoscritto il {starts_on:%d/%m/%Y} il {label}",
        )
    goals = []
    for order, (description, result, measure, responsible) in enumerate(example["goals"], 1):
        outcome = ""
        if not in_force:
            outcome = rng.choice(
                [Goal.Outcome.ACHIEVED, Goal.Outcome.PARTLY, Goal.Outcome.NOT_ACHIEVED]
            )
        goals.append(
            loader[Goal].add(
                plan_id=plan,
                order=order,
                description=description,
                expected_result=result,
                measure=measure,
                due_on=starts_on + timedelta(days=365),
                responsible=responsible,
                outcome=outcome,
                outcome_note="",
            )
        )
    who, what = example["commitment"]
    loader[Commitment].add(plan_id=plan, who=who, description=what, due_on=None)
    for day in reviews:
        review = loader[Review].add(
            plan_id=plan,
            date=day,
            notes="Verifica con la persona e la rete. (Testo di esempio.)",
            created_by_id=user,
            created_at=gen.at(day),
        )
        loader[Review.participants.through].add(review_id=review, operator_id=case.manager.pk)
        for goal in goals:
            progress = rng.choice(
                [Goal.Outcome.PARTLY, Goal.Outcome.ACHIEVED, Goal.Outcome.NOT_ACHIEVED]
            )
            loader[GoalReview].add(review_id=review, goal_id=goal, progress=progress, note="")
        event(gen, case, Kind.REVIEW_ADDED, day, f"Verifica del {label} del {day:%d/%m/%Y}")
    codes = [code for code, _q in example["supports"]]
    codes += [code for code, share in EXTRAS[kind] if rng.random() < share]
    if case.mandate == Mandate.COURT and rng.random() < 0.5:
        codes.append("incontri_protetti")
    for code in codes:
        _intervention(gen, case, plan, code, starts_on, ends_on, None)
    for stay in stays:
        stay_end = stay.ends_on or gen.today
        if stay.starts_on <= until and stay_end >= starts_on:
            code = (
                "comunita_minori"
                if stay.kind == Placement.Kind.RESIDENTIAL
                else "affido_giudiziario"
            )
            _intervention(gen, case, plan, code, max(starts_on, stay.starts_on), ends_on, stay)
    if not in_force:
        event(gen, case, Kind.PLAN_ENDED, until, f"Concluso il {until:%d/%m/%Y} il {label}")


def _intervention(
    gen: "Generator",
    case: CaseRow,
    plan: int,
    code: str,
    starts_on: date,
    plan_ends_on: date | None,
    stay: Stay | None,
) -> None:
    from ambito.demo.province.money import deliveries

    rng, b = gen.rng, gen.b
    service = b.services[code]
    low, high = QUANTITY[code]
    planned = Decimal(rng.randint(low, high))
    offers = b.offers.get(code, [])
    offer = rng.choice(offers) if offers else None
    start = min(
        starts_on + timedelta(days=rng.randint(0, 20)), plan_ends_on or gen.today, gen.today
    )
    end: date | None = plan_ends_on
    if stay is not None:
        start = starts_on
        if stay.ends_on is not None and (end is None or stay.ends_on < end):
            end = stay.ends_on
    status, stop = Status.ENDED if end is not None else Status.ACTIVE, end
    if end is None and stay is None:
        draw = rng.random()
        if draw < 0.05:
            status, stop = Status.PLANNED, None
        elif draw < 0.10:
            status = Status.SUSPENDED
            stop = start + timedelta(days=rng.randint(0, max((gen.today - start).days, 0)))
        elif draw < 0.15 and (gen.today - start).days > 60:
            status = Status.ENDED
            end = stop = start + timedelta(days=rng.randint(30, (gen.today - start).days))
    funding = FUNDING.get(code) or MORE_FUNDING.get(code, FundingSource.COMUNE)
    user = case.manager.user_id
    pk = gen.loader[Intervention].add(
        plan_id=plan,
        service_id=service.pk,
        planned_quantity=planned,
        notes="",
        provider_id=offer.ente_id if offer else None,
        unit_of_offer_id=offer.unit_id if offer else None,
        unit_cost=offer.unit_cost if offer else None,
        funding_source=funding if offer else "",
        status=status,
        starts_on=None if status == Status.PLANNED else start,
        ends_on=end if status == Status.ENDED else None,
        end_reason="Conclusione del progetto" if status == Status.ENDED else "",
        created_by_id=user,
        created_at=gen.at(starts_on),
    )
    event(gen, case, Kind.INTERVENTION_ADDED, starts_on, f"Previsto l'intervento {service.name}")
    if status == Status.PLANNED:
        return
    event(gen, case, Kind.INTERVENTION_CHANGED, start, f"Avviato l'intervento {service.name}")
    if status == Status.ENDED and end is not None:
        event(gen, case, Kind.INTERVENTION_CHANGED, end, f"Concluso l'intervento {service.name}")
    if offer is not None and service.periodic:
        deliveries(gen, case, pk, service, offer, funding, planned, start, stop)


def _court(gen: "Generator", case: CaseRow) -> list[Stay]:
    """The court orders of a child-protection case, the reports they ask for, and perhaps a
    placement out of the family and supervised visits."""
    rng, loader = gen.rng, gen.loader
    issued = case.opened_on + timedelta(days=rng.randint(0, 45))
    orders: list[tuple[int, date]] = []
    while issued <= case.end and len(orders) < 3:
        kind = rng.choices(list(ORDER_KINDS), weights=list(ORDER_KINDS.values()))[0]
        authority = CourtOrder.Authority.JUVENILE_COURT
        if kind == "4" and rng.random() < 0.4:
            authority = CourtOrder.Authority.GUARDIANSHIP_JUDGE
        order = loader[CourtOrder].add(
            case_id=case.pk,
            authority=authority,
            kind=kind,
            issued_on=issued,
            reference=f"R.G. {rng.randint(100, 2999)}/{issued.year} (fittizio)",
            summary=f"{CourtOrder.Kind(kind).label}: relazione sull'andamento ogni sei mesi. "
            "(Testo di esempio.)",
            created_by_id=case.manager.user_id,
            created_at=gen.at(issued),
        )
        orders.append((order, issued))
        event(
            gen,
            case,
            Kind.COURT_ORDER_ADDED,
            issued,
            f"Registrato provvedimento del {issued:%d/%m/%Y}",
        )
        issued += timedelta(days=rng.randint(400, 800))
    for number, (order, issued_on) in enumerate(orders):
        until = orders[number + 1][1] if number + 1 < len(orders) else case.end
        _reports(gen, case, order, issued_on, until)
    stays = []
    if orders and rng.random() < 0.45:
        stays.append(_placement(gen, case, *orders[0]))
    if orders and not case.closed and case.unit_owned and rng.random() < 0.4:
        _visits(gen, case)
    return stays


def _reports(gen: "Generator", case: CaseRow, order: int, issued: date, until: date) -> None:
    rng = gen.rng
    due = issued + timedelta(days=rng.randint(120, 180))
    while True:
        pending = due > gen.today - timedelta(days=3) or (
            not case.closed and due > gen.today - timedelta(days=40) and rng.random() < 0.3
        )
        sent_on = None if pending else max(issued, due - timedelta(days=rng.randint(0, 10)))
        gen.loader[CourtReport].add(
            court_order_id=order,
            due_on=due,
            description="Relazione di aggiornamento",
            sent_on=sent_on,
            sent_by_id=case.manager.user_id if sent_on else None,
        )
        if sent_on:
            event(
                gen,
                case,
                Kind.COURT_REPORT_SENT,
                sent_on,
                f"Inviata il {sent_on:%d/%m/%Y} la relazione",
            )
        if due > until or due > gen.today:
            return
        due += timedelta(days=rng.randint(120, 180))


def _placement(gen: "Generator", case: CaseRow, order: int, issued: date) -> Stay:
    rng = gen.rng
    starts = min(issued + timedelta(days=rng.randint(0, 30)), case.end)
    natural_end = starts + timedelta(days=rng.randint(300, 1200))
    ends = natural_end if natural_end < case.end else (case.end if case.closed else None)
    outcome = ""
    if ends is not None:
        outcome = rng.choices(list(PLACEMENT_OUTCOMES), weights=list(PLACEMENT_OUTCOMES.values()))[
            0
        ]
    foster = rng.random() < 0.4
    kind = Placement.Kind.FOSTER if foster else Placement.Kind.RESIDENTIAL
    pk = gen.loader[Placement].add(
        case_id=case.pk,
        kind=kind,
        form=Placement.Form.JUDICIAL,
        court_order_id=order,
        placed_with="Famiglia affidataria (fittizia)"
        if foster
        else "Comunità educativa (fittizia)",
        foster_type=rng.choice("12") if foster else "",
        foster_duration="1" if foster else "",
        foster_character="1" if foster else "",
        residential_type="" if foster else ("2" if rng.random() < 0.8 else "1"),
        residential_character="" if foster else "7",
        starts_on=starts,
        expected_end_on=starts + timedelta(days=730),
        ends_on=ends,
        outcome=outcome,
        created_by_id=case.manager.user_id,
        created_at=gen.at(starts),
    )
    event(
        gen,
        case,
        Kind.PLACEMENT_ADDED,
        starts,
        f"{Placement.Kind(kind).label} dal {starts:%d/%m/%Y}",
    )
    if ends is not None:
        event(gen, case, Kind.PLACEMENT_ENDED, ends, f"Concluso il {ends:%d/%m/%Y} il collocamento")
    return Stay(pk, kind, starts, ends)


def _visits(gen: "Generator", case: CaseRow) -> None:
    """A visit every two weeks for the last six months and two ahead; now and then the
    outcome of the latest is still to record."""
    rng, b = gen.rng, gen.b
    educators = [op for op in b.unit_operators if op.profession == Operator.Profession.EDUCATOR]
    facilitator = rng.choice(educators or b.unit_operators)
    day = max(gen.today - timedelta(days=180), case.opened_on)
    unrecorded = rng.random() < 0.1
    visitor = rng.choice(["Padre", "Madre", "Nonna materna"])
    while day <= gen.today + timedelta(days=28):
        when = timezone.make_aware(datetime.combine(day, time(15, 0)))
        past = day < gen.today
        status = SupervisedVisit.Status.SCHEDULED
        if past and not (unrecorded and day > gen.today - timedelta(days=14)):
            status = rng.choices(
                [
                    SupervisedVisit.Status.HELD,
                    SupervisedVisit.Status.ABSENT,
                    SupervisedVisit.Status.CANCELLED,
                ],
                weights=[80, 10, 10],
            )[0]
        held = status == SupervisedVisit.Status.HELD
        gen.loader[SupervisedVisit].add(
            case_id=case.pk,
            scheduled_at=when,
            place="Spazio neutro dell'Ambito",
            visitor=visitor,
            facilitator_id=facilitator.pk,
            status=status,
            attended_by=f"{visitor}; educatrice" if held else "",
            notes="",
            created_by_id=case.manager.user_id,
            created_at=gen.at(day - timedelta(days=14)),
        )
        event(
            gen,
            case,
            Kind.VISIT_SCHEDULED,
            day - timedelta(days=14),
            f"Incontro protetto programmato il {day:%d/%m/%Y}",
        )
        day += timedelta(days=14)
