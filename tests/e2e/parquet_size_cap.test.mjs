// file_format parquet with max_file_size_mb 1 in every codec: no file over the cap, a
// partition's chunks numbered without gaps and at least 80% full, no row lost (DuckDB reads
// back the input, each row in the chunks of its partition), the codec configured and the
// statistics right; a row bigger than the cap is refused and nothing is left behind.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import {
  SAMPLE_PARQUET_COLUMNS,
  assertFullChunks,
  assertHugeRowRefused,
  assertPartitionedRows,
  dayAccountConfig,
  inWorkFolder,
  loadLake,
  loadSampleInput,
  sample,
  sqlList,
  suiteSetup,
} from './lib.mjs';
import { CODECS, assertCodec, assertStatistics } from './parquet_readers.mjs';

const suite = suiteSetup('s3dest-parquet-cap-', { duck: true });

for (const codec of Object.keys(CODECS)) {
  test(`parquet_compression ${codec} with max_file_size_mb 1: full chunks under the cap, no row lost`, () =>
    inWorkFolder(suite.dir, async (work) => {
      const { db } = suite;
      // Two partitions of 150,000 rows, several megabytes each in every codec.
      const input = sample(path.join(work, 'input.ndjson'), { rows: 300_000, days: 2, accounts: 1, seed: 11 });
      const config = dayAccountConfig({ file_format: 'parquet', parquet_compression: codec, max_file_size_mb: 1 });
      const dest = loadLake(work, config, ['--input', input]);
      const paths = assertFullChunks(dest, { cap: 1024 * 1024, partitions: 2, fill: 0.8, extension: '.parquet' });

      await loadSampleInput(db, 'input', input, SAMPLE_PARQUET_COLUMNS);
      await assertPartitionedRows(db, dest, `read_parquet(${sqlList(paths)}, filename=true)`, `${codec}, capped`);
      await assertCodec(db, paths, codec);
      await assertStatistics(db, paths);
    }, 'cap-'));
}

test('a row larger than max_file_size_mb is refused and the objects already written are removed', () =>
  inWorkFolder(suite.dir, (work) => {
    const rows = sample(path.join(work, 'rows.ndjson'), { rows: 2000, days: 1, accounts: 1 });
    const lines = fs.readFileSync(rows, 'utf8').split('\n').filter(Boolean);
    assertHugeRowRefused(work, lines,
                         dayAccountConfig({ file_format: 'parquet', parquet_compression: 'none', max_file_size_mb: 0.05 }));
  }, 'huge-'));
