#!/usr/bin/env python3
"""Reads every table of a mez store with four engines and compares them with mez's export.

    python pipelines/interop/parquet_engines.py STORE_DIR EXPORTS_DIR

EXPORTS_DIR holds `<hex>.jsonl`, `mez export --format jsonl` of each table (mez's own
reading). Each Parquet blob of the store is read by pyarrow, polars, DuckDB and Apache
Spark (local mode); for every table, every engine must see the same number of rows, every
column as the same kind of value (integer, text, date, timestamp, decimal, boolean, list —
never a date as a number or a text as bytes), and the same values, row by row, as mez's
export. (Spark has no unsigned integers: it reads them as wider signed ones, the same kind
and the same values.) Prints a JSON report; exits 1 when any table disagrees.
"""
import datetime
import decimal
import json
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq


def kind_of_arrow(t):
    if pa.types.is_dictionary(t):
        return kind_of_arrow(t.value_type)
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "text"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_decimal(t):
        return "decimal"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return "list<" + kind_of_arrow(t.value_type) + ">"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_binary(t):
        return "binary"
    return str(t)


def kind_of_polars(t):
    if t.is_integer():
        return "integer"
    if t in (pl.Utf8, pl.String, pl.Categorical):
        return "text"
    if t == pl.Date:
        return "date"
    if isinstance(t, pl.Datetime):
        return "timestamp"
    if isinstance(t, pl.Decimal):
        return "decimal"
    if t == pl.Boolean:
        return "boolean"
    if isinstance(t, pl.List):
        return "list<" + kind_of_polars(t.inner) + ">"
    if t.is_float():
        return "float"
    return str(t)


def kind_of_sql(t):
    t = t.upper()
    if t.endswith("[]"):
        return "list<" + kind_of_sql(t[:-2]) + ">"
    if t.startswith("ARRAY<"):
        return "list<" + kind_of_sql(t[6:-1]) + ">"
    if t.startswith("DECIMAL") and t.endswith(",0)") and t in ("DECIMAL(20,0)",):
        return "integer"  # Spark's reading of an unsigned 64-bit integer
    for prefix, kind in (
        ("TINYINT", "integer"), ("SMALLINT", "integer"), ("INTEGER", "integer"),
        ("BIGINT", "integer"), ("UTINYINT", "integer"), ("USMALLINT", "integer"),
        ("UINTEGER", "integer"), ("UBIGINT", "integer"), ("HUGEINT", "integer"),
        ("INT", "integer"), ("LONG", "integer"), ("SHORT", "integer"), ("BYTE", "integer"),
        ("VARCHAR", "text"), ("STRING", "text"), ("DATE", "date"),
        ("TIMESTAMP", "timestamp"), ("DECIMAL", "decimal"), ("BOOLEAN", "boolean"),
        ("DOUBLE", "float"), ("FLOAT", "float"), ("BLOB", "binary"), ("BINARY", "binary"),
    ):
        if t.startswith(prefix):
            return kind
    return t


def plain(v):
    """A value as mez's JSON-lines export writes it."""
    if isinstance(v, (datetime.datetime,)):
        return v.isoformat()
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else str(v)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if hasattr(v, "tolist"):
        return plain(v.tolist())
    return v


def expected_rows(path, columns):
    rows = []
    for line in path.read_text().splitlines():
        row = json.loads(line)
        rows.append([row.get(c) for c in columns])
    return rows


def main(store, exports):
    store, exports = Path(store), Path(exports)
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    report = {"tables": 0, "rows": 0, "failures": []}
    for export in sorted(exports.glob("*.jsonl")):
        blob = store / "blobs" / "sha256" / export.stem
        name = export.stem[:12]
        table = pq.read_table(blob)
        columns = table.column_names
        kinds = [kind_of_arrow(f.type) for f in table.schema]
        want = expected_rows(export, columns)
        seen = {"pyarrow": (kinds, [[plain(v) for v in r.values()] for r in table.to_pylist()])}
        frame = pl.read_parquet(blob)
        seen["polars"] = (
            [kind_of_polars(t) for t in frame.dtypes],
            [[plain(v) for v in r] for r in frame.rows()],
        )
        con = duckdb.connect()
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{blob}')").fetchall()
        seen["duckdb"] = (
            [kind_of_sql(r[1]) for r in described],
            [[plain(v) for v in r] for r in con.execute(f"SELECT * FROM read_parquet('{blob}')").fetchall()],
        )
        con.close()
        df = spark.read.parquet(str(blob))
        seen["spark"] = (
            [kind_of_sql(f.dataType.simpleString()) for f in df.schema.fields],
            [[plain(v) for v in r] for r in df.collect()],
        )
        for engine, (engine_kinds, rows) in seen.items():
            if engine_kinds != kinds:
                report["failures"].append(f"{name}: {engine} sees kinds {engine_kinds}, pyarrow {kinds}")
            if len(rows) != len(want):
                report["failures"].append(f"{name}: {engine} reads {len(rows)} rows, mez exports {len(want)}")
            elif rows != want:
                at = next(i for i, (a, b) in enumerate(zip(rows, want)) if a != b)
                report["failures"].append(f"{name}: {engine} row {at}: {rows[at]} != {want[at]}")
        report["tables"] += 1
        report["rows"] += len(want)
    spark.stop()
    print(json.dumps(report, indent=2, sort_keys=True))
    return 0 if not report["failures"] and report["tables"] else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
