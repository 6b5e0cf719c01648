// Parquet read back by two independent readers, for the parquet_*.test.mjs suites: DuckDB
// (read_parquet and its footer views parquet_metadata / parquet_file_metadata) and
// hyparquet (a pure-JavaScript reader from npm, pinned in package.json), told to keep every
// value exact.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';

import { s3dest, sqlList, sqlString } from './lib.mjs';

let hyparquet;
try {
  hyparquet = await import('hyparquet');
} catch (error) {
  throw new Error(`hyparquet is missing: run \`npm ci\` in tests/e2e (${error.message})`);
}

// Codecs: config value, the name DuckDB's parquet_metadata gives it.
export const CODECS = { snappy: 'SNAPPY', gzip: 'GZIP', none: 'UNCOMPRESSED' };

// ---------------------------------------------------------------------------------------
// hyparquet, told to keep every value exact.
//
// Its defaults would not do for an exact comparison: dates and timestamps come back as JS
// Dates (milliseconds: microseconds lost), DECIMAL columns as JS numbers
// (Number(unscaled) / 10 ** scale: a 38-digit decimal loses its last 22 digits), and
// TextDecoder drops a leading U+FEFF from strings. So: dates as day numbers, timestamps as
// BigInt microseconds, strings decoded keeping a BOM, and `utf8: false` so a BYTE_ARRAY
// without the STRING annotation comes back as bytes (binary columns, and every string
// column under use_binary_strings) rather than being decoded anyway. Decimals have no
// parser hook, so they are read at the raw level: hyparquet is handed the file's own
// footer (as it parsed it) with the DECIMAL annotation taken off those columns, and
// returns the stored unscaled integer (INT32 as a number, INT64 as a BigInt,
// FIXED_LEN_BYTE_ARRAY as big-endian two's complement bytes); the scale applied here is
// the one from that same footer.
const KEEP_BOM = new TextDecoder('utf-8', { ignoreBOM: true });
const EXACT_PARSERS = {
  dateFromDays: (days) => days,
  timestampFromMicroseconds: (micros) => micros,
  stringFromBytes: (bytes) => bytes && KEEP_BOM.decode(bytes),
};
// hyparquet decodes snappy itself; gzip through node's zlib (what hyparquet-compressors does).
const COMPRESSORS = { GZIP: (input) => new Uint8Array(zlib.gunzipSync(input)) };

function decimalOf(element) {
  const lt = element.logical_type;
  if (lt?.type === 'DECIMAL') return { precision: lt.precision, scale: lt.scale };
  if (element.converted_type === 'DECIMAL') return { precision: element.precision, scale: element.scale ?? 0 };
  return null;
}

// Exact decimal text of an unscaled integer (BigInt) at `scale`: "-0.01", "12.50", "0".
function decimalText(unscaled, scale) {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

function unscaledOf(raw) {
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number') return BigInt(raw);
  let value = 0n;
  for (const byte of raw) value = (value << 8n) | BigInt(byte);
  return raw.length && raw[0] & 0x80 ? value - (1n << BigInt(8 * raw.length)) : value;
}

// The footer and every row of a file, as hyparquet reads them, with decimals as their
// exact text.
export async function hyparquetRead(file, { rowStart, rowEnd } = {}) {
  const bytes = fs.readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = hyparquet.parquetMetadata(buffer, { parsers: EXACT_PARSERS });
  const plain = structuredClone(metadata);
  const decimals = new Map();
  for (const element of plain.schema) {
    const decimal = decimalOf(element);
    if (!decimal) continue;
    decimals.set(element.name, decimal.scale);
    delete element.converted_type;
    delete element.logical_type;
  }
  const rows = await hyparquet.parquetReadObjects({
    file: buffer,
    metadata: plain,
    utf8: false,
    parsers: EXACT_PARSERS,
    compressors: COMPRESSORS,
    rowStart,
    rowEnd,
  });
  for (const row of rows)
    for (const [name, scale] of decimals) if (row[name] != null) row[name] = decimalText(unscaledOf(row[name]), scale);
  const want = (rowEnd ?? Number(metadata.num_rows)) - (rowStart ?? 0);
  assert.equal(rows.length, want, `${file}: hyparquet read ${rows.length} rows, not ${want}`);
  return { metadata, rows };
}

// "OPTIONAL INT64 TIMESTAMP(UTC, MICROS)": a column's repetition, physical type and
// annotation, from the footer as hyparquet parsed it. The legacy converted_type and the
// newer logical_type are read separately; a writer that gives both must make them agree.
function columnShape(element) {
  const fromLogical = (lt) => {
    if (!lt) return undefined;
    if (lt.type === 'STRING') return 'STRING';
    if (lt.type === 'DATE') return 'DATE';
    if (lt.type === 'TIMESTAMP') return `TIMESTAMP(${lt.isAdjustedToUTC ? 'UTC' : 'local'}, ${lt.unit})`;
    if (lt.type === 'DECIMAL') return `DECIMAL(${lt.precision},${lt.scale})`;
    if (lt.type === 'INTEGER')
      return lt.isSigned && (lt.bitWidth === 32 || lt.bitWidth === 64) ? '' : `INTEGER(${lt.bitWidth}, unsigned)`;
    return JSON.stringify(lt);
  };
  const fromConverted = (ct) => {
    if (!ct) return undefined;
    if (ct === 'UTF8') return 'STRING';
    if (ct === 'DATE') return 'DATE';
    if (ct === 'TIMESTAMP_MICROS') return 'TIMESTAMP(UTC, MICROS)';
    if (ct === 'DECIMAL') return `DECIMAL(${element.precision},${element.scale ?? 0})`;
    if (ct === 'INT_32' || ct === 'INT_64') return '';
    return ct;
  };
  const logical = fromLogical(element.logical_type);
  const converted = fromConverted(element.converted_type);
  let annotation = logical ?? converted ?? '';
  if (logical !== undefined && converted !== undefined && logical !== converted)
    annotation = `${logical} but converted_type ${element.converted_type}`;
  return [element.repetition_type, element.type, annotation].filter(Boolean).join(' ');
}

export function assertFooterShapes(file, metadata, want) {
  const [root, ...columns] = metadata.schema;
  assert.equal(root.num_children, columns.length, `${file}: the root has ${root.num_children} children`);
  const got = Object.fromEntries(columns.map((e) => [e.name, columnShape(e)]));
  assert.deepEqual(got, want, `${file}: column types in the footer`);
  assert.deepEqual(Object.keys(got), Object.keys(want), `${file}: columns in schema order`);
  // A FIXED_LEN_BYTE_ARRAY decimal takes the fewest bytes that hold `precision` digits
  // in two's complement (16 for 38 digits).
  for (const e of columns) {
    if (e.type !== 'FIXED_LEN_BYTE_ARRAY') continue;
    const precision = decimalOf(e)?.precision;
    let bytes = 1;
    while (1n << BigInt(8 * bytes - 1) <= 10n ** BigInt(precision) - 1n) ++bytes;
    assert.equal(e.type_length, bytes, `${file}: ${e.name}, DECIMAL(${precision}) in FIXED_LEN_BYTE_ARRAY(${e.type_length})`);
  }
}

// ---------------------------------------------------------------------------------------
// DuckDB's view of the footer.

// Every column chunk's statistics (min/max: the exact min_value/max_value, or the
// deprecated min/max when only those are written; null_count; num_values) against what
// DuckDB computes from the rows of that row group. Compared as values of the column's type,
// so -0.0 and 0.0 are equal (the spec lets a writer give either sign for a zero bound).
// A bound marked inexact (is_min_value_exact false, allowed for long strings) need only
// hold: min <= the true min, max >= the true max. Strings and binary may have no min/max at
// all when the true min or max is longer than 64 bytes (the spec makes statistics optional;
// DuckDB's own writer leaves them out for very long strings, s3dest past 1 KB).
export async function assertStatistics(db, files) {
  const list = sqlList(files);
  const types = await db.all(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${list}))`);
  await db.run(`CREATE OR REPLACE TEMP TABLE pq_meta AS SELECT * FROM parquet_metadata(${list})`);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE pq_groups AS SELECT file_name, row_group_id, n, ` +
      `sum(n) OVER (PARTITION BY file_name ORDER BY row_group_id) - n AS first_row ` +
      `FROM (SELECT DISTINCT file_name, row_group_id, row_group_num_rows AS n FROM pq_meta)`,
  );
  const q = (name) => `"${name.replaceAll('"', '""')}"`;
  const aggregates = types
    .map(
      ({ column_name: c }, i) =>
        `min(t.${q(c)}) AS min_${i}, max(t.${q(c)}) AS max_${i}, count(*) - count(t.${q(c)}) AS nulls_${i}`,
    )
    .join(', ');
  await db.run(
    `CREATE OR REPLACE TEMP TABLE pq_actual AS SELECT g.file_name, g.row_group_id, count(*) AS rows, ${aggregates} ` +
      `FROM read_parquet(${list}, filename=true, file_row_number=true) t JOIN pq_groups g ` +
      `ON t.filename = g.file_name AND t.file_row_number >= g.first_row AND t.file_row_number < g.first_row + g.n ` +
      `GROUP BY g.file_name, g.row_group_id`,
  );
  const [{ groups }] = await db.all('SELECT count(*) AS groups FROM pq_groups');
  const [{ counted }] = await db.all('SELECT count(*) AS counted FROM pq_actual');
  assert.equal(counted, groups, 'every row group holds rows DuckDB reads (row_group_num_rows against the rows)');

  const checks = types.map(({ column_name: c, column_type: type }, i) => {
    const long = (actual) =>
      type === 'VARCHAR' ? `strlen(${actual}) > 64` : type === 'BLOB' ? `octet_length(${actual}) > 64` : 'false';
    const bound = (footer, actual, exact, op) =>
      `((${footer} IS NULL AND ${actual} IS NULL) OR ` +
      `coalesce(TRY_CAST(${footer} AS ${type}) = ${actual}, false) OR ` +
      `coalesce(${exact} = false AND TRY_CAST(${footer} AS ${type}) ${op} ${actual}, false))`;
    const min = 'coalesce(m.stats_min_value, m.stats_min)';
    const max = 'coalesce(m.stats_max_value, m.stats_max)';
    return (
      `SELECT m.file_name AS file, m.row_group_id AS row_group, m.path_in_schema AS column_name, ` +
      `${min} AS footer_min, a.min_${i}::VARCHAR AS rows_min, ${max} AS footer_max, a.max_${i}::VARCHAR AS rows_max, ` +
      `m.stats_null_count AS footer_nulls, a.nulls_${i} AS rows_nulls, m.num_values AS footer_values, a.rows AS rows ` +
      `FROM pq_meta m JOIN pq_actual a USING (file_name, row_group_id) ` +
      `WHERE m.path_in_schema = ${sqlString(c)} AND NOT (` +
      `((${bound(min, `a.min_${i}`, 'm.min_is_exact', '<=')} AND ` +
      `${bound(max, `a.max_${i}`, 'm.max_is_exact', '>=')}) OR ` +
      `(${min} IS NULL AND ${max} IS NULL AND coalesce(${long(`a.min_${i}`)} OR ${long(`a.max_${i}`)}, false))) AND ` +
      `m.stats_null_count IS NOT DISTINCT FROM a.nulls_${i} AND coalesce(m.num_values = a.rows, false))`
    );
  });
  const wrong = await db.all(
    `SELECT * FROM (${checks.join(' UNION ALL ')}) ORDER BY file, row_group, column_name LIMIT 20`,
  );
  const clip = (v) => (typeof v === 'string' && v.length > 80 ? v.slice(0, 80) + '...' : v);
  assert.deepEqual(
    wrong.map((w) => Object.fromEntries(Object.entries(w).map(([k, v]) => [k, clip(v)]))),
    [],
    'column chunk statistics differ from what the rows hold',
  );
  const [{ chunks }] = await db.all('SELECT count(*) AS chunks FROM pq_meta');
  assert.equal(Number(chunks), Number(groups) * types.length, 'one column chunk per column in every row group');
}

export async function assertCodec(db, files, codec) {
  const got = await db.all(`SELECT DISTINCT compression FROM parquet_metadata(${sqlList(files)})`);
  assert.deepEqual(
    got.map((r) => r.compression),
    [CODECS[codec]],
    `parquet_compression ${codec}: codecs in the footers`,
  );
}

// created_by: "s3dest version 0.1.0 (build <git hash or unknown>)", the version `s3dest
// version` prints.
export async function assertCreatedBy(db, files) {
  const version = /^s3dest (\S+)/.exec(s3dest(['version']).stdout)?.[1];
  assert.ok(version, '`s3dest version` prints its version');
  const got = await db.all(`SELECT DISTINCT created_by FROM parquet_file_metadata(${sqlList(files)})`);
  assert.equal(got.length, 1, `one created_by: ${JSON.stringify(got)}`);
  const want = new RegExp(`^s3dest version ${version.replaceAll('.', '\\.')} \\(build ([0-9a-f]{7,40}|unknown)\\)$`);
  assert.match(got[0].created_by, want);
}

// DuckDB's DESCRIBE of the files: column name -> type.
export async function duckTypes(db, files) {
  const rows = await db.all(`DESCRIBE SELECT * FROM read_parquet(${sqlList(files)})`);
  return Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
}

// "YYYY-MM-DD" of a day number since 1970-01-01 (years 1 to 9999).
export const dayText = (days) => new Date(days * 86_400_000).toISOString().slice(0, 10);

// A double as text, keeping the sign of -0.
export const doubleText = (v) => (Object.is(v, -0) ? '-0' : String(v));
