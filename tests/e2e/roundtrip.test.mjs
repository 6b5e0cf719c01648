// One million sample rows loaded in every text format and csv separator, partitioned by
// day and by account, read back by DuckDB: the same multiset of rows, and every file holds
// only rows of the day and account its key names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  EXTENSIONS,
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
  sample,
  sqlString,
  tempDir,
  writeConfig,
} from './lib.mjs';

const ROWS = 1_000_000;
let dir, input, db;

before(async () => {
  dir = tempDir('s3dest-roundtrip-');
  input = sample(path.join(dir, 'input.ndjson'), { rows: ROWS, days: 30, accounts: 5 });
  db = await duck();
  await loadSampleInput(db, 'input', input);
  const [{ n }] = await db.all('SELECT count(*) AS n FROM input');
  assert.equal(n, String(ROWS));
});

after(() => {
  db?.close();
  cleanup(dir);
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
  test(`1,000,000 rows as ${name}, by day and account, read back by DuckDB unchanged`, async () => {
    const work = fs.mkdtempSync(path.join(dir, 'run-'));
    const dest = path.join(work, 'lake');
    try {
      const config = writeConfig(work, dayAccountConfig(variant));
      loadOk(['--config', config, '--input', input, '--dest', dest]);

      const files = listFiles(dest);
      const ext = EXTENSIONS[variant.file_format];
      // 30 days x 5 accounts, one object each (no size cap), all with the format's extension.
      assert.equal(files.length, 150, `objects: ${files.slice(0, 5).join(', ')}...`);
      for (const f of files) {
        assert.match(f, /^ws1\/acc\d\/\d{4}\/\d{2}\/\d{2}\/campaigns-\d{8}-\d{5}[.a-z]+$/, f);
        assert.ok(f.endsWith(ext), `${f} should end with ${ext}`);
      }
      const paths = files.map((f) => path.join(dest, f));
      if (variant.file_format.endsWith('gzip')) assertGzipValid(paths);

      await db.run(
        `CREATE OR REPLACE TABLE output AS SELECT * FROM ` +
          readerSql(paths, variant.file_format, SAMPLE_COLUMNS, {
            separator: variant.separator,
            extra: ', filename=true',
          }),
      );
      await assertSameRows(db, 'SELECT * FROM input', 'SELECT * EXCLUDE (filename) FROM output', name);

      // The partition layout: each row sits in the folder and file named by its day and account.
      const misplaced = await db.all(
        `SELECT filename, date::VARCHAR AS date, account FROM output WHERE NOT starts_with(filename, ` +
          `${sqlString(dest + '/ws1/')} || account || '/' || strftime(date, '%Y/%m/%d') || ` +
          `'/campaigns-' || strftime(date, '%Y%m%d') || '-') LIMIT 5`,
      );
      assert.deepEqual(misplaced, [], 'rows in a file whose key names another day or account');
    } finally {
      cleanup(work);
    }
  });
}
