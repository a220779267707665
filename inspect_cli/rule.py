"""The selection rule: the one place that says whether an order is inspected.

Selection, `verify`, `show` and the audit package all call `decide_order`; nothing else
compares an amount with the threshold or a ticket with the rate. It is kept as plain as the
policy it implements, so that an auditor can read it in one sitting:

1. an order never decided before, with an amount excl. VAT strictly above the threshold, is
   a mandatory control (``above_threshold``);
2. otherwise, under ``split_rule = "select"``, an order of a split group (`inspect_cli.splits`)
   is a mandatory control too (``split_above_threshold``);
3. otherwise it is selected when its ticket is below the sampling rate (``random_sample``);
4. otherwise it is not selected.

An order decided before is decided again only when it was not selected and its amount now lies
above the threshold (``amended_above_threshold``, after an amendment) or it now belongs to a
split group (``split_above_threshold``: the group crossed the threshold later). A selected order
never loses its selection; one that was selected above the threshold and is amended to the
threshold or below is noted as ``kept_after_downward_amendment``.

Whether an order is in a split group is an input: the groups are found over the stored orders
(`inspect_cli.splits`), recorded with the run, and `verify` checks each recorded group.
Split orders come before the draw, as orders above the threshold do, so the random sample's
population stays the orders that are decided by their ticket alone.
"""

from __future__ import annotations

from decimal import Decimal

ABOVE_THRESHOLD = "above_threshold"
RANDOM_SAMPLE = "random_sample"
AMENDED_ABOVE_THRESHOLD = "amended_above_threshold"
SPLIT_ABOVE_THRESHOLD = "split_above_threshold"
KEPT_AFTER_DOWNWARD = "kept_after_downward_amendment"
NOT_SELECTED = "not_selected"
REASONS = (ABOVE_THRESHOLD, RANDOM_SAMPLE, AMENDED_ABOVE_THRESHOLD, SPLIT_ABOVE_THRESHOLD)
"""The reasons a decision can select an order for."""

Outcome = tuple[bool, str | None]
"""(selected, reason): reason is one of REASONS, KEPT_AFTER_DOWNWARD, or None when the order is
not selected."""


def above_threshold(amount_cents, threshold_cents: int):
    """Whether an amount (or each of a numpy array of amounts) is strictly above the threshold.

    Strictly above: the policy reads "every repair order above EUR 1,000", so an order of
    exactly 1,000.00 is not above it and goes to the random draw. The split-order rule and the
    signals ask the same question of many amounts at once, so it is written here once.
    """
    return amount_cents > threshold_cents


def decide_order(
    amount_cents: int,
    ticket: Decimal | str | None,
    *,
    threshold_cents: int,
    sample_rate: Decimal,
    decided_before: bool = False,
    selected_at: int | None = None,
    in_split_group: bool = False,
) -> Outcome | None:
    """Decide one order; None when an order decided before gets no new decision.

    `ticket` is the order's ticket (`inspect_cli.sampling`): the full decimal text, or the
    ticket cut after as many decimals as the rate has, which compares with the rate exactly
    as the full one does. It is needed only for an order never decided before and not above
    the threshold. `decided_before` says an earlier run decided the order (it was amended
    since, or its split group crossed the threshold since); `selected_at` is then the amount it
    was selected at, None when it was not selected. `in_split_group` says the order belongs to
    a split group this run acts on (only ever true under ``split_rule = "select"``).
    """
    above = above_threshold(amount_cents, threshold_cents)
    if not decided_before:
        if above:
            return True, ABOVE_THRESHOLD
        if in_split_group:
            return True, SPLIT_ABOVE_THRESHOLD
        if ticket is None:
            raise ValueError("an order not above the threshold needs its ticket to be decided")
        below_rate = (ticket if isinstance(ticket, Decimal) else Decimal(ticket)) < sample_rate
        return (True, RANDOM_SAMPLE) if below_rate else (False, None)
    if selected_at is None:
        if above:
            return True, AMENDED_ABOVE_THRESHOLD
        return (True, SPLIT_ABOVE_THRESHOLD) if in_split_group else None
    if not above and above_threshold(selected_at, threshold_cents):
        return True, KEPT_AFTER_DOWNWARD
    return None
