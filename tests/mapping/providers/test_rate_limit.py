"""`rate_limit_per_hour`, kept in the database for every process that polls an integration:
requests beyond the allowance wait for it."""

from __future__ import annotations

from datetime import timedelta

from mapping.providers.rate import pacer, take
from statements.timestamps import now
from tests.factories import IntegrationFactory


def test_the_bucket_holds_a_minutes_allowance_and_refills_with_time(db_session):
    integration = IntegrationFactory()
    start = now()
    # 120 an hour: two a minute, so two at once, then one every thirty seconds.
    assert [take(db_session, integration.id, 120, start) for _ in range(3)] == [0.0, 0.0, 30.0]
    assert take(db_session, integration.id, 120, start + timedelta(seconds=15)) == 15.0
    assert take(db_session, integration.id, 120, start + timedelta(seconds=30)) == 0.0


def test_two_pollers_of_one_integration_share_its_allowance(db_session):
    integration = IntegrationFactory()
    clock = [now()]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += timedelta(seconds=seconds)

    first, second = (
        pacer(db_session, integration.id, 60, sleep, lambda: clock[0]) for _ in range(2)
    )
    for pace in (first, second, first, second):
        pace()
    # One a minute, whichever process asks: the three after the first each waited a minute.
    assert waits == [60.0, 60.0, 60.0]
