// file_format parquet, read back by two independent readers: DuckDB (read_parquet and its
// footer views parquet_metadata / parquet_file_metadata) and hyparquet (a pure-JavaScript
// reader from npm, pinned in package.json).
//
// 1. 1,000,000 sample rows by day and account with the default codec (snappy), and 50,000
//    with gzip and with none: DuckDB reads back the input row for row; hyparquet too,
//    against the NDJSON as parsed here (of the million, one account's 200,000 rows). The
//    million again as one uncompressed stream: several row groups in one file.
// 2. The edge-case set (nulls everywhere, empty and very long strings, unicode, int64 and
//    int32 extremes, dates before 1970, microsecond timestamps, decimals of 5, 15, 20 and
//    38 digits, binary) in every codec, with use_binary_strings off and on: every value, by
//    both readers. Then the writer's own turning points: a dictionary outgrowing its limit
//    mid-chunk, and a row group with more values than one data page takes.
// 3. Types: DuckDB's DESCRIBE, and the footer's physical type, annotation and repetition as
//    hyparquet parses them.
// 4. Every column chunk's min/max/null count equals what DuckDB computes from the rows
//    (every file above); created_by names s3dest; the codec is the one configured.
// 5. max_file_size_mb 1 in every codec: no file over, chunks at least 80% full, no row lost;
//    a row bigger than the cap is refused and nothing is left behind.
//
// About 30 s on 2 cores.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';

import {
  SAMPLE_COLUMNS,
  SAMPLE_SCHEMA,
  assertSameRows,
  cleanup,
  dayAccountConfig,
  duck,
  listFiles,
  loadOk,
  loadSampleInput,
  s3dest,
  sample,
  sqlList,
  sqlString,
  tempDir,
  writeConfig,
  writeJson,
} from './lib.mjs';

let hyparquet;
try {
  hyparquet = await import('hyparquet');
} catch (error) {
  throw new Error(`hyparquet is missing: run \`npm ci\` in tests/e2e (${error.message})`);
}

// ---------------------------------------------------------------------------------------
// Codecs: config value, the name DuckDB's parquet_metadata gives it.

const CODECS = { snappy: 'SNAPPY', gzip: 'GZIP', none: 'UNCOMPRESSED' };

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
async function hyparquetRead(file, { rowStart, rowEnd } = {}) {
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

function assertFooterShapes(file, metadata, want) {
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
async function assertStatistics(db, files) {
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

async function assertCodec(db, files, codec) {
  const got = await db.all(`SELECT DISTINCT compression FROM parquet_metadata(${sqlList(files)})`);
  assert.deepEqual(
    got.map((r) => r.compression),
    [CODECS[codec]],
    `parquet_compression ${codec}: codecs in the footers`,
  );
}

// created_by: "s3dest version 0.1.0 (build <git hash or unknown>)", the version `s3dest
// version` prints.
async function assertCreatedBy(db, files) {
  const version = /^s3dest (\S+)/.exec(s3dest(['version']).stdout)?.[1];
  assert.ok(version, '`s3dest version` prints its version');
  const got = await db.all(`SELECT DISTINCT created_by FROM parquet_file_metadata(${sqlList(files)})`);
  assert.equal(got.length, 1, `one created_by: ${JSON.stringify(got)}`);
  const want = new RegExp(`^s3dest version ${version.replaceAll('.', '\\.')} \\(build ([0-9a-f]{7,40}|unknown)\\)$`);
  assert.match(got[0].created_by, want);
}

async function describe(db, files) {
  const rows = await db.all(`DESCRIBE SELECT * FROM read_parquet(${sqlList(files)})`);
  return Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
}

// ---------------------------------------------------------------------------------------
// Small shared pieces.

// Microseconds since 1970 of "YYYY-MM-DDTHH:MM:SS[.f]Z" (string), computed without DuckDB.
function epochMicros(text) {
  if (text === null || text === undefined) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$/.exec(text);
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  return (BigInt(d.getTime()) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0'))).toString();
}

// "YYYY-MM-DD" of a day number since 1970-01-01 (years 1 to 9999).
const dayText = (days) => new Date(days * 86_400_000).toISOString().slice(0, 10);

const doubleText = (v) => (Object.is(v, -0) ? '-0' : String(v));

const parquetFiles = (dest) => listFiles(dest).map((f) => path.join(dest, f));

// ---------------------------------------------------------------------------------------

let dir, db;

before(async () => {
  dir = tempDir('s3dest-parquet-');
  db = await duck();
});

after(() => {
  db?.close();
  cleanup(dir);
});

// ---------------------------------------------------------------------------------------
// 1. Sample rows: DuckDB reads back the input row for row.

// The sample's columns as DuckDB reads them from parquet: timestamps are UTC instants.
const SAMPLE_PARQUET_COLUMNS = { ...SAMPLE_COLUMNS, updated_at: 'TIMESTAMP WITH TIME ZONE' };
const SAMPLE_SHAPES = {
  date: 'OPTIONAL INT32 DATE',
  account: 'OPTIONAL BYTE_ARRAY STRING',
  campaign: 'OPTIONAL BYTE_ARRAY STRING',
  impressions: 'OPTIONAL INT64',
  clicks: 'OPTIONAL INT64',
  cost: 'OPTIONAL DOUBLE',
  ctr: 'OPTIONAL DOUBLE',
  active: 'OPTIONAL BOOLEAN',
  updated_at: 'OPTIONAL INT64 TIMESTAMP(UTC, MICROS)',
  note: 'OPTIONAL BYTE_ARRAY STRING',
};

// Loads `input` (NDJSON sample rows) as parquet by day and account and checks what DuckDB
// reads: the same rows, each in the file of its day and account, the sample's types, the
// codec, created_by and the statistics. Returns the files.
async function loadSample(work, input, { rows, days, accounts, config = {}, schema = true }) {
  const dest = path.join(work, 'lake');
  const configFile = writeConfig(work, dayAccountConfig({ file_format: 'parquet', ...config }));
  const schemaArgs = schema ? ['--schema', writeJson(path.join(work, 'schema.json'), SAMPLE_SCHEMA)] : [];
  loadOk(['--config', configFile, '--input', input, ...schemaArgs, '--dest', dest]);

  const files = listFiles(dest);
  assert.equal(files.length, days * accounts, `one object per day and account: ${files.slice(0, 5).join(', ')}...`);
  for (const f of files) assert.match(f, /^ws1\/acc\d\/\d{4}\/\d{2}\/\d{2}\/campaigns-\d{8}-00001\.parquet$/, f);
  const paths = files.map((f) => path.join(dest, f));

  await loadSampleInput(db, 'input', input, { ...SAMPLE_COLUMNS, updated_at: 'TIMESTAMPTZ' });
  const [{ n }] = await db.all('SELECT count(*) AS n FROM input');
  assert.equal(n, String(rows));
  assert.deepEqual(await describe(db, paths), SAMPLE_PARQUET_COLUMNS, 'DuckDB DESCRIBE of the files');
  await db.run(`CREATE OR REPLACE TABLE output AS SELECT * FROM read_parquet(${sqlList(paths)}, filename=true)`);
  await assertSameRows(db, 'SELECT * FROM input', 'SELECT * EXCLUDE (filename) FROM output', 'parquet');
  const misplaced = await db.all(
    `SELECT filename, date::VARCHAR AS date, account FROM output WHERE NOT starts_with(filename, ` +
      `${sqlString(dest + '/ws1/')} || account || '/' || strftime(date, '%Y/%m/%d') || ` +
      `'/campaigns-' || strftime(date, '%Y%m%d') || '-') LIMIT 5`,
  );
  assert.deepEqual(misplaced, [], 'rows in a file whose key names another day or account');

  await assertCodec(db, paths, config.parquet_compression ?? 'snappy');
  await assertCreatedBy(db, paths);
  await assertStatistics(db, paths);
  return paths;
}

// The NDJSON rows and hyparquet's rows in one comparable form, as sorted lists of JSON text.
function sampleRowText(r) {
  return JSON.stringify([
    r.date, r.account, r.campaign, r.impressions, r.clicks, r.cost, r.ctr, r.active, r.updated_at, r.note,
  ]);
}

function inputRowTexts(input, keep = () => true) {
  return fs
    .readFileSync(input, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter(keep)
    .map((r) => {
      const or = (v) => (v === undefined ? null : v);
      return sampleRowText({
        date: or(r.date),
        account: or(r.account),
        campaign: or(r.campaign),
        impressions: r.impressions == null ? null : String(r.impressions),
        clicks: r.clicks == null ? null : String(r.clicks),
        cost: r.cost == null ? null : doubleText(r.cost),
        ctr: r.ctr == null ? null : doubleText(r.ctr),
        active: or(r.active),
        updated_at: epochMicros(or(r.updated_at)),
        note: or(r.note),
      });
    })
    .sort();
}

async function hyparquetRowTexts(paths) {
  const out = [];
  for (const p of paths) {
    const { metadata, rows } = await hyparquetRead(p);
    assertFooterShapes(p, metadata, SAMPLE_SHAPES);
    for (const r of rows) out.push(sampleValuesText(r));
  }
  return out.sort();
}

// A sample row as a reader's JS values give it (int64 and timestamp microseconds as
// BigInt, dates as day numbers unless `date` gives the text), in sampleRowText's form.
function sampleValuesText(r, date) {
  const text = (v) => (v == null ? null : String(v));
  return sampleRowText({
    ...r,
    date: date ?? (r.date == null ? null : dayText(r.date)),
    impressions: text(r.impressions),
    clicks: text(r.clicks),
    cost: r.cost == null ? null : doubleText(r.cost),
    ctr: r.ctr == null ? null : doubleText(r.ctr),
    updated_at: text(r.updated_at),
  });
}

function assertSameTexts(got, want, what) {
  assert.equal(got.length, want.length, `${what}: ${got.length} rows read, ${want.length} written`);
  const first = got.findIndex((g, i) => g !== want[i]);
  assert.equal(first, -1, `${what}: first difference (sorted rows): read ${got[first]}, written ${want[first]}`);
}

// The 1,000,000-row input, written once for the two tests that load it.
let millionInput;
const million = () =>
  (millionInput ??= sample(path.join(dir, 'million.ndjson'), { rows: 1_000_000, days: 30, accounts: 5 }));

test('1,000,000 rows as parquet (default codec: snappy), by day and account, read back by DuckDB unchanged', async () => {
  const work = fs.mkdtempSync(path.join(dir, 'million-'));
  try {
    const input = million();
    // No --schema: the types a user gets from inference.
    const paths = await loadSample(work, input, { rows: 1_000_000, days: 30, accounts: 5, schema: false });
    // hyparquet on one account's files (200,000 rows): the footer and every value.
    const acc0 = paths.filter((p) => p.includes('/acc0/'));
    const want = inputRowTexts(input, (r) => r.account === 'acc0');
    assertSameTexts(await hyparquetRowTexts(acc0), want, 'hyparquet, acc0');
  } finally {
    cleanup(work);
  }
});

test('1,000,000 rows as one uncompressed stream: several row groups in one file, read by both readers', async () => {
  const work = fs.mkdtempSync(path.join(dir, 'stream-'));
  try {
    const input = million();
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, {
      folder: '/{{workspace_id}}', file_name: '{{filename}}', file_format: 'parquet', parquet_compression: 'none',
      context: { workspace_id: 'ws1', filename: 'campaigns' },
    });
    loadOk(['--config', config, '--input', input, '--dest', dest]);
    assert.deepEqual(listFiles(dest), ['ws1/campaigns.parquet']);
    const file = path.join(dest, 'ws1', 'campaigns.parquet');

    const [{ row_groups }] = await db.all(
      `SELECT num_row_groups AS row_groups FROM parquet_file_metadata(${sqlString(file)})`,
    );
    assert.ok(Number(row_groups) >= 2, `several row groups in ${fs.statSync(file).size} bytes, not ${row_groups}`);
    await loadSampleInput(db, 'input', input, { ...SAMPLE_COLUMNS, updated_at: 'TIMESTAMPTZ' });
    await assertSameRows(db, 'SELECT * FROM input', `SELECT * FROM read_parquet(${sqlString(file)})`, 'one stream');
    await assertCodec(db, [file], 'none');
    await assertStatistics(db, [file]);

    // hyparquet across the first row group boundary, against DuckDB's rows at the same places.
    const [{ first }] = await db.all(
      `SELECT row_group_num_rows AS first FROM parquet_metadata(${sqlString(file)}) LIMIT 1`,
    );
    const range = { rowStart: Number(first) - 1000, rowEnd: Number(first) + 1000 };
    const { metadata, rows } = await hyparquetRead(file, range);
    assertFooterShapes(file, metadata, SAMPLE_SHAPES);
    const got = rows.map((r) => sampleValuesText(r));
    const duckRows = await db.values(
      `SELECT date::VARCHAR AS date, account, campaign, impressions, clicks, cost, ctr, active, ` +
        `epoch_us(updated_at) AS updated_at, note FROM read_parquet(${sqlString(file)}, file_row_number=true) ` +
        `WHERE file_row_number >= ${range.rowStart} AND file_row_number < ${range.rowEnd} ORDER BY file_row_number`,
    );
    const want = duckRows.map((r) => sampleValuesText(r, r.date));
    assert.deepEqual(got, want, 'hyparquet and DuckDB disagree across the row group boundary');
  } finally {
    cleanup(work);
  }
});

for (const codec of ['gzip', 'none']) {
  test(`50,000 rows with parquet_compression ${codec}, read back by DuckDB and hyparquet`, async () => {
    const work = fs.mkdtempSync(path.join(dir, `${codec}-`));
    try {
      const input = sample(path.join(work, 'input.ndjson'), { rows: 50_000, days: 10, accounts: 3, seed: 7 });
      const config = { parquet_compression: codec };
      const paths = await loadSample(work, input, { rows: 50_000, days: 10, accounts: 3, config });
      assertSameTexts(await hyparquetRowTexts(paths), inputRowTexts(input), 'hyparquet');
    } finally {
      cleanup(work);
    }
  });
}

// ---------------------------------------------------------------------------------------
// 2-4. The edge-case set.

const EDGE_SCHEMA = {
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'date', type: 'date', nullable: false },
    { name: 'account', type: 'string', nullable: false },
    { name: 's', type: 'string' },
    { name: 'i64', type: 'int64' },
    { name: 'i32', type: 'int32' },
    { name: 'd', type: 'double' },
    { name: 'b', type: 'bool' },
    { name: 'ts', type: 'timestamp' },
    { name: 'dec', type: 'decimal(38,10)' },
    { name: 'dec15', type: 'decimal(15,3)' },
    { name: 'dec20', type: 'decimal(20,4)' }, // 9 bytes: a width no integer type has
    { name: 'dec5', type: 'decimal(5,2)', nullable: false },
    { name: 'bin', type: 'binary' },
    { name: 'extra', type: 'string' },
    { name: 'void', type: 'int32' }, // null in every row: column chunks with no value at all
  ],
};
const EDGE_NAMES = EDGE_SCHEMA.columns.map((c) => c.name);

// What DuckDB's DESCRIBE says, and the footer as hyparquet parses it.
const edgeDuckTypes = (binaryStrings) => {
  const text = binaryStrings ? 'BLOB' : 'VARCHAR';
  return {
    id: 'BIGINT', date: 'DATE', account: text, s: text, i64: 'BIGINT', i32: 'INTEGER', d: 'DOUBLE', b: 'BOOLEAN',
    ts: 'TIMESTAMP WITH TIME ZONE', dec: 'DECIMAL(38,10)', dec15: 'DECIMAL(15,3)', dec20: 'DECIMAL(20,4)',
    dec5: 'DECIMAL(5,2)', bin: 'BLOB',
    extra: text, void: 'INTEGER',
  };
};
const edgeShapes = (binaryStrings) => {
  const text = binaryStrings ? 'BYTE_ARRAY' : 'BYTE_ARRAY STRING';
  return {
    id: 'REQUIRED INT64', date: 'REQUIRED INT32 DATE', account: `REQUIRED ${text}`, s: `OPTIONAL ${text}`,
    i64: 'OPTIONAL INT64', i32: 'OPTIONAL INT32', d: 'OPTIONAL DOUBLE', b: 'OPTIONAL BOOLEAN',
    ts: 'OPTIONAL INT64 TIMESTAMP(UTC, MICROS)', dec: 'OPTIONAL FIXED_LEN_BYTE_ARRAY DECIMAL(38,10)',
    dec15: 'OPTIONAL INT64 DECIMAL(15,3)', dec20: 'OPTIONAL FIXED_LEN_BYTE_ARRAY DECIMAL(20,4)',
    dec5: 'REQUIRED INT32 DECIMAL(5,2)', bin: 'OPTIONAL BYTE_ARRAY',
    extra: `OPTIONAL ${text}`, void: 'OPTIONAL INT32',
  };
};

const STRINGS = [
  '',
  null,
  'plain',
  'comma, inside',
  'quote " inside',
  '"',
  'line\nfeed',
  'crlf\r\ninside',
  '  leading and trailing spaces  ',
  'NULL',
  '\\N',
  'back\\slash',
  'unicode: Zürich, 東京, Ελληνικά, עברית, 🚀👩‍👩‍👧',
  'e\u0301 combining accent',
  '\uFEFFbyte order mark at the start',
  'line\u2028separator',
  'control \u0001 and \u001f characters',
  'nul \u0000 inside',
  '\uFFFF last BMP code point, \u{10FFFF} last code point',
  'long, "value";\n'.repeat(5000), // 80 KB
  'ü'.repeat(300_000), // 600 KB: more than a typical page
  'a'.repeat(64) + 'z', // longer than a truncated statistic would keep
  'a'.repeat(64) + 'b',
];
const INT64S = [
  '-9223372036854775808',
  '9223372036854775807',
  '0',
  '-1',
  null,
  '4611686018427387904',
  '-4611686018427387905',
  '9007199254740993',
];
const INT32S = ['-2147483648', '2147483647', '0', null, '-7'];
const DOUBLES = [
  0.1,
  0.1 + 0.2,
  1 / 3,
  1.0000000000000002,
  5e-324,
  2.2250738585072014e-308,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  -0,
  0,
  1e21,
  -1.5e-10,
  null,
  9007199254740993,
];
const BOOLS = [true, false, null];
const DATES = ['2026-01-01', '1969-12-31', '1900-02-28', '1066-10-14', '2000-02-29', '9999-12-31', '1970-01-01'];
DATES.push('0001-01-01');
const ACCOUNTS = ['acme', 'zürich', '東京 tokyo', "O'Brien & Co", 'a,b;c'];
const TIMESTAMPS = [
  '2026-03-29T01:30:00.000001Z',
  '1969-12-31T23:59:59.999999Z',
  '1900-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '2000-02-29T12:34:56.5Z',
  '9999-12-31T23:59:59.999999Z',
  '0001-01-01T00:00:00Z',
  null,
  '2038-01-19T03:14:08.1Z',
];
// Decimals: [the JSON text written, the exact value read back].
const NINES = '9999999999999999999999999999.9999999999'; // 38 digits
const DECIMALS_38 = [
  ['"1234567890123456789012345678.1234567890"', '1234567890123456789012345678.1234567890'],
  [NINES, NINES],
  [`"-${NINES}"`, `-${NINES}`],
  ['0.0000000001', '0.0000000001'],
  ['"-0.0000000001"', '-0.0000000001'],
  ['"-0.5"', '-0.5000000000'],
  ['42', '42.0000000000'],
  ['1.5e3', '1500.0000000000'],
  ['"0"', '0.0000000000'],
  ['null', null],
  ['"-9223372036854775808"', '-9223372036854775808.0000000000'],
];
const DECIMALS_15 = [
  ['"999999999999.999"', '999999999999.999'],
  ['-999999999999.999', '-999999999999.999'],
  ['0.001', '0.001'],
  ['"-0.5"', '-0.500'],
  ['null', null],
  ['"9223372036.854"', '9223372036.854'],
  ['0', '0.000'],
];
const DECIMALS_20 = [
  ['"9999999999999999.9999"', '9999999999999999.9999'],
  ['"-9999999999999999.9999"', '-9999999999999999.9999'],
  ['"922337203685477.5808"', '922337203685477.5808'], // unscaled 2^63: past int64
  ['"-922337203685477.5809"', '-922337203685477.5809'],
  ['-0.0001', '-0.0001'], // unscaled -1: all bits set
  ['null', null],
  ['0', '0.0000'],
];
const DECIMALS_5 = [
  ['999.99', '999.99'],
  ['"-999.99"', '-999.99'],
  ['0', '0.00'],
  ['-0.01', '-0.01'],
  ['1.5', '1.50'],
];
const BINARIES = ['AAECAwT/', '', '/+8=', 'aGVsbG8gd29ybGQ=', null, '8J+agA==', 'XA=='];
BINARIES.push(Buffer.alloc(70_000, 0xa5).toString('base64')); // 70 KB
const NESTED = ['{"a":[1,2,{"b":null}],"c":"x\\"y"}', '[1,"two",3.5,true,null]', '{}', null, '[]'];

const pick = (list, i) => list[i % list.length];

// Each row: the NDJSON line, and the values both readers must give back, as text
// (int64 and decimals exact, timestamps as microseconds since 1970, binary as base64).
const EDGE_ROWS = [];
for (let i = 0; i < 2 * STRINGS.length; i++) {
  const row = {
    id: String(i + 1),
    date: pick(DATES, i),
    account: pick(ACCOUNTS, i),
    s: pick(STRINGS, i),
    i64: pick(INT64S, i),
    i32: pick(INT32S, i),
    d: pick(DOUBLES, i),
    b: pick(BOOLS, i),
    ts: pick(TIMESTAMPS, i),
    dec: pick(DECIMALS_38, i),
    dec15: pick(DECIMALS_15, i),
    dec20: pick(DECIMALS_20, i),
    dec5: pick(DECIMALS_5, i),
    bin: pick(BINARIES, i),
    extra: pick(NESTED, i),
  };
  const json = {
    id: row.id,
    date: JSON.stringify(row.date),
    account: JSON.stringify(row.account),
    s: JSON.stringify(row.s),
    i64: row.i64 ?? 'null',
    i32: row.i32 ?? 'null',
    d: row.d === null ? 'null' : Object.is(row.d, -0) ? '-0.0' : String(row.d),
    b: String(row.b),
    ts: JSON.stringify(row.ts),
    dec: row.dec[0],
    dec15: row.dec15[0],
    dec20: row.dec20[0],
    dec5: row.dec5[0],
    bin: JSON.stringify(row.bin),
    extra: row.extra ?? 'null',
    void: 'null',
  };
  // Every 7th row leaves its optional columns out: a missing key is null.
  const keys = i % 7 === 6 ? ['id', 'date', 'account', 'dec5'] : EDGE_NAMES;
  const has = (k) => keys.includes(k);
  const opt = (k, v) => (has(k) ? v : null);
  EDGE_ROWS.push({
    line: `{${keys.map((k) => `${JSON.stringify(k)}:${json[k]}`).join(',')}}`,
    want: {
      id: row.id,
      date: row.date,
      account: row.account,
      s: opt('s', row.s),
      i64: opt('i64', row.i64),
      i32: opt('i32', row.i32),
      d: opt('d', row.d),
      b: opt('b', row.b === null ? null : String(row.b)),
      ts: opt('ts', epochMicros(row.ts)),
      dec: opt('dec', row.dec[1]),
      dec15: opt('dec15', row.dec15[1]),
      dec20: opt('dec20', row.dec20[1]),
      dec5: row.dec5[1],
      bin: opt('bin', row.bin === null ? null : Buffer.from(row.bin, 'base64').toString('base64')),
      extra: opt('extra', row.extra),
      void: null,
    },
  });
}

function edgeConfig(overrides) {
  return {
    folder: '/{{account}}/{{YYYY}}/{{MM}}/{{DD}}',
    file_name: 'edge-{{YYYY}}-{{MM}}-{{DD}}-{{chunk_id}}',
    file_format: 'parquet',
    partition_by: 'day',
    use_load_by_account: true,
    date_field: 'date',
    account_field: 'account',
    ...overrides,
  };
}

// DuckDB's rows in the form of EDGE_ROWS' `want`. Text travels as hex: the node client's
// UTF-8 decoding drops a leading U+FEFF; hex() gives the bytes of a VARCHAR and of a BLOB alike.
async function duckEdgeRows(paths) {
  const rows = await db.values(
    `SELECT id::VARCHAR AS id, date::VARCHAR AS date, hex(account) AS account, hex(s) AS s, i64::VARCHAR AS i64, ` +
      `i32::VARCHAR AS i32, d, b::VARCHAR AS b, epoch_us(ts)::VARCHAR AS ts, dec::VARCHAR AS dec, ` +
      `dec15::VARCHAR AS dec15, dec20::VARCHAR AS dec20, dec5::VARCHAR AS dec5, hex(bin) AS bin, hex(extra) AS extra, void::VARCHAR AS void, ` +
      `filename FROM read_parquet(${sqlList(paths)}, filename=true)`,
  );
  return rows.map((r) => {
    for (const c of ['account', 's', 'extra']) if (r[c] !== null) r[c] = Buffer.from(r[c], 'hex').toString('utf8');
    if (r.bin !== null) r.bin = Buffer.from(r.bin, 'hex').toString('base64');
    return r;
  });
}

// hyparquet's rows in the same form; text columns must come back as strings (STRING
// annotation) or, under use_binary_strings, as bytes (none).
async function hyparquetEdgeRows(paths, binaryStrings) {
  const out = [];
  const wrongKind = [];
  for (const p of paths) {
    const { metadata, rows } = await hyparquetRead(p);
    assertFooterShapes(p, metadata, edgeShapes(binaryStrings));
    for (const r of rows) {
      for (const c of ['account', 's', 'extra']) {
        if (r[c] == null) continue;
        const isBytes = r[c] instanceof Uint8Array;
        if (isBytes !== binaryStrings) wrongKind.push(`${p} ${c}: ${isBytes ? 'bytes' : 'a string'}`);
        if (isBytes) r[c] = Buffer.from(r[c]).toString('utf8');
      }
      out.push({
        ...r,
        id: String(r.id),
        date: dayText(r.date),
        i64: r.i64 == null ? null : String(r.i64),
        i32: r.i32 == null ? null : String(r.i32),
        b: r.b == null ? null : String(r.b),
        ts: r.ts == null ? null : String(r.ts),
        bin: r.bin == null ? null : Buffer.from(r.bin).toString('base64'),
        void: r.void ?? null,
        filename: p,
      });
    }
  }
  assert.deepEqual(wrongKind.slice(0, 5), [], 'hyparquet: string columns are text exactly when annotated STRING');
  return out;
}

// Every value of every row, and (unless `partitioned` is false) each row in the file its
// day and account name.
function assertEdgeRows(reader, rows, dest, { partitioned = true } = {}) {
  assert.equal(rows.length, EDGE_ROWS.length, `${reader}: row count`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  assert.equal(byId.size, EDGE_ROWS.length, `${reader}: every id once`);
  const wrong = [];
  const show = (v) =>
    typeof v === 'string' && v.length > 60 ? JSON.stringify(v.slice(0, 60)) + `... (${v.length} chars)` : JSON.stringify(v);
  for (const { want } of EDGE_ROWS) {
    const got = byId.get(want.id);
    for (const [column, value] of Object.entries(want)) {
      const same = column === 'd' ? Object.is(got[column], value) : got[column] === value;
      if (!same) wrong.push(`row ${want.id} column ${column}: got ${show(got[column])}, want ${show(value)}`);
    }
    if (!partitioned) continue;
    const [account, yyyy, mm, dd, file] = path.relative(dest, got.filename).split(path.sep);
    if (account !== want.account || `${yyyy}-${mm}-${dd}` !== want.date || file !== `edge-${want.date}-00001.parquet`)
      wrong.push(`row ${want.id} (${want.date}, ${want.account}) is in ${got.filename}`);
  }
  assert.deepEqual(wrong.slice(0, 30), [], `${reader}: ${wrong.length} values read back differ from those written`);
}

let edgeInput, edgeSchema;
function writeEdgeInput() {
  if (edgeInput) return;
  edgeInput = path.join(dir, 'edge.ndjson');
  fs.writeFileSync(edgeInput, EDGE_ROWS.map((r) => r.line + '\n').join(''));
  edgeSchema = writeJson(path.join(dir, 'edge-schema.json'), EDGE_SCHEMA);
}

for (const codec of Object.keys(CODECS)) {
  for (const binaryStrings of [false, true]) {
    const name = `parquet_compression ${codec}, use_binary_strings ${binaryStrings}`;
    test(`edge-case values read back exactly by DuckDB and hyparquet, ${name}`, async () => {
      writeEdgeInput();
      const work = fs.mkdtempSync(path.join(dir, 'edge-'));
      try {
        const dest = path.join(work, 'lake');
        const config = writeConfig(work, edgeConfig({ parquet_compression: codec, use_binary_strings: binaryStrings }));
        loadOk(['--config', config, '--schema', edgeSchema, '--input', edgeInput, '--dest', dest]);
        const paths = parquetFiles(dest);
        assert.ok(paths.length > 1, 'one object per (day, account)');

        assert.deepEqual(await describe(db, paths), edgeDuckTypes(binaryStrings), 'DuckDB DESCRIBE');
        assertEdgeRows('DuckDB', await duckEdgeRows(paths), dest);
        assertEdgeRows('hyparquet', await hyparquetEdgeRows(paths, binaryStrings), dest);
        await assertCodec(db, paths, codec);
        await assertCreatedBy(db, paths);
        await assertStatistics(db, paths);
      } finally {
        cleanup(work);
      }
    });
  }
}

for (const binaryStrings of [false, true]) {
  const name = `the edge-case set in one file: statistics over every value, use_binary_strings ${binaryStrings}`;
  test(name, async () => {
    writeEdgeInput();
    const work = fs.mkdtempSync(path.join(dir, 'edge-one-'));
    try {
      const dest = path.join(work, 'lake');
      const config = writeConfig(work, {
        folder: '/edge', file_name: 'all', file_format: 'parquet', use_binary_strings: binaryStrings,
      });
      loadOk(['--config', config, '--schema', edgeSchema, '--input', edgeInput, '--dest', dest]);
      const paths = parquetFiles(dest);
      assert.deepEqual(paths, [path.join(dest, 'edge', 'all.parquet')]);
      assertEdgeRows('DuckDB', await duckEdgeRows(paths), dest, { partitioned: false });
      assertEdgeRows('hyparquet', await hyparquetEdgeRows(paths, binaryStrings), dest, { partitioned: false });
      await assertStatistics(db, paths);
    } finally {
      cleanup(work);
    }
  });
}

test('a dictionary that outgrows its limit mid-chunk: dictionary then PLAIN pages, read by both readers', async () => {
  // 60,000 rows of 10 repeating values, then 60,000 distinct ones of 40 bytes and more
  // (2.4 MB, past any dictionary a writer keeps in memory), in one row group. Ints too.
  const work = fs.mkdtempSync(path.join(dir, 'dictionary-'));
  try {
    const rows = [];
    for (let i = 0; i < 120_000; i++) {
      const repeat = i < 60_000;
      rows.push({
        id: String(i),
        s: repeat ? `value ${i % 10}` : `distinct value number ${i} ${'ü'.repeat(i % 7)} ${'x'.repeat(16)}`,
        n: repeat ? String(i % 10) : String(BigInt(i) * 1_000_000_007n - 9_000_000_000_000_000_000n),
        s_or_null: i % 3 === 0 ? null : repeat ? `v${i % 10}` : `distinct ${i}`,
      });
    }
    const input = path.join(work, 'input.ndjson');
    const line = ({ id, s, n, s_or_null }) => `{"id":${id},"s":${JSON.stringify(s)},"n":${n},"s_or_null":${JSON.stringify(s_or_null)}}`;
    fs.writeFileSync(input, rows.map(line).join('\n') + '\n');
    const schema = writeJson(path.join(work, 'schema.json'), {
      columns: [
        { name: 'id', type: 'int64', nullable: false },
        { name: 's', type: 'string' },
        { name: 'n', type: 'int64' },
        { name: 's_or_null', type: 'string' },
      ],
    });
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, { folder: '/d', file_name: 'd', file_format: 'parquet' });
    loadOk(['--config', config, '--schema', schema, '--input', input, '--dest', dest]);
    const file = path.join(dest, 'd', 'd.parquet');

    // The case this test is for: a dictionary page, and data pages both ways, in one chunk.
    const chunks = await db.all(
      `SELECT path_in_schema AS name, encodings, dictionary_page_offset IS NOT NULL AS has_dictionary ` +
        `FROM parquet_metadata(${sqlString(file)}) WHERE row_group_id = 0 ORDER BY column_id`,
    );
    const s = chunks.find((c) => c.name === 's');
    const both = s.has_dictionary && /RLE_DICTIONARY/.test(s.encodings) && /PLAIN/.test(s.encodings);
    assert.ok(both, `column s: ${JSON.stringify(s)}`);

    const want = rows.map((r) => JSON.stringify([r.id, r.s, r.n, r.s_or_null]));
    const duckRows = await db.values(
      `SELECT id::VARCHAR AS id, s, n::VARCHAR AS n, s_or_null FROM read_parquet(${sqlString(file)}) ` +
        `ORDER BY id::BIGINT`,
    );
    assert.deepEqual(duckRows.map((r) => JSON.stringify([r.id, r.s, r.n, r.s_or_null])), want, 'DuckDB');
    const { rows: hyRows } = await hyparquetRead(file);
    const hy = hyRows
      .map((r) => JSON.stringify([String(r.id), r.s, r.n == null ? null : String(r.n), r.s_or_null]))
      .sort();
    assert.deepEqual(hy, [...want].sort(), 'hyparquet');
    await assertStatistics(db, [file]);
  } finally {
    cleanup(work);
  }
});

test('2,200,000 rows in one row group: a column of nulls only, and one nearly so, read by both readers', async () => {
  // Small rows, so one row group holds them all: more values than one data page may count.
  const work = fs.mkdtempSync(path.join(dir, 'nulls-'));
  try {
    const input = path.join(work, 'input.ndjson');
    const lines = [];
    for (let i = 0; i < 2_200_000; i++) lines.push(i % 1000 === 999 ? `{"k":${i % 4},"v":${i}}` : `{"k":${i % 4}}`);
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const schema = writeJson(path.join(work, 'schema.json'), {
      columns: [
        { name: 'k', type: 'int32' },
        { name: 'v', type: 'int64' },
        { name: 'z', type: 'string' },
      ],
    });
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, { folder: '/n', file_name: 'n', file_format: 'parquet' });
    loadOk(['--config', config, '--schema', schema, '--input', input, '--dest', dest]);
    const file = path.join(dest, 'n', 'n.parquet');
    // The case this test is for: a row group with more values than the writer puts in one
    // data page (2^20), so even the column of nulls needs several pages.
    const [{ largest }] = await db.all(`SELECT max(row_group_num_rows) AS largest FROM parquet_metadata(${sqlString(file)})`);
    assert.ok(Number(largest) > 1 << 20, `the largest row group holds ${largest} rows`);
    // 2,200 values of v: 999, 1999, ..., 2,199,999.
    const want = { rows: 2_200_000, k: 2_200_000, v: 2200, z: 0, v_sum: 2_421_097_800n, k_sum: 3_300_000n };

    const [duckGot] = await db.values(
      `SELECT count(*)::INTEGER AS rows, count(k)::INTEGER AS k, count(v)::INTEGER AS v, count(z)::INTEGER AS z, ` +
        `sum(v)::BIGINT AS v_sum, sum(k)::BIGINT AS k_sum ` +
        `FROM read_parquet(${sqlString(file)})`,
    );
    assert.deepEqual({ ...duckGot }, want, 'DuckDB');
    const { rows } = await hyparquetRead(file);
    const hyGot = { rows: rows.length, k: 0, v: 0, z: 0, v_sum: 0n, k_sum: 0n };
    for (const r of rows) {
      if (r.k != null) [hyGot.k, hyGot.k_sum] = [hyGot.k + 1, hyGot.k_sum + BigInt(r.k)];
      if (r.v != null) [hyGot.v, hyGot.v_sum] = [hyGot.v + 1, hyGot.v_sum + r.v];
      if (r.z != null) hyGot.z++;
    }
    assert.deepEqual(hyGot, want, 'hyparquet');
    await assertStatistics(db, [file]);
  } finally {
    cleanup(work);
  }
});

// ---------------------------------------------------------------------------------------
// 5. max_file_size_mb.

for (const codec of Object.keys(CODECS)) {
  const name = `parquet_compression ${codec} with max_file_size_mb 1: full chunks under the cap, no row lost`;
  test(name, async () => {
    const work = fs.mkdtempSync(path.join(dir, 'cap-'));
    try {
      // Two partitions of 150,000 rows, several megabytes each in every codec.
      const input = sample(path.join(work, 'input.ndjson'), { rows: 300_000, days: 2, accounts: 1, seed: 11 });
      const dest = path.join(work, 'lake');
      const config = writeConfig(
        work,
        dayAccountConfig({ file_format: 'parquet', parquet_compression: codec, max_file_size_mb: 1 }),
      );
      loadOk(['--config', config, '--input', input, '--dest', dest]);

      const cap = 1024 * 1024;
      const files = listFiles(dest);
      const partitions = new Map(); // folder -> [{chunk, size, f}]
      for (const f of files) {
        const m = /^(.*)\/campaigns-\d{8}-(\d{5})\.parquet$/.exec(f);
        assert.ok(m, `unexpected object name ${f}`);
        const size = fs.statSync(path.join(dest, f)).size;
        assert.ok(size <= cap, `${f} is ${size} bytes, over the cap of ${cap}`);
        if (!partitions.has(m[1])) partitions.set(m[1], []);
        partitions.get(m[1]).push({ chunk: m[2], size, f });
      }
      assert.equal(partitions.size, 2, 'one folder per day');
      const underfilled = [];
      for (const [folder, chunks] of partitions) {
        chunks.sort((a, b) => a.chunk.localeCompare(b.chunk));
        const ids = chunks.map((c) => c.chunk);
        assert.deepEqual(ids, ids.map((_, i) => String(i + 1).padStart(5, '0')), `chunk ids of ${folder}`);
        assert.ok(chunks.length >= 2, `${folder} should need several chunks, has ${chunks.length}`);
        for (const c of chunks.slice(0, -1)) if (c.size < 0.8 * cap) underfilled.push(`${c.f}: ${c.size} bytes`);
      }
      const what = `${underfilled.length} chunks before their partition's last are under 80% of ${cap} bytes`;
      assert.deepEqual(underfilled.slice(0, 5), [], what);

      const paths = files.map((f) => path.join(dest, f));
      await loadSampleInput(db, 'input', input, { ...SAMPLE_COLUMNS, updated_at: 'TIMESTAMPTZ' });
      await db.run(`CREATE OR REPLACE TABLE output AS SELECT * FROM read_parquet(${sqlList(paths)}, filename=true)`);
      await assertSameRows(db, 'SELECT * FROM input', 'SELECT * EXCLUDE (filename) FROM output', `${codec}, capped`);
      const misplaced = await db.all(
        `SELECT filename FROM output WHERE NOT starts_with(filename, ${sqlString(dest + '/ws1/')} || account || ` +
          `'/' || strftime(date, '%Y/%m/%d') || '/campaigns-' || strftime(date, '%Y%m%d') || '-') LIMIT 5`,
      );
      assert.deepEqual(misplaced, [], 'rows in a chunk of another partition');
      await assertCodec(db, paths, codec);
      await assertStatistics(db, paths);
    } finally {
      cleanup(work);
    }
  });
}

test('a row larger than max_file_size_mb is refused and the objects already written are removed', () => {
  // Partitions are written in date order; the huge row is on a later day, so the first
  // day's object exists by the time it is found.
  const work = fs.mkdtempSync(path.join(dir, 'huge-'));
  try {
    const rows = sample(path.join(work, 'rows.ndjson'), { rows: 2000, days: 1, accounts: 1 });
    const lines = fs.readFileSync(rows, 'utf8').split('\n').filter(Boolean);
    const huge = { ...JSON.parse(lines.at(-1)), date: '2026-02-01', note: 'x'.repeat(100_000) };
    const input = path.join(work, 'huge.ndjson');
    fs.writeFileSync(input, lines.join('\n') + '\n' + JSON.stringify(huge) + '\n');
    const dest = path.join(work, 'lake');
    fs.mkdirSync(dest);
    const config = writeConfig(
      work,
      dayAccountConfig({ file_format: 'parquet', parquet_compression: 'none', max_file_size_mb: 0.05 }),
    );
    const r = s3dest(['load', '--no-progress', '--config', config, '--input', input, '--dest', dest]);
    assert.notEqual(r.status, 0, 'the load should fail');
    assert.match(r.stderr, /^s3dest: error:/m);
    assert.match(r.stderr, /max_file_size_mb/);
    assert.deepEqual(listFiles(dest), [], 'objects of the failed run were left behind');
  } finally {
    cleanup(work);
  }
});
