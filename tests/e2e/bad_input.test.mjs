// Bad input data: exit 3, a message that names the file and the line, and nothing left
// behind, not even when the bad row comes late, after many partitions (and, with a small
// max_file_size_mb, many finished chunks) were already read. Missing files: exit 2.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { test } from 'node:test';

import {
  SAMPLE_SCHEMA,
  assertFails,
  assertNothingWritten,
  dayAccountConfig,
  listEntries,
  s3dest,
  sample,
  suiteSetup,
  workFolder,
  writeConfig,
  writeJson,
} from './lib.mjs';

// Good rows before the bad one: well past the type inference window, over 30 days and 5
// accounts, and (with the 0.05 MB cap below) dozens of chunks' worth.
const GOOD_ROWS = 30_000;
let goodLines;
const suite = suiteSetup('s3dest-badinput-', {
  setup: ({ dir }) => {
    const file = sample(path.join(dir, 'good.ndjson'), { rows: GOOD_ROWS + 100, days: 30, accounts: 5 });
    goodLines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  },
});

// A case's folder: config, inputs, the destination (`lake`, absent until the tool makes
// it) and a private TMPDIR, so spill files left behind would show.
function newCase(configOverrides = {}) {
  const work = workFolder(suite.dir, 'case-');
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp);
  const config = writeConfig(work, dayAccountConfig({ max_file_size_mb: 0.05, ...configOverrides }));
  return { work, tmp, config, dest: path.join(work, 'lake') };
}

// GOOD_ROWS good lines, then `bad` (a line of text, or a Buffer), then 100 more good ones.
// Returns the bad line's number.
function writeInputWithBadLine(file, bad) {
  const head = Buffer.from(goodLines.slice(0, GOOD_ROWS).join('\n') + '\n');
  const tail = Buffer.from('\n' + goodLines.slice(GOOD_ROWS).join('\n') + '\n');
  fs.writeFileSync(file, Buffer.concat([head, Buffer.isBuffer(bad) ? bad : Buffer.from(bad), tail]));
  return GOOD_ROWS + 1;
}

function run(c, args) {
  return s3dest(['load', '--no-progress', '--config', c.config, ...args, '--dest', c.dest], { env: { TMPDIR: c.tmp } });
}

// Exit 3, "FILE:LINE" in the message, nothing in --dest and no spill files left.
function assertBadInput(c, r, file, line, words = []) {
  assertFails(r, 3, [`${path.basename(file)}:${line}`, ...words]);
  assertNothingWritten(c.dest);
  assert.deepEqual(listEntries(c.tmp), [], 'temporary files were left in TMPDIR');
}

// A sample row as an object, with `changes` applied.
const row = (changes) => JSON.stringify({ ...JSON.parse(goodLines[GOOD_ROWS]), ...changes });

test('a malformed JSON line', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const line = writeInputWithBadLine(file, '{"date":"2026-01-30","account":"acc1","campaign":');
  assertBadInput(c, run(c, ['--input', file]), file, line, [/JSON/]);
});

test('a line that is not an object', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const line = writeInputWithBadLine(file, '[1, 2, 3]');
  assertBadInput(c, run(c, ['--input', file]), file, line);
});

test('a value that does not fit the type inferred from the first rows suggests --schema', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const line = writeInputWithBadLine(file, row({ clicks: 'many' }));
  assertBadInput(c, run(c, ['--input', file]), file, line, ['clicks', 'many', '--schema']);
});

test('a fraction in a column inferred as integer', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const line = writeInputWithBadLine(file, row({ impressions: 12.5 }));
  assertBadInput(c, run(c, ['--input', file]), file, line, ['impressions', '--schema']);
});

test('a bad date with a schema', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const schema = writeJson(path.join(c.work, 'schema.json'), SAMPLE_SCHEMA);
  const line = writeInputWithBadLine(file, row({ date: '2026-02-30' }));
  assertBadInput(c, run(c, ['--schema', schema, '--input', file]), file, line, ['date', '2026-02-30']);
});

test('a bad date in a column inferred as date', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const line = writeInputWithBadLine(file, row({ date: '2026-13-01' }));
  assertBadInput(c, run(c, ['--input', file]), file, line, ['date', '2026-13-01']);
});

test('a bad timestamp with a schema', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const schema = writeJson(path.join(c.work, 'schema.json'), SAMPLE_SCHEMA);
  const line = writeInputWithBadLine(file, row({ updated_at: '2026-01-30T25:00:00Z' }));
  assertBadInput(c, run(c, ['--schema', schema, '--input', file]), file, line, ['updated_at']);
});

test('bad base64 in a binary column of the schema', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const schema = writeJson(path.join(c.work, 'schema.json'), {
    columns: [...SAMPLE_SCHEMA.columns, { name: 'payload', type: 'binary' }],
  });
  const line = writeInputWithBadLine(file, row({ payload: 'not base64!' }));
  assertBadInput(c, run(c, ['--schema', schema, '--input', file]), file, line, ['payload']);
});

test('a csv record with the wrong number of fields (after quoted line breaks)', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.csv');
  // Records with line breaks inside quotes: the line named is the line in the file.
  const records = ['date,account,campaign,clicks,note'];
  for (let i = 0; i < 5000; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    records.push(`2026-02-${day},acc${i % 3},c${i},${i},${i % 10 === 0 ? '"two\nlines, ""quoted"""' : 'plain'}`);
  }
  const text = records.join('\n') + '\n';
  const line = text.split('\n').length; // the line after the last one written
  fs.writeFileSync(file, text + '2026-02-27,acc1,c-extra,5,note,surplus\n2026-02-27,acc1,c-ok,6,fine\n');
  assertBadInput(c, run(c, ['--input-format', 'csv', '--input', file]), file, line);
});

test('a csv record with too few fields', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.csv');
  fs.writeFileSync(file, 'date,account,clicks\n2026-02-01,acc1,1\n2026-02-02,acc2,2\n2026-02-03,acc3\n2026-02-04,acc1,4\n');
  assertBadInput(c, run(c, ['--input-format', 'csv', '--input', file]), file, 4);
});

test('invalid UTF-8 in an NDJSON string', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const bad = Buffer.concat([
    Buffer.from(row({ note: 'X' }).replace('"note":"X"', '"note":"caf')),
    Buffer.from([0xc3, 0x28]), // a broken two-byte sequence
    Buffer.from('"}'),
  ]);
  assert.ok(bad.toString().includes('"note":"caf'), 'the broken value is the note');
  const line = writeInputWithBadLine(file, bad);
  assertBadInput(c, run(c, ['--input', file]), file, line, [/UTF-8/i]);
});

test('invalid UTF-8 in a csv field', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.csv');
  fs.writeFileSync(
    file,
    Buffer.concat([
      Buffer.from('date,account,note\n2026-02-01,acc1,ok\n2026-02-02,acc2,bad'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\n2026-02-03,acc1,fine\n'),
    ]),
  );
  assertBadInput(c, run(c, ['--input-format', 'csv', '--input', file]), file, 3, [/UTF-8/i]);
});

test('a null date_field value', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const line = writeInputWithBadLine(file, row({ date: null }));
  assertBadInput(c, run(c, ['--input', file]), file, line, ['date']);
});

// The date field is declared a date: a bad date among the rows inference reads is bad
// input at its line (exit 3), not a column of strings refused as a config error (exit 2).
test('a bad date among the first rows, NDJSON and csv', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  fs.writeFileSync(file, [row({}), row({ date: '2025-13-45' }), ...goodLines.slice(0, 10)].join('\n') + '\n');
  assertBadInput(c, run(c, ['--input', file]), file, 2, ["column 'date'", '"2025-13-45" is not a date', 'fix the value']);
  const csv = path.join(c.work, 'input.csv');
  fs.writeFileSync(csv, 'date,account,note\n2026-02-01,acc1,ok\n2026-02-30,acc2,no such day\n2026-02-03,acc1,fine\n');
  assertBadInput(c, run(c, ['--input-format', 'csv', '--input', csv]), csv, 3, ['"2026-02-30" is not a date']);
});

test('a row without the date_field key', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const bad = JSON.parse(row({}));
  delete bad.date;
  const line = writeInputWithBadLine(file, JSON.stringify(bad));
  assertBadInput(c, run(c, ['--input', file]), file, line, ['date']);
});

test('a null account when loading by account', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson');
  const line = writeInputWithBadLine(file, row({ account: null }));
  assertBadInput(c, run(c, ['--input', file]), file, line, ['account']);
});

test('an account too long for a file name in the local folder', () => {
  const c = newCase();
  const input = path.join(c.work, 'input.ndjson');
  const line = writeInputWithBadLine(input, row({ account: 'a'.repeat(300) }));
  assertBadInput(c, run(c, ['--input', input]), input, line,
                 ['the account "aaaa', '(300 bytes): a name in the key would be 300 bytes long, past the 255',
                  'shorten the account values']);
});

test('an account that would make a key longer than S3 takes', () => {
  const c = newCase({ folder: '/{{account}}/{{account}}/{{account}}/{{account}}/{{account}}/{{YYYY}}/{{MM}}/{{DD}}' });
  const input = path.join(c.work, 'input.ndjson');
  const line = writeInputWithBadLine(input, row({ account: 'b'.repeat(250) }));
  assertBadInput(c, run(c, ['--input', input]), input, line, ['past the 1024 S3 takes']);
});

test('the bad row in the second of two inputs names that file', () => {
  const c = newCase();
  const first = path.join(c.work, 'first.ndjson');
  fs.writeFileSync(first, goodLines.slice(0, 20_000).join('\n') + '\n');
  const second = path.join(c.work, 'second.ndjson');
  fs.writeFileSync(second, goodLines.slice(20_000, 20_010).join('\n') + '\n' + row({ clicks: 'x' }) + '\n');
  assertBadInput(c, run(c, ['--input', first, '--input', second]), second, 11);
});

const goodGzip = () => zlib.gzipSync(Buffer.from(goodLines.join('\n') + '\n'));

test('a .gz input damaged in the middle', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson.gz');
  const gz = goodGzip();
  for (let i = Math.floor(gz.length / 2); i < Math.floor(gz.length / 2) + 64; i++) gz[i] ^= 0x5a;
  fs.writeFileSync(file, gz);
  const r = run(c, ['--input', file]);
  // Whatever is noticed first (garbage rows or the gzip stream), it is bad input in that
  // file, and the rows read before the damage are not written either.
  assertFails(r, 3, [path.basename(file)]);
  assertNothingWritten(c.dest);
  assert.deepEqual(listEntries(c.tmp), []);
});

test('a .gz input whose gzip checksum does not match', () => {
  // Every row decompresses; only the CRC-32 in the trailer tells the data is damaged.
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson.gz');
  const gz = goodGzip();
  gz[gz.length - 8] ^= 0xff;
  fs.writeFileSync(file, gz);
  const r = run(c, ['--input', file]);
  assertFails(r, 3, [path.basename(file), /gzip/i]);
  assertNothingWritten(c.dest);
  assert.deepEqual(listEntries(c.tmp), []);
});

test('a truncated .gz input', () => {
  const c = newCase();
  const file = path.join(c.work, 'input.ndjson.gz');
  const gz = goodGzip();
  fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.7)));
  const r = run(c, ['--input', file]);
  assertFails(r, 3, [path.basename(file), /gzip|truncated|ends early/i]);
  assertNothingWritten(c.dest);
  assert.deepEqual(listEntries(c.tmp), []);
});

test('a missing input file is exit 2, even after a good one', () => {
  const c = newCase();
  const good = path.join(c.work, 'good.ndjson');
  fs.writeFileSync(good, goodLines.join('\n') + '\n');
  const missing = path.join(c.work, 'no-such-input.ndjson');
  const r = run(c, ['--input', good, '--input', missing]);
  assertFails(r, 2, ['no-such-input.ndjson']);
  assertNothingWritten(c.dest);
});

test('a missing config file is exit 2', () => {
  const c = newCase();
  const good = path.join(c.work, 'good.ndjson');
  fs.writeFileSync(good, goodLines.slice(0, 10).join('\n') + '\n');
  const r = s3dest(['load', '--config', path.join(c.work, 'missing-config.json'), '--input', good, '--dest', c.dest]);
  assertFails(r, 2, ['missing-config.json']);
  assertNothingWritten(c.dest);
});
