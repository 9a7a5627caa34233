"""The HR API's users, for the LTI tests: an HR admin registers the platforms."""

from tests.hr_api.conftest import admin, company, make_user  # noqa: F401 (fixtures)
