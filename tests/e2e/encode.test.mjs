// s3dest-encode: 1,000 sample rows into one file of each format, read back by DuckDB (csv,
// json, their gzip forms, parquet) and by Debian's python3-avro (avro), row for row
// against the input as DuckDB reads it; standard input and output give the same bytes as
// --input and --output; csv input (with --schema) round-trips; and bad input, bad usage
// and an unwritable output fail with s3dest's exit codes, leaving --output untouched.
//
// s3dest-encode is built next to s3dest (S3DEST_BIN). Needs /usr/bin/python3 with
// python3-avro: tools/install_deps.sh --test installs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import {
  BIN,
  SAMPLE_COLUMNS,
  SAMPLE_PARQUET_COLUMNS,
  SAMPLE_SCHEMA,
  assertGzipValid,
  assertSameRows,
  loadSampleInput,
  readerSql,
  sqlString,
  suiteSetup,
  writeJson,
} from './lib.mjs';

const ENCODE = path.join(path.dirname(BIN), 's3dest-encode');
const PYTHON = '/usr/bin/python3';
const EXTENSIONS = { csv: '.csv', 'csv+gzip': '.csv.gz', json: '.json', 'json+gzip': '.json.gz', parquet: '.parquet', avro: '.avro' };

// Runs `s3dest-encode ARGS...`; `input` goes to standard input. stdout is a Buffer.
function encode(args, { input } = {}) {
  const r = spawnSync(ENCODE, args, { input: input ?? '', maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function encodeOk(args, options) {
  const r = encode(args, options);
  assert.equal(r.status, 0, `s3dest-encode ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  assert.equal(r.stderr, '', 'a successful run says nothing');
  return r;
}

// Asserts a run failed with `code`, one "s3dest-encode: error:" message mentioning `words`.
function assertFails(r, code, words) {
  assert.equal(r.status, code, `expected exit ${code}, got ${r.status}; stderr:\n${r.stderr}`);
  assert.match(r.stderr, /^s3dest-encode: error: /, `stderr should begin with "s3dest-encode: error:":\n${r.stderr}`);
  for (const w of words) {
    if (w instanceof RegExp) assert.match(r.stderr, w);
    else assert.ok(r.stderr.includes(w), `stderr should mention ${JSON.stringify(w)}:\n${r.stderr}`);
  }
}

// Turns avro files into NDJSON DuckDB reads with SAMPLE_COLUMNS (dates, timestamps in
// UTC without offset), and prints the writer's schema.
const AVRO_TO_NDJSON = String.raw`
import datetime, json, sys
import avro.datafile, avro.io

def plain(v):
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S.%f')
    if isinstance(v, datetime.date): return v.isoformat()
    return v

with open(sys.argv[1], 'rb') as f, open(sys.argv[2], 'w') as out:
    reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
    for record in reader:
        out.write(json.dumps({k: plain(v) for k, v in record.items()}) + '\n')
    print(reader.meta['avro.schema'].decode())
    reader.close()
`;

const suite = suiteSetup('s3dest-encode-', { duck: true, sample: { rows: 1000 } });
const inputRows = () => fs.readFileSync(suite.input, 'utf8').split('\n').filter(Boolean).length;

for (const format of ['csv', 'csv+gzip', 'json', 'json+gzip']) {
  test(`--format ${format}: DuckDB reads back every row`, async () => {
    const file = path.join(suite.dir, `rows${EXTENSIONS[format]}`);
    encodeOk(['--format', format, '--input', suite.input, '--output', file]);
    if (format.endsWith('+gzip')) assertGzipValid([file]);
    await assertSameRows(suite.db, 'SELECT * FROM input', `SELECT * FROM ${readerSql([file], format, SAMPLE_COLUMNS)}`, format);
  });
}

test('--format parquet: DuckDB reads back every row with the sample types', async () => {
  const file = path.join(suite.dir, 'rows.parquet');
  encodeOk(['--format', 'parquet', '--input', suite.input, '--output', file]);
  const described = await suite.db.all(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
  assert.deepEqual(Object.fromEntries(described.map((r) => [r.column_name, r.column_type])), SAMPLE_PARQUET_COLUMNS);
  await loadSampleInput(suite.db, 'input_utc', suite.input, SAMPLE_PARQUET_COLUMNS);
  await assertSameRows(suite.db, 'SELECT * FROM input_utc', `SELECT * FROM read_parquet(${sqlString(file)})`, 'parquet');
});

test('--format avro: python3-avro reads back every row with logical types', async () => {
  const file = path.join(suite.dir, 'rows.avro');
  encodeOk(['--format', 'avro', '--input', suite.input, '--output', file]);
  const script = path.join(suite.dir, 'avro_to_ndjson.py');
  fs.writeFileSync(script, AVRO_TO_NDJSON);
  const ndjson = path.join(suite.dir, 'avro-rows.ndjson');
  const r = spawnSync(PYTHON, [script, file, ndjson], { encoding: 'utf8' });
  assert.ok(!r.error, `${PYTHON} is missing: install python3-avro (tools/install_deps.sh --test)`);
  assert.equal(r.status, 0, `python3-avro could not read ${file}:\n${r.stderr}`);
  const fields = Object.fromEntries(JSON.parse(r.stdout).fields.map((f) => [f.name, JSON.stringify(f.type)]));
  assert.match(fields.date, /"logicalType":"date"/);
  assert.match(fields.updated_at, /"logicalType":"timestamp-micros"/);
  await assertSameRows(suite.db, 'SELECT * FROM input',
                       `SELECT * FROM ${readerSql([ndjson], 'json', SAMPLE_COLUMNS)}`, 'avro');
});

test('standard input and output give the bytes --input and --output give', () => {
  for (const format of ['csv', 'json+gzip', 'parquet']) {
    const file = path.join(suite.dir, `same${EXTENSIONS[format]}`);
    encodeOk(['--format', format, '--input', suite.input, '--output', file]);
    const piped = encodeOk(['--format', format], { input: fs.readFileSync(suite.input) });
    assert.ok(piped.stdout.equals(fs.readFileSync(file)), `${format}: stdout differs from --output`);
  }
});

test('--input-format csv with --schema: the csv written reads back as the same rows', async () => {
  const csv = path.join(suite.dir, 'back.csv');
  encodeOk(['--format', 'csv', '--input', suite.input, '--output', csv]);
  const schema = writeJson(path.join(suite.dir, 'schema.json'), SAMPLE_SCHEMA);
  const json = path.join(suite.dir, 'back.json');
  encodeOk(['--format', 'json', '--input-format', 'csv', '--schema', schema, '--input', csv, '--output', json]);
  await assertSameRows(suite.db, 'SELECT * FROM input', `SELECT * FROM ${readerSql([json], 'json', SAMPLE_COLUMNS)}`,
                       'csv -> json');
});

test('bad input: exit 3 at its line, and --output keeps what it held', () => {
  const out = path.join(suite.dir, 'kept.parquet');
  fs.writeFileSync(out, 'before');
  const lines = fs.readFileSync(suite.input, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, inputRows());

  const broken = [...lines.slice(0, 500), '{"date": "2026-01-01", "account": ', ...lines.slice(500)].join('\n');
  assertFails(encode(['--format', 'parquet', '--output', out], { input: broken }), 3,
              ['stdin:501: not valid JSON', `(${out} was not written)`]);

  const schema = writeJson(path.join(suite.dir, 'schema.json'), SAMPLE_SCHEMA);
  const wrongType = [...lines.slice(0, 1200), lines[0].replace(/"clicks":\d+/, '"clicks":"many"')].join('\n');
  assertFails(encode(['--format', 'parquet', '--schema', schema, '--output', out], { input: wrongType }), 3,
              [/stdin:\d+: column 'clicks': "many" is not an int64/]);

  assertFails(encode(['--format', 'avro', '--output', out], { input: '' }), 3,
              ['no rows to learn the columns from', '--schema']);
  assert.equal(fs.readFileSync(out, 'utf8'), 'before');
  assert.deepEqual(fs.readdirSync(suite.dir).filter((f) => f.startsWith('kept.parquet')), ['kept.parquet'],
                   'no temporary file is left behind');
});

test('usage: exit 2 naming what to fix, nothing read or written', () => {
  const out = path.join(suite.dir, 'never.csv');
  assertFails(encode(['--format', 'xls', '--input', suite.input, '--output', out]), 2,
              ['"xls" is not one of csv, csv+gzip, json, json+gzip, parquet or avro', 'usage:']);
  assertFails(encode(['--input', suite.input]), 2, ['--format is required']);
  assertFails(encode(['--format', 'csv', '--input-format', 'xml']), 2, ['--input-format is ndjson, json or csv']);
  assertFails(encode(['--format', 'csv', '--colour']), 2, ['unknown option "--colour"']);
  assertFails(encode(['--format', 'csv', '--input', path.join(suite.dir, 'nope.ndjson')]), 2,
              ['cannot open input', 'nope.ndjson']);
  assertFails(encode(['--format', 'csv', '--schema', path.join(suite.dir, 'nope.json'), '--input', suite.input]), 2,
              ['nope.json']);
  assertFails(encode(['--format', 'csv', '--input', suite.input, '--output', path.join(suite.dir, 'no', 'dir.csv')]), 2,
              ['cannot create', '--output']);
  assert.equal(fs.existsSync(out), false);
});

test('an output that cannot be written: exit 4', () => {
  const r = spawnSync('sh', ['-c', `"${ENCODE}" --format csv --input "${suite.input}" > /dev/full`], { encoding: 'utf8' });
  assertFails({ status: r.status, stderr: r.stderr }, 4, ['writing standard output failed: No space left on device']);
});
