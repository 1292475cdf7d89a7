"""Moved to `niaga.customers.aggregates` (orders, catalog and customers write the aggregates, and they sit
below marketing); re-exported here for marketing's own callers."""

from niaga.customers.aggregates import *  # noqa: F403
from niaga.customers.aggregates import (
    Stats,
    computed_from_transactions,
    do_change_transaction,
    forget_customer,
    rebuild,
    recompute,
    record_completed,
    snapshot_of,
    sync_order_transaction,
)

__all__ = [
    "Stats",
    "computed_from_transactions",
    "do_change_transaction",
    "forget_customer",
    "rebuild",
    "recompute",
    "record_completed",
    "snapshot_of",
    "sync_order_transaction",
]
