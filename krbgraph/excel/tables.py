"""The base tables: dossiers, documents, decisions, indicators, norms, rules,
measures, intended effects and intended implementations.

Each function turns the rows of one sheet into the triples docs/datamodel.md
prescribes. Sheets are converted in dependency order, so a row can default to
or check against what an earlier sheet said (a norm's unit defaults to its
indicator's, an effect's unit must convert to its norm's).

One module of some 640 lines on purpose: the sheets depend on each other in
one order (a norm's unit defaults to its indicator's), and that order is easiest
to check when the converters stand in it, one function per sheet.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from ..namespaces import ADMS, ELI, KRB, QUDT
from ..units import compatible
from .conversion import Conversion, Row, code_iri, short_code
from .pick_lists import add_department
from .problems import did_you_mean
from .sheet_rows import SheetRows
from .values import split_many
from .vocabulary import LEEFOMGEVING_ALLE, LookupFailed
from .workbook_format import THING_KIND


def index_codes(conversion: Conversion, sheets: dict[str, SheetRows]) -> set[tuple[str, int]]:
    """Every code of every base sheet, before any row refers to one.

    Returns the rows to skip: a second row with a code already used.
    """
    skip: set[tuple[str, int]] = set()
    for name, sheet in sheets.items():
        if sheet.sheet.pick_list:
            continue
        codes = conversion.codes.setdefault(name, {})
        aliases = conversion.aliases.setdefault(name, {})
        iris: dict[str, str] = {}
        for number, cells in sheet.rows:
            row = Row(conversion, name, number, cells)
            code = row.text("code")
            if code is None:
                continue
            try:
                iri = str(code_iri(conversion.base_iri, THING_KIND[name], code))
            except ValueError:
                iri = code  # Row.subject reports it when the row is converted
            if code in codes:
                row.problem(
                    "code",
                    code,
                    f"code '{code}' staat al in rij {codes[code]}",
                    f"code '{code}' already appears in row {codes[code]}",
                )
                skip.add((name, number))
            elif iri in iris:
                other = iris[iri]
                row.problem(
                    "code",
                    code,
                    f"code '{code}' geeft dezelfde IRI als code '{other}' in rij {codes[other]}",
                    f"code '{code}' gives the same IRI as code '{other}' in row {codes[other]}",
                )
                skip.add((name, number))
            else:
                codes[code] = number
                iris[iri] = code
                for alias in {iri, short_code(code)} - {code}:
                    aliases.setdefault(alias, set()).add(code)
    return skip


def _rows(
    conversion: Conversion, sheet: SheetRows, skip: set[tuple[str, int]]
) -> Iterator[tuple[Row, URIRef, str]]:
    for number, cells in sheet.rows:
        conversion.tick()
        if (sheet.sheet.name, number) in skip:
            continue
        row = Row(conversion, sheet.sheet.name, number, cells)
        code = row.required("code")
        subject = row.subject(code) if code is not None else None
        if code is not None and subject is not None:
            yield row, subject, code


def _areas(row: Row, subject: URIRef, *, required: bool = False) -> None:
    areas = row.conversion.lists["werkingsgebieden"]
    for area in row.pick_many("werkingsgebied", areas, required=required):
        row.add(subject, KRB.werkingsgebied, area, "werkingsgebied")


def _status(row: Row, subject: URIRef, key: str = "status") -> None:
    """adms:status from the value list ``key`` (Statussen, or Uitvoeringsstatussen)."""
    row.add(subject, ADMS.status, row.pick("status", row.conversion.vocabulary[key]), "status")


def _object_types(
    row: Row, subject: URIRef, column: str, predicate: URIRef, *, allow_all: bool
) -> list[URIRef]:
    """IMBOR classes or local object types named in a ';'-list (krb:leefomgeving of a
    norm, krb:objecttype of a measure); 'alle' only where ``allow_all``."""
    kinds = row.conversion.lookups["leefomgeving"]
    found: list[URIRef] = []
    for name in split_many(row.text(column) or ""):
        kind = row.pick(column, kinds, name=name)
        if kind == LEEFOMGEVING_ALLE and not allow_all:
            row.problem(
                column,
                name,
                f"'{name}' is geen objecttype; noem een IMBOR-objecttype of een lokaal objecttype",
                f"'{name}' is not an object type; name an IMBOR object type or a local object type",
            )
            continue
        row.add(subject, predicate, kind, column)
        if kind is not None:
            found.append(kind)
    return found


def _theme(row: Row, *, required: bool) -> URIRef | None:
    return row.pick("beleidsthema", row.conversion.lists["beleidsthemas"], required=required)


def convert_dossiers(conversion: Conversion, sheet: SheetRows, skip: set[tuple[str, int]]) -> None:
    for row, subject, _code in _rows(conversion, sheet, skip):
        row.add(subject, RDF.type, KRB.Beleidsdossier, "code")
        row.required("naam")
        row.identify(subject, "naam")
        row.add_text(subject, DCTERMS.description, "omschrijving")
        row.add(subject, KRB.beleidsthema, _theme(row, required=False), "beleidsthema")
        row.add(
            subject,
            KRB.dossiersoort,
            row.pick("dossiersoort", conversion.vocabulary["dossiersoort"]),
            "dossiersoort",
        )
        _areas(row, subject)


def convert_documents(conversion: Conversion, sheet: SheetRows, skip: set[tuple[str, int]]) -> None:
    vocabulary = conversion.vocabulary
    for row, subject, code in _rows(conversion, sheet, skip):
        row.add(subject, RDF.type, KRB.Besluitdocument, "code")
        title = row.required("titel")
        row.identify(subject, "titel")
        if title is not None:
            conversion.labels[(sheet.sheet.name, code)] = title
        row.add(
            subject,
            KRB.documentsoort,
            row.pick("soort", conversion.lookups["documentsoort"], required=True),
            "soort",
        )
        row.add(subject, DCTERMS.isPartOf, row.ref("dossier", "beleidsdossier"), "dossier")
        _areas(row, subject)
        day = row.date("datum")
        if day is not None:
            row.add(subject, ELI.date_document, Literal(day), "datum")
        dms = row.text("dms_id")
        if dms is not None:
            row.add(subject, ELI.id_local, Literal(dms), "dms_id")
        level = row.pick("bestuurslaag", vocabulary["bestuurslaag"], required=True)
        row.add(subject, KRB.bestuurslaag, level, "bestuurslaag")
        if level is not None:
            conversion.facts[(sheet.sheet.name, code, "bestuurslaag")] = level
        _status(row, subject)
        days = {}
        for column, predicate in (
            ("in_werking_vanaf", ELI.first_date_entry_in_force),
            ("in_werking_tot", ELI.date_no_longer_in_force),
        ):
            days[column] = day = row.date(column)  # read once: a bad cell is one problem
            if day is not None:
                row.add(subject, predicate, Literal(day), column)
        start, end = days["in_werking_vanaf"], days["in_werking_tot"]
        if start is not None and end is not None and end < start:
            row.problem(
                "in_werking_tot",
                row.cells["in_werking_tot"],
                f"laatste dag in werking {end.isoformat()} ligt voor de inwerkingtreding "
                f"{start.isoformat()}",
                f"last day in force {end.isoformat()} is before the entry into force "
                f"{start.isoformat()}",
            )
        for column, predicate in (
            ("vervangt", DCTERMS.replaces),
            ("vervangen_door", DCTERMS.isReplacedBy),
        ):
            for other in row.refs(column, "besluitdocument"):
                if other == subject:
                    row.problem(
                        column,
                        code,
                        "een document kan zichzelf niet vervangen",
                        "a document cannot replace itself",
                    )
                    continue
                row.add(subject, predicate, other, column)
        for other in row.refs("gebaseerd_op", "besluitdocument"):
            if other == subject:
                row.problem(
                    "gebaseerd_op",
                    code,
                    "een document kan niet op zichzelf gebaseerd zijn",
                    "a document cannot be based on itself",
                )
                continue
            row.add(subject, ELI.based_on, other, "gebaseerd_op")


def convert_decisions(conversion: Conversion, sheet: SheetRows, skip: set[tuple[str, int]]) -> None:
    kinds = conversion.vocabulary["besluitsoort"]
    for row, subject, _code in _rows(conversion, sheet, skip):
        row.add(subject, RDF.type, KRB.Besluitproces, "code")
        kind = row.pick("soort", kinds, required=True)
        document = row.ref("document", "besluitdocument")
        name = row.text("naam")
        if name is None and kind is not None:
            title = conversion.labels.get(
                ("besluitdocument", row.ref_code("document", "besluitdocument")), ""
            )
            name = f"{kinds.display[kind]} {title}".strip()
            name = name[:1].upper() + name[1:]
        row.identify(subject, "naam", label=name)
        row.add(subject, KRB.besluitsoort, kind, "soort")
        row.add(subject, PROV.generated, document, "document")
        day = row.date("datum", required=True)
        if day is not None:
            row.add(subject, DCTERMS.date, Literal(day), "datum")
        ris = row.text("ris_nummer")
        if ris is not None:
            row.add(subject, KRB.risNummer, Literal(ris), "ris_nummer")
        row.add_text(subject, DCTERMS.description, "omschrijving")


def convert_indicators(
    conversion: Conversion, sheet: SheetRows, skip: set[tuple[str, int]]
) -> None:
    vocabulary = conversion.vocabulary
    aspects = conversion.lists["beleidsaspecten"]
    departments = conversion.lists["afdelingen"]
    created: dict[URIRef, int] = {}
    for row, subject, code in _rows(conversion, sheet, skip):
        row.add(subject, RDF.type, KRB.Beleidsindicator, "code")
        name = row.required("naam")
        row.identify(subject, "naam")
        if name is not None:
            conversion.labels[(sheet.sheet.name, code)] = name
        theme = _theme(row, required=True)
        row.add(subject, KRB.beleidsthema, theme, "beleidsthema")
        aspect = row.pick("beleidsaspect", aspects)
        row.add(subject, KRB.beleidsaspect, aspect, "beleidsaspect")
        aspect_theme = conversion.facts.get(("beleidsaspecten", str(aspect), "thema"))
        if aspect is not None and theme is not None and aspect_theme not in (None, theme):
            themes = conversion.lists["beleidsthemas"].display
            row.problem(
                "beleidsaspect",
                row.text("beleidsaspect"),
                f"aspect '{aspects.display[aspect]}' hoort bij thema "
                f"'{themes.get(aspect_theme, aspect_theme)}', niet bij "
                f"'{themes[theme]}'",
                f"aspect '{aspects.display[aspect]}' belongs to theme "
                f"'{themes.get(aspect_theme, aspect_theme)}', not to '{themes[theme]}'",
            )
        row.add(
            subject,
            KRB.indicatorsoort,
            row.pick("kenmerk", vocabulary["kenmerk"], required=True),
            "kenmerk",
        )
        unit = row.unit()
        row.add(subject, QUDT.hasUnit, unit, "eenheid")
        if unit is not None:
            conversion.facts[(sheet.sheet.name, code, "eenheid")] = unit
        row.add_text(subject, DCTERMS.description, "omschrijving")
        department = row.text("afdeling")
        if department is not None:
            try:
                iri: URIRef | None = departments.find(department)
            except LookupFailed:
                iri = add_department(row, departments, created, department, None)
            row.add(subject, KRB.afdeling, iri, "afdeling")


def _number(lexical: str) -> str:
    """'48.0' -> '48', '0.4' -> '0,4': how a value reads in a generated Dutch name."""
    if lexical.endswith(".0"):
        lexical = lexical[:-2]
    return lexical.replace(".", ",")


def convert_norms(conversion: Conversion, sheet: SheetRows, skip: set[tuple[str, int]]) -> None:
    vocabulary = conversion.vocabulary
    for row, subject, code in _rows(conversion, sheet, skip):
        row.add(subject, RDF.type, KRB.Beleidsnorm, "code")
        indicator = row.ref("indicator", "beleidsindicator")
        document = row.ref("document", "besluitdocument")
        operator = row.pick("operator", vocabulary["operator"], required=True)
        row.add(subject, KRB.indicator, indicator, "indicator")
        row.add(subject, KRB.document, document, "document")
        row.add(subject, KRB.operator, operator, "operator")
        indicator_code = row.ref_code("indicator", "beleidsindicator")
        indicator_name = conversion.labels.get(("beleidsindicator", indicator_code), "")
        conversion.labels[(sheet.sheet.name, code)] = indicator_name or code
        value_text: str | None = None
        if row.text("eenheid") is not None:
            unit = row.unit()
            if unit is not None:
                value_text = _norm_value(row, subject, unit, code)
        else:
            unit = conversion.facts.get(("beleidsindicator", indicator_code, "eenheid"))
            value_text = _norm_value(row, subject, unit, code, known=indicator is not None)
        for column, key, predicate in (
            ("sector", "sector", KRB.sector),
            ("materiaal", "materiaal", KRB.materiaal),
        ):
            for concept in row.pick_many(column, conversion.lookups[key]):
                row.add(subject, predicate, concept, column)
        _object_types(row, subject, "leefomgeving", KRB.leefomgeving, allow_all=True)
        _areas(row, subject, required=True)
        row.period(subject)
        _status(row, subject)
        row.add(subject, KRB.normsoort, row.pick("normsoort", vocabulary["normsoort"]), "normsoort")
        row.add(subject, KRB.referentiewaarde, row.decimal("referentiewaarde"), "referentiewaarde")
        day = row.date("referentiedatum")
        if day is not None:
            row.add(subject, KRB.referentiedatum, Literal(day), "referentiedatum")
        # xsd:string, the rdfs:range krb.ttl declares (the data model also allows @nl)
        row.add_text(subject, KRB.rekenmethode, "rekenmethode", lang=None)
        if row.text("bestuurslaag") is not None:
            level = row.pick("bestuurslaag", vocabulary["bestuurslaag"])
        else:
            level = conversion.facts.get(
                ("besluitdocument", row.ref_code("document", "besluitdocument"), "bestuurslaag")
            )
        row.add(subject, KRB.bestuurslaag, level, "bestuurslaag")
        name = row.text("naam")
        if name is None and operator is not None and value_text is not None:
            parts = [
                indicator_name,
                vocabulary["operator"].display[operator],
                value_text,
                unit_symbol(row.conversion, unit) if unit is not None else "",
            ]
            name = " ".join(part for part in parts if part)
        row.identify(subject, "naam", label=name)


def _norm_value(
    row: Row, subject: URIRef, unit: URIRef | None, code: str, *, known: bool = True
) -> str | None:
    """qudt:numericValue + qudt:hasUnit, or krb:waardeBegrip when there is no unit.

    The unit is the norm's whatever becomes of its value: an effect on the norm takes it
    from here, and a value that is missing or no number is one error, at its cell, not a
    second one at every effect on the norm ("norm has no unit").

    ``known``: False when the indicator, whose unit an empty ``eenheid`` takes, names
    nothing (its cell has the error): whether a number needs a unit of its own is then
    not known, and no error says the indicator has none; a value that is no number nor
    a label is still one, at its cell."""
    conversion = row.conversion
    if unit is not None:
        conversion.facts[("beleidsnorm", code, "eenheid")] = unit
    raw = row.required("waarde")
    if raw is None:
        return None
    if unit is not None:
        number = row.decimal("waarde")
        if number is None:
            return None
        row.add(subject, QUDT.numericValue, number, "waarde")
        row.add(subject, QUDT.hasUnit, unit, "eenheid")
        return _number(str(number))
    try:
        concept = conversion.vocabulary.ranked.find(raw)
    except LookupFailed:
        concept = None
    if concept is not None:
        row.add(subject, KRB.waardeBegrip, concept, "waarde")
        conversion.facts[("beleidsnorm", code, "begrip")] = concept
        return conversion.vocabulary.ranked.display[concept]
    if not known:
        row.decimal("waarde")  # a number waits for its indicator; anything else is refused
        return None
    nl, en = did_you_mean(conversion.vocabulary.ranked.suggest(raw))
    row.problem(
        "eenheid",
        None,
        f"eenheid ontbreekt bij waarde '{raw}' (ook de indicator heeft er geen); vul een "
        "eenheid in (zoals dB(A), %, km/h) of geef als waarde een begrip uit een "
        f"geordende waardelijst (zoals energielabel B){nl}",
        f"unit missing for value '{raw}' (the indicator has none either); fill in a unit "
        "(such as dB(A), %, km/h) or give as value a concept of an ordered value list "
        f"(such as energy label B){en}",
    )
    return None


def convert_rules(conversion: Conversion, sheet: SheetRows, skip: set[tuple[str, int]]) -> None:
    vocabulary = conversion.vocabulary
    for row, subject, code in _rows(conversion, sheet, skip):
        row.add(subject, RDF.type, KRB.Beleidsregel, "code")
        text = row.required("omschrijving")
        row.identify(subject, "omschrijving")
        if text is not None:
            conversion.labels[(sheet.sheet.name, code)] = text
        row.add(subject, KRB.document, row.ref("document", "besluitdocument"), "document")
        _areas(row, subject, required=True)
        row.add(
            subject,
            KRB.indicator,
            row.ref("indicator", "beleidsindicator", required=False),
            "indicator",
        )
        row.period(subject)
        row.add(
            subject,
            KRB.bestuurslaag,
            row.pick("bestuurslaag", vocabulary["bestuurslaag"]),
            "bestuurslaag",
        )
        row.add(subject, KRB.beleidsthema, _theme(row, required=False), "beleidsthema")
        _status(row, subject)


def convert_measures(conversion: Conversion, sheet: SheetRows, skip: set[tuple[str, int]]) -> None:
    kinds = conversion.vocabulary["maatregelsoort"]
    for row, subject, code in _rows(conversion, sheet, skip):
        kind = row.pick("soort", kinds) if row.text("soort") else KRB.Beleidsmaatregel
        row.add(subject, RDF.type, kind, "soort")
        name = row.required("naam")
        row.identify(subject, "naam")
        if name is not None:
            conversion.labels[(sheet.sheet.name, code)] = name
        row.add(subject, KRB.beleidsthema, _theme(row, required=True), "beleidsthema")
        row.add(subject, KRB.document, row.ref("document", "besluitdocument"), "document")
        _areas(row, subject, required=True)
        row.period(subject)
        _object_types(row, subject, "objecttype", KRB.objecttype, allow_all=False)
        _status(row, subject, "uitvoeringsstatus")


def convert_effects(conversion: Conversion, sheet: SheetRows, skip: set[tuple[str, int]]) -> None:
    for row, subject, _code in _rows(conversion, sheet, skip):
        row.add(subject, RDF.type, KRB.BeoogdEffect, "code")
        row.add(subject, KRB.maatregel, row.ref("maatregel", "beleidsmaatregel"), "maatregel")
        norm = row.ref("norm", "beleidsnorm", required=False)
        indicator = row.ref("doel_indicator", "beleidsindicator", required=False)
        row.add(subject, KRB.norm, norm, "norm")
        row.add(subject, KRB.doelIndicator, indicator, "doel_indicator")
        norm_code, indicator_code = row.text("norm"), row.text("doel_indicator")
        if norm is not None:
            norm_code = row.ref_code("norm", "beleidsnorm")
        if indicator is not None:
            indicator_code = row.ref_code("doel_indicator", "beleidsindicator")
        if (norm_code is None) == (indicator_code is None):
            row.problem(
                "norm",
                norm_code,
                "vul precies één van norm en doel_indicator in",
                "fill in exactly one of norm and doel_indicator",
            )
        concept = conversion.facts.get(("beleidsnorm", norm_code or "", "begrip"))
        if norm is not None and concept is not None:
            _concept_effect(row, subject, norm_code or "", concept)
        else:
            _number_effect(row, subject, norm_code, indicator_code if indicator else None)
        day = row.date("horizon")
        if day is not None:
            row.add(subject, KRB.horizon, Literal(day), "horizon")
        _areas(row, subject)
        name = row.text("naam")
        if name is None:
            measure_name = conversion.labels.get(
                ("beleidsmaatregel", row.ref_code("maatregel", "beleidsmaatregel"))
            )
            if norm_code is not None:
                target = conversion.labels.get(("beleidsnorm", norm_code), norm_code)
            else:
                target = conversion.labels.get(
                    ("beleidsindicator", indicator_code or ""), indicator_code or ""
                )
            if measure_name and target:
                name = f"{measure_name} op {_in_sentence(target)}"
        row.identify(subject, "naam", label=name)


def _converts(conversion: Conversion, unit: URIRef, target: URIRef) -> bool:
    """Whether values in ``unit`` convert into ``target`` (krbgraph.units.compatible, the
    rule of the shapes); a registry's own unit converts only into itself."""
    if unit == target:
        return True
    units = conversion.vocabulary.units
    return unit in units and target in units and compatible(units[str(unit)], units[str(target)])


def _in_sentence(name: str) -> str:
    """``name`` inside a generated name: its first letter lower case ("Restafval per
    inwoner" -> "restafval per inwoner"), unless the first word is an abbreviation that
    keeps its capitals: a second letter in capitals or a digit ("NO2-concentratie",
    "CO2-uitstoot", "PM10"), or a first word all in capitals ("GGD", "A")."""
    first = name.split(maxsplit=1)[0] if name.strip() else ""
    second = name[1:2]
    if second.isupper() or second.isdigit() or first.isupper():
        return name
    return name[:1].lower() + name[1:]


def _number_effect(
    row: Row, subject: URIRef, norm_code: str | None, indicator_code: str | None
) -> None:
    """A change as a number with a unit: the unit of the norm or indicator by default,
    or one that converts to it (-500 ug/l on a norm in mg/l), kept as written: the
    shapes accept it and the research queries convert it, so a graph that holds one
    exports and imports unchanged. A unit that does not convert is refused."""
    conversion = row.conversion
    row.add(subject, QUDT.numericValue, row.decimal("waarde", required=True), "waarde")
    if norm_code is not None:
        what_nl = what_en = f"norm '{norm_code}'"
        target_unit = conversion.facts.get(("beleidsnorm", norm_code, "eenheid"))
        known = norm_code in conversion.codes.get("beleidsnorm", {})
    else:
        what_nl, what_en = f"indicator '{indicator_code}'", f"indicator '{indicator_code}'"
        target_unit = conversion.facts.get(("beleidsindicator", indicator_code or "", "eenheid"))
        known = indicator_code is not None
    unit = row.unit() if row.text("eenheid") is not None else target_unit
    if unit is None and row.text("eenheid") is None and known:
        row.problem(
            "eenheid",
            None,
            f"eenheid ontbreekt en {what_nl} heeft geen eenheid",
            f"unit is missing and {what_en} has no unit",
        )
    elif (
        unit is not None
        and target_unit is not None
        and not _converts(conversion, unit, target_unit)
    ):

        def symbol(iri: URIRef) -> str:
            return unit_symbol(conversion, iri)

        row.problem(
            "eenheid",
            row.text("eenheid"),
            f"eenheid {symbol(unit)} verschilt van die van {what_nl} ({symbol(target_unit)}) "
            "en is er niet naar om te rekenen",
            f"unit {symbol(unit)} differs from that of {what_en} ({symbol(target_unit)}) "
            "and does not convert to it",
        )
    row.add(subject, QUDT.hasUnit, unit, "eenheid")
    for column in ("doel_begrip", "labelstappen"):
        if row.text(column) is not None:
            row.problem(
                column,
                row.text(column),
                f"{column} hoort alleen bij een norm met een waarde uit een geordende "
                "waardelijst (zoals energielabel B); vul waarde in",
                f"{column} belongs only to a norm whose value comes from an ordered "
                "value list (such as energy label B); fill in waarde",
            )


def _concept_effect(row: Row, subject: URIRef, norm_code: str, concept: URIRef) -> None:
    """On a norm whose value is a concept (energy label B): a target concept from the
    same list, or a number of steps, instead of a number with a unit."""
    vocabulary = row.conversion.vocabulary
    for column in ("waarde", "eenheid"):
        if row.text(column) is not None:
            row.problem(
                column,
                row.text(column),
                f"norm '{norm_code}' heeft een waarde uit een geordende waardelijst; "
                f"laat {column} leeg en vul doel_begrip of labelstappen in",
                f"norm '{norm_code}' takes a value from an ordered value list; leave "
                f"{column} empty and fill in doel_begrip or labelstappen",
            )
    if (row.text("doel_begrip") is None) == (row.text("labelstappen") is None):
        row.problem(
            "doel_begrip",
            row.text("doel_begrip"),
            f"vul precies één van doel_begrip en labelstappen in (norm '{norm_code}' "
            "heeft een waarde uit een geordende waardelijst)",
            f"fill in exactly one of doel_begrip and labelstappen (norm '{norm_code}' "
            "takes a value from an ordered value list)",
        )
    target = row.pick("doel_begrip", vocabulary.ranked)
    if target is not None and not (
        vocabulary.ranked_schemes.get(target, frozenset())
        & vocabulary.ranked_schemes.get(concept, frozenset())
    ):
        row.problem(
            "doel_begrip",
            row.text("doel_begrip"),
            f"'{row.text('doel_begrip')}' komt niet uit de waardelijst van de waarde van "
            f"norm '{norm_code}' ({vocabulary.ranked.display[concept]})",
            f"'{row.text('doel_begrip')}' is not from the value list of the value of "
            f"norm '{norm_code}' ({vocabulary.ranked.display[concept]})",
        )
        target = None
    row.add(subject, KRB.doelBegrip, target, "doel_begrip")
    row.add(subject, KRB.labelstappen, row.integer("labelstappen"), "labelstappen")


def convert_implementations(
    conversion: Conversion, sheet: SheetRows, skip: set[tuple[str, int]]
) -> None:
    for row, subject, _code in _rows(conversion, sheet, skip):
        row.add(subject, RDF.type, KRB.BeoogdeUitvoering, "code")
        row.add(subject, KRB.maatregel, row.ref("maatregel", "beleidsmaatregel"), "maatregel")
        row.add(subject, KRB.regel, row.ref("regel", "beleidsregel"), "regel")
        row.add_text(subject, DCTERMS.description, "omschrijving")
        _areas(row, subject)
        name = row.text("naam")
        if name is None:
            measure = conversion.labels.get(
                ("beleidsmaatregel", row.ref_code("maatregel", "beleidsmaatregel"))
            )
            rule = conversion.labels.get(("beleidsregel", row.ref_code("regel", "beleidsregel")))
            if measure and rule:
                name = f"{measure}: {rule}"
        row.identify(subject, "naam", label=name)


def unit_symbol(conversion: Conversion, iri: URIRef) -> str:
    """The unit's symbol as a name or message shows it; for a unit the registry declares
    itself, its name there (the IRI stood in a norm's generated name)."""
    if iri in conversion.vocabulary.units:
        return conversion.vocabulary.unit_symbol(iri)
    return conversion.labels.get(("eenheid", str(iri))) or str(iri)
