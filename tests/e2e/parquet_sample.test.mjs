// file_format parquet with sample rows, read back by DuckDB and hyparquet
// (parquet_readers.mjs): 1,000,000 rows by day and account with the default codec
// (snappy), and 50,000 with gzip and with none: DuckDB reads back the input row for row,
// each row in the file of its day and account; hyparquet too, against the NDJSON as parsed
// here (of the million, one account's 200,000 rows). The million again as one
// uncompressed stream: several row groups in one file, both readers across the first
// boundary. Every file: the sample's types in DuckDB and in the footer, the codec
// configured, created_by naming s3dest, and every column chunk's min/max/null count equal
// to what DuckDB computes from the rows.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import {
  SAMPLE_PARQUET_COLUMNS,
  SAMPLE_SCHEMA,
  assertPartitionedRows,
  assertSameRows,
  dayAccountConfig,
  epochMicros,
  inWorkFolder,
  listFiles,
  loadLake,
  loadSampleInput,
  sample,
  sqlList,
  sqlString,
  suiteSetup,
  writeJson,
} from './lib.mjs';
import {
  assertCodec,
  assertCreatedBy,
  assertFooterShapes,
  assertStatistics,
  dayText,
  doubleText,
  duckTypes,
  hyparquetRead,
} from './parquet_readers.mjs';

const suite = suiteSetup('s3dest-parquet-sample-', { duck: true });

// The footer of a sample file as hyparquet parses it.
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
  const { db } = suite;
  const schemaArgs = schema ? ['--schema', writeJson(path.join(work, 'schema.json'), SAMPLE_SCHEMA)] : [];
  const dest = loadLake(work, dayAccountConfig({ file_format: 'parquet', ...config }), ['--input', input, ...schemaArgs]);

  const files = listFiles(dest);
  assert.equal(files.length, days * accounts, `one object per day and account: ${files.slice(0, 5).join(', ')}...`);
  for (const f of files) assert.match(f, /^ws1\/acc\d\/\d{4}\/\d{2}\/\d{2}\/campaigns-\d{8}-00001\.parquet$/, f);
  const paths = files.map((f) => path.join(dest, f));

  await loadSampleInput(db, 'input', input, SAMPLE_PARQUET_COLUMNS);
  const [{ n }] = await db.all('SELECT count(*) AS n FROM input');
  assert.equal(n, String(rows));
  assert.deepEqual(await duckTypes(db, paths), SAMPLE_PARQUET_COLUMNS, 'DuckDB DESCRIBE of the files');
  await assertPartitionedRows(db, dest, `read_parquet(${sqlList(paths)}, filename=true)`, 'parquet');

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
  (millionInput ??= sample(path.join(suite.dir, 'million.ndjson'), { rows: 1_000_000, days: 30, accounts: 5 }));

test('1,000,000 rows as parquet (default codec: snappy), by day and account, read back by DuckDB unchanged', () =>
  inWorkFolder(suite.dir, async (work) => {
    const input = million();
    // No --schema: the types a user gets from inference.
    const paths = await loadSample(work, input, { rows: 1_000_000, days: 30, accounts: 5, schema: false });
    // hyparquet on one account's files (200,000 rows): the footer and every value.
    const acc0 = paths.filter((p) => p.includes('/acc0/'));
    const want = inputRowTexts(input, (r) => r.account === 'acc0');
    assertSameTexts(await hyparquetRowTexts(acc0), want, 'hyparquet, acc0');
  }, 'million-'));

test('1,000,000 rows as one uncompressed stream: several row groups in one file, read by both readers', () =>
  inWorkFolder(suite.dir, async (work) => {
    const { db } = suite;
    const input = million();
    const dest = loadLake(work, {
      folder: '/{{workspace_id}}', file_name: '{{filename}}', file_format: 'parquet', parquet_compression: 'none',
      context: { workspace_id: 'ws1', filename: 'campaigns' },
    }, ['--input', input]);
    assert.deepEqual(listFiles(dest), ['ws1/campaigns.parquet']);
    const file = path.join(dest, 'ws1', 'campaigns.parquet');

    const [{ row_groups }] = await db.all(
      `SELECT num_row_groups AS row_groups FROM parquet_file_metadata(${sqlString(file)})`,
    );
    assert.ok(Number(row_groups) >= 2, `several row groups in ${fs.statSync(file).size} bytes, not ${row_groups}`);
    await loadSampleInput(db, 'input', input, SAMPLE_PARQUET_COLUMNS);
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
  }, 'stream-'));

for (const codec of ['gzip', 'none']) {
  test(`50,000 rows with parquet_compression ${codec}, read back by DuckDB and hyparquet`, () =>
    inWorkFolder(suite.dir, async (work) => {
      const input = sample(path.join(work, 'input.ndjson'), { rows: 50_000, days: 10, accounts: 3, seed: 7 });
      const config = { parquet_compression: codec };
      const paths = await loadSample(work, input, { rows: 50_000, days: 10, accounts: 3, config });
      assertSameTexts(await hyparquetRowTexts(paths), inputRowTexts(input), 'hyparquet');
    }, `${codec}-`));
}
