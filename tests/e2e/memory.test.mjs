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
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import {
  SAMPLE_COLUMNS,
  assertSameRows,
  filePaths,
  inWorkFolder,
  loadMeasured,
  loadSampleInput,
  readerSql,
  sample,
  sampleWithMicros,
  sqlList,
  suiteSetup,
  writeConfig,
} from './lib.mjs';

const MEMORY_LIMIT_MB = 32;
const BOUND_KB = 2 * MEMORY_LIMIT_MB * 1024;
const suite = suiteSetup('s3dest-memory-', { duck: true, sample: { rows: 300_000, days: 3000, accounts: 5 } });

// A load under GNU time that must succeed; returns its peak RSS in KB.
function peakOfLoad(args, options) {
  const r = loadMeasured(args, options);
  assert.equal(r.status, 0, `s3dest failed:\n${r.stderr}`);
  return r.peakKb;
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
  const paths = filePaths(dest);
  assert.equal(paths.length, 15_000, 'one object per (day, account)');
  await assertSameRows(suite.db, 'SELECT * FROM input', `SELECT * FROM ${readerSql(paths, 'csv+gzip', SAMPLE_COLUMNS)}`, 'memory');
}

test(`15,000 partitions from a file stay under ${2 * MEMORY_LIMIT_MB} MB with memory_limit_mb ${MEMORY_LIMIT_MB}`, () =>
  inWorkFolder(suite.dir, async (work) => {
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, CONFIG);
    const peakKb = peakOfLoad(['--config', config, '--input', suite.input, '--dest', dest]);
    await assertAllRows(dest);
    assert.ok(peakKb < BOUND_KB, `peak RSS ${peakKb} KB is over ${BOUND_KB} KB`);
  }));

test(`15,000 partitions from standard input stay under ${2 * MEMORY_LIMIT_MB} MB with memory_limit_mb ${MEMORY_LIMIT_MB}`, () =>
  inWorkFolder(suite.dir, async (work) => {
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, CONFIG);
    // Through a pipe, as in `zcat rows.ndjson.gz | s3dest load ...`.
    const peakKb = peakOfLoad(['--config', config, '--input', '-', '--dest', dest], { input: fs.readFileSync(suite.input) });
    await assertAllRows(dest);
    assert.ok(peakKb < BOUND_KB, `peak RSS ${peakKb} KB is over ${BOUND_KB} KB`);
  }));

// Parquet is read back with the timestamps compared as microseconds (sampleWithMicros):
// parquet's are UTC instants, TIMESTAMP WITH TIME ZONE; the input's are plain TIMESTAMP.

test(`parquet: 15,000 partitions stay under ${2 * MEMORY_LIMIT_MB} MB with memory_limit_mb ${MEMORY_LIMIT_MB}`, () =>
  inWorkFolder(suite.dir, async (work) => {
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, { ...CONFIG, file_format: 'parquet' });
    const peakKb = peakOfLoad(['--config', config, '--input', suite.input, '--dest', dest]);
    const files = filePaths(dest);
    assert.equal(files.length, 15_000, 'one object per (day, account)');
    await assertSameRows(suite.db, sampleWithMicros('input'), sampleWithMicros(`read_parquet(${sqlList(files)})`), 'parquet memory');
    assert.ok(peakKb < BOUND_KB, `peak RSS ${peakKb} KB is over ${BOUND_KB} KB`);
  }));

test(`parquet: 30 partitions of 30 MB each share memory_limit_mb ${MEMORY_LIMIT_MB}`, () =>
  inWorkFolder(suite.dir, async (work) => {
    // Each day's row group alone would reach the 4 MB a file may hold at this limit; thirty
    // of them at once would be 120 MB, so the writers must take turns writing early.
    const big = sample(path.join(work, 'big.ndjson'), { rows: 1_000_000, days: 30, accounts: 5 });
    const { db } = suite;
    await loadSampleInput(db, 'big', big);
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, { ...CONFIG, file_format: 'parquet', use_load_by_account: false,
                                       folder: '/{{YYYY}}/{{MM}}/{{DD}}' });
    const peakKb = peakOfLoad(['--config', config, '--input', big, '--dest', dest]);
    const files = filePaths(dest);
    assert.equal(files.length, 30, 'one object per day');
    await assertSameRows(db, sampleWithMicros('big'), sampleWithMicros(`read_parquet(${sqlList(files)})`), 'parquet shared memory');
    assert.ok(peakKb < BOUND_KB, `peak RSS ${peakKb} KB is over ${BOUND_KB} KB`);
    await db.run('DROP TABLE big');
  }));
