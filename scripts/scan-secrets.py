#!/usr/bin/env python3
"""After the whole test suite: no key the tests used may appear in any log line, DB row, UI page or report.

Scans, for every secret below:
  - every file under the roots (default: artifacts/ — the suites' logs in artifacts/logs, pytest's working directories
    in artifacts/test-outputs with their SQLite files, spill files and journals, the UI pages' HTML next to their
    screenshots, the fuzz/chaos/soak reports), as raw bytes, and every row of every table of each SQLite file found;
  - every row of every table of the PostgreSQL database in TEST_DATABASE_URL (pg_dump --data-only), when it is set.

Secrets: the master and Azure keys of every harness (read from their sources, so the list follows them), every
`sk-…` literal in the tests (wrong keys, keys put in bodies and prompts), and any full virtual key (`sk-` + 22
url-safe characters: the proxy shows them once, on the answer to /key/generate, and elsewhere only as `sk-...last4`).

Not scanned: configuration files the tests wrote (*.yaml: inputs, not outputs), outputs of the deliberately broken
stand-ins (broken-*: they leak on purpose, to prove the fuzzer's checks fail), LiteLLM's own outputs (the reference
run in artifacts/conformance-litellm), screenshots (images). The page that shows a newly created virtual key
(*key-created.html) may hold that one virtual key, and nothing else.

  scripts/scan-secrets.py [--since FILE] [ROOT ...]     # exit 1 and the places when a secret is found
"""
import argparse
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Where the harnesses define their keys: (file, regex whose group 1 is a key).
KEY_SOURCES = [
    ("Sources/TestSupport/RunningServices.swift", r'static let (?:masterKey|azureKey) = "([^"]+)"'),
    ("Tests/sdk/conftest.py", r'^(?:MOCK_KEY|PROXY_MASTER_KEY) = "([^"]+)"'),
    ("Tests/reliability/harness.py", r'^(?:MASTER_KEY|AZURE_KEY) = "([^"]+)"'),
    ("Tests/ProxyTests/UITestSupport.swift", r'(?:password|masterKey|apiKey): "([^"]{8,})"'),
    ("Tests/MockAzureTests/MockAzureHTTPTests.swift", r'\("api-key", "([^"]{8,})"\)'),
]
SK_LITERAL = re.compile(r'''["'](sk-[A-Za-z0-9_-]{6,})["']''')
VIRTUAL_KEY = re.compile(rb"sk-[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])")
# Known findings, like an xfail: the exact text a test sends on purpose, whose keys are reported as known rather than
# failing the scan. Everything else in the same file or row is still scanned.
KNOWN: dict = {
    # R10 (a key typed into a prompt stored verbatim in the spend row) was here until SecretMask fixed it.
}
SKIPPED_SUFFIXES = {".yaml", ".yml", ".png", ".svg", ".pyc"}
SKIPPED_PARTS = {"conformance-litellm", "__pycache__"}


def secrets() -> list[str]:
    found = set()
    for relative, pattern in KEY_SOURCES:
        path = ROOT / relative
        if path.exists():
            found.update(re.findall(pattern, path.read_text(), flags=re.MULTILINE))
    for directory in ("Tests", "Sources/TestSupport", "Sources/Conformance"):
        for path in (ROOT / directory).rglob("*"):
            if path.suffix in (".py", ".swift"):
                found.update(SK_LITERAL.findall(path.read_text(errors="replace")))
    # `sk-...1234` is the masked form the proxy is meant to show; a bare prefix is no key.
    return sorted(key for key in found if "..." not in key and len(key) >= 8)


def skipped(path: Path) -> bool:
    return (path.suffix in SKIPPED_SUFFIXES or path.name.startswith("broken-") or "broken" in path.parent.name
            or bool(SKIPPED_PARTS & set(path.parts)))


def sqlite_rows(path: Path):
    """Each row of each table as text, or nothing when the file is not a readable SQLite database."""
    try:
        with open(path, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                for row in connection.execute(f'SELECT * FROM "{table}"'):
                    yield table, "\t".join("" if value is None else str(value) for value in row)
        finally:
            connection.close()
    except sqlite3.Error as error:
        yield "(unreadable)", f"{error}"


known_hits: dict[str, int] = {}


def scan_bytes(data: bytes, where: str, keys: list[str], allow_virtual_key: bool, findings: list[str]):
    for text, bug in KNOWN.items():
        if text in data:
            known_hits[bug] = known_hits.get(bug, 0) + data.count(text)
            data = data.replace(text, b"")
    for key in keys:
        if key.encode() in data:
            findings.append(f"{where}: {key}")
    virtual = set(VIRTUAL_KEY.findall(data)) - {key.encode() for key in keys}
    if virtual and not (allow_virtual_key and len(virtual) == 1):
        findings.extend(f"{where}: virtual key {key.decode()[:7]}…" for key in sorted(virtual))


def scan_postgres(url: str, keys: list[str], findings: list[str]) -> int:
    dump = subprocess.run(["pg_dump", "--data-only", "--no-owner", "--no-privileges", url], capture_output=True)
    if dump.returncode != 0:
        findings.append(f"postgres: pg_dump failed: {dump.stderr.decode(errors='replace').strip()[:300]}")
        return 0
    rows = 0
    table = "?"
    for line in dump.stdout.splitlines():
        if line.startswith(b"COPY "):
            table = line.split(b" ")[1].decode()
        elif line and not line.startswith((b"--", b"SET ", b"SELECT ", b"\\.")):
            rows += 1
            scan_bytes(line, f"postgres {table}", keys, False, findings)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("roots", nargs="*", default=[str(ROOT / "artifacts")])
    parser.add_argument("--since", help="only files modified after this file was (e.g. a marker written before the suite)")
    parser.add_argument("--no-postgres", action="store_true", help="do not dump TEST_DATABASE_URL")
    parser.add_argument("--list-keys", action="store_true")
    args = parser.parse_args(argv)
    keys = secrets()
    if args.list_keys:
        print("\n".join(keys))
        return 0
    since = Path(args.since).stat().st_mtime if args.since else 0.0
    findings: list[str] = []
    files = rows = total_bytes = 0
    for root in map(Path, args.roots):
        for path in sorted(root.rglob("*") if root.is_dir() else [root]):
            if not path.is_file() or skipped(path) or path.stat().st_mtime < since:
                continue
            data = path.read_bytes()
            files += 1
            total_bytes += len(data)
            allow = path.name.endswith("key-created.html")
            scan_bytes(data, str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path), keys, allow, findings)
            for table, text in sqlite_rows(path):
                rows += 1
                scan_bytes(text.encode(), f"{path.name} {table}", keys, False, findings)
    postgres_rows = 0
    url = os.environ.get("TEST_DATABASE_URL")
    if url and not args.no_postgres:
        postgres_rows = scan_postgres(url, keys, findings)
    print(f"scan-secrets: {len(keys)} keys (+ any full virtual key) in {files} files ({total_bytes / 2**20:.1f} MiB), "
          f"{rows} SQLite rows, {postgres_rows} PostgreSQL rows" + ("" if url and not args.no_postgres else " (no TEST_DATABASE_URL)"))
    for bug, count in sorted(known_hits.items()):
        print(f"  known: {bug}, {count} occurrence(s) of the prompt its test sends on purpose (not a failure)")
    for finding in sorted(set(findings))[:200]:
        print("  FOUND", finding)
    if findings:
        print(f"scan-secrets: FAIL, {len(set(findings))} places hold a key")
        return 1
    print("scan-secrets: no key anywhere")
    return 0


if __name__ == "__main__":
    sys.exit(main())
