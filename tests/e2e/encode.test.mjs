// s3dest-encode: `s3dest load` into a local folder, built without libcurl and OpenSSL.
// The same config and rows through both tools give the same objects under the same keys
// (byte for byte; avro, whose sync marker is random, row for row by python3-avro), read
// back by DuckDB as the input; csv input with --schema; bad input, usage and what it
// cannot do (S3, md5) fail with s3dest's exit codes, leaving nothing behind.
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
  SAMPLE_SCHEMA,
  assertFails,
  assertNothingWritten,
  assertPartitionedRows,
  dayAccountConfig,
  listFiles,
  loadOk,
  readObject,
  readerSql,
  suiteSetup,
  workFolder,
  writeConfig,
  writeJson,
} from './lib.mjs';

const ENCODE = path.join(path.dirname(BIN), 's3dest-encode');
const PYTHON = '/usr/bin/python3';

function encode(args, { input } = {}) {
  const r = spawnSync(ENCODE, args, { input: input ?? '', encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}

function encodeOk(args, options) {
  const r = encode(args, options);
  assert.equal(r.status, 0, `s3dest-encode ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r;
}

// The records of an avro file as JSON lines, in file order (python3-avro).
function avroRecords(file) {
  const script = 'import sys, avro.datafile, avro.io\n' +
    'r = avro.datafile.DataFileReader(open(sys.argv[1], "rb"), avro.io.DatumReader())\n' +
    'plain = lambda v: v.isoformat() if hasattr(v, "isoformat") else v\n' +
    'for rec in r: print(repr(sorted((k, plain(v)) for k, v in rec.items())))\n';
  const r = spawnSync(PYTHON, ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(!r.error, `${PYTHON} is missing: install python3-avro (tools/install_deps.sh --test)`);
  assert.equal(r.status, 0, `python3-avro could not read ${file}:\n${r.stderr}`);
  return r.stdout;
}

const suite = suiteSetup('s3dest-encode-', { duck: true, sample: { rows: 20000, days: 3, accounts: 3 } });

test('links neither libcurl nor OpenSSL, and is under 1.5 MB stripped', () => {
  const r = spawnSync('ldd', [ENCODE], { encoding: 'utf8' });
  assert.doesNotMatch(r.stdout, /libcurl|libssl|libcrypto/, r.stdout);
  const stripped = path.join(suite.dir, 's3dest-encode.stripped');
  const s = spawnSync('strip', ['-o', stripped, ENCODE], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  assert.ok(fs.statSync(stripped).size < 1_500_000, `s3dest-encode is ${fs.statSync(stripped).size} bytes stripped`);
});

for (const format of ['csv', 'csv+gzip', 'json', 'json+gzip', 'parquet', 'avro']) {
  test(`${format}: the same objects as s3dest load writes, read back as the input`, async () => {
    const work = workFolder(suite.dir);
    const config = writeConfig(work, dayAccountConfig({ file_format: format }));
    const byLoad = path.join(work, 'load'), byEncode = path.join(work, 'encode');
    loadOk(['--config', config, '--input', suite.input, '--dest', byLoad]);
    encodeOk(['--config', config, '--input', suite.input, '--dest', byEncode, '--no-progress']);
    const keys = listFiles(byLoad);
    assert.ok(keys.length >= 9, `a file per day and account, got ${keys.length}`);
    assert.deepEqual(listFiles(byEncode), keys);
    for (const key of keys) {
      const [a, b] = [path.join(byLoad, key), path.join(byEncode, key)];
      if (format === 'avro') assert.equal(avroRecords(b), avroRecords(a), key);
      else assert.ok(readObject(a).equals(readObject(b)), `${key} differs between s3dest load and s3dest-encode`);
    }
    // s3dest load's parquet and avro are read back by their own suites; the text here.
    if (format === 'parquet' || format === 'avro') return;
    const files = keys.map((k) => path.join(byEncode, k));
    await assertPartitionedRows(suite.db, byEncode, readerSql(files, format, SAMPLE_COLUMNS, { extra: ', filename=true' }),
                                format);
  });
}

test('csv input with --schema, and a manifest', () => {
  const work = workFolder(suite.dir);
  const csvConfig = writeConfig(work, dayAccountConfig({ file_format: 'csv' }), 'csv.json');
  encodeOk(['--config', csvConfig, '--input', suite.input, '--dest', path.join(work, 'as-csv')]);
  const csvFiles = listFiles(path.join(work, 'as-csv')).map((k) => path.join(work, 'as-csv', k));
  const schema = writeJson(path.join(work, 'schema.json'), SAMPLE_SCHEMA);
  const config = writeConfig(work, dayAccountConfig({ file_format: 'parquet' }), 'parquet.json');
  const manifest = path.join(work, 'manifest.json');
  encodeOk(['--config', config, '--input-format', 'csv', '--schema', schema, '--dest', path.join(work, 'back'),
            '--manifest', manifest, ...csvFiles.flatMap((f) => ['--input', f])]);
  const written = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  assert.equal(written.rows, 20000);
  assert.deepEqual(written.objects.map((o) => o.key).sort(), listFiles(path.join(work, 'back')).sort());
});

test('bad input: exit 3 at its line, nothing written', () => {
  const work = workFolder(suite.dir);
  const config = writeConfig(work, dayAccountConfig({ file_format: 'parquet' }));
  const lines = fs.readFileSync(suite.input, 'utf8').split('\n').filter(Boolean);
  const broken = path.join(work, 'broken.ndjson');
  fs.writeFileSync(broken, [...lines.slice(0, 500), '{"date": "2026-01-01", "account": ', ...lines.slice(500)].join('\n'));
  const dest = path.join(work, 'lake');
  assertFails(encode(['--config', config, '--input', broken, '--dest', dest]), 3, ['broken.ndjson:501']);
  assertNothingWritten(dest);
});

test('usage and what it cannot do: exit 2 naming what to fix', () => {
  const work = workFolder(suite.dir);
  const config = writeConfig(work, dayAccountConfig());
  assertFails(encode(['--config', config, '--input', suite.input, '--dest', 's3://lake/p']), 2,
              ['s3dest-encode writes to a local folder', 's3dest load']);
  const md5 = writeConfig(work, dayAccountConfig({ checksum: 'md5' }), 'md5.json');
  assertFails(encode(['--config', md5, '--input', suite.input, '--dest', path.join(work, 'x')]), 2,
              ['"md5" needs OpenSSL', 'crc32c']);
  assertFails(encode(['--colour']), 2, ['unknown option "--colour" for s3dest-encode', 'usage:']);
  assertFails(encode(['--dest', work]), 2, ['--config FILE is required']);
  assert.match(encodeOk(['version']).stdout, /^s3dest-encode \d+\.\d+\.\d+/);
});
