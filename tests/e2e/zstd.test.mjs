// The zstd formats (libzstd; s3dest built with S3DEST_WITH_ZSTD), loaded by the real tool
// and read back by independent readers: csv+zstd and json+zstd by `zstd -t` (one frame per
// file, with its checksum) and DuckDB's read_csv/read_json; parquet_compression "zstd" by
// DuckDB and hyparquet (whose ZSTD pages are handed to the zstd CLI); avro_codec
// "zstandard" by Debian's python3-avro (with python3-zstandard). And max_file_size_mb on
// text that hardly compresses: every csv+zstd object within the cap, no row lost.
//
// Needs the zstd CLI, /usr/bin/python3 with python3-avro and python3-zstandard:
// tools/install_deps.sh --test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as nodeTest } from 'node:test';

import {
  SAMPLE_COLUMNS,
  SAMPLE_PARQUET_COLUMNS,
  assertFullChunks,
  assertPartitionedRows,
  dayAccountConfig,
  filePaths,
  inWorkFolder,
  listFiles,
  loadLake,
  loadSampleInput,
  readerSql,
  s3dest,
  sqlList,
  sqlString,
  suiteSetup,
} from './lib.mjs';

let hyparquet;
try {
  hyparquet = await import('hyparquet');
} catch (error) {
  throw new Error(`hyparquet is missing: run \`npm ci\` in tests/e2e (${error.message})`);
}

const PYTHON = '/usr/bin/python3';

// An s3dest built without libzstd (S3DEST_WITH_ZSTD off) refuses the zstd names, saying so;
// then these tests are skipped, not failed.
const BUILT_WITHOUT_ZSTD = (() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3dest-zstd-probe-'));
  try {
    const config = path.join(dir, 'c.json');
    fs.writeFileSync(config, JSON.stringify({ file_name: 'x', file_format: 'csv+zstd' }));
    fs.writeFileSync(path.join(dir, 'in.ndjson'), '{"a": 1}\n');
    const r = s3dest(['load', '--no-progress', '--config', config, '--input', path.join(dir, 'in.ndjson'), '--dest', path.join(dir, 'out')]);
    return r.status === 2 && r.stderr.includes('built without');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
})();
const test = (name, fn) => nodeTest(name, { skip: BUILT_WITHOUT_ZSTD && 's3dest is built without libzstd' }, fn);

function requireTool(command, args, pkg) {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed: install ${pkg} (tools/install_deps.sh --test)\n${r.stderr ?? r.error}`);
}

// 3 days x 2 accounts: six partitions.
const suite = suiteSetup('s3dest-zstd-', {
  duck: true,
  sample: { rows: 60_000, days: 3, accounts: 2 },
  setup: () => {
    if (BUILT_WITHOUT_ZSTD) return;
    requireTool('zstd', ['--version'], 'zstd');
    requireTool(PYTHON, ['-c', 'import avro.datafile, zstandard'], 'python3-avro and python3-zstandard');
  },
});

// `zstd -lv` of each file: exactly one frame, ending with its XXH64 checksum, and `zstd -t`
// (which checks that checksum) passes.
function assertOneCheckedFrame(paths) {
  for (const file of paths) {
    const listed = spawnSync('zstd', ['-lv', file], { encoding: 'utf8' });
    assert.equal(listed.status, 0, `zstd -lv ${file}: ${listed.stderr}`);
    assert.match(listed.stdout, /# Zstandard Frames: 1\n/, `${file}: one zstd frame\n${listed.stdout}`);
    assert.match(listed.stdout, /Check: XXH64/, `${file}: a content checksum\n${listed.stdout}`);
  }
  const tested = spawnSync('zstd', ['-t', '-q', ...paths], { encoding: 'utf8' });
  assert.equal(tested.status, 0, `zstd -t: ${tested.stderr}`);
}

const bytesOf = (paths) => paths.reduce((n, f) => n + fs.statSync(f).size, 0);

for (const file_format of ['csv+zstd', 'json+zstd']) {
  test(`${file_format}: .zst files of one checked frame each, read back by DuckDB unchanged`, () =>
    inWorkFolder(suite.dir, async (work) => {
      const dest = loadLake(work, dayAccountConfig({ file_format }), ['--input', suite.input]);
      const files = listFiles(dest);
      const ext = file_format === 'csv+zstd' ? '.csv.zst' : '.json.zst';
      assert.equal(files.length, 6, `one object per day and account: ${files.join(', ')}`);
      for (const f of files) assert.ok(f.endsWith(ext), `${f} should end with ${ext}`);
      const paths = filePaths(dest);
      assertOneCheckedFrame(paths);
      await loadSampleInput(suite.db, 'input', suite.input);
      const reader = readerSql(paths, file_format, SAMPLE_COLUMNS, { extra: ', filename=true' });
      await assertPartitionedRows(suite.db, dest, reader, file_format);
    }));
}

test('zstd_level trades time and memory for size: level 19 makes smaller files than the default 3', () =>
  inWorkFolder(suite.dir, (work) => {
    const usual = filePaths(loadLake(work, dayAccountConfig({ file_format: 'csv+zstd' }), ['--input', suite.input], { lake: 'l3' }));
    // Each open file holds level 19's context (about 95 MiB): more than the default
    // memory_limit_mb of 512 gives one open file, so the config is refused, saying so.
    const config = path.join(work, 'greedy.json');
    fs.writeFileSync(config, JSON.stringify(dayAccountConfig({ file_format: 'csv+zstd', zstd_level: 19 })));
    const refused = s3dest(['load', '--no-progress', '--config', config, '--input', suite.input, '--dest', path.join(work, 'no')]);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /"zstd_level": 19 holds \d+ MiB per open file, .*raise memory_limit_mb to \d+ or use zstd_level \d+ or lower/);
    assert.deepEqual(listFiles(work).filter((f) => f.startsWith('no/')), []);
    const small = filePaths(
      loadLake(work, dayAccountConfig({ file_format: 'csv+zstd', zstd_level: 19, memory_limit_mb: 1024 }), ['--input', suite.input], {
        lake: 'l19',
      }),
    );
    assertOneCheckedFrame(small);
    assert.ok(bytesOf(small) < bytesOf(usual) * 0.95, `level 19: ${bytesOf(small)} bytes, level 3: ${bytesOf(usual)}`);
  }));

test('parquet_compression zstd: ZSTD pages that DuckDB and hyparquet read back', () =>
  inWorkFolder(suite.dir, async (work) => {
    const { db } = suite;
    const dest = loadLake(work, dayAccountConfig({ file_format: 'parquet', parquet_compression: 'zstd' }), [
      '--input', suite.input,
    ]);
    const paths = filePaths(dest);
    assert.equal(paths.length, 6);
    const codecs = await db.all(`SELECT DISTINCT compression FROM parquet_metadata(${sqlList(paths)})`);
    assert.deepEqual(codecs.map((r) => r.compression), ['ZSTD'], 'the codec in the footers');
    await loadSampleInput(db, 'input', suite.input, SAMPLE_PARQUET_COLUMNS);
    await assertPartitionedRows(db, dest, `read_parquet(${sqlList(paths)}, filename=true)`, 'parquet zstd');

    // hyparquet has no zstd of its own: each page goes through the zstd CLI.
    const zstdCli = (input) => {
      const r = spawnSync('zstd', ['-d', '-c', '-q'], { input, maxBuffer: 1 << 30 });
      assert.equal(r.status, 0, `zstd -d of a parquet page: ${r.stderr}`);
      return new Uint8Array(r.stdout);
    };
    const file = paths[0];
    const bytes = fs.readFileSync(file);
    const rows = await hyparquet.parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      compressors: { ZSTD: zstdCli },
    });
    const text = (r) => JSON.stringify([r.account, r.campaign, String(r.impressions), r.cost, r.note]);
    const duckRows = await db.all(
      `SELECT account, campaign, impressions::VARCHAR AS impressions, cost, note FROM read_parquet(${sqlString(file)})`,
    );
    assert.equal(rows.length, duckRows.length, `${file}: hyparquet and DuckDB row counts`);
    assert.deepEqual(rows.map(text).sort(), duckRows.map((r) => text({ ...r, cost: Number(r.cost) })).sort());
  }));

test('avro_codec zstandard: blocks python3-avro reads back, codec named as the specification names it', () =>
  inWorkFolder(suite.dir, async (work) => {
    const dest = loadLake(work, dayAccountConfig({ file_format: 'avro', avro_codec: 'zstandard' }), [
      '--input', suite.input,
    ]);
    const paths = filePaths(dest);
    assert.equal(paths.length, 6);
    const script = [
      'import json, sys',
      'import avro.datafile, avro.io',
      'rows, impressions, codecs = 0, 0, set()',
      'for name in sys.argv[1:]:',
      '    with open(name, "rb") as f:',
      '        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())',
      '        codecs.add(reader.get_meta("avro.codec").decode())',
      '        for row in reader:',
      '            rows += 1',
      '            impressions += row["impressions"] or 0',
      'print(json.dumps({"rows": rows, "impressions": impressions, "codecs": sorted(codecs)}))',
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script, ...paths], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, `python3-avro could not read the files:\n${r.stderr}`);
    const got = JSON.parse(r.stdout);
    await loadSampleInput(suite.db, 'input', suite.input);
    const [want] = await suite.db.all('SELECT count(*)::VARCHAR AS n, sum(impressions)::VARCHAR AS s FROM input');
    assert.deepEqual(got, { rows: Number(want.n), impressions: Number(want.s), codecs: ['zstandard'] });
  }));

test('csv+zstd with max_file_size_mb 0.2 on text that hardly compresses: every object within the cap, no row lost', () =>
  inWorkFolder(suite.dir, async (work) => {
    // Random base64 notes: zstd gets them down to about 3/4 only, so the cap rests on the
    // bound and on the flushes near it, not on compression. Three partitions.
    const input = path.join(work, 'random.ndjson');
    const lines = [];
    const ROWS = 30_000;
    for (let i = 0; i < ROWS; ++i) {
      const date = `2026-01-0${1 + (i % 3)}`;
      lines.push(JSON.stringify({ date, account: 'acc0', id: i, note: crypto.randomBytes(180).toString('base64') }));
    }
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const cap = 0.2 * 1024 * 1024;
    const dest = loadLake(work, dayAccountConfig({ file_format: 'csv+zstd', max_file_size_mb: 0.2 }), ['--input', input]);
    const paths = assertFullChunks(dest, { cap, partitions: 3, fill: 0.9, extension: '.csv.zst' });
    assert.ok(paths.length >= 12, `${paths.length} objects: the input should need several per partition`);
    assertOneCheckedFrame(paths);
    const [counts] = await suite.db.all(
      `SELECT count(*)::VARCHAR AS n, count(DISTINCT id)::VARCHAR AS ids, sum(id)::VARCHAR AS s FROM ` +
        `read_csv(${sqlList(paths)}, header=true, columns={'date': 'DATE', 'account': 'VARCHAR', 'id': 'BIGINT', 'note': 'VARCHAR'})`,
    );
    assert.deepEqual(counts, { n: String(ROWS), ids: String(ROWS), s: String((ROWS * (ROWS - 1)) / 2) });
  }));

// Built with libzstd or not.
nodeTest('content_encoding "zstd" goes with the zstd formats only', () =>
  inWorkFolder(suite.dir, (work) => {
    const config = path.join(work, 'c.json');
    fs.writeFileSync(config, JSON.stringify({ file_name: 'x', file_format: 'csv+gzip', content_encoding: 'zstd' }));
    const r = s3dest(['load', '--no-progress', '--config', config, '--input', suite.input, '--dest', path.join(work, 'lake')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /"csv\+gzip" files are gzip files: use "gzip"/);
  }));
