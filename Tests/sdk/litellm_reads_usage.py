"""LiteLLM 1.110.2's own `/user/daily/activity` and `/team/daily/activity` code, reading our PostgreSQL database.

Run with LiteLLM's interpreter (.venv-litellm/bin/python), by test_litellm_schema.py:

    litellm_reads_usage.py DATABASE_URL SCHEMA_PRISMA START END USER_ID TEAM_ID

LiteLLM cannot start here (its Prisma engines cannot be downloaded), so its Prisma client is replaced by a small
adapter that runs the same reads as SQL: `find_many` / `count` with Prisma's `where` filters on the table a model maps
to, and `query_raw` as given. First the database gets what LiteLLM's `prisma db push` would add (the columns of its
schema that our tables lack, with their defaults), as a rollback does. Prints LiteLLM's two answers as JSON.
"""
import asyncio
import json
import re
import sys

import psycopg
from psycopg.rows import dict_row

from litellm.proxy.management_endpoints.common_daily_activity import get_daily_activity

SQL_TYPES = {"String": "TEXT", "Int": "INTEGER", "BigInt": "BIGINT", "Float": "DOUBLE PRECISION",
             "Boolean": "BOOLEAN", "DateTime": "TIMESTAMP(3)", "Json": "JSONB"}


def models(schema):
    """{prisma accessor (lowercased model name): (table, {field: column}, [(column, sql type, default)])}."""
    found = {}
    for name, body in re.findall(r"^model (\w+) \{(.*?)^\}", schema, re.M | re.S):
        table, fields, columns = name, {}, []
        for raw in body.splitlines():
            line = raw.split("//")[0].strip()
            if line.startswith("@@map"):
                table = re.search(r'"(.*?)"', line).group(1)
            if not line or line.startswith("@@"):
                continue
            field, kind, *attributes = line.split()
            attributes = " ".join(attributes)
            base = kind.rstrip("?").removesuffix("[]")
            if base not in SQL_TYPES or "@relation" in attributes:
                continue
            mapped = re.search(r'@map\("(.*?)"\)', attributes)
            fields[field] = mapped.group(1) if mapped else field
            sql = SQL_TYPES[base] + ("[]" if kind.endswith("[]") else "")
            default = re.search(r"@default\(([^()]*(?:\([^()]*\))?)\)", attributes)
            value = default.group(1) if default else None
            literal = {"now()": "CURRENT_TIMESTAMP", "true": "true", "false": "false"}.get(value or "", value)
            if value is not None and value.startswith(("uuid(", "cuid(", "autoincrement(", "dbgenerated(")):
                literal = None
            if literal is not None and literal.startswith('"'):
                literal = "'" + literal[1:-1].replace("'", "''") + "'"
            elif literal is not None and re.fullmatch(r"[A-Za-z_]\w*", literal) and literal not in ("true", "false"):
                literal = f"'{literal}'"  # an enum's value
            if kind.endswith("[]") and literal in (None, "[]"):
                literal = "ARRAY[]::" + sql
            columns.append((fields[field], sql, literal))
        found[name.lower()] = (table, fields, columns)
    return found


class Row:
    """A Prisma model instance: its fields as attributes."""

    def __init__(self, values, fields):
        for field, column in fields.items():
            setattr(self, field, values.get(column))

    def model_dump(self):
        return dict(vars(self))


class Table:
    def __init__(self, connection, table, fields):
        self.connection, self.table, self.fields = connection, table, fields

    def condition(self, where, params):
        parts = []
        for key, value in (where or {}).items():
            if key in ("AND", "OR"):
                inner = [self.condition(item, params) for item in value]
                parts.append("(" + (" AND " if key == "AND" else " OR ").join(inner or ["TRUE"]) + ")")
            elif key == "NOT":
                parts.append("NOT " + self.condition(value, params))
            else:
                parts.append(self.field(f'"{self.fields.get(key, key)}"', value, params))
        return "(" + " AND ".join(parts or ["TRUE"]) + ")"

    def field(self, column, value, params):
        if value is None:
            return f"{column} IS NULL"
        if not isinstance(value, dict):
            params.append(value)
            return f"{column} = %s"
        parts = []
        for op, operand in value.items():
            if op == "in":
                params.append(list(operand))
                parts.append(f"{column} = ANY(%s)")
            elif op == "not":
                inner = self.field(column, operand, params)
                parts.append(f"NOT ({inner})" if isinstance(operand, dict) or operand is None else
                             f"({column} IS NULL OR NOT ({inner}))")
            else:
                symbol = {"equals": "=", "gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}[op]
                params.append(operand)
                parts.append(f"{column} {symbol} %s")
        return "(" + " AND ".join(parts) + ")"

    async def find_many(self, where=None, skip=None, take=None, order=None, **_):
        params = []
        sql = f'SELECT * FROM "{self.table}" WHERE {self.condition(where, params)}'
        orders = [order] if isinstance(order, dict) else list(order or ())
        terms = [f'"{self.fields.get(k, k)}" {d.upper()}' for item in orders for k, d in item.items()]
        sql += (" ORDER BY " + ", ".join(terms) if terms else "") + (f" LIMIT {int(take)}" if take else "")
        sql += f" OFFSET {int(skip)}" if skip else ""
        async with self.connection.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(sql, params)
            return [Row(values, self.fields) for values in await cursor.fetchall()]

    async def find_first(self, where=None, **kwargs):
        rows = await self.find_many(where=where, take=1, **kwargs)
        return rows[0] if rows else None

    find_unique = find_first

    async def count(self, where=None, **_):
        params = []
        async with self.connection.cursor() as cursor:
            await cursor.execute(f'SELECT count(*) FROM "{self.table}" WHERE {self.condition(where, params)}', params)
            return (await cursor.fetchone())[0]


class Database:
    def __init__(self, connection, schema):
        self.connection, self.models = connection, schema

    def __getattr__(self, name):
        if name not in self.models:
            raise AttributeError(name)
        table, fields, _ = self.models[name]
        return Table(self.connection, table, fields)

    async def query_raw(self, sql, *values):
        async with self.connection.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(re.sub(r"\$(\d+)", r"%(p\1)s", sql.replace("%", "%%")),
                                 {f"p{i + 1}": v for i, v in enumerate(values)})
            return await cursor.fetchall()


class PrismaClient:
    def __init__(self, connection, schema):
        self.db = Database(connection, schema)


async def main(url, schema_path, start, end, user_id, team_id):
    schema = models(open(schema_path).read())
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        # What LiteLLM's push adds to the tables it reads here: the columns ours lack, with its defaults.
        for accessor in ("litellm_dailyuserspend", "litellm_dailyteamspend", "litellm_verificationtoken",
                         "litellm_usertable"):
            table, _, columns = schema[accessor]
            for column, sql, default in columns:
                suffix = f" DEFAULT {default}" if default is not None else ""
                await connection.execute(f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS "{column}" {sql}{suffix}')
        client = PrismaClient(connection, schema)
        answers = {}
        for name, table, field, entity in (("user", "litellm_dailyuserspend", "user_id", user_id),
                                           ("team", "litellm_dailyteamspend", "team_id", team_id)):
            response = await get_daily_activity(
                prisma_client=client, table_name=table, entity_id_field=field, entity_id=entity,
                entity_metadata_field=None, start_date=start, end_date=end, model=None, api_key=None,
                page=1, page_size=50)
            answers[name] = json.loads(response.model_dump_json())
    print(json.dumps(answers))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
