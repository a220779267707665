"""The fast paths of ``report splits`` and ``report signals``: the same groups and counts as a
plain reading of the rule, on orders with many on one day and ids out of order."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta
from pathlib import Path

from inspect_cli.reports import Period
from inspect_cli.signals import count_findings, findings
from inspect_cli.splits import (
    OrderColumns,
    candidates,
    candidates_from_text,
    find_double_billings,
    find_split_groups,
)
from inspect_cli.workspace import Workspace

THRESHOLD = 100_000
WINDOW = 30


def random_orders(seed: int, n: int = 600) -> OrderColumns:
    """Two contractors at six dwellings (two known by address only) over three months, many
    orders per day, ids in no particular order, a few credit notes and open orders."""
    rng = random.Random(seed)
    ids = [f"X-{rng.randrange(10**6):06d}-{i}" for i in range(n)]
    dwellings = [("W1", None), ("W2", None), ("w1 ", None), (None, "Kerkstraat 1"), (None, "x")]
    rows = [(rng.choice(["Janssens", "Peeters"]), *rng.choice(dwellings)) for _ in range(n)]
    days = [date(2026, 10, 1) + timedelta(days=rng.randrange(90)) for _ in range(n)]
    amounts = [rng.choice([-5_000, 0, 20_000, 30_000, 45_000, 99_000, 150_000]) for _ in range(n)]
    return OrderColumns(
        order_ids=ids,
        contractors=[r[0] for r in rows],
        dwelling_ids=[r[1] for r in rows],
        addresses=[r[2] for r in rows],
        postcodes=[None if r[2] == "x" else "2000" for r in rows],
        completed_on=[None if rng.random() < 0.05 else d.isoformat() for d in days],
        amounts_cents=amounts,
    )


def plain_groups(data: OrderColumns) -> list[tuple[str, ...]]:
    """The rule of inspect_cli.splits read literally: per contractor and dwelling, walk the
    candidates in (date, id) order and take the first window that sums above the threshold."""
    c = candidates(data)
    codes = c.group_codes[1]
    per_place: dict[int, list[tuple[int, str, int]]] = {}
    for i, code in enumerate(codes.tolist()):
        if code >= 0 and 0 < c.amounts[i] <= THRESHOLD:
            per_place.setdefault(code, []).append(
                (int(c.days[i]), c.order_ids[i], int(c.amounts[i]))
            )
    found = []
    for orders in per_place.values():
        orders.sort()
        j = 0
        while j < len(orders):
            window = [o for o in orders[j:] if o[0] <= orders[j][0] + WINDOW]
            if sum(o[2] for o in window) > THRESHOLD:
                found.append(tuple(o[1] for o in window))
                j += len(window)
            else:
                j += 1
    return sorted(found)


def test_split_groups_match_a_plain_reading_of_the_rule():
    for seed in range(5):
        data = random_orders(seed)
        found = find_split_groups(data, threshold_cents=THRESHOLD, window_days=WINDOW)
        assert sorted(g.order_ids for g in found) == plain_groups(data)
        assert len(found) > 5


def as_text(data: OrderColumns) -> tuple[str, str, str, str]:
    """The orders in the texts the store hands over (completed orders above zero only)."""
    keep = [
        i
        for i, (done, amount) in enumerate(zip(data.completed_on, data.amounts_cents, strict=True))
        if done is not None and amount > 0
    ]

    def place(i: int) -> str:
        if data.dwelling_ids[i] is not None:
            return f"{data.contractors[i]}\x1f{data.dwelling_ids[i]}"
        return f"{data.contractors[i]}\x1f\x1d{data.addresses[i]}\x1f{data.postcodes[i] or ''}"

    return (
        "\x1e".join(data.order_ids[i] for i in keep),
        "\x1e".join(place(i) for i in keep),
        "\x1e".join(data.completed_on[i] or "" for i in keep),
        "\x1e".join(str(data.amounts_cents[i]) for i in keep),
    )


def test_counting_without_ids_finds_what_listing_finds():
    for seed in range(5):
        ids, places, days, amounts = as_text(random_orders(seed))
        listed = candidates_from_text(ids, places, days, amounts)
        counted = candidates_from_text(None, places, days, amounts)
        assert counted.order_ids == []
        for period in (Period(), Period(date(2026, 11, 1), date(2026, 11, 30))):
            found = findings(listed, period=period, threshold_cents=THRESHOLD, window_days=WINDOW)
            counts = count_findings(
                counted, period=period, threshold_cents=THRESHOLD, window_days=WINDOW
            )
            assert counts == found.counts()
            assert sum(counts.groups.values()) == len(found.groups) > 0
            assert sum(counts.doubles.values()) == len(found.doubles) > 0


def test_signals_csv_counts_what_json_lists(cli, workspace: Workspace, tmp_path: Path):
    data = random_orders(7, n=300)
    header = "Work order,Contractor,Dwelling,Address,Postal code,City,Net amount,Completion date\n"
    lines = [
        f"{oid},{who},{dwelling or ''},{address or 'Street 9'},2000,Antwerpen,"
        f"{amount // 100}.{amount % 100:02d},{done or ''}\n"
        for oid, who, dwelling, address, done, amount in zip(
            data.order_ids,
            data.contractors,
            data.dwelling_ids,
            data.addresses,
            data.completed_on,
            data.amounts_cents,
            strict=True,
        )
    ]
    path = tmp_path / "orders.csv"
    path.write_text(header + "".join(lines), encoding="utf-8")
    assert cli("ingest", "-w", workspace.root, path).exit_code == 0

    out = cli("report", "signals", "-w", workspace.root, "--format", "json")
    assert out.exit_code == 0, out.output
    listed = {r["contractor"]: r for r in json.loads(out.stdout)["contractors"]}
    out = cli("report", "signals", "-w", workspace.root, "--format", "csv")
    assert out.exit_code == 0, out.output
    counted = {r["contractor"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert list(counted) == list(listed) == ["Janssens", "Peeters"]
    for name, row in listed.items():
        assert int(counted[name]["split_groups"]) == row["split_groups"]
        assert int(counted[name]["double_billings"]) == row["double_billings"]
    assert sum(r["split_groups"] for r in listed.values()) > 0
    assert sum(r["double_billings"] for r in listed.values()) > 0


def test_amounts_too_large_to_pack_into_one_sort_key_pair_up_the_same():
    big = 10**17  # with 100 days and four orders, too wide for one 64-bit key
    data = OrderColumns(
        order_ids=["B2", "B1", "C1", "C2"],
        contractors=["Janssens"] * 4,
        dwelling_ids=["W1"] * 4,
        addresses=[None] * 4,
        postcodes=[None] * 4,
        completed_on=["2026-11-05", "2026-11-01", "2026-08-01", "2026-11-09"],
        amounts_cents=[big, big, 5, 5],
    )
    [pair] = find_double_billings(data, window_days=WINDOW)
    assert (pair.first_order_id, pair.second_order_id) == ("B1", "B2")
    assert pair.amount_cents == big
