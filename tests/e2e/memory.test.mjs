// Memory stays bounded whatever the number of partitions open at once: 300,000 rows over
// 3,000 days and 5 accounts (15,000 partitions, every one of them open until the input
// ends) with memory_limit_mb 32, as csv+gzip and as parquet; and parquet, which holds a
// row group per open file, with 30 big partitions open at once.
//
// The bound asserted is twice memory_limit_mb, measured as the peak resident set of the
// s3dest process (GNU time's %M). DESIGN.md promises memory under memory_limit_mb; the
// factor two leaves room for what no limit governs (the executable and its libraries,
// zlib and simdjson state, allocator slack: a 1,000-row load peaks around 13 MB) while
// still failing if buffers grow with the number of partitions (15,000 open gzip streams
// at even 8 KB each would be 120 MB) or with the input size (the input is 66 MB).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  BIN,
  SAMPLE_COLUMNS,
  assertSameRows,
  cleanup,
  duck,
  listFiles,
  loadSampleInput,
  readerSql,
  sample,
  sqlList,
  tempDir,
  writeConfig,
} from './lib.mjs';

const MEMORY_LIMIT_MB = 32;
const BOUND_KB = 2 * MEMORY_LIMIT_MB * 1024;
let dir, input, db;

before(async () => {
  dir = tempDir('s3dest-memory-');
  input = sample(path.join(dir, 'input.ndjson'), { rows: 300_000, days: 3000, accounts: 5 });
  db = await duck();
  await loadSampleInput(db, 'input', input);
});

after(() => {
  db?.close();
  cleanup(dir);
});

// Runs s3dest under GNU time; returns its result and peak RSS in KB.
function loadMeasured(args, options = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', 'peak-rss-kb=%M', BIN, 'load', '--no-progress', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `s3dest failed:\n${r.stderr}`);
  const m = /peak-rss-kb=(\d+)/.exec(r.stderr);
  assert.ok(m, `no peak RSS in: ${r.stderr}`);
  return { ...r, peakKb: Number(m[1]) };
}

const CONFIG = {
  folder: '/{{account}}/{{YYYY}}/{{MM}}/{{DD}}',
  file_name: 'part-{{chunk_id}}',
  file_format: 'csv+gzip',
  partition_by: 'day',
  use_load_by_account: true,
  date_field: 'date',
  account_field: 'account',
  memory_limit_mb: MEMORY_LIMIT_MB,
};

async function assertAllRows(dest) {
  const files = listFiles(dest);
  assert.equal(files.length, 15_000, 'one object per (day, account)');
  const paths = files.map((f) => path.join(dest, f));
  await assertSameRows(db, 'SELECT * FROM input', `SELECT * FROM ${readerSql(paths, 'csv+gzip', SAMPLE_COLUMNS)}`, 'memory');
}

test(`15,000 partitions from a file stay under ${2 * MEMORY_LIMIT_MB} MB with memory_limit_mb ${MEMORY_LIMIT_MB}`, async () => {
  const work = fs.mkdtempSync(path.join(dir, 'run-'));
  try {
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, CONFIG);
    const { peakKb } = loadMeasured(['--config', config, '--input', input, '--dest', dest]);
    await assertAllRows(dest);
    assert.ok(peakKb < BOUND_KB, `peak RSS ${peakKb} KB is over ${BOUND_KB} KB`);
  } finally {
    cleanup(work);
  }
});

test(`15,000 partitions from standard input stay under ${2 * MEMORY_LIMIT_MB} MB with memory_limit_mb ${MEMORY_LIMIT_MB}`, async () => {
  const work = fs.mkdtempSync(path.join(dir, 'run-'));
  try {
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, CONFIG);
    // Through a pipe, as in `zcat rows.ndjson.gz | s3dest load ...`.
    const { peakKb } = loadMeasured(['--config', config, '--input', '-', '--dest', dest], { input: fs.readFileSync(input) });
    await assertAllRows(dest);
    assert.ok(peakKb < BOUND_KB, `peak RSS ${peakKb} KB is over ${BOUND_KB} KB`);
  } finally {
    cleanup(work);
  }
});

// Parquet, read back with the timestamps compared as microseconds (parquet's are UTC
// instants, TIMESTAMP WITH TIME ZONE; the input's are plain TIMESTAMP).
const asMicros = (from) => `SELECT * EXCLUDE (updated_at), epoch_us(updated_at) AS updated_at FROM ${from}`;

test(`parquet: 15,000 partitions stay under ${2 * MEMORY_LIMIT_MB} MB with memory_limit_mb ${MEMORY_LIMIT_MB}`, async () => {
  const work = fs.mkdtempSync(path.join(dir, 'run-'));
  try {
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, { ...CONFIG, file_format: 'parquet' });
    const { peakKb } = loadMeasured(['--config', config, '--input', input, '--dest', dest]);
    const files = listFiles(dest).map((f) => path.join(dest, f));
    assert.equal(files.length, 15_000, 'one object per (day, account)');
    await assertSameRows(db, asMicros('input'), asMicros(`read_parquet(${sqlList(files)})`), 'parquet memory');
    assert.ok(peakKb < BOUND_KB, `peak RSS ${peakKb} KB is over ${BOUND_KB} KB`);
  } finally {
    cleanup(work);
  }
});

test(`parquet: 30 partitions of 30 MB each share memory_limit_mb ${MEMORY_LIMIT_MB}`, async () => {
  // Each day's row group alone would reach the 4 MB a file may hold at this limit; thirty
  // of them at once would be 120 MB, so the writers must take turns writing early.
  const work = fs.mkdtempSync(path.join(dir, 'run-'));
  try {
    const big = sample(path.join(work, 'big.ndjson'), { rows: 1_000_000, days: 30, accounts: 5 });
    await loadSampleInput(db, 'big', big);
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, { ...CONFIG, file_format: 'parquet', use_load_by_account: false,
                                       folder: '/{{YYYY}}/{{MM}}/{{DD}}' });
    const { peakKb } = loadMeasured(['--config', config, '--input', big, '--dest', dest]);
    const files = listFiles(dest).map((f) => path.join(dest, f));
    assert.equal(files.length, 30, 'one object per day');
    await assertSameRows(db, asMicros('big'), asMicros(`read_parquet(${sqlList(files)})`), 'parquet shared memory');
    assert.ok(peakKb < BOUND_KB, `peak RSS ${peakKb} KB is over ${BOUND_KB} KB`);
    await db.run('DROP TABLE big');
  } finally {
    cleanup(work);
  }
});
