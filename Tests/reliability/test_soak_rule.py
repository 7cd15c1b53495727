"""The soak's pass rule can fail: soak.py against broken_proxy.py that keeps memory, or descriptors, per request.

A short, light version of the soak (20-second cycles, 10 → 30 connections, 70 s) — the rule is the same as
scripts/soak.sh's; only the load is smaller. Also the rule itself on synthetic samples.

    python3 -m pytest -q Tests/reliability/test_soak_rule.py
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import soak  # noqa: E402

HERE = Path(__file__).resolve().parent


def short_soak(tmp_path, mode, *extra):
    out = tmp_path / mode
    code = soak.main(["--seconds", "70", "--cycle", "20", "--base", "10", "--peak", "30", "--out", str(out), "--settle", "5",
                      "--proxy-cmd", f"{sys.executable} {HERE / 'broken_proxy.py'} --mode {mode} {' '.join(extra)}"])
    soak.set_cycle(60)
    return code, json.loads((out / "soak.json").read_text())


def test_soak_fails_when_memory_grows_with_requests(tmp_path):
    code, report = short_soak(tmp_path, "grow", "--hoard-kib", "64")
    assert code == 1
    assert any("RSS grows" in failure for failure in report["failures"]), report["failures"]


def test_soak_fails_when_descriptors_grow_with_requests(tmp_path):
    code, report = short_soak(tmp_path, "fds")
    assert code == 1
    assert any("descriptors other than connections" in failure for failure in report["failures"]), report["failures"]


def rows(rss, fds=lambda t: 20, cycles=8):
    """Synthetic samples: one a second; `rss(t)` in KiB, `fds(t)` descriptors other than connections."""
    return [{"t_s": float(t), "rss_kib": rss(t), "fds": fds(t) + 100, "fd_own": fds(t), "fd_clients": 100, "fd_upstream": 0,
             "in_flight_requests": 10, "in_flight_streams": 1} for t in range(60 * cycles)]


def test_rule_passes_a_flat_run_with_a_step_in_the_warm_up():
    result, failures = soak.analyse(rows(lambda t: 50_000 if t < 50 else 120_000), 60, None, None)
    assert failures == [], failures


def test_rule_fails_a_slow_leak_across_cycles():
    # 2 MiB per 10 minutes, only at the peaks (flat in every quiet window): caught by the across-cycle trend.
    result, failures = soak.analyse(rows(lambda t: 120_000 + 2048 * int((t + 15) // 60) // 10), 60, None, None)
    assert any("cycle to cycle" in f for f in failures), failures


def test_rule_fails_a_leak_under_steady_load():
    result, failures = soak.analyse(rows(lambda t: 120_000 + 5 * t, cycles=3), 60, None, None)
    assert any("steady base load" in f for f in failures), failures


def test_rule_passes_a_descriptor_held_for_a_moment():
    # The 3-minute soak of this kind: 22 descriptors throughout, 23 for a few seconds of the last quiet window (a
    # spend-journal segment rotating). Two windows make any difference a "trend" of 10 per 10 minutes.
    result, failures = soak.analyse(rows(lambda t: 120_000, fds=lambda t: 23 if 140 <= t < 145 else 22, cycles=3), 60, None, None)
    assert failures == [], failures


def test_rule_fails_descriptors_that_stay():
    # One descriptor more each minute, kept: every later window is higher.
    result, failures = soak.analyse(rows(lambda t: 120_000, fds=lambda t: 22 + t // 60, cycles=3), 60, None, None)
    assert any("descriptors other than connections grow" in f for f in failures), failures
