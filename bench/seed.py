"""Bulk-load seeded statements straight into the LRS database, for the query benchmark.

Posting a million statements over HTTP would take longer than the benchmark itself, so this
writes the rows directly. They are the rows the LRS writes: each statement goes through the
real normalisation (`statements.normalize.prepare`) with a real credential's authority, and
becomes the rows `statements.store._insert` writes for it in `statements`, `statement_agents`
and `statement_activities` (the generator makes no StatementRefs, so `statement_targets` stays
empty). The activities are recorded with the LRS's own `record_activities`, as the credential's
scopes allow (once per chunk, so `activities.updated` is the chunk's first `stored` time).
No `statement_outbox` rows are written: seeded history counts as already folded into HR
records, so it leaves no backlog for `lrs worker` to compete with the benchmark.

    python bench/seed.py --database-url postgresql+psycopg://... --company Bench --count 1000000

Worker processes build the rows of each chunk (generate, normalise, format for COPY) and the
chunks are streamed with COPY. Keeping a dozen B-tree indexes current costs PostgreSQL three
to five times what the COPY itself costs, so by default the whole load is one transaction that
drops the tables' secondary indexes, copies every chunk and builds the same indexes again
(from their own `pg_get_indexdef` definitions) before committing: an interrupted seed leaves
nothing behind. That is only worth it for a first load; into tables that already hold
statements (or with `--indexes keep`) each chunk is committed on its own, several connections
at once, with the indexes in place, which is also safe beside a serving LRS. PostgreSQL only:
other databases are refused.

Progress goes to stderr; stdout gets one JSON object with the credential (key and secret) and
the number of seeded statements, which `load.py --credentials FILE` reads.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

import orjson
from psycopg.errors import DeadlockDetected
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from statements_gen import Vocabulary, build_vocabulary, seeded_statement, seeded_statement_id

import lrs.app  # noqa: F401  (maps every table the LRS uses, foreign-key targets included)
from config import Settings
from statements.activities import activities_in, record_activities
from statements.credentials import create_credential, get_or_create_company
from statements.db import make_engine
from statements.keys import agent_key
from statements.models import StatementRow
from statements.normalize import prepare
from statements.validate import validate_statements

# Table -> columns, in the order the rows below are built.
COLUMNS: dict[str, tuple[str, ...]] = {
    "statements": (
        "company_id",
        "id",
        "stored",
        "verb_key",
        "activity_key",
        "ref_id",
        "registration",
        "authority_key",
        "voided",
        "payload",
    ),
    "statement_agents": ("company_id", "statement_id", "agent_key", "stored", "direct"),
    "statement_activities": ("company_id", "statement_id", "activity_key", "stored"),
}
# Statements checked against the LRS's own validator before anything is written: a generator
# bug must fail the seed, not show up later as data the HTTP path would have refused.
VALIDATED_SAMPLE = 1_000
DEADLOCK_RETRIES = 5


@dataclass(frozen=True, slots=True)
class ChunkSpec:
    """What a worker needs to build one chunk: no database access, only arithmetic."""

    company_id: uuid.UUID
    authority: dict[str, Any]
    authority_key: str
    # Whether the credential may define activities (scope `define` or `all`).
    may_define: bool
    # Seeded statement numbers [first, first + count) of the whole data set.
    first: int
    count: int
    # Where the chunk is in this run, and the run's `stored` range (epoch milliseconds).
    run_offset: int
    run_total: int
    start_ms: int
    span_ms: int

    def stored(self, i: int) -> datetime:
        """`stored` of the chunk's statement i: rising steadily over the run's range, at the
        millisecond precision the LRS keeps."""
        position = self.run_offset + i
        return datetime.fromtimestamp(
            (self.start_ms + position * self.span_ms // self.run_total) / 1000, UTC
        )


@dataclass(frozen=True, slots=True)
class CopyChunk:
    """One chunk: its rows in COPY text format, per table, and what its activities need."""

    company_id: uuid.UUID
    may_define: bool
    count: int
    data: dict[str, bytes]
    first_stored: datetime
    # The chunk's normalised statements that mention an activity with a definition (or none)
    # not seen before in the chunk. Merging a definition twice changes nothing, so recording
    # these gives the canonical definitions that recording every statement would.
    defining: list[dict[str, Any]]


def build_chunk(vocabulary: Vocabulary, spec: ChunkSpec) -> CopyChunk:
    """Generate and normalise the statements of one chunk; return each table's COPY data.

    The rows are formatted here, in the workers, in PostgreSQL's COPY text format (one line a
    row, tab-separated, NULL as \\N), so the process talking to PostgreSQL only passes bytes on.
    Their columns are the COLUMNS above, with the values statements.store._insert writes.
    """
    lines: dict[str, list[str]] = {table: [] for table in COLUMNS}
    statements, agents, activities = lines.values()
    company = str(spec.company_id)
    authority_key = _text(spec.authority_key)
    defining: list[dict[str, Any]] = []
    seen: set[tuple[str, bytes]] = set()
    for i in range(spec.count):
        stored = spec.stored(i)
        raw = seeded_statement(vocabulary, spec.first + i, stored)
        p = prepare(raw, stored=stored, authority=spec.authority, authority_key=spec.authority_key)
        statement_id, stored_text = str(p.id), p.stored.isoformat()
        forms = {(a["id"], orjson.dumps(a.get("definition"))) for a in activities_in(p.data)}
        if not forms <= seen:
            defining.append(p.data)
            seen |= forms
        statements.append(
            _line(
                company,
                statement_id,
                stored_text,
                _text(p.verb_key),
                _text(p.activity_key),
                _optional(p.ref_id),
                _optional(p.registration),
                authority_key,
                "f",  # voided: no voiding statements are generated
                _text(orjson.dumps(p.data).decode()),
            )
        )
        agents.extend(
            _line(company, statement_id, _text(key), stored_text, "t" if direct else "f")
            for key, direct in p.agents.items()
        )
        activities.extend(
            _line(company, statement_id, _text(key), stored_text) for key in p.activities
        )
    data = {table: "".join(rows).encode() for table, rows in lines.items()}
    return CopyChunk(spec.company_id, spec.may_define, spec.count, data, spec.stored(0), defining)


def _line(*fields: str) -> str:
    return "\t".join(fields) + "\n"


def _text(value: str | None) -> str:
    """A text value for COPY: backslash escapes for the characters the format reserves."""
    if value is None:
        return "\\N"
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


def _optional(value: uuid.UUID | None) -> str:
    return "\\N" if value is None else str(value)


# Per worker process: built once by _init_worker, not once per chunk.
_vocabulary: Vocabulary | None = None
_engine: Engine | None = None


def _init_worker(seed: int, database_url: str | None) -> None:
    """Set up a worker process; it gets a database engine only when it writes itself."""
    global _vocabulary, _engine
    _vocabulary = build_vocabulary(seed)
    _engine = make_engine(database_url) if database_url else None


def build_copy_chunk(spec: ChunkSpec) -> CopyChunk:
    """Worker task: one chunk, ready for COPY."""
    assert _vocabulary is not None, "call _init_worker first"
    return build_chunk(_vocabulary, spec)


def build_and_write_chunk(spec: ChunkSpec) -> int:
    """Worker task: build one chunk and commit it over this worker's own connection."""
    assert _vocabulary is not None and _engine is not None, "call _init_worker first"
    chunk = build_chunk(_vocabulary, spec)
    for attempt in range(1, DEADLOCK_RETRIES + 1):
        try:
            with _engine.begin() as connection:
                write_chunk(connection, chunk)
            break
        except OperationalError as exc:
            # Workers recording the same activities can deadlock on their rows (see
            # record_activities); PostgreSQL then rolls one back, which is safe to run again.
            if not isinstance(exc.orig, DeadlockDetected) or attempt == DEADLOCK_RETRIES:
                raise
    return chunk.count


def write_chunk(connection: Connection, chunk: CopyChunk) -> None:
    """COPY one chunk into its tables and record its activities, in the caller's transaction."""
    driver_connection = connection.connection.driver_connection
    assert driver_connection is not None
    with driver_connection.cursor() as cursor:
        for table, data in chunk.data.items():
            with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                copy.write(data)
    # Joins the connection's transaction without committing it.
    with Session(bind=connection) as session:
        record_activities(
            session,
            chunk.company_id,
            chunk.defining,
            may_define=chunk.may_define,
            now=chunk.first_stored,
        )
        session.flush()


def secondary_indexes(connection: Connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every index of the three tables that backs no
    constraint: the ones that can be dropped and rebuilt without changing what is allowed."""
    rows = connection.execute(
        text(
            """
            SELECT index_class.relname, pg_get_indexdef(index_class.oid)
            FROM pg_index AS ix
            JOIN pg_class AS index_class ON index_class.oid = ix.indexrelid
            JOIN pg_class AS table_class ON table_class.oid = ix.indrelid
            WHERE table_class.relname = ANY(:tables)
              AND table_class.relnamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = ix.indexrelid)
            ORDER BY index_class.relname
            """
        ),
        {"tables": list(COLUMNS)},
    )
    return [(name, definition) for name, definition in rows]


def load_rebuilding_indexes(engine: Engine, chunks: Iterator[CopyChunk], total: int) -> int:
    """One transaction: drop the secondary indexes, COPY every chunk, rebuild the indexes."""
    started = time.perf_counter()
    done = 0
    with engine.begin() as connection:
        # Transaction-only settings: bigger sorts make the index builds at the end faster.
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        indexes = secondary_indexes(connection)
        for name, _definition in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        for chunk in chunks:
            write_chunk(connection, chunk)
            done += chunk.count
            _progress(done, total, started)
        index_started = time.perf_counter()
        for name, definition in indexes:
            print(f"  {name} ...", file=sys.stderr)
            connection.exec_driver_sql(definition)
        seconds = time.perf_counter() - index_started
        print(f"  rebuilt {len(indexes)} indexes in {seconds:.1f} s", file=sys.stderr)
    return done


def ordered_results(
    pool: Pool, task: Callable[[ChunkSpec], CopyChunk], specs: Iterable[ChunkSpec], ahead: int
) -> Iterator[CopyChunk]:
    """`pool.imap`, but with at most `ahead` chunks built and not yet taken: built chunks
    are large, and workers outpacing one COPY connection must not fill the memory."""
    pending: deque[AsyncResult[CopyChunk]] = deque()
    for spec in specs:
        pending.append(pool.apply_async(task, (spec,)))
        if len(pending) >= ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def chunk_specs(
    *,
    company_id: uuid.UUID,
    authority: dict[str, Any],
    may_define: bool,
    first: int,
    count: int,
    chunk: int,
    days: float,
) -> Iterator[ChunkSpec]:
    """Split the run into chunks whose `stored` times rise steadily over the last `days`."""
    now_ms = int(time.time() * 1000)
    span_ms = int(days * 86_400_000)
    key = agent_key(authority)
    assert key is not None
    for offset in range(0, count, chunk):
        yield ChunkSpec(
            company_id=company_id,
            authority=authority,
            authority_key=key,
            may_define=may_define,
            first=first + offset,
            count=min(chunk, count - offset),
            run_offset=offset,
            run_total=count,
            start_ms=now_ms - span_ms,
            span_ms=span_ms,
        )


def seeded_so_far(session: Session, company_id: uuid.UUID, seed: int) -> int:
    """How many of `seed`'s statements the company holds: the first number whose id is
    missing. Seeded ids are known in advance, so an exponential then a binary search finds it
    in a few dozen primary-key look-ups, whatever else the company has stored."""

    def stored(index: int) -> bool:
        statement_id = uuid.UUID(seeded_statement_id(seed, index))
        query = select(StatementRow.id).where(
            StatementRow.company_id == company_id, StatementRow.id == statement_id
        )
        return session.scalar(query) is not None

    if not stored(0):
        return 0
    low, high = 0, 1  # stored(low) holds; find a high that is not stored
    while stored(high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if stored(middle) else (low, middle)
    return high


def check_generator(seed: int) -> None:
    """Fail early when the generator makes statements the LRS would reject."""
    vocabulary = build_vocabulary(seed)
    now = datetime.now(UTC)
    validate_statements([seeded_statement(vocabulary, i, now) for i in range(VALIDATED_SAMPLE)])


def _progress(done: int, total: int, started: float) -> None:
    rate = done / (time.perf_counter() - started)
    print(f"  {done:>12,} / {total:,}  {rate:>10,.0f} statements/s", file=sys.stderr)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="SQLAlchemy URL of a migrated LRS database (default: $DATABASE_URL)",
    )
    parser.add_argument("--company", default="Bench Company", help="company (tenant) to fill")
    parser.add_argument("--count", type=int, required=True, help="statements to insert")
    parser.add_argument("--seed", type=int, default=1, help="vocabulary and data seed")
    parser.add_argument("--chunk", type=int, default=20_000, help="statements per COPY chunk")
    parser.add_argument("--days", type=float, default=90, help="spread `stored` over this past")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes building chunks (default: CPU count)",
    )
    parser.add_argument(
        "--indexes",
        choices=("auto", "rebuild", "keep"),
        default="auto",
        help="rebuild: one transaction, secondary indexes dropped and rebuilt at the end; "
        "keep: commit chunk by chunk with the indexes in place, several connections at once "
        "(safe beside a live LRS); auto (default): rebuild into empty tables, else keep",
    )
    parser.add_argument("--credential-name", default="bench", help="name of the new credential")
    parser.add_argument(
        "--scopes",
        default="all",
        help="scopes of the new credential; with `define` or `all` its statements' activity "
        "definitions become the canonical ones, as on the HTTP path",
    )
    parser.add_argument(
        "--base-url",
        default=None,
        help="base of the company home page when the company is new (default: LRS_BASE_URL)",
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    if args.count < 0 or args.chunk <= 0 or args.jobs <= 0 or args.days <= 0:
        parser.error("--count must be >= 0; --chunk, --jobs and --days must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    engine = make_engine(args.database_url)
    if engine.dialect.name != "postgresql":
        # Row-by-row inserts would take hours at the sizes the query benchmark needs.
        print(
            f"seed.py needs PostgreSQL (it loads with COPY), not {engine.dialect.name}; "
            "to put statements into another database, run load.py's ingest phases against it",
            file=sys.stderr,
        )
        return 2
    check_generator(args.seed)

    with Session(engine) as session, session.begin():
        base_url = args.base_url or Settings.from_env().base_url
        company = get_or_create_company(session, args.company, base_url)
        issued = create_credential(session, company, args.credential_name, args.scopes.split())
        company_id, home_page = company.id, company.home_page
        # A second run continues the numbering after the statements already seeded, so it
        # adds statements instead of colliding with the first run's ids.
        first = seeded_so_far(session, company_id, args.seed)
        any_statement = session.scalar(select(StatementRow.id).limit(1))
    engine.dispose()
    # Rebuilding indexes pays off when the load is most of the table, not for a top-up.
    rebuild = args.indexes == "rebuild" or (args.indexes == "auto" and any_statement is None)
    # What the LRS writes for this credential (statements.credentials.Principal.authority).
    authority = {
        "objectType": "Agent",
        "name": issued.info.name,
        "account": {"homePage": home_page, "name": issued.key},
    }
    # A small load is still spread over every worker.
    chunk = max(1, min(args.chunk, -(-args.count // args.jobs)))
    specs = chunk_specs(
        company_id=company_id,
        authority=authority,
        # As lrs.xapi.statements decides it for a request.
        may_define=bool({"define", "all"} & set(issued.info.scopes)),
        first=first,
        count=args.count,
        chunk=chunk,
        days=args.days,
    )
    how = "rebuilding indexes at the end" if rebuild else "chunk by chunk, indexes kept"
    print(
        f"seeding {args.count:,} statements into {args.company!r}, {how} "
        f"(seed {args.seed}, statements #{first:,} onwards, {args.jobs} worker processes)",
        file=sys.stderr,
    )
    started = time.perf_counter()
    # Spawned, not forked: a worker inherits nothing from here, database connections least.
    context = multiprocessing.get_context("spawn")
    if rebuild:
        with context.Pool(args.jobs, _init_worker, (args.seed, None)) as pool:
            chunks = ordered_results(pool, build_copy_chunk, specs, ahead=2 * args.jobs)
            done = load_rebuilding_indexes(engine, chunks, args.count)
    else:
        done = 0
        with context.Pool(args.jobs, _init_worker, (args.seed, args.database_url)) as pool:
            for count in pool.imap_unordered(build_and_write_chunk, specs):
                done += count
                _progress(done, args.count, started)

    print("ANALYZE ...", file=sys.stderr)
    with engine.connect() as connection:
        # The activities table too: with stale statistics the planner misjudges the
        # activity look-ups every POST makes.
        connection.execute(text(f"ANALYZE {', '.join(COLUMNS)}, activities"))
        connection.commit()
    engine.dispose()
    seconds = time.perf_counter() - started
    rate = done / seconds if seconds else 0.0
    print(
        f"seeded {done:,} statements in {seconds:.1f} s: {rate:,.0f} statements/s",
        file=sys.stderr,
    )
    result = {
        "key": issued.key,
        "secret": issued.secret,
        "company": issued.info.company,
        "seed": args.seed,
        "seeded": first + done,
        "statements_per_second": round(rate),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
