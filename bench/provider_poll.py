"""Provider benchmark: a poll of a fake Moodle site with many enrolments and activity
completions, over real HTTP on 127.0.0.1, stored as statements (not folded: the mapping
benchmark measures folding). Prints records read and statements stored per second and the
polling process's peak memory, which must stay flat as the site grows: pages are streamed
and statements stored in batches, never the whole site held at once. Then polls the site
again, unchanged, and prints how long passing over every enrolment takes.

    python bench/provider_poll.py --database-url postgresql+psycopg://... --users 10000

The fake site runs in a process of its own, so its memory is not counted.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy.orm import Session

import lrs.app  # noqa: F401  (maps every table, foreign-key targets included)
from mapping.choices import (
    AuthenticationType,
    ConnectionStatus,
    DataFormat,
    IntegrationMethod,
    LmsType,
    SyncDirection,
    SyncFrequency,
)
from mapping.models import LMSIntegrationConfig
from mapping.providers.moodle import PAGE
from mapping.providers.sync import execute, queue
from statements.credentials import get_or_create_company
from statements.db import make_engine

COURSES = 10


def _site(users: int, activities: int) -> dict[str, Any]:
    """What the fake site answers each web service function with."""
    per_course = users // COURSES
    started = 1717000000

    def answer(function: str, form: dict[str, list[str]]) -> Any:
        if function == "core_webservice_get_site_info":
            return {"sitename": "Bench", "release": "4.5.1 (Build: 20241209)", "functions": []}
        if function == "core_course_get_courses_by_field":
            return {
                "courses": [
                    {"id": c, "fullname": f"Course {c}", "shortname": f"C{c}", "format": "topics"}
                    for c in range(1, COURSES + 1)
                ]
            }
        course = int(form["courseid"][0])
        if function == "core_course_get_contents":
            return [
                {
                    "id": 1,
                    "modules": [
                        {"id": course * 1000 + a, "name": f"Activity {a}", "modname": "quiz"}
                        for a in range(activities)
                    ],
                }
            ]
        if function == "core_enrol_get_enrolled_users":
            start = int(form["options[0][value]"][0])
            first = (course - 1) * per_course
            ids = range(first + start, first + min(start + PAGE, per_course))
            return [
                {
                    "id": u,
                    "fullname": f"Learner {u}",
                    "lastcourseaccess": started,
                    "roles": [{"shortname": "student"}],
                }
                for u in ids
            ]
        user = int(form["userid"][0])
        if function == "core_completion_get_course_completion_status":
            done = user % 2 == 0
            return {
                "completionstatus": {
                    "completed": done,
                    "completions": [{"timecompleted": started + user}],
                }
            }
        if function == "core_completion_get_activities_completion_status":
            return {
                "statuses": [
                    {
                        "cmid": course * 1000 + a,
                        "modname": "quiz",
                        "state": 1 + (user + a) % 3,
                        "timecompleted": started + a,
                    }
                    for a in range(activities)
                ]
            }
        return {
            "usergrades": [
                {
                    "gradeitems": [
                        {
                            "itemtype": "course",
                            "graderaw": user % 100,
                            "grademin": 0,
                            "grademax": 100,
                            "gradedategraded": started,
                        }
                    ]
                }
            ]
        }

    return {"answer": answer}


def _serve(port: multiprocessing.Queue, users: int, activities: int) -> None:
    answer = _site(users, activities)["answer"]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            body = json.dumps(answer(form["wsfunction"][0], form)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port.put(server.server_address[1])
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=10_000, help="enrolments, over 10 courses")
    parser.add_argument("--activities", type=int, default=10, help="completions per enrolment")
    args = parser.parse_args()
    ports: multiprocessing.Queue = multiprocessing.Queue()
    site = multiprocessing.Process(
        target=_serve, args=(ports, args.users, args.activities), daemon=True
    )
    site.start()
    url = f"http://127.0.0.1:{ports.get()}"
    engine = make_engine(args.database_url)
    with Session(engine) as session:
        company = get_or_create_company(
            session, f"bench-poll-{uuid.uuid4().hex[:6]}", "http://bench.example"
        )
        now = datetime.now(UTC)
        integration = LMSIntegrationConfig(
            id=uuid.uuid4(),
            company_id=company.id,
            created_by_user_id=uuid.uuid4(),
            updated_by_user_id=uuid.uuid4(),
            lms_name="Bench Moodle",
            lms_type=LmsType.MOODLE,
            lms_code=uuid.uuid4().hex[:10],
            integration_method=IntegrationMethod.API,
            api_endpoint_url=url,
            authentication_type=AuthenticationType.API_KEY,
            authentication_config={},
            data_format=DataFormat.JSON,
            sync_frequency=SyncFrequency.ON_DEMAND,
            sync_direction=SyncDirection.INBOUND_ONLY,
            connection_status=ConnectionStatus.DISCONNECTED,
            rate_limit_per_hour=10_000_000,
            created_at=now,
            updated_at=now,
        )
        session.add(integration)
        session.commit()
        run = queue(session, integration, None)
        session.commit()
        started = time.perf_counter()
        execute(session, run, {"token": "bench"}, private_networks=True)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{'status':>32}: {run.status.value} {run.error}")
        print(f"{'enrolments':>32}: {args.users}")
        print(f"{'requests':>32}: {run.pages_read}")
        print(f"{'records read':>32}: {run.records_read}")
        print(f"{'statements stored':>32}: {run.statements_stored}")
        print(f"{'seconds':>32}: {seconds:.1f}")
        print(f"{'records read/s':>32}: {run.records_read / seconds:.0f}")
        print(f"{'statements stored/s':>32}: {run.statements_stored / seconds:.0f}")
        print(f"{'peak memory of the poller (MB)':>32}: {peak_mb:.0f}")
        # Again, with nothing changed: every enrolment is passed over as it was.
        again = queue(session, integration, None)
        session.commit()
        started = time.perf_counter()
        execute(session, again, {"token": "bench"}, private_networks=True)
        seconds = time.perf_counter() - started
        print(f"{'unchanged poll: seconds':>32}: {seconds:.1f}")
        print(f"{'unchanged poll: stored':>32}: {again.statements_stored}")
        print(f"{'unchanged poll: passed over':>32}: {again.duplicates_skipped}")
    site.terminate()
    engine.dispose()


if __name__ == "__main__":
    main()
