"""The LMSs an API integration can be, and what reads each: its connection test and its
poll, whatever the LMS."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from mapping.choices import IntegrationMethod, LmsType, SyncDirection
from mapping.models import LMSIntegrationConfig
from mapping.providers import (
    blackboard_poll,
    canvas_poll,
    cornerstone_poll,
    docebo_poll,
    moodle_poll,
    talentlms_poll,
)
from mapping.providers.blackboard import BlackboardClient
from mapping.providers.canvas import CanvasClient
from mapping.providers.cornerstone import CornerstoneClient
from mapping.providers.docebo import DoceboClient
from mapping.providers.errors import ProviderError
from mapping.providers.http import HttpClient, Politeness
from mapping.providers.moodle import MoodleClient
from mapping.providers.report import ConnectionReport
from mapping.providers.statements import Read
from mapping.providers.talentlms import TalentLmsClient

Client = (
    MoodleClient | CanvasClient | BlackboardClient | CornerstoneClient | DoceboClient
    | TalentLmsClient
)  # fmt: skip
# The LMSs a client reads (the others have no API of their own to read).
READ = frozenset({
    LmsType.MOODLE, LmsType.CANVAS, LmsType.BLACKBOARD, LmsType.CORNERSTONE, LmsType.DOCEBO,
    LmsType.TALENTLMS,
})  # fmt: skip
OUTBOUND = frozenset({SyncDirection.BIDIRECTIONAL, SyncDirection.OUTBOUND_ONLY})
# The LMSs whose API an employee can be enrolled through (Cornerstone's Reporting API only
# reads; see README.md).
ENROLLED = READ - {LmsType.CORNERSTONE}
# Per LMS, the course id within the course activity ids its polls make (after the site).
COURSE_IDS = {
    LmsType.MOODLE: re.compile(r"/course/view\.php\?id=(\d+)"),
    LmsType.CANVAS: re.compile(r"/courses/(\d+)"),
    LmsType.BLACKBOARD: re.compile(r"/ultra/courses/(_\d+_\d+)/outline"),
    LmsType.DOCEBO: re.compile(r"/learn/course/(\d+)"),
    LmsType.TALENTLMS: re.compile(r"/learner/courseinfo/id:(\d+)"),
}
# The LMSs whose every poll reads every enrolment: what a poll does not find, the LMS no
# longer lists. (Cornerstone is asked only for what changed, and says what it removed.)
SWEPT = READ - {LmsType.CORNERSTONE}


def politeness(integration: LMSIntegrationConfig, private_networks: bool) -> Politeness:
    return Politeness(
        timeout_seconds=integration.timeout_seconds,
        max_retry_attempts=integration.max_retry_attempts,
        private_networks=private_networks,
    )


def test_connection(
    integration: LMSIntegrationConfig, config: Mapping[str, Any], *, private_networks: bool
) -> ConnectionReport:
    """What the LMS answers the integration's credentials (ProviderError when it refuses)."""
    return _client(
        integration, config, HttpClient(politeness(integration, private_networks))
    ).test()


def polled(
    integration: LMSIntegrationConfig,
    config: Mapping[str, Any],
    http: HttpClient,
    now: datetime,
    since: datetime | None,
) -> Iterator[Read]:
    """Every learner's enrolment the integration's LMS has, as statements: where the LMS can
    say what changed, only those changed `since` (None: everything)."""
    client = _client(integration, config, http)
    if isinstance(client, MoodleClient):
        return moodle_poll.poll(client, integration.api_endpoint_url, now)
    if isinstance(client, TalentLmsClient):
        return talentlms_poll.poll(client, integration.api_endpoint_url, now)
    if isinstance(client, DoceboClient):
        return docebo_poll.poll(client, integration.api_endpoint_url, now)
    if isinstance(client, BlackboardClient):
        return blackboard_poll.poll(
            client, integration.api_endpoint_url, now, _pass_mark(integration)
        )
    if isinstance(client, CornerstoneClient):
        return cornerstone_poll.poll(client, integration.api_endpoint_url, now, since)
    return canvas_poll.poll(client, integration.api_endpoint_url, now)


def sends(integration: LMSIntegrationConfig) -> bool:
    """Whether assignments on the HR side enrol employees in the integration's LMS."""
    return (
        integration.integration_method is IntegrationMethod.API
        and integration.sync_direction in OUTBOUND
    )


def course_of(integration: LMSIntegrationConfig, activity_id: str) -> str | None:
    """The LMS's id of the course whose activity id (as the integration's polls make it) is
    `activity_id`; None for an activity id that is not one of the LMS's courses."""
    pattern = COURSE_IDS.get(integration.lms_type)
    site = integration.api_endpoint_url.rstrip("/")
    if pattern is None or not activity_id.startswith(site):
        return None
    found = pattern.fullmatch(activity_id[len(site) :])
    return found.group(1) if found else None


def enroller(
    integration: LMSIntegrationConfig, config: Mapping[str, Any], http: HttpClient
) -> Client:
    """The client that enrols the integration's learners (for an LMS in ENROLLED)."""
    return _client(integration, config, http)


def _client(
    integration: LMSIntegrationConfig, config: Mapping[str, Any], http: HttpClient
) -> Client:
    site = integration.api_endpoint_url
    if integration.lms_type is LmsType.MOODLE:
        return MoodleClient(site, str(config.get("token", "")), http, enrols=sends(integration))
    if integration.lms_type is LmsType.CANVAS:
        return CanvasClient(site, str(config.get("access_token", "")), http)
    if integration.lms_type is LmsType.TALENTLMS:
        return TalentLmsClient(site, str(config.get("api_key", "")), http)
    if integration.lms_type is LmsType.BLACKBOARD:
        return BlackboardClient(site, config, http)
    if integration.lms_type is LmsType.CORNERSTONE:
        return CornerstoneClient(site, config, http)
    if integration.lms_type is LmsType.DOCEBO:
        return DoceboClient(site, config, http)
    raise ProviderError(f"no API client reads {integration.lms_type.value}")


def _pass_mark(integration: LMSIntegrationConfig) -> Decimal | None:
    """The score that passes a course, for an LMS that has no pass mark of its own."""
    mark = (integration.transformation_rules or {}).get("passing_score")
    return None if mark is None else Decimal(str(mark))
