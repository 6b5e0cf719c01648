// Memory stays bounded whatever the number of partitions open at once: 300,000 rows over
// 3,000 days and 5 accounts (15,000 partitions, every one of them open until the input
// ends) with memory_limit_mb 96, as csv+gzip and as parquet; and parquet, which holds a
// row group per open file, with 30 big partitions open at once at memory_limit_mb 32.
// A load of more partitions than its memory_limit_mb can keep track of stops, saying how
// far to raise it, within the limit and leaving nothing behind.
//
// Memory is the peak resident set of the s3dest process (GNU time's %M). The 15,000
// partitions must stay under memory_limit_mb plus README's stated overhead (24 MB: the
// executable and its libraries, zlib and simdjson state, allocator slack; a 1,000-row load
// peaks around 13 MB), and still fail if buffers grow with the number of partitions
// (15,000 open gzip streams at even 8 KB each would be 120 MB) or with the input size
// (the input is 66 MB). The 30 big partitions must stay under twice the limit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import {
  SAMPLE_COLUMNS,
  assertFails,
  assertSameRows,
  filePaths,
  inWorkFolder,
  listFiles,
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
// 15,000 partitions and their objects take about 17 MB of bookkeeping, which
// memory_limit_mb 96 has room for (3/16 of it).
const MANY_LIMIT_MB = 96;
const OVERHEAD_MB = 24;  // README: "peak RSS stays under memory_limit_mb + 24 MB"
const MANY_BOUND_KB = (MANY_LIMIT_MB + OVERHEAD_MB) * 1024;
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
  memory_limit_mb: MANY_LIMIT_MB,
};

async function assertAllRows(dest) {
  const paths = filePaths(dest);
  assert.equal(paths.length, 15_000, 'one object per (day, account)');
  await assertSameRows(suite.db, 'SELECT * FROM input', `SELECT * FROM ${readerSql(paths, 'csv+gzip', SAMPLE_COLUMNS)}`, 'memory');
}

test(`15,000 partitions from a file stay under ${MANY_LIMIT_MB + OVERHEAD_MB} MB with memory_limit_mb ${MANY_LIMIT_MB}`, () =>
  inWorkFolder(suite.dir, async (work) => {
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, CONFIG);
    const peakKb = peakOfLoad(['--config', config, '--input', suite.input, '--dest', dest]);
    await assertAllRows(dest);
    assert.ok(peakKb < MANY_BOUND_KB, `peak RSS ${peakKb} KB is over ${MANY_BOUND_KB} KB`);
  }));

test(`15,000 partitions from standard input stay under ${MANY_LIMIT_MB + OVERHEAD_MB} MB with memory_limit_mb ${MANY_LIMIT_MB}`, () =>
  inWorkFolder(suite.dir, async (work) => {
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, CONFIG);
    // Through a pipe, as in `zcat rows.ndjson.gz | s3dest load ...`.
    const peakKb = peakOfLoad(['--config', config, '--input', '-', '--dest', dest], { input: fs.readFileSync(suite.input) });
    await assertAllRows(dest);
    assert.ok(peakKb < MANY_BOUND_KB, `peak RSS ${peakKb} KB is over ${MANY_BOUND_KB} KB`);
  }));

// Parquet is read back with the timestamps compared as microseconds (sampleWithMicros):
// parquet's are UTC instants, TIMESTAMP WITH TIME ZONE; the input's are plain TIMESTAMP.

test(`parquet: 15,000 partitions stay under ${MANY_LIMIT_MB + OVERHEAD_MB} MB with memory_limit_mb ${MANY_LIMIT_MB}`, () =>
  inWorkFolder(suite.dir, async (work) => {
    const dest = path.join(work, 'lake');
    const config = writeConfig(work, { ...CONFIG, file_format: 'parquet' });
    const peakKb = peakOfLoad(['--config', config, '--input', suite.input, '--dest', dest]);
    const files = filePaths(dest);
    assert.equal(files.length, 15_000, 'one object per (day, account)');
    await assertSameRows(suite.db, sampleWithMicros('input'), sampleWithMicros(`read_parquet(${sqlList(files)})`), 'parquet memory');
    assert.ok(peakKb < MANY_BOUND_KB, `peak RSS ${peakKb} KB is over ${MANY_BOUND_KB} KB`);
  }));

test(`15,000 partitions at memory_limit_mb ${MEMORY_LIMIT_MB} stop with a message, within the limit, leaving nothing`, () =>
  inWorkFolder(suite.dir, async (work) => {
    const dest = path.join(work, 'lake');
    fs.mkdirSync(dest);
    fs.writeFileSync(path.join(dest, 'kept.txt'), 'there before');
    const config = writeConfig(work, { ...CONFIG, memory_limit_mb: MEMORY_LIMIT_MB });
    const r = loadMeasured(['--config', config, '--input', suite.input, '--dest', dest]);
    assertFails(r, 2, [/this run has come to \d+ partitions and \d+ objects/, /raise memory_limit_mb to \d+/,
                       'load the input in parts']);
    assert.deepEqual(listFiles(dest), ['kept.txt'], 'nothing of the run is left, and nothing that was there is lost');
    const boundKb = (MEMORY_LIMIT_MB + OVERHEAD_MB) * 1024;
    assert.ok(r.peakKb < boundKb, `peak RSS ${r.peakKb} KB is over ${boundKb} KB`);
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
                                       folder: '/{{YYYY}}/{{MM}}/{{DD}}', memory_limit_mb: MEMORY_LIMIT_MB });
    const peakKb = peakOfLoad(['--config', config, '--input', big, '--dest', dest]);
    const files = filePaths(dest);
    assert.equal(files.length, 30, 'one object per day');
    await assertSameRows(db, sampleWithMicros('big'), sampleWithMicros(`read_parquet(${sqlList(files)})`), 'parquet shared memory');
    assert.ok(peakKb < BOUND_KB, `peak RSS ${peakKb} KB is over ${BOUND_KB} KB`);
    await db.run('DROP TABLE big');
  }));
