// Shared helpers for the end-to-end tests: run the real s3dest tool, write its config and
// inputs into temporary folders, and read what it wrote back with DuckDB. Beside it,
// parquet_readers.mjs (parquet read by DuckDB and hyparquet) and radosgw.mjs (a real S3
// server per suite) hold what only the parquet and the S3 suites need.
//
// ctest sets S3DEST_BIN (the s3dest binary) and S3DEST_SOURCE_DIR (the repository root);
// s3dest-sample is built next to s3dest.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import { DuckDBInstance } from '@duckdb/node-api';

export const SOURCE_DIR =
  process.env.S3DEST_SOURCE_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.S3DEST_BIN ?? path.join(SOURCE_DIR, 'build', 'bin', 's3dest');
export const SAMPLE = path.join(path.dirname(BIN), 's3dest-sample');

// ---------------------------------------------------------------------------------------
// Running the tool.

// Runs `s3dest ARGS...`; `input` (string or Buffer) goes to standard input.
// Returns {status, stdout, stderr}.
export function s3dest(args, { input, env, cwd } = {}) {
  const result = spawnSync(BIN, args, {
    input: input ?? '',
    env: { ...process.env, ...env },
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  // EPIPE: the run stopped reading its input before the end (a bad row, a refusal), as it
  // should; how it ended is in its status and messages.
  const stoppedReading = result.error?.code === 'EPIPE' && result.status !== null;
  if (result.error && !stoppedReading) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

// Starts `s3dest ARGS...` without waiting: for runs a test interrupts. Returns
// { child, done }, where `done` resolves to {status, signal, stdout, stderr}.
export function spawnS3dest(args, { env, cwd } = {}) {
  const child = spawn(BIN, args, { env: { ...process.env, ...env }, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.on('error', () => {}); // a run that stopped reading is the point of some tests
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done };
}

// Waits until `ready()` is true, looking every 20 ms; fails after `ms`.
export async function waitFor(ready, what, ms = 60_000) {
  const until = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The bytes of every file under `root`: relative path -> Buffer, hidden files too.
export function snapshot(root) {
  return new Map(listFiles(root).map((f) => [f, fs.readFileSync(path.join(root, f))]));
}

// Settings for a tool run against a test S3 server: no profile files of this machine, no
// instance metadata, no proxy for loopback. (s3dest() adds them to this process's
// environment; the configs under test give their keys explicitly.)
export function testAwsSettings(dir) {
  return {
    AWS_CONFIG_FILE: path.join(dir, 'no-such-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-such-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_PROXY: '127.0.0.1,localhost',
  };
}

// `s3dest load ...`, asserting success (exit 0) with the tool's stderr in the message.
export function loadOk(args, options) {
  const r = s3dest(['load', '--no-progress', ...args], options);
  assert.equal(r.status, 0, `s3dest load ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r;
}

// Writes `config` into `work` and loads with it into `work/lake` (or `work/<lake>`); `args`
// gives the inputs and options, `stdin` what the tool reads as standard input. Asserts
// success; returns the destination.
export function loadLake(work, config, args, { lake = 'lake', configName, stdin } = {}) {
  const dest = path.join(work, lake);
  loadOk(['--config', writeConfig(work, config, configName), ...args, '--dest', dest], { input: stdin });
  return dest;
}

const GNU_TIME = '/usr/bin/time';

// `s3dest load --no-progress ARGS` under GNU time: {status, stdout, stderr, peakKb}, the
// peak resident set in KB; stderr is what s3dest printed, without time's lines.
export function loadMeasured(args, { input } = {}) {
  assert.ok(fs.existsSync(GNU_TIME), `GNU time (${GNU_TIME}) is not installed: apt-get install time`);
  const r = spawnSync(GNU_TIME, ['-f', 'peak-rss-kb=%M', BIN, 'load', '--no-progress', ...args], {
    input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  const m = /peak-rss-kb=(\d+)\n?$/.exec(r.stderr);
  assert.ok(m, `no peak RSS in: ${r.stderr}`);
  const stderr = r.stderr.slice(0, m.index).replace(/Command exited with non-zero status \d+\n$/, '');
  return { status: r.status, stdout: r.stdout, stderr, peakKb: Number(m[1]) };
}

// Asserts a run failed with `code`, a message that begins "s3dest: error:", and that the
// message matches every pattern in `words` (RegExp or plain substring).
// A load that got as far as writing says first which run it is.
export function assertFails(r, code, words = []) {
  assert.equal(r.status, code, `expected exit ${code}, got ${r.status}; stderr:\n${r.stderr}`);
  assert.match(r.stderr, /^(s3dest: run \S+: loading into .*\n)?s3dest: error:/,
               `stderr should begin with "s3dest: error:":\n${r.stderr}`);
  for (const w of words) {
    if (w instanceof RegExp) assert.match(r.stderr, w, `stderr should match ${w}:\n${r.stderr}`);
    else assert.ok(r.stderr.includes(w), `stderr should mention ${JSON.stringify(w)}:\n${r.stderr}`);
  }
}

// Reads a manifest that --manifest wrote, asserting what every manifest must hold: a run
// id, and no key twice (no run ever renders one key twice).
export function readManifest(file) {
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.match(manifest.run_id, /^\d{8}T\d{6}Z-[0-9a-f]{8}$/, `run_id of ${file}`);
  const keys = manifest.objects.map((o) => o.key);
  assert.equal(new Set(keys).size, keys.length, `${file} names a key twice`);
  return manifest;
}

// Writes `rows` of s3dest-sample output to `file` (NDJSON) and returns `file`.
export function sample(file, { rows, days, accounts, seed } = {}) {
  const args = [];
  if (rows !== undefined) args.push('--rows', String(rows));
  if (days !== undefined) args.push('--days', String(days));
  if (accounts !== undefined) args.push('--accounts', String(accounts));
  if (seed !== undefined) args.push('--seed', String(seed));
  const fd = fs.openSync(file, 'w');
  try {
    const r = spawnSync(SAMPLE, args, { stdio: ['ignore', fd, 'pipe'] });
    if (r.error) throw r.error;
    assert.equal(r.status, 0, `s3dest-sample failed: ${r.stderr}`);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

// A copy of NDJSON `file` (as FILE.bad) with a row whose date is no date added at its end.
export function withBadLastRow(file) {
  const bad = `${file}.bad`;
  fs.writeFileSync(bad, fs.readFileSync(file, 'utf8') + '{"date": "not a date", "account": "acc0"}\n');
  return bad;
}

// ---------------------------------------------------------------------------------------
// Folders and files.

// The folder a suite's tests share (and, with `duck`, one DuckDB connection), made before
// its first test and removed after its last; with `sample` ({rows, days, accounts, seed}),
// s3dest-sample rows in it as `input` (and, with `duck`, in table `input`); then
// `setup(suite)`, for what else the suite needs. The fields are there once the tests run:
//   const suite = suiteSetup('s3dest-x-', { duck: true });
//   test('...', () => use(suite.dir, suite.db));
// (Give further setup to `setup`, not to a second top-level before(): node 20 starts a
// file's top-level before hooks without waiting for the one before to finish.)
export function suiteSetup(prefix, { duck: withDuck = false, sample: rows, setup } = {}) {
  const suite = {};
  before(async () => {
    suite.dir = tempDir(prefix);
    if (withDuck) suite.db = await duck();
    if (rows) suite.input = sample(path.join(suite.dir, 'input.ndjson'), rows);
    if (rows && withDuck) await loadSampleInput(suite.db, 'input', suite.input);
    await setup?.(suite);
  });
  after(() => {
    suite.db?.close();
    cleanup(suite.dir);
  });
  return suite;
}

// A fresh folder for one test (or case) under the suite's folder `parent`.
export function workFolder(parent, prefix = 'run-') {
  return fs.mkdtempSync(path.join(parent, prefix));
}

// Runs `fn(work)` in a fresh folder under `parent` and removes the folder afterwards, passed
// or failed: a test's big files go when it ends, not with the suite.
export async function inWorkFolder(parent, fn, prefix = 'run-') {
  const work = workFolder(parent, prefix);
  try {
    return await fn(work);
  } finally {
    cleanup(work);
  }
}

// A fresh folder under the system temp folder; removed by cleanup().
export function tempDir(prefix = 's3dest-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function cleanup(dir) {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

export function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

// Writes a config file into `dir` and returns its path.
export function writeConfig(dir, config, name = 'config.json') {
  return writeJson(path.join(dir, name), config);
}

// Every file under `root` (hidden ones too), as paths relative to `root` with '/', sorted.
// [] when `root` does not exist.
export function listFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort();
}

// Every file under `root` as a full path, sorted; [] when it does not exist.
export const filePaths = (root) => listFiles(root).map((f) => path.join(root, f));

// The bytes of an object as a reader sees them: gunzipped when its name ends with .gz.
export function readObject(file) {
  const bytes = fs.readFileSync(file);
  return file.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes;
}

// Every entry (files and folders) under `root`, relative; [] when it does not exist.
export function listEntries(root) {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { recursive: true }).map(String).sort();
}

// The run wrote nothing: the destination folder is absent or holds nothing at all.
export function assertNothingWritten(dest) {
  const entries = listEntries(dest);
  assert.deepEqual(entries, [], `the failed run left entries under ${dest}: ${entries.slice(0, 10).join(', ')}`);
}

export function md5Base64(bytes) {
  return crypto.createHash('md5').update(bytes).digest('base64');
}

// A reflected CRC-32 of `polynomial` as S3's x-amz-checksum headers give it: base64 of the
// big-endian value.
function crc32Base64With(polynomial) {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (bytes) => {
    let crc = 0xffffffff;
    for (const b of bytes) crc = table[(crc ^ b) & 0xff] ^ (crc >>> 8);
    const out = Buffer.alloc(4);
    out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
    return out.toString('base64');
  };
}

// CRC-32 (zlib's), as x-amz-checksum-crc32.
export const crc32Base64 = crc32Base64With(0xedb88320);
// CRC-32C (Castagnoli), as x-amz-checksum-crc32c.
export const crc32cBase64 = crc32Base64With(0x82f63b78);

// `gzip -t` on every file (in batches); asserts they all pass.
export function assertGzipValid(files) {
  for (let i = 0; i < files.length; i += 200) {
    const batch = files.slice(i, i + 200);
    const r = spawnSync('gzip', ['-t', ...batch], { encoding: 'utf8' });
    assert.equal(r.status, 0, `gzip -t failed: ${r.stderr}`);
  }
}

// ---------------------------------------------------------------------------------------
// DuckDB.

export async function duck() {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run("SET TimeZone='UTC'");
  return {
    instance,
    connection,
    run: (sql) => connection.run(sql),
    // Rows as objects with JSON-safe values (BIGINT, DECIMAL, dates as strings).
    all: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson(),
    // Rows as objects with DuckDB's JS values (DOUBLE as number, BIGINT as BigInt).
    values: async (sql) => (await connection.runAndReadAll(sql)).getRowObjects(),
    close: () => {
      connection.closeSync?.();
      instance.closeSync?.();
    },
  };
}

export const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;
export const sqlList = (items) => `[${items.map(sqlString).join(', ')}]`;
export const sqlColumns = (columns) =>
  `{${Object.entries(columns).map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(', ')}}`;

// The DuckDB reader for a set of objects written in `format` with `separator`.
// `columns` maps column name to DuckDB type; `extra` is appended to the reader's options.
export function readerSql(files, format, columns, { separator = 'comma', extra = '' } = {}) {
  const list = sqlList(files);
  if (format.startsWith('json'))
    return `read_json(${list}, format='newline_delimited', columns=${sqlColumns(columns)}${extra})`;
  const delim = { comma: ',', semicolon: ';', tab: '\t' }[separator];
  return (
    `read_csv(${list}, delim=${sqlString(delim)}, header=true, quote='"', escape='"', ` +
    `allow_quoted_nulls=false, columns=${sqlColumns(columns)}${extra})`
  );
}

// Asserts tables (or queries) `a` and `b` hold the same multiset of rows.
export async function assertSameRows(db, a, b, what = '') {
  const [counts] = await db.all(
    `SELECT (SELECT count(*) FROM (${a})) AS a_rows, (SELECT count(*) FROM (${b})) AS b_rows, ` +
      `(SELECT count(*) FROM ((${a}) EXCEPT ALL (${b}))) AS only_a, ` +
      `(SELECT count(*) FROM ((${b}) EXCEPT ALL (${a}))) AS only_b`,
  );
  if (counts.only_a !== '0' || counts.only_b !== '0') {
    const missing = await db.all(`SELECT * FROM ((${a}) EXCEPT ALL (${b})) LIMIT 3`);
    const extra = await db.all(`SELECT * FROM ((${b}) EXCEPT ALL (${a})) LIMIT 3`);
    assert.fail(
      `${what}: rows differ (${JSON.stringify(counts)})\n` +
        `in input, not in output: ${JSON.stringify(missing)}\nin output, not in input: ${JSON.stringify(extra)}`,
    );
  }
  assert.equal(counts.a_rows, counts.b_rows, `${what}: row counts differ`);
}

// Table `input` against the objects of a dayAccountConfig() load into `dest`, as `reader`
// (a DuckDB table function over them, with filename=true) gives them: the same rows, and
// each in the file its day and account name.
export async function assertPartitionedRows(db, dest, reader, what) {
  await db.run(`CREATE OR REPLACE TABLE output AS SELECT * FROM ${reader}`);
  await assertSameRows(db, 'SELECT * FROM input', 'SELECT * EXCLUDE (filename) FROM output', what);
  const misplaced = await db.all(
    `SELECT filename, date::VARCHAR AS date, account FROM output WHERE NOT starts_with(filename, ` +
      `${sqlString(dest + '/ws1/')} || account || '/' || strftime(date, '%Y/%m/%d') || ` +
      `'/campaigns-' || strftime(date, '%Y%m%d') || '-') LIMIT 5`,
  );
  assert.deepEqual(misplaced, [], `${what}: rows in a file whose key names another day or account`);
}

// max_file_size_mb kept by a dayAccountConfig() load into `dest`: `partitions` folders,
// every object at most `cap` bytes, each partition's chunks numbered from 00001 without a
// gap, at least two of them, and every one but the last at least `fill` of the cap full.
// `extension`: what every name ends with (default: any). Returns the objects' paths.
export function assertFullChunks(dest, { cap, partitions: folders, fill, extension }) {
  const ending = extension ? extension.replaceAll('.', '\\.') : '\\.[a-z.]+';
  const name = new RegExp(`^(.*)/campaigns-\\d{8}-(\\d{5})${ending}$`);
  const files = listFiles(dest);
  const partitions = new Map(); // folder -> [{chunk, size, f}]
  for (const f of files) {
    const m = name.exec(f);
    assert.ok(m, `unexpected object name ${f}`);
    const size = fs.statSync(path.join(dest, f)).size;
    assert.ok(size <= cap, `${f} is ${size} bytes, over the cap of ${cap}`);
    if (!partitions.has(m[1])) partitions.set(m[1], []);
    partitions.get(m[1]).push({ chunk: m[2], size, f });
  }
  assert.equal(partitions.size, folders, 'one folder per partition');
  const underfilled = [];
  for (const [folder, chunks] of partitions) {
    chunks.sort((a, b) => a.chunk.localeCompare(b.chunk));
    const ids = chunks.map((c) => c.chunk);
    assert.deepEqual(ids, ids.map((_, i) => String(i + 1).padStart(5, '0')), `chunk ids of ${folder}`);
    assert.ok(chunks.length >= 2, `${folder} should need several chunks, has ${chunks.length}`);
    for (const c of chunks.slice(0, -1)) if (c.size < fill * cap) underfilled.push(c);
  }
  const fills = underfilled.map((c) => c.size / cap).sort((a, b) => a - b);
  assert.deepEqual(
    underfilled.map((c) => `${c.f}: ${c.size} bytes`).slice(0, 5),
    [],
    `${underfilled.length} of ${files.length - partitions.size} chunks that are not their partition's last ` +
      `are under ${100 * fill}% of the cap (${cap} bytes); fill from ${(100 * fills[0]).toFixed(1)}% to ` +
      `${(100 * fills.at(-1)).toFixed(1)}%`,
  );
  return files.map((f) => path.join(dest, f));
}

// A row bigger than `config`'s max_file_size_mb, after `lines` (NDJSON sample rows) and on
// a later day (partitions are written in date order, so theirs exist by the time it is
// read), is refused naming max_file_size_mb, and the objects already written are removed.
export function assertHugeRowRefused(work, lines, config) {
  const huge = { ...JSON.parse(lines.at(-1)), date: '2026-02-01', note: 'x'.repeat(100_000) };
  const input = path.join(work, 'huge.ndjson');
  fs.writeFileSync(input, lines.join('\n') + '\n' + JSON.stringify(huge) + '\n');
  const dest = path.join(work, 'lake');
  fs.mkdirSync(dest);
  const r = s3dest(['load', '--no-progress', '--config', writeConfig(work, config), '--input', input, '--dest', dest]);
  assert.notEqual(r.status, 0, 'the load should fail');
  assert.match(r.stderr, /^s3dest: error:/m);
  assert.match(r.stderr, /max_file_size_mb/);
  assert.deepEqual(listFiles(dest), [], 'objects of the failed run were left behind');
}

// ---------------------------------------------------------------------------------------
// The sample data of s3dest-sample.

// Its columns with the types s3dest infers for them, as DuckDB types.
export const SAMPLE_COLUMNS = {
  date: 'DATE',
  account: 'VARCHAR',
  campaign: 'VARCHAR',
  impressions: 'BIGINT',
  clicks: 'BIGINT',
  cost: 'DOUBLE',
  ctr: 'DOUBLE',
  active: 'BOOLEAN',
  updated_at: 'TIMESTAMP',
  note: 'VARCHAR',
};

// The same columns as an s3dest --schema file.
export const SAMPLE_SCHEMA = {
  columns: [
    { name: 'date', type: 'date' },
    { name: 'account', type: 'string' },
    { name: 'campaign', type: 'string' },
    { name: 'impressions', type: 'int64' },
    { name: 'clicks', type: 'int64' },
    { name: 'cost', type: 'double' },
    { name: 'ctr', type: 'double' },
    { name: 'active', type: 'bool' },
    { name: 'updated_at', type: 'timestamp' },
    { name: 'note', type: 'string' },
  ],
};

// Loads an NDJSON file of sample rows into DuckDB table `table`.
export async function loadSampleInput(db, table, file, columns = SAMPLE_COLUMNS) {
  await db.run(
    `CREATE OR REPLACE TABLE ${table} AS SELECT * FROM ` +
      `read_json(${sqlString(file)}, format='newline_delimited', columns=${sqlColumns(columns)})`,
  );
}

// The sample's columns as parquet holds them (and DuckDB reads them): timestamps are
// instants, TIMESTAMP WITH TIME ZONE.
export const SAMPLE_PARQUET_COLUMNS = { ...SAMPLE_COLUMNS, updated_at: 'TIMESTAMP WITH TIME ZONE' };

// Sample rows `FROM from` with updated_at as microseconds since 1970: parquet's instants
// and the input's plain timestamps compare equal so.
export const sampleWithMicros = (from) =>
  `SELECT * EXCLUDE (updated_at), epoch_us(updated_at) AS updated_at FROM ${from}`;

// A day-and-account layout like the demo's.
export function dayAccountConfig(overrides = {}) {
  return {
    title: 'e2e',
    folder: '/{{workspace_id}}/{{account}}/{{YYYY}}/{{MM}}/{{DD}}',
    file_name: '{{filename}}-{{YYYY}}{{MM}}{{DD}}-{{chunk_id}}',
    file_format: 'csv',
    separator: 'comma',
    partition_by: 'day',
    use_load_by_account: true,
    date_field: 'date',
    account_field: 'account',
    context: { workspace_id: 'ws1', filename: 'campaigns' },
    ...overrides,
  };
}

export const EXTENSIONS = { csv: '.csv', 'csv+gzip': '.csv.gz', json: '.json', 'json+gzip': '.json.gz' };

// ---------------------------------------------------------------------------------------
// The hand-made edge-case sets (edge_cases.test.mjs, parquet_types.test.mjs).

// The edge-case layout: a folder per account and day, `edge-YYYY-MM-DD-NNNNN` files.
export function edgeLayout(overrides) {
  return {
    folder: '/{{account}}/{{YYYY}}/{{MM}}/{{DD}}',
    file_name: 'edge-{{YYYY}}-{{MM}}-{{DD}}-{{chunk_id}}',
    partition_by: 'day',
    use_load_by_account: true,
    date_field: 'date',
    account_field: 'account',
    ...overrides,
  };
}

// The i-th value of `list`, round and round.
export const pick = (list, i) => list[i % list.length];

// The columns both sets begin with: an id, the day and account the layout sorts by, then a
// column of each type. Each set adds its own decimals, binary and nested columns.
export const EDGE_FIRST_COLUMNS = [
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
];

// Values both sets draw from.
export const EDGE_INT32S = ['-2147483648', '2147483647', '0', null, '-7'];
export const EDGE_BOOLS = [true, false, null];
export const EDGE_DATES = ['2026-01-01', '1969-12-31', '1900-02-28', '1066-10-14', '2000-02-29', '9999-12-31', '1970-01-01'];
export const EDGE_ACCOUNTS = ['acme', 'zürich', '東京 tokyo', "O'Brien & Co", 'a,b;c'];
// Nested JSON in a string column is kept as its JSON text.
export const EDGE_NESTED = ['{"a":[1,2,{"b":null}],"c":"x\\"y"}', '[1,"two",3.5,true,null]', '{}', null, '[]'];

// Row i of a set: an id counting from 1, and for each column of `values` (column -> list)
// the i-th value of its list.
export function edgeRow(values, i) {
  const row = { id: String(i + 1) };
  for (const [column, list] of Object.entries(values)) row[column] = pick(list, i);
  return row;
}

// The JSON text of a row's values but its decimals, which each set writes its own way.
export function edgeJson(row) {
  return {
    id: row.id,
    date: JSON.stringify(row.date),
    account: JSON.stringify(row.account),
    s: JSON.stringify(row.s),
    i64: row.i64 ?? 'null',
    i32: row.i32 ?? 'null',
    d: row.d === null ? 'null' : Object.is(row.d, -0) ? '-0.0' : String(row.d),
    b: String(row.b),
    ts: JSON.stringify(row.ts),
    bin: JSON.stringify(row.bin),
    extra: row.extra ?? 'null',
  };
}

// What a reader must give back for the columns of EDGE_FIRST_COLUMNS (but dec) and extra,
// of a row written with the keys `keys` (a key left out is null): booleans as text,
// timestamps as microseconds since 1970.
export function edgeWant(row, keys) {
  const opt = (k, v) => (keys.includes(k) ? v : null);
  return {
    id: row.id,
    date: row.date,
    account: row.account,
    s: opt('s', row.s),
    i64: opt('i64', row.i64),
    i32: opt('i32', row.i32),
    d: opt('d', row.d),
    b: opt('b', row.b === null ? null : String(row.b)),
    ts: opt('ts', epochMicros(row.ts)),
    extra: opt('extra', row.extra),
  };
}

// An NDJSON line of the columns `keys`, in that order, from `json` (column -> JSON text).
export const jsonLine = (json, keys) => `{${keys.map((k) => `${JSON.stringify(k)}:${json[k]}`).join(',')}}`;

// Microseconds since 1970 (as text) of "YYYY-MM-DDTHH:MM:SS[.f]Z", computed without DuckDB;
// null for null or undefined.
export function epochMicros(text) {
  if (text === null || text === undefined) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$/.exec(text);
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  return (BigInt(d.getTime()) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0'))).toString();
}
