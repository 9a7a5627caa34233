"""What the benchmark scripts share: client threads, percentiles, database upkeep."""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable, Sequence

from sqlalchemy import Engine


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def run_clients(count: int, client: Callable[[int], None], errors: Sequence[str]) -> None:
    """Run `client(0)` ... `client(count - 1)` in threads until all return, then print the
    errors they collected."""
    threads = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for error in errors:
        print(f"error: {error}", file=sys.stderr)


def vacuum_analyze(engine: Engine) -> None:
    """What autovacuum does on a live server, done now: it is off on CI machines. Without it,
    tables that grew since their last ANALYZE get plans for empty tables, counts cannot scan
    indexes alone, and queues such as the outbox keep the dead rows of every earlier run."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
