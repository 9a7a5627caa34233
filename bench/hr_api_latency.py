"""HR API benchmark: list, detail and analytics latency at 100,000 enrollments and 1,000,000
lesson-progress rows.

    python bench/hr_api_latency.py --database-url postgresql+psycopg://... --url http://127.0.0.1:8000/api

It seeds one new company straight into PostgreSQL (employees in departments and teams, an
integration, enrollments and their lesson rows, an all-permissions role), mints a token with
the server's development secret (LRS_JWT_SECRET, else SECRET_KEY, as `lrs serve` reads it),
then drives the running API from `--clients` threads and prints p50/p95/p99 per endpoint.
Targets: p95 under 50 ms for every list and detail endpoint, under 300 ms for analytics.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import requests
from measure import percentile, run_clients, vacuum_analyze
from sqlalchemy.orm import Session

import lrs.app  # noqa: F401  (maps every table)
from config import Settings
from hr_api.models import LMSRolePermission, LMSUserRoleAssignment
from hr_api.tokens import development_token
from mapping.choices import (
    AuthenticationType,
    CertificationStatus,
    ClearanceLevel,
    ComplianceTrainingStatus,
    ConnectionStatus,
    DataAccessLevel,
    DataFormat,
    IntegrationMethod,
    LmsType,
    RoleType,
    SyncDirection,
    SyncFrequency,
)
from mapping.identity import EmployeeRecord, upsert_employees
from mapping.models import (
    LMSCourseEnrollment,
    LMSIntegrationConfig,
    LMSLearningProgress,
)
from statements.credentials import get_or_create_company
from statements.db import insert_rows, make_engine, table_of

STATUSES = ["not_started", "in_progress", "completed", "failed"]


def seed(
    database_url: str, enrollments: int, lessons_per: int
) -> tuple[uuid.UUID, uuid.UUID, list[str], list[str]]:
    """A company with everything the API lists: (company, user, enrollment ids, employee ids)."""
    rng = random.Random(7)
    engine = make_engine(database_url)
    user_id = uuid.uuid4()
    with Session(engine) as session, session.begin():
        company = get_or_create_company(session, f"HR bench {uuid.uuid4().hex[:6]}", "http://bench")
        now = datetime.now(UTC)
        integration = LMSIntegrationConfig(
            id=uuid.uuid4(),
            company_id=company.id,
            created_by_user_id=user_id,
            updated_by_user_id=user_id,
            lms_name="Bench LMS",
            lms_type=LmsType.MOODLE,
            lms_code="BENCH",
            integration_method=IntegrationMethod.XAPI,
            api_endpoint_url="",
            authentication_type=AuthenticationType.API_KEY,
            authentication_config={},
            data_format=DataFormat.XAPI,
            sync_frequency=SyncFrequency.REAL_TIME,
            sync_direction=SyncDirection.INBOUND_ONLY,
            connection_status=ConnectionStatus.CONNECTED,
            supported_course_types=[],
            field_mappings={},
            validation_rules={},
            transformation_rules={},
            compliance_settings={},
            created_at=now,
            updated_at=now,
        )
        session.add(integration)
        departments = [uuid.uuid4() for _ in range(20)]
        teams = [uuid.uuid4() for _ in range(200)]
        records = [
            EmployeeRecord(
                f"H{n:06d}",
                f"Employee {n}",
                f"e{n}@bench.example.com",
                department_id=departments[n % 20],
                department_name=f"Dept {n % 20}",
                team_id=teams[n % 200],
                team_name=f"Team {n % 200}",
            )
            for n in range(10_000)
        ]
        employees = upsert_employees(session, company.id, records, now)
        role = LMSRolePermission(
            id=uuid.uuid4(),
            company_id=company.id,
            role_name="bench",
            role_description="",
            role_type=RoleType.HR_ADMIN,
            data_access_level=DataAccessLevel.ALL,
            is_active=True,
            **{
                name: True
                for name in (
                    "can_view_progress",
                    "can_view_reports",
                    "can_access_analytics",
                    "can_manage_integrations",
                    "can_manage_lms_config",
                    "can_enroll_learners",
                )
            },
        )
        session.add(role)
        session.flush()
        session.add(
            LMSUserRoleAssignment(
                id=uuid.uuid4(),
                user_id=user_id,
                role_id=role.id,
                company_id=company.id,
                assigned_by_user_id=user_id,
                assigned_date=now,
                is_active=True,
                assignment_notes="",
                security_clearance_level=ClearanceLevel.BASIC,
                lms_training_status=CertificationStatus.NOT_REQUIRED,
                instructional_design_status=CertificationStatus.NOT_REQUIRED,
                compliance_training_status=ComplianceTrainingStatus.NOT_REQUIRED,
                content_creation_permissions={},
                instructor_permissions={},
            )
        )
        session.flush()
        company_id, integration_id = company.id, integration.id
        employee_ids = [e.id for e in employees]
    enrollment_ids: list[str] = []
    with Session(engine) as session, session.begin():
        rows, lesson_rows = [], []
        for n in range(enrollments):
            enrollment_id = uuid.uuid4()
            enrollment_ids.append(str(enrollment_id))
            status = rng.choice(STATUSES)
            start = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
            # Each employee's k-th enrollment is in a different course (for k < 500).
            course_number = (n + n // len(employee_ids)) % 500
            course = f"https://lms.bench.example.com/courses/{course_number}"
            rows.append(
                {
                    "id": enrollment_id,
                    "company_id": company_id,
                    "lms_integration_id": integration_id,
                    "employee_id": employee_ids[n % len(employee_ids)],
                    "enrollment_number": f"B-{enrollment_id.hex[:16]}",
                    "course_id": course,
                    "course_activity_id": course,
                    "course_name": f"Course {course_number}",
                    "course_code": str(course_number),
                    "course_type": "elearning",
                    "enrollment_status": status,
                    "enrollment_date": start,
                    "start_date": start,
                    "end_date": None,
                    "completion_date": start + timedelta(days=5) if status == "completed" else None,
                    "due_date": start + timedelta(days=60),
                    "progress_percentage": Decimal(rng.randrange(101)),
                    "time_spent_minutes": rng.randrange(600),
                    "score_achieved": Decimal(rng.randrange(101)),
                    "max_score": Decimal(100),
                    "passing_score": Decimal(70),
                    "instructor_id": "",
                    "instructor_name": "",
                    "completion_certificate_url": "",
                    "credits_earned": Decimal(0),
                    "cost_amount": Decimal(0),
                    "is_mandatory": n % 3 == 0,
                    "is_compliance_training": n % 5 == 0,
                    "auto_enrollment": False,
                    "enrollment_source": "system_assignment",
                    "last_access_date": None,
                    "total_access_count": 1,
                    "waiver_reason": "",
                    "created_by_user_id": user_id,
                    "updated_by_user_id": user_id,
                    "created_at": datetime.now(UTC),
                    "updated_at": datetime.now(UTC),
                }
            )
            for lesson in range(lessons_per):
                lesson_rows.append(
                    {
                        "id": uuid.uuid4(),
                        "company_id": company_id,
                        "lms_integration_id": integration_id,
                        "enrollment_id": enrollment_id,
                        "employee_id": rows[-1]["employee_id"],
                        "course_id": course,
                        "lesson_id": f"{course}/l{lesson}",
                        "lesson_activity_id": f"{course}/l{lesson}",
                        "lesson_name": f"Lesson {lesson}",
                        "lesson_type": "reading",
                        "progress_status": "completed",
                        "completion_date": None,
                        "time_spent_seconds": 300,
                        "first_access_date": None,
                        "last_access_date": None,
                        "score_achieved": None,
                        "max_score": None,
                        "attempts_count": 1,
                        "completion_percentage": Decimal(100),
                        "next_lesson_id": "",
                        "prerequisites_completed": False,
                        "is_mandatory_lesson": False,
                        "created_at": datetime.now(UTC),
                        "updated_at": datetime.now(UTC),
                    }
                )
            if len(rows) >= 10_000:
                insert_rows(session, table_of(LMSCourseEnrollment), rows)
                insert_rows(session, table_of(LMSLearningProgress), lesson_rows)
                rows, lesson_rows = [], []
                print(f"  {n + 1:,} enrollments", file=sys.stderr)
        insert_rows(session, table_of(LMSCourseEnrollment), rows)
        insert_rows(session, table_of(LMSLearningProgress), lesson_rows)
    vacuum_analyze(engine)
    engine.dispose()
    return company_id, user_id, enrollment_ids, [str(e) for e in employee_ids]


def run(
    url: str, token: str, seconds: float, clients: int, targets: dict[str, Any]
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        operations = list(targets.items())
        while time.monotonic() < deadline:
            name, make = rng.choice(operations)
            path, params = make(rng)
            started = time.perf_counter()
            response = http.get(f"{url}/{path}", params=params)
            timings[name].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 and len(errors) < 5:
                errors.append(f"{name}: {response.status_code} {response.text[:200]}")

    run_clients(clients, client, errors)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--url", default="http://127.0.0.1:8000/api")
    parser.add_argument("--enrollments", type=int, default=100_000)
    parser.add_argument("--lessons-per-enrollment", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)

    started = time.monotonic()
    company_id, user_id, enrollment_ids, employee_ids = seed(
        args.database_url, args.enrollments, args.lessons_per_enrollment
    )
    print(f"seeded in {time.monotonic() - started:.0f} s", file=sys.stderr)
    token = development_token(Settings.from_env(), user_id, company_id)
    targets = {
        "list enrollments (page)": lambda r: (
            "lms-enrollments/",
            {"page": r.randrange(1, 100), "page_size": 50},
        ),
        "list enrollments by employee": lambda r: (
            "lms-enrollments/",
            {"employee_id": r.choice(employee_ids)},
        ),
        "list enrollments by status": lambda r: (
            "lms-enrollments/",
            {"status": r.choice(STATUSES), "is_mandatory": "true"},
        ),
        "enrollment detail": lambda r: (f"lms-enrollments/{r.choice(enrollment_ids)}/", {}),
        "lesson progress": lambda r: (f"lms-progress/{r.choice(enrollment_ids)}/", {}),
        "list employees": lambda r: ("employees/", {"page": r.randrange(1, 100)}),
        "analytics": lambda r: (
            "lms-analytics/",
            {"group_by": r.choice(["course", "department", "month"])},
        ),
    }
    timings = run(args.url, token, args.seconds, args.clients, targets)
    print(f"{'endpoint':32} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  target")
    for name, values in sorted(timings.items()):
        values.sort()
        p95 = percentile(values, 95)
        target = 300 if name == "analytics" else 50
        p99 = percentile(values, 99)
        verdict = "ok" if p95 < target else "MISSED"
        print(
            f"{name:32} {len(values):8} {statistics.median(values):8.1f} {p95:8.1f} "
            f"{p99:8.1f}  p95 < {target} ms {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
