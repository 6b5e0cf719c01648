// --manifest lists every object written, with numbers a user can check against the files
// themselves; --dry-run names the same objects with the same row counts and writes nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import {
  SAMPLE_COLUMNS,
  assertFails,
  crc32Base64,
  crc32cBase64,
  dayAccountConfig,
  inWorkFolder,
  listEntries,
  listFiles,
  loadLake,
  loadOk,
  md5Base64,
  readManifest,
  readerSql,
  s3dest,
  sample,
  snapshot,
  suiteSetup,
  writeConfig,
} from './lib.mjs';

const ROWS = 20_000;
// 5 days x 2 accounts; with the 0.05 MB cap each partition takes several chunks.
const suite = suiteSetup('s3dest-manifest-', { duck: true, sample: { rows: ROWS, days: 5, accounts: 2 } });

const MANIFEST_FIELDS =
  ['key', 'bytes', 'rows', 'format', 'partition', 'account', 'chunk_id', 'etag', 'version_id', 'checksum',
   'replaced'].sort();

// Checks a manifest against the files under `dest`, read back by DuckDB.
async function assertManifestMatches(manifest, dest, format) {
  const files = listFiles(dest);
  assert.deepEqual(manifest.objects.map((o) => o.key).sort(), files, 'the manifest lists exactly the files written');

  // What each file holds, per DuckDB: rows, and the day(s) and account(s) in it.
  const paths = files.map((f) => path.join(dest, f));
  const perFile = await suite.db.all(
    `SELECT filename, count(*) AS rows, list(DISTINCT date::VARCHAR) AS dates, list(DISTINCT account) AS accounts ` +
      `FROM ${readerSql(paths, format, SAMPLE_COLUMNS, { extra: ', filename=true' })} GROUP BY filename`,
  );
  const contents = new Map(perFile.map((r) => [path.relative(dest, r.filename), r]));

  let rows = 0;
  let bytes = 0;
  const checksums = new Set();
  for (const o of manifest.objects) {
    assert.deepEqual(Object.keys(o).sort(), MANIFEST_FIELDS, `fields of ${o.key}`);
    const file = path.join(dest, o.key);
    const data = fs.readFileSync(file);
    assert.equal(o.bytes, data.length, `bytes of ${o.key}`);
    assert.equal(o.etag, null, `${o.key}: a local folder has no S3 ETag`);
    assert.equal(o.version_id, null, `${o.key}: nor versions`);
    assert.match(o.checksum, /^crc32c:[A-Za-z0-9+/]{6}==$/, `checksum of ${o.key}`);
    assert.equal(o.checksum, `crc32c:${crc32cBase64(data)}`, `checksum of ${o.key} is the file's CRC32C`);
    checksums.add(o.checksum);
    assert.equal(o.format, format);
    const held = contents.get(o.key);
    assert.equal(o.rows, Number(held.rows), `rows of ${o.key}`);
    assert.deepEqual(held.dates, [o.partition], `${o.key} holds rows of its partition only`);
    assert.deepEqual(held.accounts, [o.account], `${o.key} holds rows of its account only`);
    assert.equal(o.chunk_id, Number(/-(\d{5})\.[a-z.]+$/.exec(o.key)[1]), `chunk_id of ${o.key}`);
    rows += o.rows;
    bytes += o.bytes;
  }
  assert.equal(checksums.size, manifest.objects.length, 'different files have different checksums');
  assert.equal(rows, ROWS, 'the objects hold every input row');
  assert.equal(manifest.rows, ROWS, 'total rows');
  assert.equal(manifest.bytes, bytes, 'total bytes');
}

for (const format of ['csv', 'json+gzip']) {
  test(`--manifest FILE describes every ${format} object: key, bytes, rows, partition, account, chunk, etag, checksum`, () =>
    inWorkFolder(suite.dir, async (work) => {
      const manifestFile = path.join(work, 'manifest.json');
      const dest = loadLake(work, dayAccountConfig({ file_format: format, max_file_size_mb: 0.05 }),
                            ['--input', suite.input, '--manifest', manifestFile]);
      const manifest = readManifest(manifestFile);
      assert.ok(manifest.objects.length > 10, `several chunks per partition: ${manifest.objects.length} objects`);
      await assertManifestMatches(manifest, dest, format);
    }));
}

test('checksum md5 and crc32 in the config give those checksums in the manifest', () =>
  inWorkFolder(suite.dir, (work) => {
    for (const [algorithm, expected] of [
      ['md5', (data) => `md5:${md5Base64(data)}`],
      ['crc32', (data) => `crc32:${crc32Base64(data)}`],
    ]) {
      const dest = path.join(work, algorithm);
      const config = writeConfig(work, dayAccountConfig({ checksum: algorithm }));
      const r = loadOk(['--config', config, '--input', suite.input, '--dest', dest, '--manifest', '-']);
      for (const o of JSON.parse(r.stdout).objects)
        assert.equal(o.checksum, expected(fs.readFileSync(path.join(dest, o.key))), `${algorithm} of ${o.key}`);
    }
  }));

test('--manifest - writes the same manifest to standard output, and nothing else there', () =>
  inWorkFolder(suite.dir, (work) => {
    const config = writeConfig(work, dayAccountConfig({ max_file_size_mb: 0.05 }));
    const toFile = path.join(work, 'manifest.json');
    loadOk(['--config', config, '--input', suite.input, '--dest', path.join(work, 'a'), '--manifest', toFile]);
    const r = loadOk(['--config', config, '--input', suite.input, '--dest', path.join(work, 'b'), '--manifest', '-']);
    const fromStdout = JSON.parse(r.stdout); // throws if anything but the manifest is there
    const fromFile = readManifest(toFile);
    assert.notEqual(fromStdout.run_id, fromFile.run_id, 'each run has an id of its own');
    assert.deepEqual({ ...fromStdout, run_id: null }, { ...fromFile, run_id: null });
  }));

test('month partitions without accounts: partition is YYYY-MM and account is null', () =>
  inWorkFolder(suite.dir, async (work) => {
    const monthly = sample(path.join(work, 'monthly.ndjson'), { rows: 3000, days: 90, accounts: 3 });
    const months = new Set(
      fs.readFileSync(monthly, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).date.slice(0, 7)),
    );
    const manifestFile = path.join(work, 'manifest.json');
    loadLake(work, {
      folder: '/monthly/{{YYYY}}/{{MM}}',
      file_name: 'rows-{{YYYY}}{{MM}}-{{chunk_id}}',
      file_format: 'csv',
      partition_by: 'month',
      date_field: 'date',
    }, ['--input', monthly, '--manifest', manifestFile]);
    const manifest = readManifest(manifestFile);
    assert.deepEqual(new Set(manifest.objects.map((o) => o.partition)), months);
    for (const o of manifest.objects) {
      assert.equal(o.account, null, `account of ${o.key}`);
      const [yyyy, mm] = o.partition.split('-');
      assert.equal(o.key, `monthly/${yyyy}/${mm}/rows-${yyyy}${mm}-${String(o.chunk_id).padStart(5, "0")}.csv`);
    }
    assert.equal(manifest.rows, 3000);
  }));

test('a manifest that cannot be written undoes the run (exit 4, the folder as it was)', () =>
  inWorkFolder(suite.dir, (work) => {
    const config = writeConfig(work, dayAccountConfig({ max_file_size_mb: 0.05 }));
    const dest = path.join(work, 'lake');
    loadOk(['--config', config, '--input', suite.input, '--dest', dest]);
    const before = snapshot(dest);
    const r = s3dest(['load', '--no-progress', '--config', config, '--input', suite.input, '--dest', dest,
                      '--manifest', path.join(work, 'no-such-folder', 'manifest.json')]);
    assertFails(r, 4, ['writing the manifest to', 'no-such-folder', 'undone: ']);
    assert.deepEqual(snapshot(dest), before);
  }));

// "KEY<whitespace>N rows" lines -> [{key, rows}]
function parseDryRun(stdout) {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S+)\s+(\d+)(?: rows?)?$/.exec(line);
      assert.ok(m, `dry-run line without a key and a row count: ${JSON.stringify(line)}`);
      return { key: m[1], rows: Number(m[2]) };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

for (const format of ['csv', 'csv+gzip']) {
  test(`--dry-run (${format}) prints the keys and row counts of a real run and writes nothing`, () =>
    inWorkFolder(suite.dir, (work) => {
      const config = writeConfig(work, dayAccountConfig({ file_format: format, max_file_size_mb: 0.05 }));
      const dryDest = path.join(work, 'dry');
      const dry = loadOk(['--config', config, '--input', suite.input, '--dest', dryDest, '--dry-run']);
      assert.equal(fs.existsSync(dryDest), false, 'a dry run creates no destination folder');
      assert.deepEqual(listEntries(work), ['config.json'], 'a dry run writes nothing anywhere');

      const manifestFile = path.join(work, 'manifest.json');
      loadOk(['--config', config, '--input', suite.input, '--dest', path.join(work, 'real'), '--manifest', manifestFile]);
      const real = readManifest(manifestFile)
        .objects.map((o) => ({ key: o.key, rows: o.rows }))
        .sort((a, b) => a.key.localeCompare(b.key));
      assert.deepEqual(parseDryRun(dry.stdout), real);
    }));
}

test('--dry-run without --dest needs no destination', () =>
  inWorkFolder(suite.dir, (work) => {
    const config = writeConfig(work, dayAccountConfig());
    const r = loadOk(['--config', config, '--input', suite.input, '--dry-run'], { cwd: work });
    const lines = parseDryRun(r.stdout);
    assert.equal(lines.length, 10, 'one object per (day, account)');
    assert.equal(lines.reduce((n, l) => n + l.rows, 0), ROWS);
    assert.deepEqual(listEntries(work), ['config.json']);
  }));
