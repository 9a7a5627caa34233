"""An API integration of a company and its learners, matched by their LMS user ids, for the
poll tests: the LMS itself is a fake on 127.0.0.1 (fake_lms)."""

from __future__ import annotations

from mapping.choices import ConnectionStatus, IntegrationMethod, LmsType
from mapping.identity import EmployeeRecord, LmsAccount, upsert_employees
from mapping.providers.sync import execute, queue
from statements.timestamps import now
from tests.factories import CompanyFactory, IntegrationFactory


def api_site(db_session, lms_type: LmsType, url: str, *learners: tuple[str, str, str]):
    """The company, its integration reading the LMS at `url`, and an employee for each
    (employee number, name, LMS user id) of `learners`."""
    company = CompanyFactory()
    integration = IntegrationFactory(
        company_id=company.id, lms_type=lms_type, integration_method=IntegrationMethod.API,
        api_endpoint_url=url, connection_status=ConnectionStatus.DISCONNECTED,
    )  # fmt: skip
    employees = upsert_employees(db_session, company.id, [
        EmployeeRecord(number, name, accounts=[LmsAccount(integration.id, user)])
        for number, name, user in learners
    ], now())  # fmt: skip
    return company, integration, employees


def sync(db_session, integration, config):
    """One run of the integration's poll, as the scheduler runs it."""
    return execute(db_session, queue(db_session, integration, None), config, private_networks=True)
