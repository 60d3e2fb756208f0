"""Synthetic accesses (segnalazioni) for the demo, through the access actions: the referral many
demo cases were opened from, and at each persona's desk a few first contacts that ended in
information only or a referral elsewhere, and one still waiting for its outcome."""

import random
from datetime import date, timedelta
from typing import NamedTuple

from ambito.cases.actions import register_access
from ambito.cases.models import Access, Case
from ambito.demo.cases import office_hours
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.models import Person
from ambito.territory.models import Comune

Source, Channel, Outcome = Access.Source, Access.Channel, Access.Outcome

# Share of the cases opened from a recorded access (the others predate the record).
FROM_ACCESS = 0.6
# Near enough for the demo: who was born less than this ago is a minor.
ADULTHOOD = timedelta(days=18 * 365 + 4)


class Referral(NamedTuple):
    source: str
    channel: str
    request: str
    referrer: str = ""


# fmt: off
REFERRALS = {
    Area.FAMILY_MINORS: [
        Referral(Source.SCHOOL, Channel.WRITTEN, "La scuola segnala assenze ripetute e "
                 "difficoltà di apprendimento.", "Istituto comprensivo (fittizio)"),
        Referral(Source.HEALTH, Channel.PHONE, "Il pediatra segnala una situazione di "
                 "trascuratezza.", "Pediatra di libera scelta"),
        Referral(Source.FAMILY, Channel.DESK, "La madre chiede un sostegno educativo per il "
                 "figlio."),
    ],
    Area.ELDERLY: [
        Referral(Source.FAMILY, Channel.DESK, "La figlia chiede assistenza domiciliare per il "
                 "padre, non più autonomo."),
        Referral(Source.HEALTH, Channel.PUA, "Dimissione protetta dall'ospedale: serve "
                 "assistenza a domicilio.", "ASST Bergamo Ovest"),
    ],
    Area.DISABILITY: [
        Referral(Source.SELF, Channel.DESK, "Richiesta di inserimento in un centro diurno."),
        Referral(Source.HEALTH, Channel.PUA, "Valutazione per un progetto di vita.",
                 "ASST Bergamo Ovest"),
    ],
    Area.POVERTY: [
        Referral(Source.SELF, Channel.DESK, "Richiesta di un contributo per affitto e utenze."),
        Referral(Source.THIRD_SECTOR, Channel.EMAIL, "Il centro di ascolto segnala un nucleo in "
                 "difficoltà economica.", "Centro di ascolto (fittizio)"),
    ],
    Area.HOUSING: [
        Referral(Source.SELF, Channel.DESK, "Sfratto esecutivo: ricerca di una soluzione "
                 "abitativa."),
    ],
    Area.WORK: [
        Referral(Source.SELF, Channel.DESK, "Ricerca di lavoro: orientamento e tirocinio."),
    ],
}
COURT = Referral(Source.JUVENILE_COURT, Channel.WRITTEN, "Decreto del Tribunale per i minorenni: "
                 "indagine psicosociale e presa in carico del minore.",
                 "Tribunale per i minorenni di Brescia")
# First contacts at a Comune's desk: (area, source, channel, request, outcome, referred to).
FIRST_CONTACTS = [
    (Area.POVERTY, Source.SELF, Channel.PHONE, "Informazioni sui requisiti dell'Assegno di "
     "Inclusione.", Outcome.INFORMATION, ""),
    (Area.ELDERLY, Source.FAMILY, Channel.DESK, "Informazioni sul trasporto sociale per le "
     "visite mediche.", Outcome.INFORMATION, ""),
    (Area.WORK, Source.SELF, Channel.DESK, "Ricerca di un impiego dopo la chiusura "
     "dell'azienda.", Outcome.REFERRAL, "Centro per l'impiego di Treviglio"),
]
# fmt: on


class AccessMaker:
    """Draws from its own generator, so that the rest of the demo is the same with or without
    accesses."""

    def __init__(self, *, rng: random.Random, today: date) -> None:
        self.rng, self.today = rng, today

    def referral(
        self,
        person: Person,
        area: str,
        manager: Operator,
        owner: Comune | ServiceUnit,
        opened_on: date,
    ) -> Access | None:
        """The access a case about to be opened on `opened_on` comes from, or None. A
        child-protection case always starts from the court's decree."""
        unit = owner if isinstance(owner, ServiceUnit) else None
        if unit is None and self.rng.random() >= FROM_ACCESS:
            return None
        made = COURT if unit is not None else self.rng.choice(REFERRALS[Area(area)])
        on = max(opened_on - timedelta(days=self.rng.randint(0, 20)), person.birth_date)
        return register_access(
            ambito=person.ambito,
            by=manager.user,
            date=on,
            channel=made.channel,
            source=made.source,
            request=made.request,
            referrer_name=made.referrer,
            area=area,
            person=person,
            owner_comune=owner if isinstance(owner, Comune) else None,
            owner_unit=unit,
            privacy_notice_given=self.rng.random() < 0.9,
            recorded_at=office_hours(on),
        )

    def first_contacts(self, worker: Operator, comune: Comune) -> list[Access]:
        """At the desk of `worker`'s Comune: two contacts ended with information only (the
        first anonymous), one referred elsewhere, and a school's referral of a minor still
        waiting for its outcome."""
        adults = Person.objects.filter(
            comune_residenza=comune, birth_date__lte=self.today - ADULTHOOD
        )
        residents = list(adults.order_by("pk"))
        made = []
        for n, (area, source, channel, request, outcome, to) in enumerate(FIRST_CONTACTS):
            on = self.today - timedelta(days=self.rng.randint(1, 90))
            person = self.rng.choice(residents) if n and residents else None
            contact = Referral(source, channel, request)
            made.append(self._register(worker, comune, on, contact, area, person, outcome, to))
        on = self.today - timedelta(days=self.rng.randint(0, 6))
        minor = _minor_without_case(comune, self.today)
        school = REFERRALS[Area.FAMILY_MINORS][0]
        made.append(self._register(worker, comune, on, school, Area.FAMILY_MINORS, minor))
        return made

    def _register(
        self,
        worker: Operator,
        comune: Comune,
        on: date,
        contact: Referral,
        area: str,
        person: Person | None,
        outcome: str = Outcome.PENDING,
        referred_to: str = "",
    ) -> Access:
        return register_access(
            ambito=comune.ambito,
            by=worker.user,
            date=on,
            channel=contact.channel,
            source=contact.source,
            request=contact.request,
            referrer_name=contact.referrer,
            area=area,
            person=person,
            owner_comune=comune,
            privacy_notice_given=True,
            outcome=outcome,
            referred_to=referred_to,
            recorded_at=office_hours(on),
        )


def _minor_without_case(comune: Comune, today: date) -> Person | None:
    """A minor living in the Comune with no case in famiglia e minori and no reserved case."""
    with_case = Case.objects.filter(area=Area.FAMILY_MINORS).values("person_id")
    reserved = Case.objects.exclude(reserved="").values("person_id")
    return (
        Person.objects.filter(comune_residenza=comune, birth_date__gt=today - ADULTHOOD)
        .exclude(pk__in=with_case)
        .exclude(pk__in=reserved)
        .order_by("pk")
        .first()
    )
