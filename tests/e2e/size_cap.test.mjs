// max_file_size_mb: every object stays at or under the cap, a partition's chunks are
// numbered 00001..0000N without gaps, every chunk but the last is filled to at least 90%
// of the cap, and no row is lost or doubled across chunks.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import {
  SAMPLE_COLUMNS,
  assertFullChunks,
  assertGzipValid,
  assertHugeRowRefused,
  assertPartitionedRows,
  dayAccountConfig,
  filePaths,
  inWorkFolder,
  loadLake,
  readObject,
  readerSql,
  s3dest,
  suiteSetup,
  writeConfig,
} from './lib.mjs';

// 3 days x 2 accounts: six partitions of ~33,000 rows, each many times the caps below,
// compressed or not.
const suite = suiteSetup('s3dest-sizecap-', { duck: true, sample: { rows: 200_000, days: 3, accounts: 2 } });

// The first `n` lines of the input.
const inputLines = (n) => fs.readFileSync(suite.input, 'utf8').split('\n').slice(0, n).filter(Boolean);

const CASES = [];
for (const file_format of ['csv', 'csv+gzip', 'json+gzip'])
  for (const max_file_size_mb of [0.05, 0.2]) CASES.push({ file_format, max_file_size_mb });

for (const { file_format, max_file_size_mb } of CASES) {
  test(`${file_format} with max_file_size_mb ${max_file_size_mb}: full chunks under the cap, no row lost`, () =>
    inWorkFolder(suite.dir, async (work) => {
      const dest = loadLake(work, dayAccountConfig({ file_format, max_file_size_mb }), ['--input', suite.input]);
      const paths = assertFullChunks(dest, { cap: max_file_size_mb * 1024 * 1024, partitions: 6, fill: 0.9 });
      if (file_format.endsWith('gzip')) assertGzipValid(paths);
      const reader = readerSql(paths, file_format, SAMPLE_COLUMNS, { extra: ', filename=true' });
      await assertPartitionedRows(suite.db, dest, reader, file_format);
    }));
}

test('a row larger than the cap is refused and the objects already written are removed', () =>
  inWorkFolder(suite.dir, (work) => {
    assertHugeRowRefused(work, inputLines(2000), dayAccountConfig({ max_file_size_mb: 0.05 }));
  }));

for (const file_format of ['csv+gzip', 'json+gzip']) {
  test(`${file_format}: the cap is on compressed bytes, so a long row that compresses well is loaded`, () =>
    inWorkFolder(suite.dir, (work) => {
      const lines = inputLines(500);
      const long = { ...JSON.parse(lines[0]), note: 'repeated text '.repeat(5000) };  // 70,000 bytes
      const file = path.join(work, 'long.ndjson');
      fs.writeFileSync(file, [JSON.stringify(long), ...lines].join('\n') + '\n');
      const cap = 0.03;
      const files = filePaths(loadLake(work, dayAccountConfig({ file_format, max_file_size_mb: cap }), ['--input', file]));
      assertGzipValid(files);
      for (const f of files) assert.ok(fs.statSync(f).size <= cap * 1024 * 1024, `${f} is over the cap`);
      const text = files.map((f) => readObject(f).toString()).join('');
      assert.ok(text.includes(long.note), 'the long row is in the output');

      // A row of the same length that does not compress is still refused, naming the cap.
      const random = { ...long, note: crypto.randomBytes(52_500).toString('base64') };
      fs.writeFileSync(file, [JSON.stringify(random), ...lines].join('\n') + '\n');
      const r = s3dest(['load', '--config', writeConfig(work, dayAccountConfig({ file_format, max_file_size_mb: cap })),
                        '--input', file, '--dest', path.join(work, 'refused')]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /does not fit in a file of max_file_size_mb/);
    }));
}
