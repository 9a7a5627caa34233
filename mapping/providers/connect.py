"""A connection test of an API integration, whichever its LMS: authenticate, read one page,
say what was found or what to do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mapping.choices import LmsType
from mapping.models import LMSIntegrationConfig
from mapping.providers.http import HttpClient, Politeness
from mapping.providers.moodle import MoodleClient
from mapping.providers.report import ConnectionReport

# The LMSs a client reads so far.
READ = frozenset({LmsType.MOODLE})


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
    http = HttpClient(politeness(integration, private_networks))
    if integration.lms_type is LmsType.MOODLE:
        return MoodleClient(integration.api_endpoint_url, config["token"], http).test()
    raise ValueError(f"no API client reads {integration.lms_type.value}")
