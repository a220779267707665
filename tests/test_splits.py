"""Split groups and possible double billing (inspect_cli.splits)."""

from __future__ import annotations

import pytest

from inspect_cli.errors import InvalidValue
from inspect_cli.splits import (
    OrderColumns,
    candidates_from_text,
    dwelling_key,
    find_double_billings,
    find_split_groups,
    group_of_order,
)

THRESHOLD = 100_000
WINDOW = 30


def orders(*rows: tuple) -> OrderColumns:
    """Rows of (order_id, contractor, dwelling_id, completed_on, amount_cents[, address,
    postcode])."""
    full = [(*r, None, None) if len(r) == 5 else r for r in rows]
    return OrderColumns(
        order_ids=[r[0] for r in full],
        contractors=[r[1] for r in full],
        dwelling_ids=[r[2] for r in full],
        addresses=[r[5] for r in full],
        postcodes=[r[6] for r in full],
        completed_on=[r[3] for r in full],
        amounts_cents=[r[4] for r in full],
    )


def groups(data: OrderColumns, window: int = WINDOW) -> list[tuple[str, ...]]:
    found = find_split_groups(data, threshold_cents=THRESHOLD, window_days=window)
    return [g.order_ids for g in found]


def test_three_orders_at_one_dwelling_form_a_group():
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-02", 40_000),
        ("A2", "Janssens", "W1", "2026-11-09", 35_000),
        ("A3", "Janssens", "W1", "2026-11-20", 30_000),
    )
    [group] = find_split_groups(data, threshold_cents=THRESHOLD, window_days=WINDOW)
    assert group.order_ids == ("A1", "A2", "A3")
    assert group.contractor == "Janssens"
    assert group.dwelling_id == "W1"
    assert (group.first_on, group.last_on) == ("2026-11-02", "2026-11-20")
    assert group.total_cents == 105_000


def test_same_contractor_at_other_dwellings_is_no_group():
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-02", 40_000),
        ("A2", "Janssens", "W2", "2026-11-09", 35_000),
        ("A3", "Janssens", "W3", "2026-11-20", 30_000),
    )
    assert groups(data) == []


def test_another_contractor_at_the_same_dwelling_is_no_group():
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-02", 40_000),
        ("A2", "Janssens", "W1", "2026-11-09", 35_000),
        ("B1", "Peeters", "W1", "2026-11-20", 30_000),
    )
    assert groups(data) == []


def test_the_same_dwelling_months_later_is_no_group():
    data = orders(
        ("A1", "Janssens", "W1", "2026-03-02", 40_000),
        ("A2", "Janssens", "W1", "2026-03-09", 35_000),
        ("A3", "Janssens", "W1", "2026-07-20", 30_000),
    )
    assert groups(data) == []


def test_window_is_counted_from_the_first_order_inclusive():
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-01", 60_000),
        ("A2", "Janssens", "W1", "2026-12-01", 60_000),  # 30 days later: inside
    )
    assert groups(data) == [("A1", "A2")]
    assert groups(data, window=29) == []


def test_a_group_never_grows_past_one_window():
    """An order every 10 days for a year: groups of four (days 0-30), not one endless chain."""
    data = orders(
        *(
            (f"A{i:02d}", "Janssens", "W1", f"2026-{1 + i // 3:02d}-{1 + 10 * (i % 3):02d}", 30_000)
            for i in range(36)
        )
    )
    found = find_split_groups(data, threshold_cents=THRESHOLD, window_days=WINDOW)
    assert found
    for g in found:
        assert len(g.order_ids) <= 4
        assert g.total_cents > THRESHOLD
    used = [i for g in found for i in g.order_ids]
    assert len(used) == len(set(used))


def test_a_quiet_window_does_not_hide_the_next_one():
    """Day 0 alone stays under; days 25 and 40 together cross: found with 25 as anchor."""
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-01", 10_000),
        ("A2", "Janssens", "W1", "2026-11-26", 60_000),
        ("A3", "Janssens", "W1", "2026-12-11", 60_000),
    )
    assert groups(data) == [("A2", "A3")]


def test_exactly_the_threshold_in_total_is_not_above_it():
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-01", 50_000),
        ("A2", "Janssens", "W1", "2026-11-02", 50_000),
    )
    assert groups(data) == []


def test_orders_above_the_threshold_credit_notes_and_open_orders_take_no_part():
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-01", 60_000),
        ("A2", "Janssens", "W1", "2026-11-02", 150_000),  # inspected anyway
        ("A3", "Janssens", "W1", "2026-11-03", -20_000),  # credit note
        ("A4", "Janssens", "W1", None, 60_000),  # not completed
    )
    assert groups(data) == []
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-01", 60_000),
        ("A3", "Janssens", "W1", "2026-11-03", -20_000),
        ("A5", "Janssens", "W1", "2026-11-04", 50_000),
    )
    # The credit note neither joins the group nor lowers its total.
    [group] = find_split_groups(data, threshold_cents=THRESHOLD, window_days=WINDOW)
    assert group.order_ids == ("A1", "A5")
    assert group.total_cents == 110_000


def test_address_and_postcode_make_a_dwelling_when_there_is_no_id():
    data = orders(
        ("A1", "Janssens", None, "2026-11-01", 60_000, "Kerkstraat 1", "2000"),
        ("A2", "Janssens", None, "2026-11-05", 60_000, "KERKSTRAAT, 1", " 2000 "),
        ("A3", "Janssens", None, "2026-11-06", 60_000, "Kerkstraat 1", None),
        ("A4", "Janssens", None, "2026-11-07", 60_000, None, None),
    )
    [group] = find_split_groups(data, threshold_cents=THRESHOLD, window_days=WINDOW)
    assert group.order_ids == ("A1", "A2")
    assert group.address == "Kerkstraat 1"


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        (("W1", None, None), (" w1 ", None, None), True),
        (("W1", None, None), ("W2", None, None), False),
        ((None, "Kérkstraat 1", "2000"), (None, "kerkstraat 1", "2000"), True),
        ((None, "Kerkstraat 1", "2000"), (None, "Kerkstraat 1", "9000"), False),
        (("W1", "Kerkstraat 1", "2000"), (None, "Kerkstraat 1", "2000"), False),
    ],
)
def test_dwelling_key(one, other, same):
    assert (dwelling_key(*one) == dwelling_key(*other)) is same


def test_no_dwelling_at_all_is_never_grouped():
    assert dwelling_key(None, None, None) is None
    assert dwelling_key("  ", None, "2000") is None
    assert dwelling_key(None, "Kerkstraat 1", None) is None


def test_group_of_order_names_the_group():
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-02", 40_000),
        ("A2", "Janssens", "W1", "2026-11-09", 35_000),
        ("A3", "Janssens", "W1", "2026-11-20", 30_000),
        ("A4", "Janssens", "W2", "2026-11-20", 30_000),
    )
    found = find_split_groups(data, threshold_cents=THRESHOLD, window_days=WINDOW)
    assert group_of_order(found, "A2") is found[0]
    assert group_of_order(found, "A4") is None


def test_the_input_order_does_not_matter():
    rows = [
        ("A1", "Janssens", "W1", "2026-11-01", 10_000),
        ("A2", "Janssens", "W1", "2026-11-26", 60_000),
        ("A3", "Janssens", "W1", "2026-12-11", 60_000),
        ("B1", "Peeters", "W1", "2026-11-02", 90_000),
        ("B2", "Peeters", "W1", "2026-11-02", 20_000),
    ]
    assert groups(orders(*rows)) == groups(orders(*reversed(rows)))
    assert groups(orders(*rows)) == [("A2", "A3"), ("B1", "B2")]


def test_double_billing_same_amount_within_the_window():
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-02", 45_000),
        ("A2", "Janssens", "W1", "2026-11-20", 45_000),
        ("A3", "Janssens", "W1", "2027-03-20", 45_000),  # months later
        ("A4", "Janssens", "W2", "2026-11-20", 45_000),  # other dwelling
        ("B1", "Peeters", "W1", "2026-11-20", 45_000),  # other contractor
        ("A5", "Janssens", "W1", "2026-11-21", 45_001),  # other amount
    )
    [pair] = find_double_billings(data, window_days=WINDOW)
    assert (pair.first_order_id, pair.second_order_id) == ("A1", "A2")
    assert pair.amount_cents == 45_000
    assert (pair.first_on, pair.second_on) == ("2026-11-02", "2026-11-20")


def test_double_billing_three_equal_amounts_make_two_pairs_above_the_threshold_too():
    data = orders(
        ("A1", "Janssens", "W1", "2026-11-02", 250_000),
        ("A2", "Janssens", "W1", "2026-11-03", 250_000),
        ("A3", "Janssens", "W1", "2026-11-04", 250_000),
        ("A4", "Janssens", "W1", "2026-11-05", -250_000),  # credit note
    )
    pairs = find_double_billings(data, window_days=WINDOW)
    assert [(p.first_order_id, p.second_order_id) for p in pairs] == [("A1", "A2"), ("A2", "A3")]


def test_nothing_in_nothing_out():
    empty = orders()
    assert find_split_groups(empty, threshold_cents=THRESHOLD, window_days=WINDOW) == []
    assert find_double_billings(empty, window_days=WINDOW) == []


def test_a_stray_separator_in_stored_text_is_an_error_not_a_shifted_column():
    with pytest.raises(InvalidValue, match="U\\+001E"):
        candidates_from_text("A1\x1eA2", "J\x1fW1", "2026-11-01\x1e2026-11-02", "100\x1e200")


def test_candidates_from_text_reads_ids_addresses_and_nothing():
    c = candidates_from_text(
        "A1\x1eA2\x1eA3\x1eA4",
        "J\x1fW1\x1eJ\x1f\x1dKerkstraat 1\x1f2000\x1eJ\x1f\x1eJ\x1f\x1dkerkstraat, 1\x1f2000",
        "2026-11-01\x1e2026-11-02\x1e2026-11-03\x1e2026-11-04",
        "40000\x1e60000\x1e50000\x1e70000",
    )
    street = "address:kerkstraat 1|2000"
    assert [p.key for p in c.places] == ["id:w1", street, None, street]
    [group] = find_split_groups(c, threshold_cents=THRESHOLD, window_days=WINDOW)
    assert group.order_ids == ("A2", "A4")
    assert (group.address, group.postcode) == ("Kerkstraat 1", "2000")
