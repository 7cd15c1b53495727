"""Two proxy replicas on one PostgreSQL behave as one gateway (issue 7, point 4).

One MockAzure, two proxies started at the same moment on a fresh database (each with its own spill file and journal
in its own directory, `user_api_key_cache_ttl: 2`, `proxy_batch_write_at: 0.2`), then:
  1. a key generated on A works on B at once;
  2. a key deleted or blocked through A stops working on B within the cache TTL (401);
  3. spend rows from both replicas land exactly once each;
  4. a key's spend adds up across replicas, and a `max_budget` spent on A is refused on B (after flush + TTL);
  5. a replica killed with SIGKILL mid-load: after it restarts with the same config, every request answered 200
     before the kill's last journal window has its row (the journal is replayed), nothing duplicated.

Needs TEST_DATABASE_URL (.ci/run exports it). The test creates and drops its own database when the role may
(CREATE DATABASE), else drops the two LiteLLM tables in TEST_DATABASE_URL's database first. Needs `psql`.
"""
import hashlib
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import PROXY_AZURE_KEY, PROXY_MASTER_KEY, ROOT, bin_path, proxy_config

DB_URL = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not DB_URL, reason="needs TEST_DATABASE_URL (a PostgreSQL server; .ci/run provides one)")

CACHE_TTL = 2.0
FLUSH = 0.2
# What a replica may take beyond the TTL to notice a change: a flush, a request's own time, scheduling on 2 cores.
MARGIN = 1.5
# How often replicas share their key usage through PostgreSQL (general_settings.limit_sync_interval).
SYNC = 0.2
SEED_QUESTION = "what llm are you"
TABLES = ('"LiteLLM_SpendLogs"', '"LiteLLM_VerificationToken"')


# MARK: database

def psql(url, sql):
    """Rows of `sql` (tab-separated text columns) through the psql client."""
    out = subprocess.run(["psql", url, "-X", "-q", "-t", "-A", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()}")
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="module")
def database():
    """A fresh database for this run (dropped at the end); else the given one with the two LiteLLM tables dropped."""
    name = "gw_replicas_" + uuid.uuid4().hex[:12]
    try:
        psql(DB_URL, f'CREATE DATABASE "{name}"')
    except RuntimeError:
        for table in TABLES:
            psql(DB_URL, f"DROP TABLE IF EXISTS {table}")
        yield DB_URL
        return
    url = with_database(DB_URL, name)
    yield url
    try:
        psql(DB_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except RuntimeError:
        pass


# MARK: replicas

class Replica:
    """A proxy process whose output goes to a log file in its directory (no pipe to fill up under load)."""

    def __init__(self, name, directory, config):
        self.name, self.directory, self.config = name, directory, config
        self.log = directory / "proxy.log"
        self.process = None
        self.url = None

    def launch(self):
        env = dict(os.environ, SDK_AZURE_KEY=PROXY_AZURE_KEY, LITELLM_MASTER_KEY=PROXY_MASTER_KEY)
        self.offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [str(bin_path() / "proxy"), "--config", str(self.config), "--port", "0", "--host", "127.0.0.1"],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
            )

    def wait_listening(self, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            text = self.log.read_text(errors="replace")[self.offset:]
            match = re.search(r"listening on (http://\S+)", text)
            if match:
                self.url = match.group(1)
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.process.kill()
        raise RuntimeError(f"replica {self.name} did not start:\n{self.log.read_text(errors='replace')[self.offset:]}")

    def output(self):
        return self.log.read_text(errors="replace")

    def journal_files(self):
        return sorted(self.directory.glob("spill.journal.*.jsonl"))

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def replica_config(directory, mock_url, database_url):
    extra = (f"  database_url: {database_url}\n"
             f"  user_api_key_cache_ttl: {CACHE_TTL:g}\n"
             f"  spend_spill_path: {directory / 'spill.jsonl'}\n"
             f"  limit_sync_interval: {SYNC:g}\n")
    path = proxy_config(directory, mock_url, extra)
    # conftest's config sets proxy_batch_write_at (0.2) and the master key.
    assert f"proxy_batch_write_at: {FLUSH:g}" in path.read_text()
    return path


@pytest.fixture(scope="module")
def replicas(mock_azure, database, tmp_path_factory):
    """Replicas A and B, launched at the same moment on the same (empty) database."""
    pair = []
    for name in ("a", "b"):
        directory = tmp_path_factory.mktemp("replica-" + name)
        pair.append(Replica(name, directory, replica_config(directory, mock_azure, database)))
    barrier = threading.Barrier(2)

    def launch(replica):
        barrier.wait()
        replica.launch()

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(launch, pair))
    try:
        for replica in pair:
            replica.wait_listening()
        yield pair
    finally:
        for replica in pair:
            replica.stop()


# MARK: HTTP

def call(url, path, body=None, key=PROXY_MASTER_KEY, timeout=30):
    """(status, headers, JSON body) of one request; HTTP errors are answers too."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method="POST" if body is not None else "GET",
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, response.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return error.code, error.headers, parsed


SEQUENCE = iter(range(1 << 62))


def chat(url, user, key=PROXY_MASTER_KEY):
    """The seed's request (o4-mini, one user message), made unique: MockAzure answers the seed's exact question with
    the recorded body, whose fixed `id` would become every row's request_id (rows collide: ON CONFLICT DO NOTHING)."""
    content = f"{SEED_QUESTION} ({user} #{next(SEQUENCE)})"
    return call(url, "/chat/completions", {"model": "o4-mini", "messages": [{"role": "user", "content": content}], "user": user}, key=key)


def generate(url, **fields):
    status, _, body = call(url, "/key/generate", {"models": ["o4-mini"], **fields})
    assert status == 200, body
    assert body["key"].startswith("sk-"), body
    return body["key"]


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def rows_by_request_id(database, user):
    """request_id → how many rows carry it, for one test's `user`."""
    escaped = user.replace("'", "''")
    rows = psql(database, f'SELECT "request_id", COUNT(*) FROM "LiteLLM_SpendLogs" WHERE "end_user" = \'{escaped}\' GROUP BY 1')
    return {request_id: int(count) for request_id, count in rows}


def wait_for_rows(database, user, expected_ids, seconds=15):
    deadline = time.time() + seconds
    while True:
        found = rows_by_request_id(database, user)
        if set(expected_ids) <= set(found) or time.time() > deadline:
            return found
        time.sleep(0.2)


def key_spend(database, key):
    rows = psql(database, f'SELECT "spend" FROM "LiteLLM_VerificationToken" WHERE "token" = \'{sha256(key)}\'')
    return float(rows[0][0]) if rows else None


def user_tag(name):
    return f"replicas-{name}-{uuid.uuid4().hex[:10]}"


# MARK: checks

def test_replicas_started_together_share_one_schema(replicas, database):
    a, b = replicas
    for replica in replicas:
        status, _, body = call(replica.url, "/health/readiness")
        assert status == 200 and body["db"] == "connected", (replica.name, body)
    tables = psql(database, "SELECT to_regclass('\"LiteLLM_SpendLogs\"') IS NOT NULL, to_regclass('\"LiteLLM_VerificationToken\"') IS NOT NULL")
    assert tables == [["t", "t"]]


def test_key_generated_on_a_works_on_b_at_once(replicas):
    a, b = replicas
    key = generate(a.url, key_alias=user_tag("generated"))
    status, _, body = chat(b.url, user_tag("key-on-b"), key=key)
    assert status == 200, f"a key generated on A is refused on B: {status} {body}"
    status, _, body = chat(a.url, user_tag("key-on-a"), key=key)
    assert status == 200, body
    status, _, info = call(b.url, "/key/info?key=" + urllib.parse.quote(key))
    assert status == 200 and info["key"] == sha256(key), info


def test_deleted_and_blocked_keys_stop_working_on_b_within_the_cache_ttl(replicas):
    a, b = replicas
    deleted, blocked = generate(a.url, key_alias=user_tag("deleted")), generate(a.url, key_alias=user_tag("blocked"))
    user = user_tag("revoke")
    for key in (deleted, blocked):
        # B has the key in its cache now: only a fresh look-up in the database can refuse it.
        status, _, body = chat(b.url, user, key=key)
        assert status == 200, body
    status, _, body = call(a.url, "/key/delete", {"keys": [deleted]})
    assert status == 200 and sha256(deleted) in json.dumps(body), body
    status, _, body = call(a.url, "/key/block", {"key": blocked})
    assert status == 200, body
    revoked_at = time.time()
    assert chat(a.url, user, key=deleted)[0] == 401, "A itself still accepts the key it deleted"
    assert chat(a.url, user, key=blocked)[0] == 401, "A itself still accepts the key it blocked"

    refused = {}
    deadline = revoked_at + CACHE_TTL + MARGIN
    while len(refused) < 2 and time.time() < deadline:
        for name, key in (("deleted", deleted), ("blocked", blocked)):
            if name not in refused:
                status, _, body = chat(b.url, user, key=key)
                if status != 200:
                    refused[name] = (status, body, round(time.time() - revoked_at, 2))
        time.sleep(0.1)
    assert set(refused) == {"deleted", "blocked"}, \
        f"B still accepts the {sorted({'deleted', 'blocked'} - set(refused))} key {CACHE_TTL + MARGIN} s after A revoked it (TTL {CACHE_TTL} s)"
    print(f"\nrevoked on A, refused on B after: deleted {refused['deleted'][2]} s, blocked {refused['blocked'][2]} s")
    status, body, _ = refused["deleted"]
    assert status == 401 and body["error"]["type"] == "token_not_found_in_db", f"deleted key on B: {refused['deleted']}"
    status, body, _ = refused["blocked"]
    assert status == 401 and "blocked" in body["error"]["message"], f"blocked key on B: {refused['blocked']}"


def test_spend_rows_from_both_replicas_land_exactly_once(replicas, database):
    user = user_tag("rows")
    count = 200

    def send(i):
        replica = replicas[i % 2]
        status, headers, body = chat(replica.url, user)
        return replica.name, status, body

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(count)))
    assert [status for _, status, _ in answers].count(200) == count, [a for a in answers if a[1] != 200][:3]
    ids = [body["id"] for _, _, body in answers]
    assert len(set(ids)) == count, "answers share ids: their rows would overwrite each other"
    found = wait_for_rows(database, user, ids)
    time.sleep(3 * FLUSH)  # a late duplicate would arrive within a flush or two
    found = rows_by_request_id(database, user)
    missing = set(ids) - set(found)
    extra = set(found) - set(ids)
    duplicated = {request_id: n for request_id, n in found.items() if n > 1}
    by_replica = {name: sum(1 for r, _, body in answers if r == name and body["id"] in missing) for name in ("a", "b")}
    assert not missing, f"{len(missing)} of {count} rows missing (by replica that answered: {by_replica})"
    assert not extra and not duplicated, f"unexpected rows {sorted(extra)[:5]}, duplicated {duplicated}"
    # Each replica reads the rows of both.
    for replica in replicas:
        status, _, rows = call(replica.url, f"/spend/logs?end_user={user}&limit=1000")
        assert status == 200 and len(rows) == count, (replica.name, status, len(rows) if isinstance(rows, list) else rows)


def test_key_spend_adds_up_across_replicas(replicas, database):
    a, b = replicas
    key = generate(a.url, key_alias=user_tag("spend"))
    user = user_tag("spend")
    costs = {"a": 0.0, "b": 0.0}
    for i in range(20):
        replica = replicas[i % 2]
        status, headers, body = chat(replica.url, user, key=key)
        assert status == 200, body
        cost = float(headers["x-litellm-response-cost"])
        assert cost > 0
        costs[replica.name] += cost
    total = costs["a"] + costs["b"]
    deadline = time.time() + 5 * FLUSH + 3
    spend = key_spend(database, key)
    while (spend is None or abs(spend - total) > 1e-9) and time.time() < deadline:
        time.sleep(FLUSH)
        spend = key_spend(database, key)
    assert spend == pytest.approx(total, rel=1e-9, abs=1e-12), \
        f"key spend in the database {spend} != sum of the answers' costs {total} (A {costs['a']}, B {costs['b']})"
    logged = psql(database, f'SELECT SUM("spend") FROM "LiteLLM_SpendLogs" WHERE "api_key" = \'{sha256(key)}\'')
    assert float(logged[0][0]) == pytest.approx(total, rel=1e-9, abs=1e-12)


def test_a_budget_spent_on_a_is_refused_on_b(replicas, database):
    a, b = replicas
    budget = 0.003  # three to eight of these requests (each costs 0.0004–0.001 on o4-mini)
    key = generate(a.url, key_alias=user_tag("budget"), max_budget=budget)
    user = user_tag("budget")
    # B spends once (its own view stays under the budget), then A spends until it refuses.
    status, headers, body = chat(b.url, user, key=key)
    assert status == 200, body
    spent_on_b = float(headers["x-litellm-response-cost"])
    assert spent_on_b < budget
    spent_on_a = 0.0
    for _ in range(20):
        status, headers, body = chat(a.url, user, key=key)
        if status != 200:
            break
        spent_on_a += float(headers["x-litellm-response-cost"])
    assert status == 422 and body["error"]["type"] == "budget_exceeded", f"A never refused the exhausted key: {status} {body}"
    assert spent_on_b + spent_on_a >= budget
    time.sleep(FLUSH + CACHE_TTL + MARGIN)
    status, _, body = chat(b.url, user, key=key)
    assert status == 422, (f"B still accepts a key whose budget {budget} is spent (B {spent_on_b:.7f} + A {spent_on_a:.7f}; "
                           f"spend in the database: {key_spend(database, key)}): {status} {body}")
    assert body["error"]["type"] == "budget_exceeded" and "Budget has been exceeded" in body["error"]["message"], body


def test_rpm_limit_holds_across_replicas(replicas):
    """A key's rpm_limit holds for both replicas together: at most the limit plus one sync interval's traffic."""
    a, b = replicas
    limit, spacing = 10, 0.1
    key = generate(a.url, key_alias=user_tag("rpm"), rpm_limit=limit)
    user = user_tag("rpm")
    accepted, refused = 0, 0
    for i in range(30):
        status, headers, body = chat(replicas[i % 2].url, user, key=key)
        if status == 200:
            accepted += 1
        else:
            assert status == 429 and int(headers["retry-after"]) >= 1, (status, body)
            assert "rpm limit 10" in body["error"]["message"], body
            refused += 1
        time.sleep(spacing)
    # Each replica alone would let 10 through (20 in all); together they may overshoot by one interval's requests.
    allowed = limit + int(SYNC / spacing) + 1
    assert limit <= accepted <= allowed, f"{accepted} accepted across both replicas (limit {limit}, at most {allowed}), {refused} refused"


def test_replica_killed_mid_load_loses_no_answered_row(replicas, database):
    a, b = replicas
    user = user_tag("sigkill")
    count, clients = 1500, 16
    answers = [None] * count
    killed = threading.Event()

    def send(i):
        replica = replicas[i % 2]
        url = replica.url
        try:
            status, _, body = chat(url, user)
            answers[i] = (replica.name, status, body.get("id") if status == 200 and isinstance(body, dict) else None, time.time())
        except Exception as error:  # the killed replica's connections fail
            answers[i] = (replica.name, None, type(error).__name__, time.time())

    kill_time = []

    def killer():
        time.sleep(1.0)
        kill_time.append(time.time())
        a.kill()
        killed.set()

    started = time.time()
    timer = threading.Thread(target=killer)
    timer.start()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, range(count)))
    timer.join()
    duration = time.time() - started

    ok = {name: [answer[2] for answer in answers if answer[0] == name and answer[1] == 200] for name in ("a", "b")}
    failed_on_a = [answer for answer in answers if answer[0] == "a" and answer[1] != 200]
    assert ok["a"], "A answered nothing before the kill"
    assert failed_on_a, f"A was not killed mid-load (all of its requests were answered in {duration:.1f} s)"
    assert all(answer[1] == 200 for answer in answers if answer[0] == "b"), "B failed requests while A was killed"
    # Rows are journaled in groups (spend_journal_window_ms, 10 ms): a SIGKILL may lose those of the last window.
    # An answer the client got this long before the kill left the proxy at least as long before it.
    window = 0.25
    must_have = {answer[2] for answer in answers if answer[0] == "a" and answer[1] == 200 and answer[3] < kill_time[0] - window}
    assert must_have, "A answered nothing well before the kill"
    journals = a.journal_files()
    journal_lines = sum(len(path.read_text(errors="replace").splitlines()) for path in journals)
    time.sleep(3 * FLUSH)
    before_restart = rows_by_request_id(database, user)
    pending_at_kill = [request_id for request_id in ok["a"] if request_id not in before_restart]

    a.launch()
    a.wait_listening()
    every = ok["a"] + ok["b"]
    found = wait_for_rows(database, user, every)
    time.sleep(3 * FLUSH)
    found = rows_by_request_id(database, user)
    missing_a = [request_id for request_id in must_have if request_id not in found]
    lost_in_window = [request_id for request_id in ok["a"] if request_id not in found and request_id not in must_have]
    missing_b = [request_id for request_id in ok["b"] if request_id not in found]
    duplicated = {request_id: n for request_id, n in found.items() if n > 1}
    evidence = (f"{len(ok['a'])} answered 200 by A before the kill (after {duration:.1f} s of load), {len(pending_at_kill)} of them not "
                f"in the database at the kill; journal files after the kill: {[p.name for p in journals]} ({journal_lines} lines); "
                f"rows found after restart: {len(set(ok['a']) & set(found))} of {len(ok['a'])}; "
                f"{len(must_have)} answered > {window} s before the kill; {len(lost_in_window)} lost in the last window")
    print("\nsigkill:", evidence)
    assert not missing_a, f"{len(missing_a)} rows of requests A answered are missing after its restart — {evidence}"
    assert not missing_b, f"{len(missing_b)} rows of requests B answered are missing"
    assert not duplicated, f"duplicated request_ids: {duplicated}"
    assert len(found) <= count
    deadline = time.time() + 5
    while a.journal_files() and time.time() < deadline:
        time.sleep(0.2)
    assert not [p for p in journals if p.exists()], f"the restarted replica did not remove the replayed journal files: {[p.name for p in journals if p.exists()]}"
    status, _, ready = call(a.url, "/health/readiness")
    assert status == 200 and ready["spend_writer"]["dropped"] == 0, ready
