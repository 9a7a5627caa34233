"""Load generator for the LRS's statement API: ingest and query latency, and server memory.

It starts nothing: point it at a running LRS and a credential with read and write scopes.

    python bench/load.py --url http://127.0.0.1:8000/xapi --key K --secret S --server-pid PID

Phases (`--phase`, default all, in this order):

  ingest-1     POST /statements, one statement per request
  ingest-100   POST /statements, batches of 100 statements
  query        GET /statements filtered by agent, verb, activity, registration or since
  more         GET /statements, then follow the `more` IRLs page after page

Each phase runs `--clients` threads, each with its own keep-alive HTTP session, for
`--seconds` (or until `--requests` requests in all), after `--warmup` seconds whose requests
are not counted. Statements come from the seeded vocabulary in statements_gen.py, the one
seed.py loads, so the query phases ask for agents, verbs, activities and registrations that
are stored. The output is one line per operation: requests, errors, statements per second,
latency percentiles and, where the issue sets one, the target.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import orjson
import requests
from measure import percentile
from statements_gen import (
    Json,
    QueryValues,
    Vocabulary,
    build_vocabulary,
    format_timestamp,
    make_statement,
    query_values,
)

PHASES = ("ingest-1", "ingest-100", "query", "more")
QUERY_KINDS = ("agent", "verb", "activity", "registration", "since")
# Filters that match many statements, so that paging has pages to follow.
PAGING_KINDS = ("verb", "since", "activity", "agent")
FIRST_PAGE = "GET page 1 (paging)"
XAPI_VERSION = "1.0.3"
# Statements generated before an ingest phase; requests reuse them with fresh ids and
# timestamps, so generating them does not compete with the server for CPU while it is measured.
POOL_SIZE = 10_000
ERROR_BODY_CHARS = 500
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The targets, set for a database of 1,000,000 statements.
P95_TARGETS_MS = {
    "POST 1 statement": 25.0,
    **{f"GET {kind}": 50.0 for kind in QUERY_KINDS},
    "GET more, pages 2-10": 50.0,
    "GET more, pages 11+": 50.0,
}
THROUGHPUT_TARGETS = {"POST 100 statements": 5_000.0}


# --- measurements --------------------------------------------------------------------------------


@dataclass
class OpStats:
    """What one client saw of one operation."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    statements: int = 0


class Recorder:
    """One client's measurements, by operation; merged after the phase, so no locking."""

    def __init__(self) -> None:
        self.ops: dict[str, OpStats] = {}

    def ok(self, op: str, seconds: float, statements: int) -> None:
        stats = self.ops.setdefault(op, OpStats())
        stats.latencies.append(seconds)
        stats.statements += statements

    def error(self, op: str, seconds: float, detail: str) -> None:
        stats = self.ops.setdefault(op, OpStats())
        stats.latencies.append(seconds)
        stats.errors += 1
        if stats.first_error is None:
            stats.first_error = detail[:ERROR_BODY_CHARS]


@dataclass
class OpResult:
    """One operation of one phase, all clients together."""

    phase: str
    op: str
    requests: int
    errors: int
    first_error: str | None
    statements: int
    seconds: float
    requests_per_second: float
    statements_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    target: str | None
    met: bool | None


def summarise(phase: str, recorders: Sequence[Recorder], seconds: float) -> list[OpResult]:
    merged: dict[str, OpStats] = {}
    for recorder in recorders:
        for op, stats in recorder.ops.items():
            total = merged.setdefault(op, OpStats())
            total.latencies += stats.latencies
            total.errors += stats.errors
            total.statements += stats.statements
            total.first_error = total.first_error or stats.first_error
    results = []
    for op, stats in merged.items():
        ms = sorted(1000 * s for s in stats.latencies)
        p95 = percentile(ms, 95)
        statements_per_second = stats.statements / seconds if seconds else 0.0
        target: str | None = None
        met: bool | None = None
        if op in P95_TARGETS_MS:
            target = f"p95 < {P95_TARGETS_MS[op]:g} ms"
            met = p95 < P95_TARGETS_MS[op] and stats.errors == 0
        elif op in THROUGHPUT_TARGETS:
            target = f">= {THROUGHPUT_TARGETS[op]:,.0f} st/s"
            met = statements_per_second >= THROUGHPUT_TARGETS[op] and stats.errors == 0
        results.append(
            OpResult(
                phase=phase,
                op=op,
                requests=len(ms),
                errors=stats.errors,
                first_error=stats.first_error,
                statements=stats.statements,
                seconds=seconds,
                requests_per_second=len(ms) / seconds if seconds else 0.0,
                statements_per_second=statements_per_second,
                p50_ms=percentile(ms, 50),
                p95_ms=p95,
                p99_ms=percentile(ms, 99),
                max_ms=ms[-1] if ms else math.nan,
                target=target,
                met=met,
            )
        )
    return sorted(results, key=lambda r: _op_order(r.op))


def _op_order(op: str) -> int:
    order = ["POST 1 statement", "POST 100 statements"]
    order += [f"GET {kind}" for kind in QUERY_KINDS]
    order += [FIRST_PAGE, "GET more, pages 2-10", "GET more, pages 11+"]
    return order.index(op) if op in order else len(order)


# --- the server's memory and CPU -----------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants, from /proc/<pid>/task/*/children (Linux)."""
    found = [pid]
    for parent in found:  # grows while iterating: a breadth-first walk
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                found += [int(child) for child in children.read_text().split()]
            except OSError:
                continue  # the thread or process ended meanwhile
    return found


def rss_bytes(pid: int) -> int:
    """VmRSS of one process, 0 when it is gone (or is a zombie, which has none)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used, 0 when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # Fields after the command name (which may hold spaces): utime and stime are 12th, 13th.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class ServerMonitor(threading.Thread):
    """Samples the summed RSS of the server's process tree, keeping the peaks, and reads the
    tree's CPU time.

    Summed RSS counts pages that forked workers share with the master once per process, so it
    overstates what the machine spends; it is the number to watch for growth and leaks.
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True, name="server-monitor")
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.peak_processes = 0
        self.phase_peaks: dict[str, int] = {}
        self.phase: str | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()

    def sample(self) -> int:
        pids = process_tree(self.pid)
        total = sum(rss_bytes(pid) for pid in pids)
        with self._lock:
            if total > self.peak:
                self.peak, self.peak_processes = total, len(pids)
            if self.phase is not None:
                self.phase_peaks[self.phase] = max(self.phase_peaks.get(self.phase, 0), total)
        return total

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.sample()

    def set_phase(self, phase: str | None) -> None:
        with self._lock:
            self.phase = phase
        self.sample()

    def stop(self) -> None:
        self._done.set()
        self.join()
        self.sample()

    def cpu_seconds(self) -> float:
        """CPU time the server's processes have used so far: with the wall time of a phase,
        what a request costs the server whatever else the machine is running."""
        return sum(cpu_seconds(pid) for pid in process_tree(self.pid))


# --- the clients ---------------------------------------------------------------------------------


class Budget:
    """When a phase ends: at a deadline, or when its requests have all been taken."""

    def __init__(self, seconds: float | None, requests: int | None) -> None:
        self.deadline = time.monotonic() + seconds if seconds is not None else math.inf
        self.remaining = requests
        self._lock = threading.Lock()

    def take(self) -> bool:
        """True when one more request may be sent."""
        if time.monotonic() >= self.deadline:
            return False
        if self.remaining is None:
            return True
        with self._lock:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True


@dataclass(frozen=True)
class Target:
    """Where and as whom requests go."""

    url: str  # the xAPI endpoint, e.g. http://127.0.0.1:8000/xapi
    key: str
    secret: str
    timeout: float

    @property
    def statements_url(self) -> str:
        return self.url.rstrip("/") + "/statements"


class Client:
    """One simulated LMS or reporting tool: a thread with its own keep-alive session."""

    def __init__(self, target: Target, rng: random.Random) -> None:
        self.target = target
        self.rng = rng
        self.session = requests.Session()
        self.session.auth = (target.key, target.secret)
        self.session.headers.update(
            {"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json"}
        )

    def close(self) -> None:
        self.session.close()

    def post(self, op: str, statements: list[Json], recorder: Recorder) -> None:
        body = orjson.dumps(statements if len(statements) > 1 else statements[0])
        started = time.perf_counter()
        try:
            response = self.session.post(
                self.target.statements_url,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=self.target.timeout,
            )
            content = response.content
        except requests.RequestException as exc:
            recorder.error(op, time.perf_counter() - started, repr(exc))
            return
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            recorder.error(op, elapsed, _describe(response))
            return
        try:
            ids = orjson.loads(content)
        except orjson.JSONDecodeError:
            ids = None
        if not isinstance(ids, list) or len(ids) != len(statements):
            recorder.error(op, elapsed, f"expected {len(statements)} ids, got {content[:200]!r}")
            return
        recorder.ok(op, elapsed, len(statements))

    def get(
        self, op: str, url: str, recorder: Recorder, params: dict[str, str] | None = None
    ) -> str | None:
        """GET one page of statements; return its `more` IRL ("" at the end, None on error)."""
        started = time.perf_counter()
        try:
            response = self.session.get(url, params=params, timeout=self.target.timeout)
            content = response.content
        except requests.RequestException as exc:
            recorder.error(op, time.perf_counter() - started, repr(exc))
            return None
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            recorder.error(op, elapsed, _describe(response))
            return None
        try:
            result = orjson.loads(content)
            count, more = len(result["statements"]), result.get("more", "")
        except (orjson.JSONDecodeError, TypeError, KeyError):
            recorder.error(op, elapsed, f"not a StatementResult: {content[:200]!r}")
            return None
        recorder.ok(op, elapsed, count)
        return str(more)


def _describe(response: requests.Response) -> str:
    request = f"{response.request.method} {response.url}"
    return f"{response.status_code} {request}: {response.text.strip()}"


def statement_pool(vocab: Vocabulary, rng: random.Random, size: int) -> list[Json]:
    """Statements to send, built before the clock starts; ids and timestamps are set per send."""
    now = datetime.now(UTC)
    return [make_statement(vocab, rng, timestamp=now, statement_id="") for _ in range(size)]


def ingest_loop(batch: int, pool: list[Json]) -> Callable[[Client, Budget, Recorder], None]:
    """The client loop of an ingest phase: POST batches of `batch` statements from `pool`."""
    op = "POST 1 statement" if batch == 1 else f"POST {batch} statements"

    def loop(client: Client, budget: Budget, recorder: Recorder) -> None:
        position = client.rng.randrange(len(pool))
        while budget.take():
            timestamp = format_timestamp(datetime.now(UTC))
            statements = []
            for _ in range(batch):
                # Fresh random ids, so that no run ever repeats a stored statement's id.
                statement = pool[position % len(pool)]
                statements.append({**statement, "id": str(uuid.uuid4()), "timestamp": timestamp})
                position += 1
            client.post(op, statements, recorder)

    return loop


def query_params(kind: str, values: QueryValues, rng: random.Random, limit: int) -> dict[str, str]:
    """The filter of one query, with a value that occurs in the seeded data."""
    params = {"limit": str(limit)}
    if kind == "agent":
        params["agent"] = orjson.dumps(rng.choice(values.agents)).decode()
    elif kind == "verb":
        params["verb"] = rng.choice(values.verbs)
    elif kind == "activity":
        params["activity"] = rng.choice(values.activities)
    elif kind == "registration":
        params["registration"] = rng.choice(values.registrations)
    elif kind == "since":
        # Anywhere in the seeded 90 days: the newest `limit` statements after it are returned.
        since = datetime.now(UTC) - timedelta(days=rng.uniform(1 / 24, 60))
        params["since"] = format_timestamp(since)
    return params


def query_loop(values: QueryValues, limit: int) -> Callable[[Client, Budget, Recorder], None]:
    """The client loop of the query phase: the five filters in turn."""

    def loop(client: Client, budget: Budget, recorder: Recorder) -> None:
        turn = client.rng.randrange(len(QUERY_KINDS))
        while budget.take():
            kind = QUERY_KINDS[turn % len(QUERY_KINDS)]
            turn += 1
            params = query_params(kind, values, client.rng, limit)
            client.get(f"GET {kind}", client.target.statements_url, recorder, params)

    return loop


def paging_loop(
    values: QueryValues, limit: int, pages: int
) -> Callable[[Client, Budget, Recorder], None]:
    """The client loop of the paging phase: a query, then `more` pages up to page `pages`.

    First pages are reported on their own line; `more` pages near the start and deep down
    are reported apart, to show whether a page costs more the further it is from the first.
    """

    def loop(client: Client, budget: Budget, recorder: Recorder) -> None:
        turn = client.rng.randrange(len(PAGING_KINDS))
        while budget.take():
            kind = PAGING_KINDS[turn % len(PAGING_KINDS)]
            turn += 1
            params = query_params(kind, values, client.rng, limit)
            more = client.get(FIRST_PAGE, client.target.statements_url, recorder, params)
            page = 1
            while more and page < pages and budget.take():
                page += 1
                op = "GET more, pages 2-10" if page <= 10 else "GET more, pages 11+"
                # The IRL is relative to the server root (/xapi/statements?more=...).
                more = client.get(op, urljoin(client.target.url, more), recorder)

    return loop


@dataclass
class PhaseOutcome:
    """A phase's operations, and what it cost the server when its process is known."""

    name: str
    results: list[OpResult]
    seconds: float
    server_cpu_seconds: float | None = None
    # This process's own CPU time: near `seconds` means the load generator, not the server,
    # may be what limits the request rate.
    client_cpu_seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.results)


def run_phase(
    name: str,
    loop: Callable[[Client, Budget, Recorder], None],
    target: Target,
    args: argparse.Namespace,
    server: ServerMonitor | None,
) -> PhaseOutcome:
    """Run one phase: warm-up, then the measured run, all clients starting together."""
    clients = [
        Client(target, random.Random(f"{args.seed}:{name}:{n}")) for n in range(args.clients)
    ]
    try:
        if args.warmup > 0:
            _run_clients(clients, loop, lambda: Budget(args.warmup, None))
        cpu_before = server.cpu_seconds() if server else 0.0
        client_cpu_before = time.process_time()
        recorders, seconds = _run_clients(
            clients, loop, lambda: Budget(args.seconds, args.requests)
        )
        client_cpu = time.process_time() - client_cpu_before
        cpu = server.cpu_seconds() - cpu_before if server else None
    finally:
        for client in clients:
            client.close()
    return PhaseOutcome(name, summarise(name, recorders, seconds), seconds, cpu, client_cpu)


def _run_clients(
    clients: Sequence[Client],
    loop: Callable[[Client, Budget, Recorder], None],
    make_budget: Callable[[], Budget],
) -> tuple[list[Recorder], float]:
    """Run `loop` for every client on its own thread, all released at the same moment;
    return what each recorded and the wall time until the last one finished."""
    recorders = [Recorder() for _ in clients]
    start = threading.Barrier(len(clients) + 1)
    budget_box: list[Budget] = []

    def work(client: Client, recorder: Recorder) -> None:
        start.wait()
        loop(client, budget_box[0], recorder)

    threads = [
        threading.Thread(target=work, args=(c, r), name=f"client-{n}", daemon=True)
        for n, (c, r) in enumerate(zip(clients, recorders, strict=True))
    ]
    for thread in threads:
        thread.start()
    budget_box.append(make_budget())
    started = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    return recorders, time.perf_counter() - started


# --- output --------------------------------------------------------------------------------------


def format_table(results: Sequence[OpResult]) -> str:
    header = (
        f"{'operation':<22} {'requests':>8} {'errors':>6} {'req/s':>7} {'st/s':>8} "
        f"{'st/req':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}  target"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        per_request = r.statements / (r.requests - r.errors) if r.requests > r.errors else 0.0
        ingest = r.op.startswith("POST")
        verdict = "" if r.met is None else ("ok" if r.met else "MISSED")
        lines.append(
            f"{r.op:<22} {r.requests:>8,} {r.errors:>6,} {r.requests_per_second:>7,.0f} "
            f"{(f'{r.statements_per_second:,.0f}' if ingest else '-'):>8} {per_request:>6.1f} "
            f"{r.p50_ms:>7.1f} {r.p95_ms:>7.1f} {r.p99_ms:>7.1f} {r.max_ms:>7.1f}  "
            f"{r.target or ''} {verdict}".rstrip()
        )
    for r in results:
        if r.first_error:
            lines.append(f"first error of {r.op}: {r.first_error}")
    return "\n".join(lines)


def _cpu_line(outcome: PhaseOutcome, peak_rss: int | None) -> str:
    seconds = outcome.seconds or math.nan
    line = f"load generator CPU: {outcome.client_cpu_seconds / seconds:.2f} cores"
    cpu = outcome.server_cpu_seconds
    if cpu is not None and peak_rss is not None and outcome.requests > 0:
        line += (
            f"\nserver: CPU {cpu:.1f} s in {outcome.seconds:.1f} s ({cpu / seconds:.2f} cores), "
            f"{1000 * cpu / outcome.requests:.1f} ms per request (gunicorn, not PostgreSQL); "
            f"peak RSS {_mib(peak_rss):,.1f} MiB"
        )
    return line


def _mib(value: int) -> float:
    return value / (1024 * 1024)


# --- command line --------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000/xapi", help="xAPI endpoint")
    parser.add_argument("--key", help="credential key (scopes: statements read and write)")
    parser.add_argument("--secret", help="credential secret")
    parser.add_argument(
        "--credentials",
        type=Path,
        help="JSON printed by seed.py: supplies key, secret, seed and seeded unless given",
    )
    parser.add_argument(
        "--phase",
        action="append",
        choices=(*PHASES, "all"),
        help="phase to run; repeat for several (default: all)",
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per phase")
    parser.add_argument(
        "--requests", type=int, help="measured requests per phase (whichever of the two ends first)"
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per phase")
    parser.add_argument("--limit", type=int, default=100, help="`limit` of every GET")
    parser.add_argument("--pages", type=int, default=20, help="deepest page the paging phase reads")
    parser.add_argument(
        "--seed", type=int, help="vocabulary seed; must match seed.py's (default 1)"
    )
    parser.add_argument(
        "--seeded",
        type=int,
        help="statements seed.py loaded; query values are drawn from them (default 1000)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, s")
    parser.add_argument(
        "--server-pid", type=int, help="gunicorn master: report its process tree's CPU and RSS"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    saved: dict[str, Any] = json.loads(args.credentials.read_text()) if args.credentials else {}
    args.key = args.key or saved.get("key")
    args.secret = args.secret or saved.get("secret")
    args.seed = args.seed if args.seed is not None else int(saved.get("seed", 1))
    args.seeded = args.seeded if args.seeded is not None else int(saved.get("seeded", 1000))
    if not args.key or not args.secret:
        parser.error("give --key and --secret, or --credentials with seed.py's output")
    if args.clients <= 0 or args.seconds <= 0 or args.limit <= 0 or args.pages < 2:
        parser.error("--clients, --seconds and --limit must be positive, --pages at least 2")
    if args.seeded <= 0:
        parser.error("--seeded must be positive")
    phases = args.phase or ["all"]
    args.phases = list(PHASES) if "all" in phases else [p for p in PHASES if p in phases]
    return args


def phase_loops(
    args: argparse.Namespace, vocab: Vocabulary
) -> Iterator[tuple[str, Callable[[Client, Budget, Recorder], None]]]:
    values: QueryValues | None = None
    for name in args.phases:
        if name.startswith("ingest-"):
            batch = int(name.removeprefix("ingest-"))
            rng = random.Random(f"{args.seed}:{name}:pool")
            pool = statement_pool(vocab, rng, max(POOL_SIZE, batch))
            yield name, ingest_loop(batch, pool)
            continue
        values = values or query_values(vocab, args.seeded)
        if name == "query":
            yield name, query_loop(values, args.limit)
        else:
            yield name, paging_loop(values, args.limit, args.pages)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    target = Target(args.url, args.key, args.secret, args.timeout)
    vocab = build_vocabulary(args.seed)
    monitor = ServerMonitor(args.server_pid) if args.server_pid else None
    if monitor:
        if not Path(f"/proc/{args.server_pid}").exists():
            print(f"no process {args.server_pid}", file=sys.stderr)
            return 2
        print(f"server RSS at start: {_mib(monitor.sample()):,.1f} MiB")
        monitor.start()
    length = (
        f"{args.requests:,} requests or {args.seconds:g} s"
        if args.requests
        else f"{args.seconds:g} s"
    )
    print(
        f"{args.url}: {args.clients} clients, {length} per phase after {args.warmup:g} s warm-up; "
        f"seed {args.seed}, query values from the first {args.seeded:,} seeded statements"
    )
    outcomes: list[PhaseOutcome] = []
    for name, loop in phase_loops(args, vocab):
        print(f"\n== {name}", flush=True)
        if monitor:
            monitor.set_phase(name)
        outcome = run_phase(name, loop, target, args, monitor)
        outcomes.append(outcome)
        print(format_table(outcome.results))
        print(_cpu_line(outcome, monitor.phase_peaks.get(name, 0) if monitor else None))
    results = [r for outcome in outcomes for r in outcome.results]
    memory: dict[str, Any] | None = None
    if monitor:
        monitor.stop()
        memory = {
            "peak_mib": round(_mib(monitor.peak), 1),
            "processes_at_peak": monitor.peak_processes,
            "peak_mib_by_phase": {k: round(_mib(v), 1) for k, v in monitor.phase_peaks.items()},
        }
    print("\n== summary")
    print(format_table(results))
    if memory:
        print(
            f"server peak RSS (gunicorn master + workers, summed VmRSS): "
            f"{memory['peak_mib']:,.1f} MiB over {memory['processes_at_peak']} processes"
        )
    if args.json:
        report = {
            "url": args.url,
            "clients": args.clients,
            "seconds": args.seconds,
            "requests": args.requests,
            "warmup": args.warmup,
            "seed": args.seed,
            "seeded": args.seeded,
            "limit": args.limit,
            "pages": args.pages,
            "operations": [_without_nan(asdict(r)) for r in results],
            "phases": [
                {
                    "name": o.name,
                    "seconds": o.seconds,
                    "requests": o.requests,
                    "server_cpu_seconds": o.server_cpu_seconds,
                    "client_cpu_seconds": o.client_cpu_seconds,
                }
                for o in outcomes
            ],
            "server_memory": memory,
        }
        args.json.write_text(json.dumps(report, indent=2))
    failed = sum(r.errors for r in results)
    return 1 if failed else 0


def _without_nan(row: dict[str, Any]) -> dict[str, Any]:
    # An operation without successful requests has NaN percentiles; JSON has no NaN.
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}


if __name__ == "__main__":
    sys.exit(main())
