"""Reading one landing file as exported: header, dialect quirks, DuckDB relation, staging.

The header of a CSV is parsed with Python's csv module (not DuckDB's sniffer, which misreads a
header longer than its rows as a one-column file and rejects quoted JSON it cannot sniff), then
DuckDB reads the rows with that header, every value as text, so nothing is reinterpreted:

- exact duplicate header names are refused (a second ``Cost`` would be renamed and ignored);
- names differing only in case are kept distinctly: DuckDB cannot hold both, so the later one
  is read as ``<name>~<n>`` and the rename is noted in the run report;
- rows shorter than the header are padded with nulls and noted (legacy CUR files whose header
  names one more column than the rows carry: the empty trailing column is named);
- mixed CR/LF line endings are normalised in a work-dir copy, the landing file is never touched;
- Python-literal lists/dicts (GCP flattened CSV ``credits``/``labels``) become JSON through
  ``ast.literal_eval`` and the json library, never through string replacement.
"""

from __future__ import annotations

import ast
import csv
import gzip
import io
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from duckdb.func import FunctionNullHandling

from ingest.sql import literal
from ingest.variants import Variant, q

CSV_SUFFIXES = (".csv", ".csv.gz")
JSON_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_SAMPLE_ROWS = 200
_SAMPLE_BYTES = 1 << 20
_MAX_HEADER_BYTES = 4 << 20
_MAX_COLUMNS = 5000


class ReadError(Exception):
    """The file cannot be read as an export; the message names the problem (no content dump)."""


@dataclass
class Opened:
    """A file ready for DuckDB: the SQL relation, its columns and what reading had to note."""

    relation: str
    columns: list[str]
    notes: list[str] = field(default_factory=list)


def _text_stream(path: Path, rel: str) -> io.TextIOWrapper:
    raw = gzip.open(path, "rb") if rel.lower().endswith(".gz") else path.open("rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def read_csv_header(path: Path, rel: str) -> tuple[list[str], list[int]]:
    """Header names and the field counts of the first data rows."""
    try:
        with _text_stream(path, rel) as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            widths = []
            for row in reader:
                widths.append(len(row))
                if len(widths) >= _SAMPLE_ROWS:
                    break
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise ReadError(f"not a valid gzip file ({type(exc).__name__}: {exc})"[:200]) from exc
    except csv.Error as exc:
        raise ReadError(f"CSV header cannot be parsed: {exc}"[:200]) from exc
    if not header or all(not h.strip() for h in header):
        raise ReadError("empty file: no header line")
    if len(header) > _MAX_COLUMNS:
        raise ReadError(f"header has {len(header)} columns (more than {_MAX_COLUMNS})")
    if sum(len(h) for h in header) > _MAX_HEADER_BYTES:
        raise ReadError("header line is too long")
    return [h.strip() for h in header], widths


def check_header(header: list[str]) -> tuple[list[str], list[str]]:
    """(DuckDB-safe column names, notes). Exact duplicates and empty names are refused."""
    seen: dict[str, int] = {}
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        shown = ", ".join(repr(d) for d in dupes[:5])
        raise ReadError(f"duplicate column name(s) in the header: {shown}")
    if any(not h for h in header):
        raise ReadError(f"empty column name at position {header.index('') + 1} of the header")
    names: list[str] = []
    notes: list[str] = []
    for h in header:
        n = seen.get(h.lower(), 0)
        seen[h.lower()] = n + 1
        if n:
            names.append(f"{h}~{n + 1}")
            notes.append(f"column {h!r} differs from another only in case: kept as {h}~{n + 1}")
        else:
            names.append(h)
    return names, notes


def _mixed_line_endings(path: Path, rel: str) -> bool:
    opener = gzip.open if rel.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            sample = fh.read(_SAMPLE_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise ReadError(f"not a valid gzip file ({type(exc).__name__})") from exc
    crlf = sample.count(b"\r\n")
    return 0 < crlf < sample.count(b"\n")


def _normalise_line_endings(path: Path, rel: str, work: Path) -> Path:
    """A copy with every CRLF as LF (streamed; the landing file is never modified)."""
    out = work / (path.name.removesuffix(".gz") + ".lf.csv")
    opener = gzip.open if rel.lower().endswith(".gz") else open
    with opener(path, "rb") as src, out.open("wb") as dst:
        carry = b""
        while chunk := src.read(_SAMPLE_BYTES):
            chunk = carry + chunk
            carry = b"\r" if chunk.endswith(b"\r") else b""
            if carry:
                chunk = chunk[:-1]
            dst.write(chunk.replace(b"\r\n", b"\n"))
        dst.write(carry)
    return out


def open_file(con: duckdb.DuckDBPyConnection, local: Path, rel: str, work: Path) -> Opened:
    """The file as a DuckDB relation (CSV as text), or ReadError naming the problem."""
    low = rel.lower()
    if low.endswith(".parquet"):
        relation = f"read_parquet({literal(str(local))})"
        return Opened(relation, _describe(con, relation))
    if low.endswith(CSV_SUFFIXES):
        header, widths = read_csv_header(local, rel)
        names, notes = check_header(header)
        path, comp = local, "gzip" if low.endswith(".gz") else "none"
        if _mixed_line_endings(local, rel):
            path, comp = _normalise_line_endings(local, rel, work), "none"
            notes.append("mixed CRLF/LF line endings normalised")
        padding = "false"
        short = [w for w in widths if 0 < w < len(header)]
        if short:
            padding = "true"
            missing = names[min(short) :]
            shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
            notes.append(
                f"header names {len(header)} columns but {len(short)} of the first "
                f"{len(widths)} rows carry {min(short)}: padded with nulls ({shown} empty)"
            )
        if any(w > len(header) for w in widths):
            raise ReadError(
                f"rows carry more fields than the header's {len(header)} columns "
                "(a header line is missing or the delimiter is not a comma)"
            )
        name_list = "[" + ", ".join(literal(n) for n in names) + "]"
        relation = (
            f"read_csv({literal(str(path))}, header=true, names={name_list}, all_varchar=true, "
            f"delim=',', quote='\"', escape='\"', strict_mode=true, null_padding={padding}, "
            f"compression='{comp}', max_line_size=16777216)"
        )
        return Opened(relation, _describe(con, relation), notes)
    comp = "gzip" if low.endswith(".gz") else "none"
    relation = (
        f"read_json({literal(str(local))}, format='newline_delimited', compression='{comp}',"
        " sample_size=-1)"
    )
    return Opened(relation, _describe(con, relation))


def _describe(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    # relation: built above from literal()-quoted paths and names
    return [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]  # noqa: S608


def python_literal_to_json(text: str | None) -> str | None:
    """``[{'key': "o'neil", 'value': None}]`` -> JSON text; JSON input passes through."""
    if text is None or not text.strip():
        return text
    try:
        return json.dumps(json.loads(text))
    except ValueError:
        pass
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return json.dumps(value, default=str)


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    con.create_function(
        "sibyl_pyliteral_json",
        python_literal_to_json,
        ["VARCHAR"],
        "VARCHAR",
        null_handling=FunctionNullHandling.SPECIAL,
        side_effects=False,
    )


_GCP_TS = ("usage_start_time", "usage_end_time", "export_time")


def stage(
    con: duckdb.DuckDBPyConnection, opened: Opened, rel: str, variant: Variant, out: Path
) -> None:
    """Materialise the file as Parquet in the work dir (CSV/JSON; parquet is read in place)."""
    cols = opened.columns
    fixes = []
    if rel.lower().endswith(JSON_SUFFIXES):
        # BigQuery writes TIMESTAMP as 'YYYY-MM-DD HH:MM:SS UTC' in JSON: make them timestamps
        fixes += [
            f"coalesce(try_strptime(cast({q(c)} as varchar), '%Y-%m-%d %H:%M:%S UTC'),"
            f" try_cast(cast({q(c)} as varchar) as timestamptz)) as {q(c)}"
            for c in _GCP_TS
            if c in cols
        ]
    if rel.lower().endswith(CSV_SUFFIXES):
        fixes += [
            f"sibyl_pyliteral_json({q(c)}) as {q(c)}"
            for c in variant.json_literal_columns
            if c in cols
        ]
    select = f"* replace ({', '.join(fixes)})" if fixes else "*"
    # relation: open_file's SQL (literal()-quoted); column names quoted by q()
    con.execute(
        f"copy (select {select} from {opened.relation}) to {literal(str(out))} (format parquet, compression zstd)"  # noqa: S608
    )
