"""The HR API's resources, one blueprint each."""

from __future__ import annotations

from hr_api.resources.integrations import blp as integrations

BLUEPRINTS = [integrations]
