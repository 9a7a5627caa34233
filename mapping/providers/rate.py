"""An integration's `rate_limit_per_hour`, kept across every process that polls it: a token
bucket in the database (mapping.models.RateBucket), taken from under a row lock before each
request to the LMS. The bucket holds at most a minute's allowance, so a poll runs at the
hourly rate on average and never bursts past a minute's worth."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mapping.models import RateBucket
from statements import timestamps

# The longest one wait for the bucket lasts before it looks again.
LONGEST_WAIT_S = 60.0


def allowance(per_hour: int) -> float:
    """How many requests the bucket holds when full: a minute's worth, at least one."""
    return max(1.0, per_hour / 60)


def take(session: Session, integration_id: uuid.UUID, per_hour: int, at: datetime) -> float:
    """Take one request's token if there is one (0.0) or say how many seconds until there
    is; committed at once, so that other processes see it."""
    query = select(RateBucket).where(RateBucket.lms_integration_id == integration_id)
    bucket = session.scalars(query.with_for_update()).first()
    full = allowance(per_hour)
    if bucket is None:
        bucket = RateBucket(lms_integration_id=integration_id, tokens=full, updated_at=at)
        session.add(bucket)
    elapsed = max((at - bucket.updated_at).total_seconds(), 0.0)
    tokens = min(full, bucket.tokens + elapsed * per_hour / 3600)
    wait = 0.0
    if tokens >= 1:
        tokens -= 1
    else:
        wait = (1 - tokens) * 3600 / per_hour
    bucket.tokens, bucket.updated_at = tokens, at
    session.commit()
    return wait


def pacer(
    session: Session,
    integration_id: uuid.UUID,
    per_hour: int,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = timestamps.now,
) -> Callable[[], None]:
    """What to call before each request: it returns once the integration may make one."""

    def pace() -> None:
        while (wait := take(session, integration_id, per_hour, clock())) > 0:
            sleep(min(wait, LONGEST_WAIT_S))

    return pace
