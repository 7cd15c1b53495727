"""Spend logs survive a PostgreSQL outage and a SIGTERM under load: every request has exactly one row.

Needs TEST_DATABASE_URL (a local server this test may stop and start: .ci/run provides one) and root for
pg_ctlcluster; skipped otherwise.
"""
import json
import os
import signal
import subprocess
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import PROXY_MASTER_KEY, proxy_config, start_proxy

DB_URL = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not DB_URL or os.geteuid() != 0, reason="needs TEST_DATABASE_URL and root (pg_ctlcluster)")


def cluster():
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout.split()
    return out[0], out[1]


def pg(action):
    version, name = cluster()
    subprocess.run(["pg_ctlcluster", version, name, action], check=True, capture_output=True)


def post(url, body):
    request = urllib.request.Request(url + "/chat/completions", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + PROXY_MASTER_KEY, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def rows_for(url, user):
    """Every row of `user`, 1,000 (the most /spend/logs answers at once) a page."""
    rows = []
    while True:
        request = urllib.request.Request(f"{url}/spend/logs?end_user={user}&limit=1000&offset={len(rows)}",
                                         headers={"Authorization": "Bearer " + PROXY_MASTER_KEY})
        with urllib.request.urlopen(request, timeout=30) as response:
            page = json.load(response)
        rows += page
        if len(page) < 1000:
            return rows


def wait_for_rows(url, user, count, seconds=90):
    deadline = time.time() + seconds
    rows = []
    while time.time() < deadline:
        try:
            rows = rows_for(url, user)
            # Pages read while rows are still arriving can overlap: wait for a read with no request_id twice.
            if len(rows) >= count and len({row["request_id"] for row in rows}) == len(rows):
                break
        except Exception:
            pass
        time.sleep(0.5)
    return rows


def config(tmp_path, mock_azure):
    extra = f"  database_url: {DB_URL}\n  spend_queue_capacity: 500\n  spend_spill_path: {tmp_path / 'spill.jsonl'}\n"
    return proxy_config(tmp_path, mock_azure, extra)


def test_two_thousand_requests_through_a_twenty_second_outage(tmp_path, mock_azure):
    proxy = start_proxy(config(tmp_path, mock_azure))
    user = "outage-" + uuid.uuid4().hex
    try:
        pg("stop")
        started = time.time()
        try:
            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(lambda i: post(proxy.url, {"model": "gpt-4o", "user": user, "messages": [{"role": "user", "content": f"outage {user} {i}"}]}), range(2000)))
            assert statuses.count(200) == 2000
            time.sleep(max(0, 20 - (time.time() - started)))
        finally:
            pg("start")
        rows = wait_for_rows(proxy.url, user, 2000)
        assert len(rows) == 2000
        assert len({row["request_id"] for row in rows}) == 2000
        with urllib.request.urlopen(proxy.url + "/health/readiness", timeout=10) as response:
            ready = json.load(response)
        assert ready["db"] == "connected" and ready["spend_writer"]["dropped"] == 0
        assert ready["spend_writer"]["spilled"] > 0 and ready["spend_writer"]["replayed"] == ready["spend_writer"]["spilled"]
    finally:
        proxy.stop()


def test_sigterm_under_load_loses_nothing(tmp_path, mock_azure):
    user = "sigterm-" + uuid.uuid4().hex
    path = config(tmp_path, mock_azure)
    proxy = start_proxy(path)
    pg("stop")
    try:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda i: post(proxy.url, {"model": "gpt-4o", "user": user, "messages": [{"role": "user", "content": f"sigterm {user} {i}"}]}), range(600)))
        assert statuses.count(200) == 600
        proxy.process.send_signal(signal.SIGTERM)
        assert proxy.process.wait(timeout=60) == 0
        assert (tmp_path / "spill.jsonl").exists(), "queued rows are spilled at shutdown while the database is down"
    finally:
        pg("start")
    restarted = start_proxy(path)
    try:
        rows = wait_for_rows(restarted.url, user, 600)
        assert len(rows) == 600 and len({row["request_id"] for row in rows}) == 600
        assert not (tmp_path / "spill.jsonl").exists()
    finally:
        restarted.stop()
