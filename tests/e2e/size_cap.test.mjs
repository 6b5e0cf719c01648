// max_file_size_mb: every object stays at or under the cap, a partition's chunks are
// numbered 00001..0000N without gaps, every chunk but the last is filled to at least 90%
// of the cap, and no row is lost or doubled across chunks.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';

import {
  SAMPLE_COLUMNS,
  assertGzipValid,
  assertSameRows,
  cleanup,
  dayAccountConfig,
  duck,
  listFiles,
  loadOk,
  loadSampleInput,
  readerSql,
  s3dest,
  sample,
  sqlString,
  tempDir,
  writeConfig,
} from './lib.mjs';

let dir, input, db;

before(async () => {
  dir = tempDir('s3dest-sizecap-');
  // 3 days x 2 accounts: six partitions of ~33,000 rows, each many times the caps below,
  // compressed or not.
  input = sample(path.join(dir, 'input.ndjson'), { rows: 200_000, days: 3, accounts: 2 });
  db = await duck();
  await loadSampleInput(db, 'input', input);
});

after(() => {
  db?.close();
  cleanup(dir);
});

const CASES = [];
for (const file_format of ['csv', 'csv+gzip', 'json+gzip'])
  for (const max_file_size_mb of [0.05, 0.2]) CASES.push({ file_format, max_file_size_mb });

for (const { file_format, max_file_size_mb } of CASES) {
  test(`${file_format} with max_file_size_mb ${max_file_size_mb}: full chunks under the cap, no row lost`, async () => {
    const work = fs.mkdtempSync(path.join(dir, 'run-'));
    try {
      const dest = path.join(work, 'lake');
      const config = writeConfig(work, dayAccountConfig({ file_format, max_file_size_mb }));
      loadOk(['--config', config, '--input', input, '--dest', dest]);

      const cap = max_file_size_mb * 1024 * 1024;
      const files = listFiles(dest);
      const partitions = new Map(); // folder -> [{chunk, size}]
      for (const f of files) {
        const m = /^(.*)\/campaigns-\d{8}-(\d{5})\.[a-z.]+$/.exec(f);
        assert.ok(m, `unexpected object name ${f}`);
        const size = fs.statSync(path.join(dest, f)).size;
        assert.ok(size <= cap, `${f} is ${size} bytes, over the cap of ${cap}`);
        if (!partitions.has(m[1])) partitions.set(m[1], []);
        partitions.get(m[1]).push({ chunk: m[2], size, f });
      }
      assert.equal(partitions.size, 6, 'one folder per (day, account)');
      const underfilled = [];
      for (const [folder, chunks] of partitions) {
        chunks.sort((a, b) => a.chunk.localeCompare(b.chunk));
        const ids = chunks.map((c) => c.chunk);
        const want = ids.map((_, i) => String(i + 1).padStart(5, '0'));
        assert.deepEqual(ids, want, `chunk ids of ${folder}`);
        assert.ok(chunks.length >= 2, `${folder} should need several chunks, has ${chunks.length}`);
        for (const c of chunks.slice(0, -1)) if (c.size < 0.9 * cap) underfilled.push(c);
      }
      const fills = underfilled.map((c) => c.size / cap).sort((a, b) => a - b);
      assert.deepEqual(
        underfilled.map((c) => `${c.f}: ${c.size} bytes`).slice(0, 5),
        [],
        `${underfilled.length} of ${files.length - partitions.size} chunks that are not their partition's last ` +
          `are under 90% of the cap (${cap} bytes); fill from ${(100 * fills[0]).toFixed(1)}% to ` +
          `${(100 * fills.at(-1)).toFixed(1)}%`,
      );

      const paths = files.map((f) => path.join(dest, f));
      if (file_format.endsWith('gzip')) assertGzipValid(paths);
      await db.run(
        `CREATE OR REPLACE TABLE output AS SELECT * FROM ` +
          readerSql(paths, file_format, SAMPLE_COLUMNS, { extra: ', filename=true' }),
      );
      await assertSameRows(db, 'SELECT * FROM input', 'SELECT * EXCLUDE (filename) FROM output', file_format);
      const misplaced = await db.all(
        `SELECT filename FROM output WHERE NOT starts_with(filename, ${sqlString(dest + '/ws1/')} || account || ` +
          `'/' || strftime(date, '%Y/%m/%d') || '/campaigns-' || strftime(date, '%Y%m%d') || '-') LIMIT 5`,
      );
      assert.deepEqual(misplaced, [], 'rows in a chunk of another partition');
    } finally {
      cleanup(work);
    }
  });
}

test('a row larger than the cap is refused and the objects already written are removed', async () => {
  // Partitions are written in date order; the huge row is on the last day, so the first
  // days' objects exist by the time it is found.
  const work = fs.mkdtempSync(path.join(dir, 'run-'));
  try {
    const lines = fs.readFileSync(input, 'utf8').split('\n').slice(0, 2000).filter(Boolean);
    const huge = JSON.parse(lines.at(-1));
    huge.date = '2026-02-01';
    huge.note = 'x'.repeat(100_000);
    const file = path.join(work, 'huge.ndjson');
    fs.writeFileSync(file, lines.join('\n') + '\n' + JSON.stringify(huge) + '\n');
    const dest = path.join(work, 'lake');
    fs.mkdirSync(dest);
    const config = writeConfig(work, dayAccountConfig({ max_file_size_mb: 0.05 }));
    const r = s3dest(['load', '--config', config, '--input', file, '--dest', dest]);
    assert.notEqual(r.status, 0, 'the load should fail');
    assert.match(r.stderr, /^s3dest: error:/m);
    assert.match(r.stderr, /max_file_size_mb/);
    assert.deepEqual(listFiles(dest), [], 'objects of the failed run were left behind');
  } finally {
    cleanup(work);
  }
});

for (const file_format of ['csv+gzip', 'json+gzip']) {
  test(`${file_format}: the cap is on compressed bytes, so a long row that compresses well is loaded`, () => {
    const work = fs.mkdtempSync(path.join(dir, 'run-'));
    try {
      const lines = fs.readFileSync(input, 'utf8').split('\n').slice(0, 500).filter(Boolean);
      const long = { ...JSON.parse(lines[0]), note: 'repeated text '.repeat(5000) };  // 70,000 bytes
      const file = path.join(work, 'long.ndjson');
      fs.writeFileSync(file, [JSON.stringify(long), ...lines].join('\n') + '\n');
      const dest = path.join(work, 'lake');
      const cap = 0.03;
      loadOk(['--config', writeConfig(work, dayAccountConfig({ file_format, max_file_size_mb: cap })), '--input', file,
              '--dest', dest]);
      const files = listFiles(dest).map((f) => path.join(dest, f));
      assertGzipValid(files);
      for (const f of files) assert.ok(fs.statSync(f).size <= cap * 1024 * 1024, `${f} is over the cap`);
      const text = files.map((f) => zlib.gunzipSync(fs.readFileSync(f)).toString()).join('');
      assert.ok(text.includes(long.note), 'the long row is in the output');

      // A row of the same length that does not compress is still refused, naming the cap.
      const random = { ...long, note: crypto.randomBytes(52_500).toString('base64') };
      fs.writeFileSync(file, [JSON.stringify(random), ...lines].join('\n') + '\n');
      const r = s3dest(['load', '--config', writeConfig(work, dayAccountConfig({ file_format, max_file_size_mb: cap })),
                        '--input', file, '--dest', path.join(work, 'refused')]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /does not fit in a file of max_file_size_mb/);
    } finally {
      cleanup(work);
    }
  });
}
