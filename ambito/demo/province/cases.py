"""The cases of the province data set: a household, its cases (opened from an access or not,
some reopened as a new episode, about a third still open), their équipe, assessments, diary,
access log and events; plans and everything below them come from `plans`."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ambito.accounts.models import AccessLog
from ambito.cases.instruments import clean_answers, score
from ambito.cases.models import (
    Access,
    Assessment,
    Case,
    CaseEvent,
    CaseMember,
    CaseShare,
    ClosureReason,
    DiaryEntry,
    Instrument,
    Mandate,
    Reserved,
)
from ambito.demo.province.people import House, Member
from ambito.organizations.models import Area, Operator

if TYPE_CHECKING:
    from ambito.demo.province.build import Generator
    from ambito.demo.province.plans import Stay

Kind = CaseEvent.Kind
# Mean length of a case in days, by area (exponential): the elderly and disabled stay longest.
MEAN_DAYS: dict[str, int] = {
    Area.FAMILY_MINORS: 1_400,
    Area.ELDERLY: 1_200,
    Area.DISABILITY: 1_800,
    Area.POVERTY: 800,
    Area.HOUSING: 600,
    Area.WORK: 550,
}
ADULT_AREAS: dict[str, int] = {Area.POVERTY: 4, Area.HOUSING: 2, Area.WORK: 2, Area.DISABILITY: 2}
CHANNELS = {
    Access.Channel.DESK: 40,
    Access.Channel.PHONE: 15,
    Access.Channel.EMAIL: 15,
    Access.Channel.WRITTEN: 15,
    Access.Channel.PUA: 10,
    Access.Channel.HOME_VISIT: 5,
}
S = Access.Source
MINOR_SOURCES = {S.SCHOOL: 30, S.HEALTH: 18, S.JUVENILE_COURT: 14, S.FAMILY: 14, S.POLICE: 5,
                 S.OTHER_SOCIAL_SERVICE: 10, S.THIRD_SECTOR: 5, S.SELF: 4}  # fmt: skip
ADULT_SOURCES = {S.SELF: 50, S.FAMILY: 18, S.HEALTH: 15, S.THIRD_SECTOR: 8, S.RELATIVES: 4,
                 S.OTHER_SOCIAL_SERVICE: 5}  # fmt: skip
REQUESTS: dict[str, str] = {
    Area.FAMILY_MINORS: "Difficoltà nella cura dei figli segnalate dalla rete",
    Area.ELDERLY: "Richiesta di sostegno a domicilio per una persona anziana",
    Area.DISABILITY: "Richiesta di progetto di vita e sostegno alla famiglia",
    Area.POVERTY: "Richiesta di sostegno economico e di accompagnamento",
    Area.HOUSING: "Emergenza abitativa: sfratto in corso",
    Area.WORK: "Richiesta di orientamento e inserimento lavorativo",
}
MINOR_CLOSURES = {"4": 35, "5": 15, "1": 12, "2": 5, "7": 3, "9": 30}
ADULT_CLOSURES = {"A1": 30, "A2": 15, "A3": 15, "A4": 8, "A5": 12, "A6": 3, "A7": 9, "A8": 8}
SITUATION = {"A1": "A1", "A2": "A3", "A3": "A3", "A4": "A4", "A5": "A5", "A6": "A5",
             "A7": "A5", "A8": "A5", "7": "8"}  # fmt: skip
DIARY_KINDS = {
    DiaryEntry.Kind.INTERVIEW: 45,
    DiaryEntry.Kind.PHONE_CALL: 25,
    DiaryEntry.Kind.HOME_VISIT: 15,
    DiaryEntry.Kind.TEAM_MEETING: 10,
    DiaryEntry.Kind.OTHER: 5,
}
DIARY_TEXT = "Colloquio con la persona e aggiornamento sulla situazione. (Testo di esempio.)"
INSTRUMENTS: dict[str, list[tuple[str, float]]] = {
    Area.FAMILY_MINORS: [("mondo-del-bambino", 0.7)],
    Area.ELDERLY: [("barthel", 0.8), ("sina", 0.5)],
    Area.DISABILITY: [("barthel", 0.4), ("sina", 0.6)],
    Area.POVERTY: [("adi-analisi-preliminare", 0.5)],
    Area.HOUSING: [("adi-analisi-preliminare", 0.2)],
    Area.WORK: [("adi-analisi-preliminare", 0.2)],
}
READ_PURPOSE = "Consultazione della cartella"


@dataclass
class CaseRow:
    """What the later steps need of a case written to the loader."""

    pk: int
    area: str
    person: Member
    house: House
    manager: Operator
    opened_on: date
    end: date  # closing day, or today
    closed: bool
    mandate: str
    unit_owned: bool
    members: list[Operator] = field(default_factory=list)
    stays: list["Stay"] = field(default_factory=list)  # placements out of the family
    pending: list[tuple[Any, ...]] = field(default_factory=list)  # charges to make (money)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def cases_for_household(gen: "Generator") -> int:
    """A household and its cases (one, sometimes two or three); how many cases it got."""
    from ambito.demo.province.plans import plans_for_case

    rng, b = gen.rng, gen.b
    span = (gen.today - gen.opened_from).days
    opened_on = gen.opened_from + timedelta(days=rng.randint(0, span))
    comune_id = rng.choices(list(b.residents), weights=list(b.residents.values()))[0]
    worker = rng.choice(b.workers[comune_id])
    known_from = opened_on - timedelta(days=rng.randint(0, 20))
    house = gen.people.household(comune_id, known_from, worker.user_id)
    wanted = rng.choices([1, 2, 3], weights=[80, 15, 5])[0]
    open_areas: set[tuple[int, str]] = set()
    made = 0
    for number in range(wanted):
        day = opened_on if number == 0 else opened_on + timedelta(days=rng.randint(30, 900))
        if day > gen.today:
            break
        person = _who(gen, house, day)
        area = _area_for(gen, person, day)
        if (person.pk, area) in open_areas:
            continue
        previous = None
        if rng.random() < 0.08 and (day - gen.opened_from).days > 400:
            earlier_on = day - timedelta(days=rng.randint(400, 900))
            earlier_end = day - timedelta(days=rng.randint(30, 200))
            if earlier_on >= max(gen.opened_from, person.birth_date) and earlier_end > earlier_on:
                previous = _case(gen, house, person, area, earlier_on, closes_on=earlier_end)
                plans_for_case(gen, previous)
                made += 1
        row = _case(gen, house, person, area, day, previous=previous)
        plans_for_case(gen, row)
        made += 1
        if not row.closed:
            open_areas.add((person.pk, area))
    _first_contacts(gen, house, opened_on)
    return made


def _who(gen: "Generator", house: House, day: date) -> Member:
    rng = gen.rng
    alive = [m for m in house.members if m.birth_date <= day]
    minors = [m for m in alive if age_on(m.birth_date, day) < 18]
    if minors and rng.random() < 0.6:
        return rng.choice(minors)
    return rng.choice(alive)


def _area_for(gen: "Generator", person: Member, day: date) -> str:
    age = age_on(person.birth_date, day)
    if age < 18:
        return Area.FAMILY_MINORS
    if age > 75:
        return Area.ELDERLY
    return gen.rng.choices(list(ADULT_AREAS), weights=list(ADULT_AREAS.values()))[0]


def _case(
    gen: "Generator",
    house: House,
    person: Member,
    area: str,
    opened_on: date,
    *,
    closes_on: date | None = None,
    previous: CaseRow | None = None,
) -> CaseRow:
    rng, b, loader = gen.rng, gen.b, gen.loader
    if closes_on is None:
        length = int(rng.expovariate(1 / MEAN_DAYS[area])) + 30
        closes_on = opened_on + timedelta(days=length)
    closed = closes_on < gen.today
    end = closes_on if closed else gen.today
    minor = age_on(person.birth_date, opened_on) < 18
    unit_owned = area == Area.FAMILY_MINORS and rng.random() < 0.3
    mandate: str
    if unit_owned:
        manager = rng.choice(b.unit_operators)
        mandate = Mandate.COURT if rng.random() < 0.7 else Mandate.CONSENT
    else:
        manager = rng.choice(b.workers[house.comune_id])
        mandate = Mandate.CONSENT if area == Area.FAMILY_MINORS and rng.random() < 0.6 else ""
        if area == Area.FAMILY_MINORS and rng.random() < 0.05:
            mandate = Mandate.COURT
    reserved = ""
    if mandate == Mandate.COURT and unit_owned and rng.random() < 0.5:
        reserved = Reserved.COURT_ORDER
    elif area in (Area.POVERTY, Area.HOUSING) and person.sex == "F" and rng.random() < 0.03:
        reserved = Reserved.VIOLENCE
    code, situation, reason = "", "", ""
    if closed:
        minor_then = age_on(person.birth_date, end) < 18
        pool = MINOR_CLOSURES if minor_then else ADULT_CLOSURES
        code = rng.choices(list(pool), weights=list(pool.values()))[0]
        situation = SITUATION.get(code, "1")
        reason = ClosureReason(code).label
    adi_pad_on, adi_meeting = None, None
    if area == Area.POVERTY and opened_on.year >= 2024 and rng.random() < 0.35:
        adi_pad_on = opened_on - timedelta(days=rng.randint(0, 30))
        meeting = adi_pad_on + timedelta(days=rng.randint(20, 110))
        if meeting <= end and rng.random() < 0.9:
            adi_meeting = meeting
    pk = loader[Case].add(
        ambito_id=b.ambito.pk,
        person_id=person.pk,
        household_id=house.pk,
        area=area,
        owner_comune_id=None if unit_owned else house.comune_id,
        owner_unit_id=b.riparativa.pk if unit_owned else None,
        case_manager_id=manager.pk,
        status=Case.Status.CLOSED if closed else Case.Status.OPEN,
        opened_on=opened_on,
        closed_on=end if closed else None,
        closure_reason=reason,
        closure_code=code,
        closure_situation=situation,
        follow_up="",
        previous_episode_id=previous.pk if previous else None,
        mandate=mandate,
        adi_pad_on=adi_pad_on,
        adi_first_meeting_on=adi_meeting,
        reserved=reserved,
        archived_at=None,
        created_at=gen.at(opened_on),
    )
    row = CaseRow(pk, area, person, house, manager, opened_on, end, closed, mandate, unit_owned)
    user = manager.user_id
    event(gen, row, Kind.OPENED, opened_on, f"Aperta la cartella nell'area {Area(area).label}")
    if previous is not None:
        event(gen, row, Kind.REOPENED, opened_on, "Riaperta come nuovo episodio")
    if rng.random() < 0.8 or minor:
        _access(gen, row, user)
    _team(gen, row)
    if mandate:
        event(gen, row, Kind.MANDATE_CHANGED, opened_on, f"Mandato: {Mandate(mandate).label}")
    if reserved:
        event(gen, row, Kind.RESERVED_CHANGED, opened_on, f"Riservata: {Reserved(reserved).label}")
    _assessments(gen, row)
    _diary(gen, row)
    _reads(gen, row)
    if closed:
        event(gen, row, Kind.CLOSED, end, f"Chiusa la cartella il {end:%d/%m/%Y}: {reason}")
    return row


def event(gen: "Generator", case: CaseRow, kind: str, day: date, summary: str) -> None:
    gen.loader[CaseEvent].add(
        case_id=case.pk,
        kind=kind,
        actor_id=case.manager.user_id,
        at=gen.at(day),
        summary=summary[:300],
        data={},
    )


def _access(gen: "Generator", case: CaseRow, user: int) -> None:
    rng = gen.rng
    minor = case.area == Area.FAMILY_MINORS
    sources = MINOR_SOURCES if minor else ADULT_SOURCES
    day = max(case.opened_on - timedelta(days=rng.randint(0, 20)), case.person.birth_date)
    gen.loader[Access].add(
        ambito_id=gen.ambito_id,
        date=day,
        channel=rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0],
        source=rng.choices(list(sources), weights=list(sources.values()))[0],
        referrer_name="",
        referrer_contact="",
        person_id=case.person.pk,
        request=f"{REQUESTS[case.area]}. (Testo di esempio.)",
        area=case.area,
        operator_id=case.manager.pk,
        owner_comune_id=None if case.unit_owned else case.house.comune_id,
        owner_unit_id=gen.b.riparativa.pk if case.unit_owned else None,
        privacy_notice_given=True,
        outcome=Access.Outcome.CASE_OPENED,
        referred_to="",
        case_id=case.pk,
        outcome_by_id=user,
        outcome_at=gen.at(case.opened_on),
        created_at=gen.at(day),
    )


def _first_contacts(gen: "Generator", house: House, day: date) -> None:
    """Contacts that opened no case: information, a referral elsewhere, a few still pending."""
    rng = gen.rng
    if rng.random() > 0.5:
        return
    when = min(day + timedelta(days=rng.randint(-300, 300)), gen.today)
    when = max(when, gen.opened_from)
    recent = (gen.today - when).days < 45
    outcome = rng.choices(
        [Access.Outcome.INFORMATION, Access.Outcome.REFERRAL, Access.Outcome.PENDING],
        weights=[60, 30, 10 if recent else 0],
    )[0]
    worker = rng.choice(gen.b.workers[house.comune_id])
    person = rng.choice(house.members) if rng.random() < 0.6 else None
    if person is not None and person.birth_date > when:
        person = None
    pending = outcome == Access.Outcome.PENDING
    gen.loader[Access].add(
        ambito_id=gen.ambito_id,
        date=when,
        channel=rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0],
        source=S.SELF,
        referrer_name="",
        referrer_contact="",
        person_id=person.pk if person else None,
        request="Richiesta di informazioni sui servizi. (Testo di esempio.)",
        area=rng.choice(list(MEAN_DAYS)),
        operator_id=worker.pk,
        owner_comune_id=house.comune_id,
        owner_unit_id=None,
        privacy_notice_given=person is not None,
        outcome=outcome,
        referred_to="Consultorio familiare (ASST)" if outcome == Access.Outcome.REFERRAL else "",
        case_id=None,
        outcome_by_id=None if pending else worker.user_id,
        outcome_at=None if pending else gen.at(when),
        created_at=gen.at(when),
    )


def _team(gen: "Generator", case: CaseRow) -> None:
    """A second professional on the child-protection cases and on some others; a few cases
    shared with another Comune of the Ambito."""
    rng, b = gen.rng, gen.b
    wanted = case.unit_owned or (case.area == Area.FAMILY_MINORS and rng.random() < 0.2)
    if wanted:
        others = [op for op in b.unit_operators if op.pk != case.manager.pk]
        if others:
            member = rng.choice(others)
            gen.loader[CaseMember].add(
                case_id=case.pk, operator_id=member.pk, since=case.opened_on, until=None
            )
            case.members.append(member)
            who = f"{member.user.first_name} {member.user.last_name}"
            summary = f"Entra nell'équipe: {who} ({member.get_role_display()})"
            event(gen, case, Kind.MEMBER_ADDED, case.opened_on, summary)
    if not case.closed and not case.unit_owned and rng.random() < 0.01:
        comune = rng.choice(list(b.residents))
        if comune != case.house.comune_id:
            gen.loader[CaseShare].add(
                case_id=case.pk,
                comune_id=comune,
                unit_id=None,
                reason="Nucleo in trasferimento: continuità della presa in carico",
                since=gen.at(case.opened_on),
                until=None,
            )
            event(gen, case, Kind.SHARED, case.opened_on, "Condivisa con un altro Comune")


_VARIANTS: dict[str, list[tuple[dict, dict, str]]] = {}


def _variants(gen: "Generator", code: str) -> list[tuple[dict, dict, str]]:
    """Twenty answer sets of the instrument, cleaned and scored once (answers, scores, band)."""
    found = _VARIANTS.get(code)
    if found is None:
        instrument = Instrument.objects.current().get(code=code)
        definition = instrument.definition
        found = []
        for _ in range(20):
            answers = {}
            for item in definition["items"]:
                values = [a["value"] for a in item.get("answers", [])]
                if not values:
                    continue
                if item.get("multiple"):
                    answers[item["code"]] = sorted(gen.rng.sample(values, 1))
                else:
                    answers[item["code"]] = gen.rng.choice(values)
            cleaned = clean_answers(definition, answers)
            result = score(definition, cleaned)
            found.append((cleaned, result.scores, result.band))
        _VARIANTS[code] = found
        _INSTRUMENTS[code] = instrument
    return found


_INSTRUMENTS: dict[str, Instrument] = {}


def _assessments(gen: "Generator", case: CaseRow) -> None:
    """T0 a few weeks after opening, then again at the instrument's interval until the end."""
    rng = gen.rng
    for code, share in INSTRUMENTS[case.area]:
        if code == "adi-analisi-preliminare" and case.opened_on.year < 2024:
            continue
        if rng.random() > share:
            continue
        variants = _variants(gen, code)
        instrument = _INSTRUMENTS[code]
        every = instrument.repeat_after_days
        day = case.opened_on + timedelta(days=rng.randint(10, 60))
        sequence = 0
        while day <= case.end and sequence < 6:
            answers, scores, band = rng.choice(variants)
            next_due = day + timedelta(days=every) if every else None
            pk = gen.loader[Assessment].add(
                case_id=case.pk,
                instrument_id=instrument.pk,
                date=day,
                sequence=sequence,
                answers=answers,
                scores=scores,
                band=band,
                outcome="",
                other_participants="",
                next_due_on=next_due,
                corrects_id=None,
                created_by_id=case.manager.user_id,
                created_at=gen.at(day),
            )
            gen.loader[Assessment.participants.through].add(
                assessment_id=pk, operator_id=case.manager.pk
            )
            summary = f"Valutazione {instrument.name} T{sequence} del {day:%d/%m/%Y}"
            event(gen, case, Kind.ASSESSMENT_ADDED, day, summary)
            if not every:
                break
            day = day + timedelta(days=every + rng.randint(-20, 30))
            sequence += 1


def _diary(gen: "Generator", case: CaseRow) -> None:
    rng = gen.rng
    days = (case.end - case.opened_on).days
    for _ in range(min(12, 1 + days // 90)):
        day = case.opened_on + timedelta(days=rng.randint(0, max(days, 0)))
        kind = rng.choices(list(DIARY_KINDS), weights=list(DIARY_KINDS.values()))[0]
        author = case.manager
        if case.members and rng.random() < 0.3:
            author = case.members[0]
        reserved = author.profession == Operator.Profession.PSYCHOLOGIST and rng.random() < 0.3
        gen.loader[DiaryEntry].add(
            case_id=case.pk,
            author_id=author.pk,
            date=day,
            kind=kind,
            text=DIARY_TEXT,
            reserved=reserved,
            corrects_id=None,
            created_at=gen.at(day),
        )
        event(gen, case, Kind.DIARY_ADDED, day, f"{DiaryEntry.Kind(kind).label} del {day:%d/%m/%Y}")


def _reads(gen: "Generator", case: CaseRow) -> None:
    """The access log of the case's readings: about one a month of its life, at most twenty."""
    rng = gen.rng
    days = (case.end - case.opened_on).days
    for _ in range(min(20, 1 + days // 30)):
        day = case.opened_on + timedelta(days=rng.randint(0, max(days, 0)))
        gen.loader[AccessLog].add(
            ambito_id=gen.ambito_id,
            user_id=case.manager.user_id,
            at=gen.at(day),
            action=AccessLog.Action.READ,
            object_type="case",
            object_id=str(case.pk),
            person_id=case.person.pk,
            purpose=READ_PURPOSE,
            detail={},
        )
