"""Recognise column headers: map what contractors call a column to one canonical field name.

Headers are compared after `normalise_header`, so case, accents, punctuation, underscores and
camelCase do not matter (`Bedrag excl. btw` == `BEDRAG_EXCL_BTW` == `bedragExclBtw`). Matching is
exact on the normalised form, never by substring: "Bedrag incl. btw" must not be taken for the
amount excluding VAT. Anything the table misses is covered by a per-contractor mapping in the
workspace config, which always wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

DESCRIPTIVE_FIELDS: tuple[str, ...] = (
    "dwelling_id",
    "address",
    "postcode",
    "municipality",
    "category",
    "description",
)
"""Where the repair was and what it was: text, read from an order file and shown on the
inspection list as it came."""

ORDER_FIELDS: tuple[str, ...] = (
    "order_id",
    "contractor",
    "amount_excl_vat",
    "amount_incl_vat",
    "vat_rate",
    "completed_on",
    "order_date",
    *DESCRIPTIVE_FIELDS,
    "invoice_number",
    "tenant_contact",
)
"""Fields of a repair order that a contractor file can fill (DESIGN §3), as parsing seeks them."""

INSPECTION_FIELDS: tuple[str, ...] = (
    "order_id",
    "reason",
    "contractor",
    *DESCRIPTIVE_FIELDS,
    "amount_excl_vat",
    "completed_on",
    "selected_on",
    "due_on",
    "inspector",
    "inspected_on",
    "result",
    "findings",
    "correction_eur",
    "amount_decided_eur",
)
"""Columns of the inspection list as exported and handed back filled in (DESIGN §5). The last
one is the amount the selection decided on (``amount_excl_vat`` is the order's amount today,
which a later amendment may have changed); it comes last so that the columns before it keep
their places for scripts and for `record`."""

SATISFACTION_FIELDS: tuple[str, ...] = ("order_id", "score", "responded_on", "comment")
"""Columns of a tenant satisfaction survey export (DESIGN §6), as its import seeks them."""

# Canonical field -> synonyms, most specific first: when a file has two columns that both match
# a field, the one matching the earlier synonym wins ("Bedrag excl. btw" before "Bedrag"). The
# canonical name itself always matches. A synonym may serve two fields when a column really
# means both (Detroit's "Parcel ID" is the order and the dwelling); callers restrict the
# fields they look for, so survey words like "datum" never reach an order file's mapping.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "order_id": (
        "order id",
        "order number",
        "order no",
        "order nr",
        "repair order",
        "repair order number",
        "work order",
        "work order number",
        "work order id",
        "job number",
        "job id",
        "herstelbon",
        "herstelbonnummer",
        "herstelbon nr",
        "werkbon",
        "werkbonnummer",
        "werkbon nr",
        "bonnummer",
        "bon nr",
        "bon",
        "bestelbon",
        "bestelbonnummer",
        "bestelbon nr",
        "ordernummer",
        "opdrachtnummer",
        "opdracht nr",
        "opdracht",
        "numero de commande",
        "no de commande",
        "n de commande",
        "numero de bon",
        "n bon",
        "no bon",
        "nr bon",
        "n de bon",
        "no de bon",
        "bon de commande",
        "numero d ordre",
        "transaction number",
        "transaction no",
        "transactionnumber",
        "parcel id",
        "reference",
        "referentie",
        "ref",
        "nummer",
        "nr",
        "id",
    ),
    "contractor": (
        "contractor",
        "contractor name",
        "supplier",
        "supplier name",
        "vendor",
        "vendor name",
        "aannemer",
        "naam aannemer",
        "onderhoudsfirma",
        "leverancier",
        "naam leverancier",
        "firma",
        "firmanaam",
        "uitvoerder",
        "entrepreneur",
        "entreprise",
        "fournisseur",
        "prestataire",
        "nom du fournisseur",
    ),
    "amount_excl_vat": (
        "amount excl vat",
        "amount excluding vat",
        "amount ex vat",
        "amount net",
        "net amount",
        "netamount",
        "bedrag excl btw",
        "bedrag exclusief btw",
        "bedrag zonder btw",
        "bedrag excl",
        "netto bedrag",
        "nettobedrag",
        "totaal excl btw",
        "montant htva",
        "montant hors tva",
        "montant ht",
        "montant hors taxes",
        "total htva",
        "total ht",
        "amount",
        "bedrag",
        "montant",
        "price",
        "prijs",
        "prix",
        "cost",
        "kostprijs",
    ),
    "amount_incl_vat": (
        "amount incl vat",
        "amount including vat",
        "gross amount",
        "bedrag incl btw",
        "bedrag inclusief btw",
        "bedrag met btw",
        "totaal incl btw",
        "brutobedrag",
        "montant tvac",
        "montant ttc",
        "montant tva comprise",
        "total tvac",
        "total ttc",
    ),
    "vat_rate": (
        "vat rate",
        "vat",
        "vat percentage",
        "btw tarief",
        "btw percentage",
        "btw",
        "btw voet",
        "taux tva",
        "taux de tva",
        "tva",
    ),
    # "Date paid" is a fallback: a payments extract (Leeds) has no completion date, and the
    # payment date is the nearest thing; a file with both keeps the real completion date.
    "completed_on": (
        "completed on",
        "completion date",
        "date completed",
        "date of completion",
        "finish date",
        "end date",
        "uitgevoerd op",
        "datum uitvoering",
        "uitvoeringsdatum",
        "datum uitgevoerd",
        "datum einde werken",
        "einddatum",
        "afgewerkt op",
        "datum afwerking",
        "date d execution",
        "date execution",
        "date de realisation",
        "date de fin",
        "date de fin des travaux",
        "realise le",
        "execute le",
        "demolition date",
        "date paid",
        "payment date",
        "betaaldatum",
    ),
    "dwelling_id": (
        "dwelling id",
        "dwelling",
        "dwelling number",
        "property id",
        "property",
        "unit id",
        "woning",
        "woningnummer",
        "woning id",
        "woning nr",
        "wooneenheid",
        "wooneenheid nr",
        "huurobject",
        "logement",
        "numero de logement",
        "n logement",
        "parcel id",
    ),
    "address": ("address", "adres", "adresse", "street address", "straat en nummer"),
    "postcode": (
        "postcode",
        "postal code",
        "post code",
        "zip",
        "zip code",
        "zipcode",
        "code postal",
        "cp",
    ),
    "municipality": (
        "municipality",
        "city",
        "town",
        "gemeente",
        "stad",
        "woonplaats",
        "plaats",
        "deelgemeente",
        "commune",
        "localite",
        "ville",
    ),
    "category": (
        "category",
        "work type",
        "type of work",
        "trade",
        "categorie",
        "type werk",
        "soort werk",
        "soort",
        "aard werk",
        "aard van de werken",
        "vakgebied",
        "type de travaux",
        "corps de metier",
        "detailed expenditure type",
        "expenditure type",
        "expenditure category",
    ),
    "description": (
        "description",
        "work description",
        "omschrijving",
        "beschrijving",
        "werkzaamheden",
        "uitgevoerde werken",
        "omschrijving werken",
        "libelle",
        "description des travaux",
        "travaux",
    ),
    "order_date": (
        "order date",
        "date ordered",
        "besteldatum",
        "datum bon",
        "datum bestelbon",
        "datum opdracht",
        "opdrachtdatum",
        "date de commande",
        "date du bon",
    ),
    "invoice_number": (
        "invoice number",
        "invoice no",
        "invoice nr",
        "invoice",
        "factuurnummer",
        "factuur nr",
        "factuur",
        "numero de facture",
        "n de facture",
        "no de facture",
        "facture",
    ),
    "tenant_contact": (
        "tenant contact",
        "tenant",
        "tenant phone",
        "contact",
        "huurder",
        "contact huurder",
        "telefoon huurder",
        "telefoon",
        "gsm",
        "locataire",
        "contact locataire",
        "telephone",
        "phone",
    ),
    "reason": ("reason", "selection reason", "reden", "selectiereden", "motif", "raison"),
    "selected_on": (
        "selected on",
        "selection date",
        "date selected",
        "geselecteerd op",
        "selectiedatum",
        "datum selectie",
        "date de selection",
        "selectionne le",
    ),
    "due_on": (
        "due on",
        "due date",
        "due",
        "deadline",
        "uiterste datum",
        "te controleren voor",
        "vervaldatum",
        "date limite",
        "echeance",
    ),
    "inspector": (
        "inspector",
        "inspected by",
        "opzichter",
        "controleur",
        "technisch medewerker",
        "nazicht door",
        "gecontroleerd door",
        "inspecteur",
        "controle par",
    ),
    "inspected_on": (
        "inspected on",
        "inspection date",
        "date inspected",
        "datum controle",
        "controledatum",
        "datum nazicht",
        "gecontroleerd op",
        "date du controle",
        "date de controle",
        "date d inspection",
        "controle le",
    ),
    "result": ("result", "outcome", "resultaat", "uitslag", "resultat", "conclusion"),
    "findings": (
        "findings",
        "remarks",
        "bevindingen",
        "opmerkingen",
        "vaststellingen",
        "constatations",
        "remarques",
        "observations",
    ),
    "amount_decided_eur": (
        "amount decided",
        "amount decided eur",
        "bedrag beslist",
        "bedrag beslist eur",
        "montant decide",
        "montant decide eur",
    ),
    "correction_eur": (
        "correction eur",
        "correction",
        "correction amount",
        "correctie",
        "correctie eur",
        "correctiebedrag",
        "terugvordering",
        "teruggevorderd",
        "montant de la correction",
        "correction en eur",
    ),
    "score": (
        "score",
        "satisfaction",
        "satisfaction score",
        "rating",
        "tevredenheid",
        "tevredenheidsscore",
        "score tevredenheid",
        "cijfer",
        "note",
        "satisfaction du locataire",
    ),
    "responded_on": (
        "responded on",
        "response date",
        "date",
        "datum",
        "datum bevraging",
        "datum antwoord",
        "date de reponse",
        "date de l enquete",
    ),
    "comment": (
        "comment",
        "comments",
        "opmerking",
        "commentaar",
        "toelichting",
        "commentaire",
        "commentaires",
    ),
}

FIELDS: tuple[str, ...] = tuple(SYNONYMS)
"""Every canonical field name known here."""

# Trailing unit words ("Bedrag (EUR)", "Net amount GBP") say nothing about the field.
_UNITS = ("eur", "euro", "euros", "in eur", "gbp", "usd")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_header(name: str) -> str:
    """Lowercase, accent-free, words separated by single spaces.

    camelCase is split first (`NetAmount` -> `net amount`), then everything that is not a
    letter or digit (dots, underscores, °, €, brackets, NBSP…) separates words.
    """
    text = _CAMEL.sub(" ", str(name))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return _NON_WORD.sub(" ", text).strip()


def _without_unit(normalised: str) -> str:
    for unit in _UNITS:
        if normalised.endswith(" " + unit):
            return normalised[: -len(unit) - 1]
    return normalised


def _ranks(field: str, synonyms: Sequence[str]) -> dict[str, int]:
    """Normalised synonym -> its rank for one field (0 = the canonical name itself)."""
    ranks: dict[str, int] = {}
    for rank, synonym in enumerate((field, *synonyms)):
        ranks.setdefault(normalise_header(synonym), rank)
    return ranks


_INDEX = {field: _ranks(field, synonyms) for field, synonyms in SYNONYMS.items()}


def map_columns(
    columns: Sequence[str],
    mapping: Mapping[str, str | Sequence[str]] | None = None,
    fields: Iterable[str] | None = None,
) -> dict[str, str]:
    """Return {canonical field: original column name} for the fields found in `columns`.

    `mapping` ({"Original header": "canonical_field"}, from the workspace config) wins over
    synonyms, and a column it names is not matched by synonyms for another field; a list of
    fields maps one column to each of them (the only way to say a column means two). Headers in
    `mapping` are compared normalised, so its case and punctuation need not be exact.
    `fields` limits the search (default: all fields). When two columns match one field the
    more specific synonym wins, then the first column. Unknown columns are ignored; see
    `unknown_columns`. Raises ValueError for a mapping to a field that does not exist.
    """
    wanted = list(FIELDS if fields is None else fields)
    for field in wanted:
        if field not in SYNONYMS:
            raise ValueError(f"unknown field {field!r}; known fields: {', '.join(FIELDS)}")
    normalised = [normalise_header(c) for c in columns]
    found: dict[str, str] = {}
    claimed: set[int] = set()
    for header, targets in (mapping or {}).items():
        for field in [targets] if isinstance(targets, str) else targets:
            if field not in SYNONYMS:
                raise ValueError(
                    f"column mapping {header!r} -> {field!r}: unknown field; "
                    f"known fields: {', '.join(FIELDS)}"
                )
            target = normalise_header(header)
            position = next((i for i, n in enumerate(normalised) if n == target), None)
            if position is None:
                continue
            claimed.add(position)
            if field in wanted and field not in found:
                found[field] = columns[position]
    for field in wanted:
        if field in found:
            continue
        ranks = _INDEX[field]
        best: tuple[int, int] | None = None
        for position, name in enumerate(normalised):
            if position in claimed:
                continue
            rank = ranks.get(name, ranks.get(_without_unit(name)))
            if rank is not None and (best is None or (rank, position) < best):
                best = (rank, position)
        if best is not None:
            found[field] = columns[best[1]]
    return found


def shared_columns(
    found: Mapping[str, str], mapping: Mapping[str, str | Sequence[str]] | None = None
) -> dict[str, list[str]]:
    """Columns that fill two fields or more without `mapping` saying so: column -> fields.

    A synonym may fit two fields (Detroit's "Parcel ID" is an order number and a dwelling);
    filling both from one column silently would make the dwelling look like the order, so the
    caller refuses it until the contractor's profile maps the column explicitly.
    """
    said = {normalise_header(h) for h, t in (mapping or {}).items() if not isinstance(t, str)}
    fields_of: dict[str, list[str]] = {}
    for field, column in found.items():
        fields_of.setdefault(column, []).append(field)
    return {
        column: fields
        for column, fields in fields_of.items()
        if len(fields) > 1 and normalise_header(column) not in said
    }


def column_fields(columns: Sequence[str], found: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each column of the file with the field(s) it fills, or "ignored": what a user checks
    before trusting an import."""
    fields_of: dict[str, list[str]] = {}
    for field, column in found.items():
        fields_of.setdefault(column, []).append(field)
    return [(c, ", ".join(fields_of.get(c, [])) or "ignored") for c in columns]


def unknown_columns(columns: Sequence[str], found: Mapping[str, str]) -> list[str]:
    """Columns of the file that no field uses, in file order (worth a line in the report)."""
    used = set(found.values())
    return [c for c in columns if c not in used]


def missing_required(found: Mapping[str, str], required: Iterable[str]) -> list[str]:
    """Required fields that `map_columns` did not find, in the order they were asked for."""
    return [field for field in required if field not in found]
