"""The mock-azure executable as a user runs it: a broken fixture stops start-up with its path and the problem."""
import subprocess

from conftest import ROOT, bin_path


def test_broken_fixture_stops_startup(tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "typo.yaml").write_text("response: {status: 200, bodyy: {}}\n")
    result = subprocess.run(
        [str(bin_path() / "mock-azure"), "--port", "0", "--fixtures", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 1
    assert "scenarios/typo.yaml" in result.stderr
    assert "response.bodyy" in result.stderr and "unknown key" in result.stderr


def test_bad_arguments_are_a_usage_error():
    result = subprocess.run([str(bin_path() / "mock-azure"), "--fault-rate", "2"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "--fault-rate" in result.stderr
