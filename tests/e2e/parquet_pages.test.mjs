// file_format parquet at the writer's own turning points, read back by DuckDB and
// hyparquet (parquet_readers.mjs): a dictionary that outgrows its limit in the middle of a
// column chunk (a dictionary page, then data pages both ways), and a row group with more
// values than one data page takes (a column of nulls only, and one nearly so); every value
// by both readers, and the statistics of every column chunk.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { inWorkFolder, loadLake, sqlString, suiteSetup, writeJson } from './lib.mjs';
import { assertStatistics, hyparquetRead } from './parquet_readers.mjs';

const suite = suiteSetup('s3dest-parquet-pages-', { duck: true });

// Loads NDJSON `lines` with a schema of `columns` into one parquet file, NAME/NAME.parquet
// under work/lake; returns the file.
function loadOneFile(work, name, lines, columns) {
  const input = path.join(work, 'input.ndjson');
  fs.writeFileSync(input, lines.join('\n') + '\n');
  const schema = writeJson(path.join(work, 'schema.json'), { columns });
  const dest = loadLake(work, { folder: `/${name}`, file_name: name, file_format: 'parquet' },
                        ['--schema', schema, '--input', input]);
  return path.join(dest, name, `${name}.parquet`);
}

test('a dictionary that outgrows its limit mid-chunk: dictionary then PLAIN pages, read by both readers', () =>
  inWorkFolder(suite.dir, async (work) => {
    // 60,000 rows of 10 repeating values, then 60,000 distinct ones of 40 bytes and more
    // (2.4 MB, past any dictionary a writer keeps in memory), in one row group. Ints too.
    const { db } = suite;
    const rows = [];
    for (let i = 0; i < 120_000; i++) {
      const repeat = i < 60_000;
      rows.push({
        id: String(i),
        s: repeat ? `value ${i % 10}` : `distinct value number ${i} ${'ü'.repeat(i % 7)} ${'x'.repeat(16)}`,
        n: repeat ? String(i % 10) : String(BigInt(i) * 1_000_000_007n - 9_000_000_000_000_000_000n),
        s_or_null: i % 3 === 0 ? null : repeat ? `v${i % 10}` : `distinct ${i}`,
      });
    }
    const line = ({ id, s, n, s_or_null }) => `{"id":${id},"s":${JSON.stringify(s)},"n":${n},"s_or_null":${JSON.stringify(s_or_null)}}`;
    const file = loadOneFile(work, 'd', rows.map(line), [
      { name: 'id', type: 'int64', nullable: false },
      { name: 's', type: 'string' },
      { name: 'n', type: 'int64' },
      { name: 's_or_null', type: 'string' },
    ]);

    // The case this test is for: a dictionary page, and data pages both ways, in one chunk.
    const chunks = await db.all(
      `SELECT path_in_schema AS name, encodings, dictionary_page_offset IS NOT NULL AS has_dictionary ` +
        `FROM parquet_metadata(${sqlString(file)}) WHERE row_group_id = 0 ORDER BY column_id`,
    );
    const s = chunks.find((c) => c.name === 's');
    const both = s.has_dictionary && /RLE_DICTIONARY/.test(s.encodings) && /PLAIN/.test(s.encodings);
    assert.ok(both, `column s: ${JSON.stringify(s)}`);

    const want = rows.map((r) => JSON.stringify([r.id, r.s, r.n, r.s_or_null]));
    const duckRows = await db.values(
      `SELECT id::VARCHAR AS id, s, n::VARCHAR AS n, s_or_null FROM read_parquet(${sqlString(file)}) ` +
        `ORDER BY id::BIGINT`,
    );
    assert.deepEqual(duckRows.map((r) => JSON.stringify([r.id, r.s, r.n, r.s_or_null])), want, 'DuckDB');
    const { rows: hyRows } = await hyparquetRead(file);
    const hy = hyRows
      .map((r) => JSON.stringify([String(r.id), r.s, r.n == null ? null : String(r.n), r.s_or_null]))
      .sort();
    assert.deepEqual(hy, [...want].sort(), 'hyparquet');
    await assertStatistics(db, [file]);
  }, 'dictionary-'));

test('2,200,000 rows in one row group: a column of nulls only, and one nearly so, read by both readers', () =>
  inWorkFolder(suite.dir, async (work) => {
    // Small rows, so one row group holds them all: more values than one data page may count.
    const { db } = suite;
    const lines = [];
    for (let i = 0; i < 2_200_000; i++) lines.push(i % 1000 === 999 ? `{"k":${i % 4},"v":${i}}` : `{"k":${i % 4}}`);
    const file = loadOneFile(work, 'n', lines, [
      { name: 'k', type: 'int32' },
      { name: 'v', type: 'int64' },
      { name: 'z', type: 'string' },
    ]);
    // The case this test is for: a row group with more values than the writer puts in one
    // data page (2^20), so even the column of nulls needs several pages.
    const [{ largest }] = await db.all(`SELECT max(row_group_num_rows) AS largest FROM parquet_metadata(${sqlString(file)})`);
    assert.ok(Number(largest) > 1 << 20, `the largest row group holds ${largest} rows`);
    // 2,200 values of v: 999, 1999, ..., 2,199,999.
    const want = { rows: 2_200_000, k: 2_200_000, v: 2200, z: 0, v_sum: 2_421_097_800n, k_sum: 3_300_000n };

    const [duckGot] = await db.values(
      `SELECT count(*)::INTEGER AS rows, count(k)::INTEGER AS k, count(v)::INTEGER AS v, count(z)::INTEGER AS z, ` +
        `sum(v)::BIGINT AS v_sum, sum(k)::BIGINT AS k_sum ` +
        `FROM read_parquet(${sqlString(file)})`,
    );
    assert.deepEqual({ ...duckGot }, want, 'DuckDB');
    const { rows } = await hyparquetRead(file);
    const hyGot = { rows: rows.length, k: 0, v: 0, z: 0, v_sum: 0n, k_sum: 0n };
    for (const r of rows) {
      if (r.k != null) [hyGot.k, hyGot.k_sum] = [hyGot.k + 1, hyGot.k_sum + BigInt(r.k)];
      if (r.v != null) [hyGot.v, hyGot.v_sum] = [hyGot.v + 1, hyGot.v_sum + r.v];
      if (r.z != null) hyGot.z++;
    }
    assert.deepEqual(hyGot, want, 'hyparquet');
    await assertStatistics(db, [file]);
  }, 'nulls-'));
