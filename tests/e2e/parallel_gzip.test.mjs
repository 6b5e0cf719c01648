// csv+gzip and json+gzip files are compressed in 128 KiB blocks on every core (pigz-style),
// and each file is still one ordinary gzip member: `gzip -t` passes, python's zlib reads
// it to its end mark with nothing after it and checks the CRC-32 and length, and DuckDB
// reads back every row. One stream of 200,000 rows (about 25 MB of csv, ~190 blocks) and
// a layout by day, whose files compress at the same time on the shared threads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import {
  SAMPLE_COLUMNS,
  assertGzipValid,
  assertSameRows,
  filePaths,
  inWorkFolder,
  loadLake,
  readerSql,
  suiteSetup,
} from './lib.mjs';

const PYTHON = '/usr/bin/python3';
const suite = suiteSetup('s3dest-pgzip-', { duck: true, sample: { rows: 200_000, days: 20, accounts: 3 } });

// Python's zlib over each file as gzip: one member that ends exactly at the end of the
// file (no trailing bytes, no second member), whose trailer's CRC-32 and length zlib
// checks. Prints the members' total uncompressed bytes.
const ONE_MEMBER = `
import sys, zlib
total = 0
for name in sys.argv[1:]:
    data = open(name, 'rb').read()
    d = zlib.decompressobj(16 + 15)
    plain = d.decompress(data) + d.flush()
    if not d.eof or d.unused_data:
        sys.exit(name + ': not one complete gzip member (eof=%s, %d bytes after it)' % (d.eof, len(d.unused_data)))
    if int.from_bytes(data[-4:], 'little') != len(plain) % 2**32:
        sys.exit(name + ': ISIZE does not match')
    total += len(plain)
print(total)
`;

function assertOneMemberEach(files) {
  const r = spawnSync(PYTHON, ['-c', ONE_MEMBER, ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

const LAYOUTS = {
  'one stream': { folder: '/lake', file_name: 'rows' },
  'by day': { folder: '/lake/{{YYYY}}/{{MM}}/{{DD}}', file_name: 'rows', partition_by: 'day', date_field: 'date' },
};

for (const file_format of ['csv+gzip', 'json+gzip'])
  for (const [layout, config] of Object.entries(LAYOUTS))
    test(`${file_format}, ${layout}: each file is one gzip member that every reader takes whole`, () =>
      inWorkFolder(suite.dir, async (work) => {
        const dest = loadLake(work, { ...config, file_format }, ['--input', suite.input]);
        const files = filePaths(dest);
        assert.equal(files.length, layout === 'one stream' ? 1 : 20);
        assertGzipValid(files);
        const plainBytes = assertOneMemberEach(files);
        if (layout === 'one stream') assert.ok(plainBytes > 20_000_000, `${plainBytes} bytes: many blocks`);
        await assertSameRows(suite.db, 'SELECT * FROM input', `SELECT * FROM ${readerSql(files, file_format, SAMPLE_COLUMNS)}`,
          `${file_format} ${layout}`);
      }));
