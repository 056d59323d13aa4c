"""The KRB workbook format as data: sheets, columns, what is required, drop-down sources.

The template, the reader, the writer and docs/excel.md all follow this one
description, so a column added here appears everywhere at once.

One module of some 900 lines on purpose: it is data, the description of every
sheet and column with its Dutch and English help, kept in one place so the
template, the reader, the writer and docs/excel.md cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    help_nl: str
    help_en: str
    required: bool = False
    """A value is required in every row; the header must then be present too."""
    many: bool = False
    """Several values separated by ';' are allowed."""
    choices: str | None = None
    """Drop-down source: 'sheet!column' of a pick-list or base sheet, or 'list:<key>'."""


@dataclass(frozen=True)
class Sheet:
    name: str
    help_nl: str
    help_en: str
    columns: tuple[Column, ...]
    required: bool = True
    pick_list: bool = False

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(col.name for col in self.columns)


SEPARATOR = ";"
"""Separates several values in one cell (sector, leefomgeving, materiaal, werkingsgebied,
objecttype, ligt_in, vervangt, vervangen_door, gebaseerd_op)."""

HIDDEN_LISTS_SHEET = "waardelijsten"
"""Hidden sheet with the product value lists the drop-downs point at."""

VALUE_LISTS: tuple[tuple[str, str, str], ...] = (
    ("operator", "Normoperatoren", "Norm operators"),
    ("documentsoort", "Documentsoorten", "Document types"),
    ("besluitsoort", "Besluitsoorten", "Decision types"),
    ("dossiersoort", "Dossiersoorten", "Dossier kinds"),
    ("normsoort", "Normsoorten", "Norm kinds"),
    ("gebiedssoort", "Gebiedssoorten", "Area types"),
    ("kenmerk", "Indicatorsoorten", "Indicator kinds"),
    ("eenheid", "Eenheden", "Units"),
    ("bestuurslaag", "Bestuurslagen", "Levels of government"),
    ("status", "Statussen", "Statuses"),
    ("uitvoeringsstatus", "Uitvoeringsstatussen", "Implementation statuses"),
    ("sector", "Sectoren", "Sectors"),
    ("materiaal", "Materialen", "Materials"),
    ("maatregelsoort", "Soorten maatregel", "Kinds of measure"),
    ("zoekingang", "IMBOR-zoekingangen", "IMBOR search entries"),
    ("conceptschema", "Eigen begrippenkaders", "Own concept schemes"),
    ("koppeling", "Koppelingen", "Mapping relations"),
)
"""Columns of the hidden value-list sheet, in order: key, Dutch and English title."""

THEME_SCHEME = "beleidsthemas"
LOCAL_SCHEME = "leefomgeving-lokaal"
DEFAULT_SCHEME_TITLES: dict[str, str] = {
    THEME_SCHEME: "Beleidsthema's",
    LOCAL_SCHEME: "Lokale objecttypen",
    "sectoren": "Eigen sectorindeling",
    "materiaalstromen": "Eigen materiaalindeling",
    "documentsoorten": "Eigen documentsoorten",
}
"""Titles of the registry's own concept schemes when sheet conceptschemas has no row."""

MAPPING_RELATIONS = ("broadMatch", "closeMatch", "exactMatch")
"""SKOS mapping relations from an own concept to a national one (drop-down of column
koppeling): the national concept is broader, nearly the same, or the same."""


@dataclass(frozen=True)
class OwnList:
    """A pick-list sheet that lists a national value list and may add the registry's own
    concepts to it: ``{base}/id/begrip/{segment}/{reference}`` in the own scheme
    ``{base}/id/conceptschema/{sheet}``, optionally mapped to the national list."""

    sheet: str
    key: str
    """The national list in the vocabulary (and the hidden value list) it extends."""
    segment: str
    two_level: bool
    """hoofdtype/subtype columns (sectors, materials) rather than one naam column."""

    @property
    def scheme(self) -> str:
        return self.sheet


OWN_LISTS: tuple[OwnList, ...] = (
    OwnList("sectoren", "sector", "sector", two_level=True),
    OwnList("materiaalstromen", "materiaal", "materiaal", two_level=True),
    OwnList("documentsoorten", "documentsoort", "documentsoort", two_level=False),
)
OWN_LISTS_BY_KEY: dict[str, OwnList] = {own.key: own for own in OWN_LISTS}

MAATREGEL = "maatregel"
MER_MAATREGEL = "mer-maatregel"

_CODE_NL = (
    "Unieke code van de rij; andere bladen verwijzen ernaar. Wordt deel van de IRI. "
    "Een volledige IRI (https://data.krb.nl/kader/id/beleidsnorm/WGH-N01) is de IRI "
    "van iets buiten het register, zoals een kader van Rijk of provincie; het laatste "
    "deel is dan de code."
)
_CODE_EN = (
    "Unique code of the row; other sheets refer to it. Becomes part of the IRI. "
    "A full IRI (https://data.krb.nl/kader/id/beleidsnorm/WGH-N01) is the IRI of a "
    "thing outside the registry, such as a national or provincial framework; its "
    "last part is then the code."
)
_AREA_NL = "Naam (of code) uit blad werkingsgebieden."
_AREA_EN = "Name (or code) from sheet werkingsgebieden."
_AREAS_NL = _AREA_NL + " Meerdere gescheiden door ';'."
_AREAS_EN = _AREA_EN + " Several separated by ';'."
_DATE_NL = "Datum: Excel-datum, jjjj-mm-dd of dd-mm-jjjj."
_DATE_EN = "Date: Excel date, yyyy-mm-dd or dd-mm-yyyy."
_NUM_NL = "Getal: Excel-getal of tekst met decimale komma (0,4); geen duizendtallen."
_NUM_EN = "Number: Excel number or text with a decimal comma (0,4); no thousands separators."
_UNIT_NL = (
    "Eenheid: een notatie uit de lijst (dB(A), %, km, per jaar, ...), een UCUM-code "
    "(km/h, ug/m3, t/a) of symbool van een QUDT-eenheid, of een QUDT-eenheid-IRI."
)
_UNIT_EN = (
    "Unit: a notation from the list (dB(A), %, km, per jaar, ...), a UCUM code "
    "(km/h, ug/m3, t/a) or symbol of a QUDT unit, or a QUDT unit IRI."
)
_LAAG_NL = "Bestuurslaag: EU, Rijk, Provincie, Waterschap of Gemeente."
_LAAG_EN = "Level of government: EU, Rijk, Provincie, Waterschap or Gemeente."
_STATUS_NL = "Status: ontwerp, vastgesteld, in werking, ingetrokken of vervallen."
_STATUS_EN = "Status: ontwerp, vastgesteld, in werking, ingetrokken or vervallen."
_OBJECT_NL = (
    "IMBOR-objecttype (naam, UUID of IRI) of lokaal type uit blad leefomgeving; meerdere met ';'."
)
_OBJECT_EN = (
    "IMBOR object type (name, UUID or IRI) or local type from sheet leefomgeving; several with ';'."
)


def _code() -> Column:
    return Column("code", _CODE_NL, _CODE_EN, required=True)


def _area(*, required: bool = False, many: bool = False) -> Column:
    return Column(
        "werkingsgebied",
        _AREAS_NL if many else _AREA_NL,
        _AREAS_EN if many else _AREA_EN,
        required=required,
        many=many,
        choices="werkingsgebieden!naam",
    )


def _ref(
    name: str,
    target: str,
    *,
    required: bool = True,
    help_nl: str = "",
    help_en: str = "",
    many: bool = False,
) -> Column:
    several_nl, several_en = (
        (" Meerdere gescheiden door ';'.", " Several separated by ';'.") if many else ("", "")
    )
    return Column(
        name,
        f"Code (of volledige IRI) van een rij in blad {target}.{several_nl}{help_nl}",
        f"Code (or full IRI) of a row in sheet {target}.{several_en}{help_en}",
        required=required,
        many=many,
        choices=f"{target}!code",
    )


def _theme(*, required: bool) -> Column:
    return Column(
        "beleidsthema",
        "Naam uit blad beleidsthemas.",
        "Name from sheet beleidsthemas.",
        required=required,
        choices="beleidsthemas!naam",
    )


def _period() -> tuple[Column, Column]:
    return (
        Column(
            "geldig_van", "Begin van de geldigheid. " + _DATE_NL, "Start of validity. " + _DATE_EN
        ),
        Column(
            "geldig_tot",
            "Einde van de geldigheid (leeg: onbepaald). " + _DATE_NL,
            "End of validity (empty: open-ended). " + _DATE_EN,
        ),
    )


def _status(help_nl: str, help_en: str) -> Column:
    return Column(
        "status",
        f"{_STATUS_NL} {help_nl}".strip(),
        f"{_STATUS_EN} {help_en}".strip(),
        choices="list:status",
    )


def _laag(help_nl: str, help_en: str, *, required: bool) -> Column:
    return Column(
        "bestuurslaag",
        f"{_LAAG_NL} {help_nl}",
        f"{_LAAG_EN} {help_en}",
        required=required,
        choices="list:bestuurslaag",
    )


def _label(help_nl: str, help_en: str) -> Column:
    return Column("naam", help_nl, help_en)


def _own_list_sheet(
    own: OwnList, plural_nl: str, plural_en: str, one_nl: str, one_en: str
) -> Sheet:
    """A pick list of a national value list that may hold the registry's own entries."""
    if own.two_level:
        names: tuple[Column, ...] = (
            Column(
                "hoofdtype",
                "Hoofdtype: uit de landelijke lijst of een eigen hoofdtype.",
                "Main type: from the national list or an own main type.",
                required=True,
            ),
            Column(
                "subtype",
                "Subtype (leeg: de rij gaat over het hoofdtype zelf).",
                "Subtype (empty: the row is about the main type itself).",
            ),
        )
    else:
        names = (
            Column(
                "naam",
                f"Naam van de {one_nl}: uit de landelijke lijst of een eigen {one_nl}.",
                f"Name of the {one_en}: from the national list or an own {one_en}.",
                required=True,
            ),
        )
    return Sheet(
        own.sheet,
        f"Keuzelijst: de {plural_nl} van de landelijke waardelijst, aangevuld met eigen "
        f"{plural_nl} van de gemeente. Een rij die geen landelijk begrip noemt (of een code "
        "heeft) is een eigen begrip; koppel het met koppeling en landelijk_begrip aan de "
        "landelijke lijst.",
        f"Pick list: the {plural_en} of the national value list, plus the municipality's own "
        f"{plural_en}. A row that names no national concept (or has a code) is an own "
        "concept; map it to the national list with koppeling and landelijk_begrip.",
        (
            *names,
            Column(
                "omschrijving",
                "Omschrijving van een eigen begrip.",
                "Description of an own concept.",
            ),
            Column(
                "code",
                "Deel van de IRI van een eigen begrip (leeg: afgeleid van de naam); "
                "maakt ook een rij met een landelijke naam tot eigen begrip.",
                "Part of the IRI of an own concept (empty: derived from the name); also "
                "makes a row with a national name an own concept.",
            ),
            Column(
                "koppeling",
                "Relatie met het landelijke begrip: broadMatch (het landelijke "
                "begrip is breder), closeMatch (vrijwel gelijk) of exactMatch (gelijk).",
                "Relation to the national concept: broadMatch (the national concept is "
                "broader), closeMatch (nearly the same) or exactMatch (the same).",
                choices="list:koppeling",
            ),
            Column(
                "landelijk_begrip",
                "Het begrip uit de landelijke lijst waarmee het eigen "
                "begrip is gekoppeld; meerdere met ';', elk eventueel met een eigen relatie "
                "ervoor (closeMatch: inwoners).",
                "The concept of the national list the own concept is mapped to; several "
                "with ';', each optionally preceded by its own relation "
                "(closeMatch: inwoners).",
                many=True,
                choices=f"list:{own.key}",
            ),
        ),
        required=False,
        pick_list=True,
    )


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "beleidsdossier",
        "Beleidsdossiers: verzamelingen besluitdocumenten over één onderwerp.",
        "Policy dossiers: collections of decision documents on one subject.",
        (
            _code(),
            Column("naam", "Naam van het dossier.", "Name of the dossier.", required=True),
            Column("omschrijving", "Omschrijving.", "Description."),
            _theme(required=False),
            _area(many=True),
            Column(
                "dossiersoort",
                "Dossiersoort: besluitdossier, projectdossier, ...",
                "Dossier kind: besluitdossier, projectdossier, ...",
                choices="list:dossiersoort",
            ),
        ),
    ),
    Sheet(
        "besluitdocument",
        "Besluitdocumenten waarin beleid staat.",
        "Decision documents that contain policy.",
        (
            _code(),
            Column("titel", "Titel van het document.", "Title of the document.", required=True),
            Column(
                "soort",
                "Documentsoort, zoals beleidsplan of omgevingsplan, of een eigen "
                "documentsoort uit blad documentsoorten.",
                "Document type, such as beleidsplan or omgevingsplan, or an own document "
                "type from sheet documentsoorten.",
                required=True,
                choices="documentsoorten!naam",
            ),
            _ref("dossier", "beleidsdossier"),
            _area(many=True),
            Column("datum", "Documentdatum. " + _DATE_NL, "Document date. " + _DATE_EN),
            Column(
                "dms_id",
                "Kenmerk in het documentmanagementsysteem.",
                "Identifier in the document management system.",
            ),
            _laag("Wie het document vaststelde.", "Who adopted the document.", required=True),
            _status("", ""),
            Column(
                "in_werking_vanaf",
                "Datum van inwerkingtreding (leeg: de datum van het "
                "vaststellingsbesluit). " + _DATE_NL,
                "Date of entry into force (empty: the date of the adopting decision). " + _DATE_EN,
            ),
            Column(
                "in_werking_tot",
                "Laatste dag in werking, tot en met (leeg: tot de dag voor "
                "de inwerkingtreding van de opvolger, of onbepaald). " + _DATE_NL,
                "Last day in force, inclusive (empty: until the day before the successor "
                "enters into force, or open-ended). " + _DATE_EN,
            ),
            _ref(
                "vervangt",
                "besluitdocument",
                required=False,
                help_nl=" Het document dat dit document vervangt.",
                help_en=" The document this document replaces.",
                many=True,
            ),
            _ref(
                "vervangen_door",
                "besluitdocument",
                required=False,
                help_nl=" De opvolger van dit document.",
                help_en=" The successor of this document.",
                many=True,
            ),
            _ref(
                "gebaseerd_op",
                "besluitdocument",
                required=False,
                help_nl=" Het document dat dit document uitwerkt (een plan op een omgevingsvisie).",
                help_en=" The document this document elaborates (a plan on an environment vision).",
                many=True,
            ),
        ),
    ),
    Sheet(
        "besluitproces",
        "Besluiten over documenten (raadsbesluit, collegebesluit, ...). Optioneel blad.",
        "Decisions on documents (council decision, executive decision, ...). Optional sheet.",
        (
            _code(),
            _ref("document", "besluitdocument"),
            Column(
                "soort",
                "Besluitsoort, zoals raadsbesluit.",
                "Decision type, such as raadsbesluit.",
                required=True,
                choices="list:besluitsoort",
            ),
            Column(
                "datum",
                "Datum van het besluit. " + _DATE_NL,
                "Date of the decision. " + _DATE_EN,
                required=True,
            ),
            Column(
                "ris_nummer",
                "Nummer in het raadsinformatiesysteem.",
                "Number in the council information system.",
            ),
            Column("omschrijving", "Omschrijving.", "Description."),
            _label(
                "Naam van het besluit (leeg: soort + documenttitel).",
                "Name of the decision (empty: type + document title).",
            ),
        ),
        required=False,
    ),
    Sheet(
        "beleidsindicator",
        "Beleidsindicatoren: meetbare grootheden waaraan normen en regels haken.",
        "Policy indicators: measurable quantities that norms and rules hook onto.",
        (
            _code(),
            Column("naam", "Naam van de indicator.", "Name of the indicator.", required=True),
            _theme(required=True),
            Column(
                "beleidsaspect",
                "Naam uit blad beleidsaspecten (van hetzelfde thema).",
                "Name from sheet beleidsaspecten (of the same theme).",
                choices="beleidsaspecten!naam",
            ),
            Column(
                "kenmerk",
                "Indicatorsoort, zoals effectindicator milieu.",
                "Indicator kind, such as effectindicator milieu.",
                required=True,
                choices="list:kenmerk",
            ),
            Column("eenheid", _UNIT_NL, _UNIT_EN, choices="list:eenheid"),
            Column("omschrijving", "Omschrijving.", "Description."),
            Column(
                "afdeling",
                "Afdeling die eigenaar is: naam of code uit blad afdelingen "
                "(een nieuwe naam maakt een afdeling aan).",
                "Owning department: name or code from sheet afdelingen "
                "(a new name creates a department).",
                choices="afdelingen!naam",
            ),
        ),
    ),
    Sheet(
        "beleidsnorm",
        "Beleidsnormen: kwantitatieve eisen op een indicator.",
        "Policy norms: quantitative requirements on an indicator.",
        (
            _code(),
            _ref("indicator", "beleidsindicator"),
            _ref("document", "besluitdocument"),
            Column(
                "operator",
                "Normoperator: min/minimaal, max/maximaal, toename max, ...",
                "Norm operator: min/minimaal, max/maximaal, toename max, ...",
                required=True,
                choices="list:operator",
            ),
            Column(
                "waarde",
                _NUM_NL + " Zonder eenheid mag een waarde uit een geordende "
                "waardelijst staan, zoals energielabel B.",
                _NUM_EN + " Without a unit, a value from an ordered value list is allowed, "
                "such as energy label B.",
                required=True,
            ),
            Column(
                "eenheid",
                _UNIT_NL + " Leeg bij een waardelijst-waarde (B).",
                _UNIT_EN + " Empty for a value-list value (B).",
                choices="list:eenheid",
            ),
            Column(
                "sector",
                "Sector (subtype, hoofdtype/subtype of alle), ook een eigen sector "
                "uit blad sectoren; meerdere met ';'.",
                "Sector (subtype, hoofdtype/subtype or alle), also an own sector from sheet "
                "sectoren; several with ';'.",
                many=True,
                choices="list:sector",
            ),
            Column(
                "leefomgeving",
                "IMBOR-objecttype (naam, UUID of IRI), lokaal type uit blad "
                "leefomgeving, of alle; meerdere met ';'.",
                "IMBOR object type (name, UUID or IRI), local type from sheet leefomgeving, "
                "or alle; several with ';'.",
                many=True,
                choices="leefomgeving!subtype",
            ),
            Column(
                "materiaal",
                "Materiaalstroom (subtype, hoofdtype/subtype of alle), ook een "
                "eigen materiaalstroom uit blad materiaalstromen; meerdere met ';'.",
                "Material stream (subtype, hoofdtype/subtype or alle), also an own material "
                "stream from sheet materiaalstromen; several with ';'.",
                many=True,
                choices="list:materiaal",
            ),
            _area(required=True, many=True),
            *_period(),
            Column(
                "rekenmethode",
                "Hoe de indicatorwaarde wordt bepaald.",
                "How the indicator value is determined.",
            ),
            _laag("Leeg: die van het document.", "Empty: the document's.", required=False),
            _label(
                "Naam van de norm (leeg: indicator + operator + waarde + eenheid).",
                "Name of the norm (empty: indicator + operator + value + unit).",
            ),
            _status("", ""),
            Column(
                "normsoort",
                "Normsoort: bindend of streefwaarde.",
                "Norm kind: bindend (binding) or streefwaarde (target value).",
                choices="list:normsoort",
            ),
            Column(
                "referentiewaarde",
                "Waarde van de indicator in de referentiesituatie, in de "
                "eenheid van de norm; nodig bij een toename- of afname-operator. " + _NUM_NL,
                "Value of the indicator in the reference situation, in the norm's unit; "
                "needed with an increase or decrease operator. " + _NUM_EN,
            ),
            Column(
                "referentiedatum",
                "Datum van de referentiesituatie; nodig bij een "
                "toename- of afname-operator. " + _DATE_NL,
                "Date of the reference situation; needed with an increase or decrease "
                "operator. " + _DATE_EN,
            ),
        ),
    ),
    Sheet(
        "beleidsregel",
        "Beleidsregels: kwalitatieve eisen. Optioneel blad.",
        "Policy rules: qualitative requirements. Optional sheet.",
        (
            _code(),
            Column(
                "omschrijving",
                "Korte tekst van de regel.",
                "Short text of the rule.",
                required=True,
            ),
            _ref("document", "besluitdocument"),
            _area(required=True, many=True),
            _ref("indicator", "beleidsindicator", required=False),
            *_period(),
            _laag("Leeg: die van het document.", "Empty: the document's.", required=False),
            _theme(required=False),
            _status("", ""),
        ),
        required=False,
    ),
    Sheet(
        "beleidsmaatregel",
        "Beleidsmaatregelen die normen moeten halen of regels uitvoeren.",
        "Policy measures meant to meet norms or carry out rules.",
        (
            _code(),
            Column("naam", "Naam van de maatregel.", "Name of the measure.", required=True),
            _ref("document", "besluitdocument"),
            Column(
                "soort",
                "maatregel of mer-maatregel (leeg: maatregel).",
                "maatregel or mer-maatregel (empty: maatregel).",
                choices="list:maatregelsoort",
            ),
            _theme(required=True),
            _area(required=True, many=True),
            *_period(),
            Column(
                "objecttype",
                "Waarop de maatregel ingrijpt: " + _OBJECT_NL,
                "What the measure acts on: " + _OBJECT_EN,
                many=True,
                choices="leefomgeving!subtype",
            ),
            Column(
                "status",
                "Uitvoeringsstatus: gepland, in uitvoering of afgerond.",
                "Implementation status: gepland, in uitvoering or afgerond.",
                choices="list:uitvoeringsstatus",
            ),
        ),
    ),
    Sheet(
        "beoogd_effect",
        "Beoogde effecten van maatregelen op normen, of direct op indicatoren waar geen norm is.",
        "Intended effects of measures on norms, or directly on indicators where no norm exists.",
        (
            _code(),
            _ref("maatregel", "beleidsmaatregel"),
            _ref(
                "norm",
                "beleidsnorm",
                required=False,
                help_nl=" Vul norm of doel_indicator in, niet beide.",
                help_en=" Fill in norm or doel_indicator, not both.",
            ),
            _ref(
                "doel_indicator",
                "beleidsindicator",
                required=False,
                help_nl=" De indicator waarop het effect direct werkt, waar geen norm is.",
                help_en=" The indicator the effect acts on directly, where no norm exists.",
            ),
            Column(
                "waarde",
                "Beoogde verandering. " + _NUM_NL + " Leeg bij een norm met een "
                "waarde uit een geordende waardelijst (energielabel).",
                "Intended change. " + _NUM_EN + " Empty for a norm whose value comes from "
                "an ordered value list (energy label).",
            ),
            Column(
                "eenheid",
                _UNIT_NL + " Leeg: die van de norm of indicator; een andere moet ernaar om "
                "te rekenen zijn (m bij een norm in km) en blijft zoals hij is.",
                _UNIT_EN + " Empty: that of the norm or indicator; another must convert to "
                "it (m on a norm in km) and is kept as it is.",
                choices="list:eenheid",
            ),
            Column(
                "doel_begrip",
                "Beoogde waarde uit de geordende waardelijst van de norm, zoals "
                "energielabel A; alleen bij zo'n norm, in plaats van waarde.",
                "Target value from the norm's ordered value list, such as energy label A; "
                "only for such a norm, instead of waarde.",
            ),
            Column(
                "labelstappen",
                "Beoogde verbetering in stappen van de geordende waardelijst "
                "(2 = twee labelklassen beter), geheel getal; alleen bij zo'n norm, in plaats "
                "van waarde en doel_begrip.",
                "Intended improvement in steps of the ordered value list (2 = two label "
                "classes better), a whole number; only for such a norm, instead of waarde "
                "and doel_begrip.",
            ),
            Column(
                "horizon",
                "Datum waarop het effect bereikt moet zijn. " + _DATE_NL,
                "Date by which the effect is expected. " + _DATE_EN,
            ),
            _area(many=True),
            _label(
                "Naam van het effect (leeg: maatregel op indicator).",
                "Name of the effect (empty: measure on indicator).",
            ),
        ),
    ),
    Sheet(
        "beoogde_uitvoering",
        "Welke maatregel welke beleidsregel uitvoert. Optioneel blad.",
        "Which measure carries out which policy rule. Optional sheet.",
        (
            _code(),
            _ref("maatregel", "beleidsmaatregel"),
            _ref("regel", "beleidsregel"),
            Column("omschrijving", "Omschrijving.", "Description."),
            _area(many=True),
            _label(
                "Naam (leeg: maatregel voert regel uit).", "Name (empty: measure carries out rule)."
            ),
        ),
        required=False,
    ),
    Sheet(
        "metingen",
        "Metingen van de indicatoren (beleidsonderzoek), zoals het CSV-bestand van "
        "krb import-metingen. Ze komen in een eigen graaf naast het beleid. Optioneel blad.",
        "Measurements of the indicators (policy research), as in the CSV file of "
        "krb import-metingen. They go into a graph of their own beside the policy. "
        "Optional sheet.",
        (
            Column(
                "indicator",
                "Code, naam of IRI van een beleidsindicator.",
                "Code, name or IRI of a policy indicator.",
                required=True,
                choices="beleidsindicator!code",
            ),
            Column(
                "gebied",
                "CBS-code (GM0363, WK036300, BU03630000), code of IRI van een werkingsgebied.",
                "CBS code (GM0363, WK036300, BU03630000), code or IRI of an area.",
                required=True,
            ),
            Column(
                "jaar",
                "Jaar (2023) of CBS-periodecode (2023JJ00, 2023KW02, 2023MM07); of vul "
                "periode_van en periode_tot in.",
                "Year (2023) or CBS period code (2023JJ00, 2023KW02, 2023MM07); or fill in "
                "periode_van and periode_tot.",
            ),
            Column(
                "periode_van",
                "Eerste dag van de meetperiode, of een CBS-periodecode. " + _DATE_NL,
                "First day of the measured period, or a CBS period code. " + _DATE_EN,
            ),
            Column(
                "periode_tot",
                "Laatste dag van de meetperiode. " + _DATE_NL,
                "Last day of the measured period. " + _DATE_EN,
            ),
            Column(
                "waarde",
                "Gemeten waarde. Getal: Excel-getal, 47,3 of 1.234,5. Bij een indicator "
                "zonder eenheid met een labelnorm: het label (energielabel C), eenheid leeg.",
                "Measured value. Number: Excel number, 47,3 or 1.234,5. For an indicator "
                "without a unit with a label norm: the label (energy label C), unit empty.",
                required=True,
            ),
            Column(
                "eenheid",
                _UNIT_NL + " Wordt omgerekend naar de eenheid van de indicator. Leeg bij "
                "een label.",
                _UNIT_EN + " Converted to the indicator's unit. Empty for a label.",
                choices="list:eenheid",
            ),
            Column(
                "bron",
                "Code of IRI van een databron van het register, of een webadres.",
                "Code or IRI of a data source of the registry, or a web address.",
                required=True,
            ),
            Column("rekenmethode", "Rekenmethode van de meting.", "Method of calculation."),
            Column(
                "sector",
                "Sector uit de lijst Sectoren (code, naam of IRI).",
                "Sector from the Sectoren list (code, name or IRI).",
            ),
            Column(
                "materiaal",
                "Materiaal uit de lijst Materialen (code, naam of IRI).",
                "Material from the Materialen list (code, name or IRI).",
            ),
            Column(
                "leefomgeving",
                "IMBOR-objecttype (naam, UUID of IRI) of lokaal objecttype, zoals bij een norm.",
                "IMBOR object type (name, UUID or IRI) or local object type, as for a norm.",
            ),
        ),
        required=False,
    ),
    Sheet(
        "beleidsthemas",
        "Keuzelijst: de beleidsthema's van de gemeente.",
        "Pick list: the municipality's policy themes.",
        (
            Column("naam", "Naam van het thema.", "Name of the theme.", required=True),
            Column("omschrijving", "Omschrijving.", "Description."),
            Column(
                "code",
                "Deel van de IRI (leeg: afgeleid van de naam).",
                "Part of the IRI (empty: derived from the name).",
            ),
        ),
        pick_list=True,
    ),
    Sheet(
        "beleidsaspecten",
        "Keuzelijst: deelonderwerpen van beleidsthema's.",
        "Pick list: sub-subjects of policy themes.",
        (
            Column("naam", "Naam van het aspect.", "Name of the aspect.", required=True),
            _theme(required=True),
            Column("omschrijving", "Omschrijving.", "Description."),
            Column(
                "code",
                "Deel van de IRI (leeg: afgeleid van de naam).",
                "Part of the IRI (empty: derived from the name).",
            ),
        ),
        required=False,
        pick_list=True,
    ),
    _own_list_sheet(OWN_LISTS[0], "sectoren", "sectors", "sector", "sector"),
    Sheet(
        "leefomgeving",
        "Keuzelijst: IMBOR-objecttypen en lokale objecttypen. Een rij waarvan het subtype geen "
        "IMBOR-naam is (of die een code heeft), declareert een lokaal objecttype onder de "
        "IMBOR-klasse in kolom imbor.",
        "Pick list: IMBOR object types and local object types. A row whose subtype is not an "
        "IMBOR name (or that has a code) declares a local object type under the IMBOR class "
        "in column imbor.",
        (
            Column(
                "hoofdtype",
                "IMBOR-zoekingang, zoals Bomen of Vastgoed.",
                "IMBOR search entry, such as Bomen or Vastgoed.",
                choices="list:zoekingang",
            ),
            Column(
                "subtype",
                "IMBOR-objecttype, of de naam van een lokaal objecttype.",
                "IMBOR object type, or the name of a local object type.",
                required=True,
            ),
            Column(
                "imbor",
                "IMBOR-klasse (naam, UUID of IRI). Voor een lokaal type: de "
                "dichtstbijzijnde IMBOR-klasse (verplicht).",
                "IMBOR class (name, UUID or IRI). For a local type: the closest IMBOR "
                "class (required).",
            ),
            Column(
                "omschrijving",
                "Omschrijving van een lokaal objecttype.",
                "Description of a local object type.",
            ),
            Column(
                "andere_namen",
                "Andere namen (synoniemen) van een lokaal objecttype, gescheiden door ';'.",
                "Other names (synonyms) of a local object type, separated by ';'.",
                many=True,
            ),
            Column(
                "code",
                "Deel van de IRI van een lokaal objecttype (leeg: afgeleid van de naam); "
                "maakt een rij met een IMBOR-naam een lokaal type.",
                "Part of the IRI of a local object type (empty: derived from the name); "
                "makes a row with an IMBOR name a local type.",
            ),
        ),
        required=False,
        pick_list=True,
    ),
    _own_list_sheet(
        OWN_LISTS[1], "materiaalstromen", "material streams", "materiaalstroom", "material stream"
    ),
    _own_list_sheet(
        OWN_LISTS[2], "documentsoorten", "document types", "documentsoort", "document type"
    ),
    Sheet(
        "werkingsgebieden",
        "Keuzelijst: gebieden waar beleid geldt.",
        "Pick list: areas where policy applies.",
        (
            Column("naam", "Naam van het gebied.", "Name of the area.", required=True),
            Column(
                "soort",
                "Gebiedssoort: gemeente, wijk, buurt, straat, plangebied, ...",
                "Area type: gemeente, wijk, buurt, straat, plangebied, ...",
                required=True,
                choices="list:gebiedssoort",
            ),
            Column(
                "ligt_in",
                "Naam (of code) van het direct omvattende gebied; meerdere "
                "gescheiden door ';' voor een gebied dat over twee gebieden heen ligt.",
                "Name (or code) of the directly containing area; several separated by ';' "
                "for an area that lies across two areas.",
                many=True,
                choices="werkingsgebieden!naam",
            ),
            Column(
                "code",
                "CBS-code (GM0363, WK036301, BU03630101) of eigen code; "
                "leeg: afgeleid van de naam. Deel van de IRI. Een volledige IRI is de IRI "
                "van een gebied buiten het register (https://data.krb.nl/kader/id/"
                "werkingsgebied/nederland).",
                "CBS code (GM0363, WK036301, BU03630101) or own code; empty: derived "
                "from the name. Part of the IRI. A full IRI is the IRI of an area outside "
                "the registry (https://data.krb.nl/kader/id/werkingsgebied/nederland).",
            ),
            Column(
                "geometrie",
                "WKT, eventueel met CRS-IRI ervoor: "
                "<http://www.opengis.net/def/crs/EPSG/0/28992> POLYGON((...)).",
                "WKT, optionally preceded by a CRS IRI.",
            ),
            Column(
                "cbs_jaar",
                "Jaar van de CBS Wijk- en buurtkaart waaruit de CBS-code komt "
                "(CBS-codes veranderen), zoals 2024.",
                "Year of the CBS district and neighbourhood map the CBS code comes from "
                "(CBS codes change), such as 2024.",
            ),
        ),
        pick_list=True,
    ),
    Sheet(
        "conceptschemas",
        "De eigen begrippenkaders van de gemeente: beleidsthemas (thema's en aspecten), "
        "leefomgeving-lokaal (lokale objecttypen), sectoren, materiaalstromen en "
        "documentsoorten (eigen begrippen in die bladen). Optioneel blad; zonder rij krijgt een "
        "kader een standaardtitel.",
        "The municipality's own concept schemes: beleidsthemas (themes and aspects), "
        "leefomgeving-lokaal (local object types), sectoren, materiaalstromen and "
        "documentsoorten (own concepts in those sheets). Optional sheet; without a row a "
        "scheme gets a default title.",
        (
            Column(
                "code",
                "beleidsthemas, leefomgeving-lokaal, sectoren, materiaalstromen of "
                "documentsoorten.",
                "beleidsthemas, leefomgeving-lokaal, sectoren, materiaalstromen or "
                "documentsoorten.",
                required=True,
                choices="list:conceptschema",
            ),
            Column(
                "titel",
                "Titel van het begrippenkader.",
                "Title of the concept scheme.",
                required=True,
            ),
            Column("omschrijving", "Omschrijving.", "Description."),
        ),
        required=False,
        pick_list=True,
    ),
    Sheet(
        "afdelingen",
        "Keuzelijst: afdelingen die eigenaar zijn van indicatoren. Optioneel blad.",
        "Pick list: departments that own indicators. Optional sheet.",
        (
            Column("naam", "Naam van de afdeling.", "Name of the department.", required=True),
            Column(
                "code",
                "Deel van de IRI (leeg: afgeleid van de naam).",
                "Part of the IRI (empty: derived from the name).",
            ),
        ),
        required=False,
        pick_list=True,
    ),
)
"""Every sheet of the workbook, base tables first, then the pick lists."""

SHEETS_BY_NAME: dict[str, Sheet] = {sheet.name: sheet for sheet in SHEETS}

THING_KIND: dict[str, str] = {
    "beleidsdossier": "beleidsdossier",
    "besluitdocument": "besluitdocument",
    "besluitproces": "besluitproces",
    "beleidsindicator": "beleidsindicator",
    "beleidsnorm": "beleidsnorm",
    "beleidsregel": "beleidsregel",
    "beleidsmaatregel": "beleidsmaatregel",
    "beoogd_effect": "beoogd-effect",
    "beoogde_uitvoering": "beoogde-uitvoering",
    "beleidsthemas": "beleidsthema",
    "beleidsaspecten": "beleidsaspect",
    "werkingsgebieden": "werkingsgebied",
    "afdelingen": "afdeling",
    "leefomgeving": "leefomgeving",
    "conceptschemas": "conceptschema",
}
"""The IRI {type} segment of the things each sheet describes."""
