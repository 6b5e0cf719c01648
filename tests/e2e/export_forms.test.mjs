// Data as warehouse exports and tools write it: timestamps with a space and no offset
// (PostgreSQL, MySQL, BigQuery, pandas), minutes without seconds, offsets as +hh, +hhmm
// and Z, slashed and dotted dates, doubles as 1e3, NaN, inf and -Infinity. Loaded from
// csv, NDJSON and a JSON array, partitioned by a timestamp column, and read back by DuckDB equal to
// DuckDB's own reading of the csv (timestamps compared in UTC); the types s3dest infers
// agree with DuckDB's read_csv column by column (but for dotted dates, which DuckDB leaves
// as text).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { listFiles, s3dest, sqlList, suiteSetup, workFolder, writeConfig } from './lib.mjs';

const ROWS = [
  ['2025-07-01 12:00:00', '2012/01/01', '2012.01.01', '1e3', '2010/01/01 00:00', '2025-07-01 12:00:00+02'],
  ['2025-07-02 13:30:00.123', '2012/01/02', '2012.01.02', '-1.5E-7', '2010/01/02 10:30', '2025-07-02 13:30:00.5+05:30'],
  ['2025-07-03 08:00:00', '2012/01/03', '2012.01.03', 'NaN', '2010/01/03 23:59', '2025-07-03 08:00:00-0100'],
  ['2025-07-04 23:59:59.999999', '2012/01/04', '2012.01.04', 'inf', '2010/01/04 00:01', '2025-07-04 23:59:59Z'],
  ['2025-07-05 00:00:00', '2012/01/05', '2012.01.05', '-Infinity', '2010/01/05 12:00', '2025-07-05 00:00:00 UTC'],
];
const NAMES = ['ts', 'day', 'dotted', 'amount', 'ts_min', 'ts_off'];

let csv, ndjson, array;
const suite = suiteSetup('s3dest-export-forms-', { duck: true, setup: writeExports });

// The rows as a csv export, as NDJSON and as a JSON array; DuckDB's reading of the csv as
// table `expected`.
async function writeExports({ dir, db }) {
  csv = path.join(dir, 'export.csv');
  fs.writeFileSync(csv, [NAMES.join(','), ...ROWS.map((r) => r.join(','))].join('\n') + '\n');
  // The same rows as JSON: numbers as numbers, and the doubles JSON cannot spell as strings.
  ndjson = path.join(dir, 'export.ndjson');
  const asJson = (row) => Object.fromEntries(NAMES.map((n, i) => [n, n === 'amount' && Number.isFinite(Number(row[i])) ? Number(row[i]) : row[i]]));
  fs.writeFileSync(ndjson, ROWS.map((r) => JSON.stringify(asJson(r))).join('\n') + '\n');
  // And as one pretty-printed JSON array, as APIs and many tools write it.
  array = path.join(dir, 'export.json');
  fs.writeFileSync(array, JSON.stringify(ROWS.map(asJson), null, 2));
  // DuckDB's reading of the csv, timestamps in UTC, the dotted dates cast as dates.
  await db.run(`CREATE TABLE expected AS SELECT ts::TIMESTAMP AS ts, day, strptime(dotted, '%Y.%m.%d')::DATE AS dotted,
                amount, ts_min::TIMESTAMP AS ts_min, ts_off::TIMESTAMP AS ts_off FROM read_csv(${sqlList([csv])})`);
}

function load(input, inputFormat, fileFormat) {
  const work = workFolder(suite.dir);
  const dest = path.join(work, 'lake');
  const config = writeConfig(work, { folder: '/{{YYYY}}/{{MM}}/{{DD}}', file_name: 'part-{{chunk_id}}',
                                     file_format: fileFormat, date_field: 'ts', partition_by: 'day' });
  const r = s3dest(['load', '--no-progress', '--config', config, '--input', input, '--input-format', inputFormat,
                    '--dest', dest]);
  assert.equal(r.status, 0, r.stderr);
  const files = listFiles(dest);
  assert.deepEqual(files.map((f) => path.dirname(f)).sort(), ['2025/07/01', '2025/07/02', '2025/07/03', '2025/07/04', '2025/07/05'],
                   'one partition per day of ts, a space-separated timestamp');
  return files.map((f) => path.join(dest, f));
}

const readBack = (files) => `SELECT ts::TIMESTAMP AS ts, day, dotted, amount, ts_min::TIMESTAMP AS ts_min,
                             ts_off::TIMESTAMP AS ts_off FROM read_parquet(${sqlList(files)})`;

for (const [input, inputFormat] of [['csv', 'csv'], ['ndjson', 'ndjson'], ['array', 'json']]) {
  test(`${input}: every form read, partitioned and written back equal to DuckDB's reading`, async () => {
    const files = load({ csv, ndjson, array }[input], inputFormat, 'parquet');
    const rows = await suite.db.all(`(SELECT * FROM expected) EXCEPT ALL (${readBack(files)})`);
    assert.deepEqual(rows, [], 'rows of DuckDB\'s reading missing from the output');
    const [{ n }] = await suite.db.all(`SELECT count(*) AS n FROM (${readBack(files)})`);
    assert.equal(n, String(ROWS.length));
    if (input === 'csv') {
      // The types agree with DuckDB's read_csv (a timestamp is one, with or without zone).
      const ours = await suite.db.all(`DESCRIBE SELECT * FROM read_parquet(${sqlList(files)})`);
      const theirs = await suite.db.all(`DESCRIBE SELECT * FROM read_csv(${sqlList([csv])})`);
      const base = (t) => t.replace(' WITH TIME ZONE', '');
      for (const [i, name] of NAMES.entries()) {
        if (name === 'dotted') continue;
        assert.equal(base(ours[i].column_type), base(theirs[i].column_type), `type of ${name}`);
      }
      assert.equal(ours[NAMES.indexOf('dotted')].column_type, 'DATE');
    }
  });
}

test('csv and JSON output spell the doubles that are not finite so that DuckDB reads them back', async () => {
  const csvFiles = load(csv, 'csv', 'csv');
  const fromCsv = await suite.db.all(`SELECT amount FROM read_csv(${sqlList(csvFiles)}, columns={'ts': 'VARCHAR', 'day': 'DATE',
                                'dotted': 'DATE', 'amount': 'DOUBLE', 'ts_min': 'VARCHAR', 'ts_off': 'VARCHAR'}) ORDER BY amount`);
  assert.deepEqual(fromCsv.map((r) => String(r.amount)), ['-Infinity', '-1.5e-7', '1000', 'Infinity', 'NaN']);
  // JSON has no NaN: s3dest writes "NaN", "Infinity", "-Infinity" as strings, and reads them back.
  const jsonFiles = load(csv, 'csv', 'json');
  const text = jsonFiles.map((f) => fs.readFileSync(f, 'utf8')).join('');
  for (const spelled of ['"amount":"NaN"', '"amount":"Infinity"', '"amount":"-Infinity"']) assert.ok(text.includes(spelled), spelled);
  const written = path.join(suite.dir, 'written.ndjson');
  fs.writeFileSync(written, text);
  const again = load(written, 'ndjson', 'parquet');
  const rows = await suite.db.all(`(SELECT * FROM expected) EXCEPT ALL (${readBack(again)})`);
  assert.deepEqual(rows, [], 'what s3dest wrote as JSON reads back the same');
});

// Loads `text` (in `inputFormat`) with `config` added to a day layout on "when"; returns
// the result and the folders written.
function loadDays(name, text, inputFormat, config) {
  const work = workFolder(suite.dir, 'days-');
  const input = path.join(work, name);
  fs.writeFileSync(input, text);
  const dest = path.join(work, 'lake');
  const configFile = writeConfig(work, { folder: '/{{YYYY}}/{{MM}}/{{DD}}', file_name: 'part-{{chunk_id}}',
                                         file_format: 'csv', date_field: 'when', ...config });
  const r = s3dest(['load', '--no-progress', '--config', configFile, '--input', input, '--input-format', inputFormat,
                    '--dest', dest]);
  const folders = fs.existsSync(dest) ? listFiles(dest).map((f) => path.dirname(f)).sort() : [];
  return { ...r, folders, input };
}

test('a date field of epoch seconds or milliseconds partitions by its day (date_field_unit)', () => {
  const seconds = loadDays('epochs.ndjson', '{"when": 1751371200, "n": 1}\n{"when": 1751457600.5, "n": 2}\n', 'ndjson',
                           { date_field_unit: 's' });
  assert.equal(seconds.status, 0, seconds.stderr);
  assert.deepEqual(seconds.folders, ['2025/07/01', '2025/07/02']);
  const millis = loadDays('epochs.csv', 'when,n\n1751371200000,1\n1751457600000,2\n', 'csv', { date_field_unit: 'ms' });
  assert.equal(millis.status, 0, millis.stderr);
  assert.deepEqual(millis.folders, ['2025/07/01', '2025/07/02']);
  // Without the unit an integer is not a date: bad input at its line.
  const bare = loadDays('epochs.ndjson', '{"when": 1751371200, "n": 1}\n', 'ndjson', {});
  assert.equal(bare.status, 3, bare.stderr);
  assert.match(bare.stderr, /epochs\.ndjson:1: column 'when': 1751371200/);
});

test('a date field in a format of its own (date_format); a value that does not match is refused at its line', () => {
  const us = loadDays('us.csv', 'when,n\n01/31/2024,1\n2/1/2024,2\n', 'csv', { date_format: '%m/%d/%Y' });
  assert.equal(us.status, 0, us.stderr);
  assert.deepEqual(us.folders, ['2024/01/31', '2024/02/01']);
  const named = loadDays('named.ndjson', '{"when": "Jan  1 2000 11:30 PM"}\n{"when": "Dec 31 1999 11:30 PM"}\n', 'ndjson',
                         { date_format: '%b %e %Y %I:%M %p' });
  assert.equal(named.status, 0, named.stderr);
  assert.deepEqual(named.folders, ['1999/12/31', '2000/01/01']);
  const bad = loadDays('us.csv', 'when,n\n01/31/2024,1\n31/01/2024,2\n', 'csv', { date_format: '%m/%d/%Y' });
  assert.equal(bad.status, 3, bad.stderr);
  assert.match(bad.stderr, /us\.csv:3: column 'when': "31\/01\/2024" does not match the format "%m\/%d\/%Y"/);
  // Day and month are never guessed: without a format, 01/31/2024 is not a date.
  const guess = loadDays('us.csv', 'when,n\n01/31/2024,1\n', 'csv', {});
  assert.equal(guess.status, 3, guess.stderr);
  assert.match(guess.stderr, /us\.csv:2: column 'when': "01\/31\/2024" is not a date/);
  const wrongFormat = loadDays('us.csv', 'when,n\n01/31/2024,1\n', 'csv', { date_format: '%m/%d' });
  assert.equal(wrongFormat.status, 2, wrongFormat.stderr);
  assert.match(wrongFormat.stderr, /"date_format": "%m\/%d" has no %Y/);
});
