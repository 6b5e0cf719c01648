// One million sample rows loaded in every text format and csv separator, partitioned by
// day and by account, read back by DuckDB: the same multiset of rows, and every file holds
// only rows of the day and account its key names.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  EXTENSIONS,
  SAMPLE_COLUMNS,
  assertGzipValid,
  assertPartitionedRows,
  dayAccountConfig,
  filePaths,
  inWorkFolder,
  listFiles,
  loadLake,
  readerSql,
  suiteSetup,
} from './lib.mjs';

const ROWS = 1_000_000;
const suite = suiteSetup('s3dest-roundtrip-', {
  duck: true,
  sample: { rows: ROWS, days: 30, accounts: 5 },
  setup: async ({ db }) => {
    const [{ n }] = await db.all('SELECT count(*) AS n FROM input');
    assert.equal(n, String(ROWS));
  },
});

const VARIANTS = [
  { file_format: 'csv', separator: 'comma' },
  { file_format: 'csv', separator: 'semicolon' },
  { file_format: 'csv', separator: 'tab' },
  // Separators are the csv encoder's business; gzip only frames its bytes, so one is enough.
  { file_format: 'csv+gzip', separator: 'tab' },
  { file_format: 'json' },
  { file_format: 'json+gzip' },
];

for (const variant of VARIANTS) {
  const name = variant.separator ? `${variant.file_format} (${variant.separator})` : variant.file_format;
  test(`1,000,000 rows as ${name}, by day and account, read back by DuckDB unchanged`, () =>
    inWorkFolder(suite.dir, async (work) => {
      const dest = loadLake(work, dayAccountConfig(variant), ['--input', suite.input]);

      const files = listFiles(dest);
      const ext = EXTENSIONS[variant.file_format];
      // 30 days x 5 accounts, one object each (no size cap), all with the format's extension.
      assert.equal(files.length, 150, `objects: ${files.slice(0, 5).join(', ')}...`);
      for (const f of files) {
        assert.match(f, /^ws1\/acc\d\/\d{4}\/\d{2}\/\d{2}\/campaigns-\d{8}-\d{5}[.a-z]+$/, f);
        assert.ok(f.endsWith(ext), `${f} should end with ${ext}`);
      }
      const paths = filePaths(dest);
      if (variant.file_format.endsWith('gzip')) assertGzipValid(paths);

      // The same rows, each in the folder and file named by its day and account.
      const reader = readerSql(paths, variant.file_format, SAMPLE_COLUMNS, {
        separator: variant.separator,
        extra: ', filename=true',
      });
      await assertPartitionedRows(suite.db, dest, reader, name);
    }));
}
