// file_format avro: every type and edge value loaded by the real tool, in both codecs and
// with use_binary_strings on and off, read back by Debian's python3-avro (and counted by
// avro-c's avrocat); and max_file_size_mb kept by every object, with no row lost.
//
// Needs /usr/bin/python3 with python3-avro, and avrocat (avro-bin): tools/install_deps.sh
// --test installs both. Without them the suite fails, naming the package to install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { dayAccountConfig, listFiles, loadLake, sample, suiteSetup, workFolder, writeJson } from './lib.mjs';

const PYTHON = '/usr/bin/python3';

// Prints each record of each file as one JSON object: integers as strings (int64 does
// not fit a JS number), bytes as "base64:...", dates and timestamps in ISO form, decimals
// exactly with their scale.
const READER = String.raw`
import base64, datetime, decimal, json, sys
import avro.datafile, avro.io

def show(v):
    if isinstance(v, bool) or v is None or isinstance(v, (float, str)): return v
    if isinstance(v, int): return str(v)
    if isinstance(v, bytes): return 'base64:' + base64.b64encode(v).decode()
    if isinstance(v, (datetime.date, datetime.datetime)): return v.isoformat()
    if isinstance(v, decimal.Decimal): return format(v, 'f')
    raise TypeError(type(v))

for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        for record in reader:
            print(json.dumps({k: show(v) for k, v in record.items()}))
        reader.close()
`;

let readerScript;

function requireTool(command, args, pkg) {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  assert.ok(!r.error && r.status === 0, `${command} ${args.join(' ')} failed: install ${pkg} (tools/install_deps.sh --test)`);
}

// Records of every file, in file order, as the Python reader prints them.
function readAvro(files) {
  const r = spawnSync(PYTHON, [readerScript, ...files], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `python3-avro could not read ${files.join(', ')}:\n${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

function avrocatLines(file) {
  const r = spawnSync('avrocat', [file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `avrocat could not read ${file}:\n${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

const suite = suiteSetup('s3dest-avro-', {
  setup: ({ dir }) => {
    requireTool(PYTHON, ['-c', 'import avro.datafile'], 'python3-avro');
    requireTool('sh', ['-c', 'command -v avrocat'], 'avro-bin');
    readerScript = path.join(dir, 'read_avro.py');
    fs.writeFileSync(readerScript, READER);
  },
});

const SCHEMA = {
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 's', type: 'string' },
    { name: 'b', type: 'binary' },
    { name: 'flag', type: 'bool' },
    { name: 'i32', type: 'int32' },
    { name: 'i64', type: 'int64' },
    { name: 'r', type: 'double' },
    { name: 'd', type: 'date' },
    { name: 'ts', type: 'timestamp' },
    { name: 'dec', type: 'decimal(38,10)' },
    { name: 'cost (usd)', type: 'decimal(5,2)', nullable: false },
  ],
};

const LONG = 'ü'.repeat(100_000) + ' \n "q" \\ \u0000 end';
const NINES = '9999999999999999999999999999.9999999999'; // 38 digits

// NDJSON lines (int64 extremes do not survive JSON.stringify of JS numbers) and what
// python3-avro must read back; `s` is the text (base64 when use_binary_strings is on).
const ROWS = [
  {
    line: `{"id":1,"s":"","b":"","flag":true,"i32":-2147483648,"i64":-9223372036854775808,"r":0.1,"d":"1969-12-31","ts":"1969-12-31T23:59:59.999999Z","dec":"${NINES}","cost (usd)":"999.99"}`,
    want: { id: '1', s: '', b: 'base64:', flag: true, i32: '-2147483648', i64: '-9223372036854775808', r: 0.1,
            d: '1969-12-31', ts: '1969-12-31T23:59:59.999999+00:00', dec: NINES, cost__usd_: '999.99' },
  },
  {
    line: `{"id":2,"s":"héllo — 日本語 🎉","b":"AP+A","flag":false,"i32":2147483647,"i64":9223372036854775807,"r":-1.5e300,"d":"1900-01-01","ts":"2026-11-25T12:34:56.123456Z","dec":"-${NINES}","cost (usd)":-0.01}`,
    want: { id: '2', s: 'héllo — 日本語 🎉', b: 'base64:AP+A', flag: false, i32: '2147483647', i64: '9223372036854775807',
            r: -1.5e300, d: '1900-01-01', ts: '2026-11-25T12:34:56.123456+00:00', dec: `-${NINES}`, cost__usd_: '-0.01' },
  },
  {
    line: '{"id":3,"s":null,"b":null,"flag":null,"i32":null,"i64":null,"r":null,"d":null,"ts":null,"dec":null,"cost (usd)":0}',
    want: { id: '3', s: null, b: null, flag: null, i32: null, i64: null, r: null, d: null, ts: null, dec: null, cost__usd_: '0.00' },
  },
  {
    line: JSON.stringify({ id: 4, s: LONG, i64: 0, r: -0.0, d: '0001-01-01', ts: '0001-01-01T00:00:00Z', dec: '0.0000000001', 'cost (usd)': '1.5' }).replace('"r":0', '"r":-0.0'),
    want: { id: '4', s: LONG, b: null, flag: null, i32: null, i64: '0', r: -0, d: '0001-01-01', ts: '0001-01-01T00:00:00+00:00',
            dec: '0.0000000001', cost__usd_: '1.50' },
  },
  {
    line: '{"id":5,"cost (usd)":1,"d":"9999-12-31","ts":"9999-12-31T23:59:59.999999Z"}',
    want: { id: '5', s: null, b: null, flag: null, i32: null, i64: null, r: null, d: '9999-12-31', ts: '9999-12-31T23:59:59.999999+00:00',
            dec: null, cost__usd_: '1.00' },
  },
];

for (const avro_codec of ['null', 'deflate']) {
  for (const use_binary_strings of [false, true]) {
    test(`every type and edge value, avro_codec ${avro_codec}, use_binary_strings ${use_binary_strings}`, (t) => {
      const work = workFolder(suite.dir, 'edge-');
      const input = path.join(work, 'input.ndjson');
      fs.writeFileSync(input, ROWS.map((r) => r.line).join('\n') + '\n');
      const schema = writeJson(path.join(work, 'schema.json'), SCHEMA);
      const dest = loadLake(work, {
        title: 'avro edge cases', folder: '/out', file_name: 'edge', file_format: 'avro', avro_codec, use_binary_strings,
      }, ['--input', input, '--schema', schema]);
      assert.deepEqual(listFiles(dest), ['out/edge.avro']);
      const file = path.join(dest, 'out', 'edge.avro');

      const want = ROWS.map(({ want }) =>
        use_binary_strings && want.s !== null ? { ...want, s: 'base64:' + Buffer.from(want.s).toString('base64') } : want,
      );
      const got = readAvro([file]);
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; ++i) assert.deepStrictEqual(got[i], want[i], `row ${i + 1}`);
      assert.equal(avrocatLines(file).length, ROWS.length);
    });
  }
}

for (const avro_codec of ['null', 'deflate']) {
  test(`avro_codec ${avro_codec} with max_file_size_mb 0.2: full chunks under the cap, no row lost`, (t) => {
    const work = workFolder(suite.dir, 'cap-');
    const input = sample(path.join(work, 'input.ndjson'), { rows: 60_000, days: 1, accounts: 1 });
    const inputRows = fs.readFileSync(input, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const dest = loadLake(work, dayAccountConfig({ file_format: 'avro', avro_codec, max_file_size_mb: 0.2 }), ['--input', input]);

    const cap = 0.2 * 1024 * 1024;
    const files = listFiles(dest);
    assert.ok(files.length >= 2, `expected several chunks, got ${files.join(', ')}`);
    files.forEach((f, i) => {
      assert.match(f, /-\d{5}\.avro$/);
      const size = fs.statSync(path.join(dest, f)).size;
      assert.ok(size <= cap, `${f} is ${size} bytes, over the cap of ${cap}`);
      if (i < files.length - 1) assert.ok(size >= 0.9 * cap, `${f} is only ${size} bytes of ${cap}`);
    });
    const records = readAvro(files.map((f) => path.join(dest, f)));
    assert.equal(records.length, inputRows.length);
    const sum = (rows) => rows.reduce((acc, r) => acc + BigInt(r.impressions ?? 0), 0n);
    assert.equal(sum(records), sum(inputRows));
    assert.equal(files.reduce((n, f) => n + avrocatLines(path.join(dest, f)).length, 0), inputRows.length);
  });
}
