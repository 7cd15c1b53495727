"""Rolling back to LiteLLM 1.110.2 on our PostgreSQL database keeps what we wrote (issue 19, point 3).

LiteLLM starts with `prisma db push --accept-data-loss` against its own `schema.prisma`: a column whose type differs
from the schema's is dropped and made again (its data lost), a column of ours the schema lacks is dropped, and a
required column without a default cannot be added to a table that has rows. So, on a fresh database our proxy
creates and fills (a team, a user, a key, an end user, tagged requests, the daily rollups, the audit log), every
table and column we write is compared with LiteLLM 1.110.2's own `schema.prisma` (from its installed package):

  1. every table we create is one of LiteLLM's, or one of ours LiteLLM may drop (`OURS_ONLY`);
  2. every column we create is in LiteLLM's model, with the PostgreSQL type Prisma gives the field;
  3. no column LiteLLM requires (not optional, no default) is missing;
  4. the primary keys are LiteLLM's, the daily rollups' unique keys are LiteLLM's exactly (our upserts conflict on
     them, as LiteLLM's do), and LiteLLM's other unique columns hold no duplicates (its `CREATE UNIQUE INDEX` holds).

Then LiteLLM's own `/user/daily/activity` and `/team/daily/activity` code (`get_daily_activity` from the installed
1.110.2) reads the database after the columns its push would add are added (litellm_reads_usage.py: LiteLLM cannot
start here, as its Prisma engines cannot be downloaded, so an adapter runs its Prisma reads as SQL): its totals,
days and models equal what our proxy answered for the same user and team.
Needs TEST_DATABASE_URL and LiteLLM installed (scripts/install-litellm-reference.sh, as .ci/run does before the
tests); REQUIRE_LITELLM_SCHEMA=1 (.ci/run) makes a missing schema a failure rather than a skip.
"""
import glob
import json
import os
import re
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from conftest import PROXY_MASTER_KEY, ROOT, proxy_config, start_proxy
from test_replicas import psql, with_database

DB_URL = os.environ.get("TEST_DATABASE_URL")
SCHEMAS = sorted(glob.glob(str(ROOT / ".venv-litellm/lib/python*/site-packages/litellm/proxy/schema.prisma")))
SCHEMA = os.environ.get("LITELLM_SCHEMA_PRISMA") or (SCHEMAS[0] if SCHEMAS else None)
pytestmark = pytest.mark.skipif(not DB_URL, reason="needs TEST_DATABASE_URL (a PostgreSQL server; .ci/run provides one)")

# Ours alone; LiteLLM's push may drop it, and nothing is lost that LiteLLM reads (replicas' per-key usage windows).
OURS_ONLY = {"GatewayKeyUsage"}
ROLLUPS = {"LiteLLM_DailyUserSpend", "LiteLLM_DailyTeamSpend", "LiteLLM_DailyTagSpend"}
# Prisma's PostgreSQL type for each scalar (information_schema's udt_name), `@db.*` aside.
PRISMA_TYPES = {"String": "text", "Int": "int4", "BigInt": "int8", "Float": "float8", "Boolean": "bool",
                "DateTime": "timestamp", "Json": "jsonb", "Decimal": "numeric", "Bytes": "bytea"}
DB_TYPES = {"Text": "text", "VarChar": "varchar", "Integer": "int4", "BigInt": "int8", "DoublePrecision": "float8",
            "Timestamp": "timestamp", "Timestamptz": "timestamptz", "JsonB": "jsonb", "Json": "json", "Uuid": "uuid",
            "Date": "date", "Boolean": "bool", "Real": "float4", "SmallInt": "int2"}


def parse_prisma(text):
    """{table: {"columns": {column: (udt, required)}, "primary": (cols), "uniques": [(cols)]}} of the schema's
    models; relation fields are skipped, enums are their own type names."""
    enums = set(re.findall(r"^enum (\w+)", text, re.M))
    models = {}
    for name, body in re.findall(r"^model (\w+) \{(.*?)^\}", text, re.M | re.S):
        table, columns, fields, primary, uniques = name, {}, {}, (), []
        for raw in body.splitlines():
            line = raw.split("//")[0].strip()
            if not line:
                continue
            if line.startswith("@@"):
                listed = re.search(r"\[([^\]]*)\]", line)
                names = tuple(part.strip() for part in listed.group(1).split(",")) if listed else ()
                if line.startswith("@@map"):
                    table = re.search(r'"(.*?)"', line).group(1)
                elif line.startswith("@@id"):
                    primary = names
                elif line.startswith("@@unique"):
                    uniques.append(names)
                continue
            field, kind, *attributes = line.split()
            attributes = " ".join(attributes)
            base = kind.rstrip("?").removesuffix("[]")
            if "@relation" in attributes or (base not in PRISMA_TYPES and base not in enums):
                continue
            mapped = re.search(r'@map\("(.*?)"\)', attributes)
            column = mapped.group(1) if mapped else field
            fields[field] = column
            native = re.search(r"@db\.(\w+)", attributes)
            udt = DB_TYPES.get(native.group(1), native.group(1).lower()) if native else PRISMA_TYPES.get(base, base)
            if kind.endswith("[]"):
                udt = "_" + udt
            required = not kind.endswith("?") and not kind.endswith("[]") and "@default" not in attributes \
                and "@updatedAt" not in attributes
            columns[column] = (udt, required)
            if re.search(r"@id\b", attributes):
                primary = (field,)
            if re.search(r"@unique\b", attributes):
                uniques.append((field,))
        models[table] = {
            "columns": columns,
            "primary": tuple(fields.get(f, f) for f in primary),
            "uniques": [tuple(fields.get(f, f) for f in names) for names in uniques],
        }
    return models


def call(url, path, body=None, key=PROXY_MASTER_KEY, headers=None):
    request = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                                              **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def fill(url):
    """A team, a user in it, their key, an end user and tagged requests: every table LiteLLM's UI reads gets rows."""
    team = call(url, "/team/new", {"team_alias": "rollback", "max_budget": 100, "model_aliases": {"fast": "gpt-4o"}})
    user = call(url, "/user/new", {"user_email": "rollback@example.com", "teams": [team["team_id"]]})
    key = call(url, "/key/generate", {"team_id": team["team_id"], "user_id": user["user_id"], "metadata": None})["key"]
    call(url, "/customer/new", {"user_id": "end-user-1", "max_budget": 5})
    call(url, "/budget/new", {"budget_id": "rollback-budget", "max_budget": 7})
    for tags in (["billing", "batch"], ["billing"]):
        call(url, "/chat/completions", {"model": "gpt-4o", "user": "end-user-1", "metadata": {"tags": tags},
                                        "messages": [{"role": "user", "content": "what llm are you"}]}, key=key)
    return team["team_id"], user["user_id"]


def test_our_tables_survive_litellms_schema_push(mock_azure, tmp_path):
    if not SCHEMA:
        if os.environ.get("REQUIRE_LITELLM_SCHEMA") == "1":
            pytest.fail("LiteLLM's schema.prisma not found: run scripts/install-litellm-reference.sh")
        pytest.skip("LiteLLM is not installed (scripts/install-litellm-reference.sh)")
    litellm = parse_prisma(open(SCHEMA).read())
    assert {"LiteLLM_SpendLogs", "LiteLLM_VerificationToken", *ROLLUPS} <= litellm.keys(), SCHEMA

    name = "gw_rollback_" + uuid.uuid4().hex[:8]
    psql(DB_URL, f'CREATE DATABASE "{name}"')
    url = with_database(DB_URL, name)
    proxy = None
    try:
        config = proxy_config(tmp_path, mock_azure, extra=f"  database_url: {url}\n")
        proxy = start_proxy(config)
        team_id, user_id = fill(proxy.url)
        deadline = time.monotonic() + 30
        while not psql(url, 'SELECT 1 FROM "LiteLLM_DailyTagSpend" WHERE tag = \'batch\''):
            assert time.monotonic() < deadline, "the daily rollups were not written within 30 s"
            time.sleep(0.2)
        today = time.strftime("%Y-%m-%d", time.gmtime())
        window = f"start_date={today}&end_date={today}"
        ours_read = {"user": call(proxy.url, f"/user/daily/activity?user_id={user_id}&{window}"),
                     "team": call(proxy.url, f"/team/daily/activity?team_ids={team_id}&{window}")}
        proxy.process.terminate()
        proxy.process.wait(timeout=30)

        ours = {}
        for table, column, udt, nullable in psql(url, "SELECT table_name, column_name, udt_name, is_nullable "
                                                      "FROM information_schema.columns WHERE table_schema = 'public'"):
            ours.setdefault(table, {})[column] = udt
        problems = []
        for table in sorted(ours.keys() - litellm.keys() - OURS_ONLY):
            problems.append(f"{table}: not a LiteLLM table (its schema push drops it)")
        for table in sorted(ours.keys() & litellm.keys()):
            model, rows = litellm[table], int(psql(url, f'SELECT count(*) FROM "{table}"')[0][0])
            for column, udt in sorted(ours[table].items()):
                if column not in model["columns"]:
                    problems.append(f"{table}.{column}: not in LiteLLM's model (dropped with its data)")
                elif model["columns"][column][0] != udt:
                    problems.append(f"{table}.{column}: {udt}, LiteLLM's is {model['columns'][column][0]} "
                                    "(dropped and made again, its data lost)")
            for column, (udt, required) in sorted(model["columns"].items()):
                if required and column not in ours[table]:
                    problems.append(f"{table}.{column}: LiteLLM requires it ({udt}, no default); {rows} rows")
            primary = psql(url, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                                f"AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '\"{table}\"'::regclass "
                                "AND i.indisprimary")
            if {row[0] for row in primary} != set(model["primary"]):
                problems.append(f"{table}: primary key {sorted(r[0] for r in primary)}, LiteLLM's {model['primary']}")
            uniques = {frozenset(re.search(r"\((.*)\)", row[0]).group(1).replace('"', "").split(", "))
                       for row in psql(url, f"SELECT indexdef FROM pg_indexes WHERE tablename = '{table}' "
                                            "AND indexdef LIKE 'CREATE UNIQUE%'")}
            for names in model["uniques"]:
                if table in ROLLUPS and frozenset(names) not in uniques:
                    problems.append(f"{table}: no unique key on {names} (LiteLLM's upserts conflict on it)")
                elif set(names) <= ours[table].keys():
                    listed = ", ".join(f'"{n}"' for n in names)
                    duplicates = psql(url, f'SELECT 1 FROM "{table}" WHERE ({listed}) IS NOT NULL '
                                           f"GROUP BY {listed} HAVING count(*) > 1 LIMIT 1")
                    if duplicates:
                        problems.append(f"{table}: duplicate {names}, LiteLLM's unique index cannot be made")
        assert not problems, "\n".join(problems)
        # What was compared is what LiteLLM's UI reads: the rows are there.
        for table in ("LiteLLM_SpendLogs", "LiteLLM_TeamTable", "LiteLLM_UserTable", "LiteLLM_EndUserTable",
                      "LiteLLM_BudgetTable", "LiteLLM_AuditLog", *sorted(ROLLUPS)):
            assert table in ours and int(psql(url, f'SELECT count(*) FROM "{table}"')[0][0]) > 0, table

        # LiteLLM's own daily-activity code, reading the rolled-back database, answers what we answered.
        python = ROOT / ".venv-litellm/bin/python"
        reader = subprocess.run([str(python), str(Path(__file__).with_name("litellm_reads_usage.py")),
                                 url.split("?")[0], SCHEMA, today, today, user_id, team_id],
                                capture_output=True, text=True, timeout=120,
                                env=dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True"))
        assert reader.returncode == 0, reader.stderr[-4000:]
        theirs = json.loads(reader.stdout.strip().splitlines()[-1])
        for entity in ("user", "team"):
            ours_meta, their_meta = ours_read[entity]["metadata"], theirs[entity]["metadata"]
            assert their_meta["total_api_requests"] == 2, theirs[entity]
            # Every total LiteLLM's metadata gives (not its optional aggregated-view ones, null here), ours gives alike.
            given = (f for f, v in their_meta.items() if f.startswith("total_") and f != "total_pages" and v is not None)
            for field in sorted(given):
                assert field in ours_meta, (entity, field, ours_meta)
                assert their_meta[field] == pytest.approx(ours_meta[field]), (entity, field, ours_meta, their_meta)
            ours_days = {day["date"]: day for day in ours_read[entity]["results"]}
            for day in theirs[entity]["results"]:
                assert day["metrics"]["spend"] == pytest.approx(ours_days[day["date"]]["metrics"]["spend"])
                assert set(day["breakdown"]["models"]) == set(ours_days[day["date"]]["breakdown"]["models"])
    finally:
        if proxy and proxy.process.poll() is None:
            proxy.process.kill()
        psql(DB_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
