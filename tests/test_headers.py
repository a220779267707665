"""Header recognition: synonyms in three languages, normalisation, config mapping, real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspect_cli.headers import (
    FIELDS,
    INSPECTION_FIELDS,
    ORDER_FIELDS,
    SATISFACTION_FIELDS,
    SYNONYMS,
    map_columns,
    missing_required,
    normalise_header,
    unknown_columns,
)
from inspect_cli.reader import open_table

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
REQUIRED = ["order_id", "contractor", "amount_excl_vat", "completed_on"]


@pytest.mark.parametrize(
    ("header", "normalised"),
    [
        ("Bedrag excl. btw", "bedrag excl btw"),
        ("bedrag excl btw", "bedrag excl btw"),
        ("BEDRAG_EXCL_BTW", "bedrag excl btw"),
        ("  Bedrag\u00a0 excl.\tbtw ", "bedrag excl btw"),
        ("Date d'exécution", "date d execution"),
        ("N° bon", "n bon"),
        ("Catégorie", "categorie"),
        (" NetAmount ", "net amount"),
        ("TransactionNumber", "transaction number"),
        ("Correction (EUR)", "correction eur"),
        ("BTW-tarief", "btw tarief"),
        ("\ufeffBonnummer", "bonnummer"),
    ],
)
def test_normalise_header(header, normalised):
    assert normalise_header(header) == normalised


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # English
        ("Work order", "order_id"),
        ("Repair order", "order_id"),
        ("Supplier name", "contractor"),
        ("Net amount", "amount_excl_vat"),
        ("Amount incl. VAT", "amount_incl_vat"),
        ("VAT rate", "vat_rate"),
        ("Completion date", "completed_on"),
        ("Dwelling ID", "dwelling_id"),
        ("Postal code", "postcode"),
        ("City", "municipality"),
        ("Invoice number", "invoice_number"),
        ("Tenant", "tenant_contact"),
        # Dutch / Flemish
        ("Herstelbonnummer", "order_id"),
        ("Werkbon", "order_id"),
        ("Bonnummer", "order_id"),
        ("Bestelbon", "order_id"),
        ("Aannemer", "contractor"),
        ("Onderhoudsfirma", "contractor"),
        ("Leverancier", "contractor"),
        ("Bedrag excl. btw", "amount_excl_vat"),
        ("Bedrag zonder btw", "amount_excl_vat"),
        ("Bedrag incl. btw", "amount_incl_vat"),
        ("BTW %", "vat_rate"),
        ("Uitgevoerd op", "completed_on"),
        ("Datum uitvoering", "completed_on"),
        ("Woningnummer", "dwelling_id"),
        ("Wooneenheid", "dwelling_id"),
        ("Gemeente", "municipality"),
        ("Type werk", "category"),
        ("Omschrijving", "description"),
        ("Werkzaamheden", "description"),
        ("Besteldatum", "order_date"),
        ("Factuurnummer", "invoice_number"),
        ("Huurder", "tenant_contact"),
        # French
        ("Numéro de commande", "order_id"),
        ("N° bon", "order_id"),
        ("Entrepreneur", "contractor"),
        ("Fournisseur", "contractor"),
        ("Montant HTVA", "amount_excl_vat"),
        ("Montant HT", "amount_excl_vat"),
        ("Montant TVAC", "amount_incl_vat"),
        ("Taux TVA", "vat_rate"),
        ("Date d'exécution", "completed_on"),
        ("Date de réalisation", "completed_on"),
        ("Logement", "dwelling_id"),
        ("Code postal", "postcode"),
        ("Localité", "municipality"),
        ("Libellé", "description"),
        ("Date de commande", "order_date"),
        ("Numéro de facture", "invoice_number"),
        ("Locataire", "tenant_contact"),
        # units and spelling variants
        ("Bedrag (EUR)", "amount_excl_vat"),
        ("MONTANT_HTVA", "amount_excl_vat"),
        ("  aannemer  ", "contractor"),
    ],
)
def test_order_synonyms(header, field):
    found = map_columns(["Iets anders", header], fields=ORDER_FIELDS)
    assert found.get(field) == header


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Opzichter", "inspector"),
        ("Technisch medewerker", "inspector"),
        ("Contrôleur", "inspector"),
        ("Datum controle", "inspected_on"),
        ("Date du contrôle", "inspected_on"),
        ("Resultaat", "result"),
        ("Résultat", "result"),
        ("Bevindingen", "findings"),
        ("Constatations", "findings"),
        ("Correctie", "correction_eur"),
        ("Terugvordering", "correction_eur"),
        ("Correction (EUR)", "correction_eur"),
    ],
)
def test_inspection_synonyms(header, field):
    assert map_columns(["Bonnummer", header], fields=INSPECTION_FIELDS)[field] == header


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Tevredenheidsscore", "score"),
        ("Cijfer", "score"),
        ("Note", "score"),
        ("Datum", "responded_on"),
        ("Datum bevraging", "responded_on"),
        ("Commentaar", "comment"),
        ("Commentaire", "comment"),
    ],
)
def test_satisfaction_synonyms(header, field):
    assert map_columns(["Herstelbon", header], fields=SATISFACTION_FIELDS)[field] == header


def test_the_exports_own_column_names_map_to_themselves():
    found = map_columns(list(INSPECTION_FIELDS), fields=INSPECTION_FIELDS)
    assert found == {field: field for field in INSPECTION_FIELDS}


def test_fields_limit_the_search():
    columns = ["Bonnummer", "Datum", "Opmerking"]
    assert map_columns(columns, fields=ORDER_FIELDS) == {"order_id": "Bonnummer"}
    assert map_columns(columns, fields=SATISFACTION_FIELDS) == {
        "order_id": "Bonnummer",
        "responded_on": "Datum",
        "comment": "Opmerking",
    }


def test_the_more_specific_synonym_wins_whatever_the_column_order():
    columns = ["Bedrag", "Bedrag incl. btw", "Bedrag excl. btw"]
    found = map_columns(columns, fields=ORDER_FIELDS)
    assert found["amount_excl_vat"] == "Bedrag excl. btw"
    assert found["amount_incl_vat"] == "Bedrag incl. btw"


def test_amount_incl_vat_is_never_taken_for_excl():
    found = map_columns(["Bon", "Bedrag incl. btw", "BTW %"], fields=ORDER_FIELDS)
    assert "amount_excl_vat" not in found
    assert found["amount_incl_vat"] == "Bedrag incl. btw"


def test_first_column_wins_on_equal_matches():
    found = map_columns(["Aannemer", "aannemer (2)", "AANNEMER"], fields=ORDER_FIELDS)
    assert found["contractor"] == "Aannemer"


def test_config_mapping_wins_over_synonyms():
    columns = ["Bonnummer", "Ref. intern", "Dag klaar", "Datum uitvoering", "Prijs"]
    mapping = {"ref intern": "order_id", "Dag Klaar": "completed_on"}
    found = map_columns(columns, mapping, fields=ORDER_FIELDS)
    assert found["order_id"] == "Ref. intern"
    assert found["completed_on"] == "Dag klaar"
    assert found["amount_excl_vat"] == "Prijs"


def test_a_mapped_column_is_not_reused_by_a_synonym():
    found = map_columns(["Bonnummer", "Bedrag"], {"Bedrag": "amount_incl_vat"}, ORDER_FIELDS)
    assert found == {"order_id": "Bonnummer", "amount_incl_vat": "Bedrag"}


def test_mapping_for_an_absent_column_is_ignored():
    found = map_columns(["Bonnummer"], {"Nummer": "order_id"}, ORDER_FIELDS)
    assert found == {"order_id": "Bonnummer"}


def test_mapping_to_an_unknown_field_is_an_error():
    with pytest.raises(ValueError, match=r"'Bedrag' -> 'amount': unknown field"):
        map_columns(["Bedrag"], {"Bedrag": "amount"})


def test_unknown_and_missing():
    columns = ["Bonnummer", "Kleur", "Bedrag"]
    found = map_columns(columns, fields=ORDER_FIELDS)
    assert unknown_columns(columns, found) == ["Kleur"]
    assert missing_required(found, REQUIRED) == ["contractor", "completed_on"]


def test_synonyms_are_unambiguous_between_order_fields():
    """A header means one order field, except Detroit's parcel id: order and dwelling at once."""
    owners: dict[str, set[str]] = {}
    for field in ORDER_FIELDS:
        for synonym in (field, *SYNONYMS[field]):
            owners.setdefault(normalise_header(synonym), set()).add(field)
    shared = {name: fields for name, fields in owners.items() if len(fields) > 1}
    assert shared == {"parcel id": {"order_id", "dwelling_id"}}
    assert set(ORDER_FIELDS) <= set(FIELDS)
    assert all(normalise_header(s) for synonyms in SYNONYMS.values() for s in synonyms)


# --- real headers ------------------------------------------------------------------------------

LEEDS_HEADER = [
    "Body",
    "Body name",
    "Service label",
    "Service divison label",
    "Expenditure category",
    "Detailed expenditure type",
    "Detailed expenditure code",
    "Date paid",
    "Transaction number",
    "Net amount",
    "Capital or revenue",
    "Supplier name",
]


def test_leeds_headers_including_their_drifted_spellings():
    found = map_columns(LEEDS_HEADER, fields=ORDER_FIELDS)
    assert found == {
        "order_id": "Transaction number",
        "contractor": "Supplier name",
        "amount_excl_vat": "Net amount",
        "completed_on": "Date paid",  # payment date: the nearest thing to completion
        "category": "Detailed expenditure type",
    }
    drifted = ["TransactionNumber", "Supplier name ", " NetAmount ", "Date paid"]
    assert missing_required(map_columns(drifted, fields=ORDER_FIELDS), REQUIRED) == []


def test_a_real_completion_date_beats_the_payment_date():
    found = map_columns(["Date paid", "Completion date"], fields=ORDER_FIELDS)
    assert found["completed_on"] == "Completion date"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "leeds_almo_excerpt.csv",
            ["Transaction number", "Supplier name", "Net amount", "Date paid"],
        ),
        (
            "leeds_2011-11_cp1252_excerpt.csv",
            ["Transaction number", "Supplier name", "Net amount", "Date paid"],
        ),
        ("detroit_excerpt.csv", ["Parcel ID", "Contractor Name", "Price", "Demolition Date"]),
    ],
)
def test_real_file_headers_map_the_required_fields(fixture, expected):
    found = map_columns(open_table(DATA / fixture).columns, fields=ORDER_FIELDS)
    assert [found[f] for f in REQUIRED] == expected


def test_detroit_parcel_is_order_and_dwelling():
    found = map_columns(open_table(DATA / "detroit_excerpt.csv").columns, fields=ORDER_FIELDS)
    assert found["dwelling_id"] == "Parcel ID"
    assert found["address"] == "Address"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not present")
@pytest.mark.parametrize(
    "name", sorted(p.name for p in SHARED.glob("*.csv")) if SHARED.is_dir() else []
)
def test_shared_file_headers_map_the_required_fields(name):
    found = map_columns(open_table(SHARED / name).columns, fields=ORDER_FIELDS)
    assert missing_required(found, REQUIRED) == []
