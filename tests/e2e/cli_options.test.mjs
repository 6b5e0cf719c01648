// Command-line options of `s3dest load`: --set, --now, .gz and standard input, several
// inputs, and csv input (with line breaks inside quoted values).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { test } from 'node:test';

import {
  SAMPLE_COLUMNS,
  assertFails,
  assertSameRows,
  dayAccountConfig,
  filePaths,
  inWorkFolder,
  listFiles,
  loadLake,
  readerSql,
  s3dest,
  suiteSetup,
  writeConfig,
} from './lib.mjs';

const suite = suiteSetup('s3dest-options-', { duck: true, sample: { rows: 5000, days: 4, accounts: 3 } });

// Asserts the csv objects under `dest` hold exactly the rows of table `input`.
async function assertHoldsInput(dest, what) {
  const paths = filePaths(dest);
  assert.ok(paths.length > 0, `${what}: nothing written`);
  await assertSameRows(suite.db, 'SELECT * FROM input', `SELECT * FROM ${readerSql(paths, 'csv', SAMPLE_COLUMNS)}`, what);
}

// The input's lines.
const inputLines = () => fs.readFileSync(suite.input, 'utf8').split('\n').filter(Boolean);

test('--set overrides a context value of the config and gives one it lacks', () =>
  inWorkFolder(suite.dir, (work) => {
    const config = dayAccountConfig({ folder: '/{{workspace_id}}/{{data_source}}/{{account}}/{{YYYY}}/{{MM}}/{{DD}}' });
    const dest = loadLake(work, config, [
      '--input', suite.input, '--set', 'workspace_id=ws-override', '--set', 'data_source=ads', '--set=filename=daily',
    ]);
    const files = listFiles(dest);
    assert.equal(files.length, 12);
    for (const f of files) assert.match(f, /^ws-override\/ads\/acc\d\/2026\/01\/0\d\/daily-202601\d\d-00001\.csv$/);
  }));

test('--set with a value holding "="', () =>
  inWorkFolder(suite.dir, (work) => {
    const dest = loadLake(work, dayAccountConfig(), ['--input', suite.input, '--set', 'filename=a=b']);
    assert.ok(listFiles(dest).every((f) => path.basename(f).startsWith('a=b-')), listFiles(dest).join(', '));
  }));

test('--set of a name that is no context variable is refused before anything is read', () =>
  inWorkFolder(suite.dir, (work) => {
    const config = writeConfig(work, dayAccountConfig());
    for (const set of ['fillename=x', 'account=a', 'YYYY=2020']) {
      const r = s3dest(['load', '--config', config, '--input', suite.input, '--dest', path.join(work, 'lake'), '--set', set]);
      assertFails(r, 2, [`--set ${set.split('=')[0]}: not a context variable`, 'workspace_id', 'dataclass']);
    }
    assert.equal(fs.existsSync(path.join(work, 'lake')), false);
  }));

// `cleanup --run "$RUN"` with RUN unset would otherwise clean less than asked, and
// `put --key "$KEY"` write where the file's name puts it.
test('an empty --run or --key is refused, not taken for the option left out', () =>
  inWorkFolder(suite.dir, (work) => {
    const config = writeConfig(work, dayAccountConfig());
    const lake = path.join(work, 'lake');
    for (const args of [['cleanup', '--run', ''], ['cleanup', '--key', ''], ['cleanup', '--key='], ['put', '--key', '', suite.input]]) {
      const option = args[1].replace('=', '');
      const r = s3dest([args[0], '--config', config, '--dest', lake, ...args.slice(1)]);
      assertFails(r, 2, [`${option} needs a value, and "" is none: give one, or leave ${option} out`]);
    }
    assert.equal(fs.existsSync(lake), false);
  }));

// The run-time variables, as a user would lay them out.
const RUN_TIME_LAYOUT = {
  folder: '/runs/{{YYYY_today}}/{{MM_today}}/{{DD_today}}/{{YYYY}}{{MM}}{{DD}}',
  file_name: '{{filename}}-{{H}}{{M}}{{S}}-{{timestamp}}-{{chunk_id}}',
  file_format: 'csv',
  partition_by: 'day',
  date_field: 'date',
  context: { filename: 'load' },
};

// The key a run at `now` (a Date) gives the partition of `day` (YYYYMMDD).
function runTimeKey(now, day) {
  const p = (n) => String(n).padStart(2, '0');
  const today = `${now.getUTCFullYear()}/${p(now.getUTCMonth() + 1)}/${p(now.getUTCDate())}`;
  const hms = `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `runs/${today}/${day}/load-${hms}-${Math.floor(now.getTime() / 1000)}-00001.csv`;
}
const DAYS = ['20260101', '20260102', '20260103', '20260104'];

for (const [now, utc] of [
  ['2024-02-29T23:59:58Z', '2024-02-29T23:59:58Z'],
  ['2024-03-01T01:59:58+02:00', '2024-02-29T23:59:58Z'],
  ['2024-02-29T23:59:58.750Z', '2024-02-29T23:59:58Z'],
  ['1999-12-31T00:00:07-05:30', '1999-12-31T05:30:07Z'],
]) {
  test(`--now ${now} fixes _today, H, M, S and timestamp in keys`, () =>
    inWorkFolder(suite.dir, (work) => {
      const dest = loadLake(work, RUN_TIME_LAYOUT, ['--input', suite.input, '--now', now]);
      const want = DAYS.map((d) => runTimeKey(new Date(utc), d)).sort();
      assert.deepEqual(listFiles(dest), want);
    }));
}

test('without --now, the run-time variables are the clock at the start of the run (UTC)', () =>
  inWorkFolder(suite.dir, (work) => {
    const before = Math.floor(Date.now() / 1000);
    const dest = loadLake(work, RUN_TIME_LAYOUT, ['--input', suite.input]);
    const after = Math.floor(Date.now() / 1000);
    const files = listFiles(dest);
    const seconds = Number(/-(-?\d+)-00001\.csv$/.exec(files[0])[1]);
    assert.ok(seconds >= before && seconds <= after, `timestamp ${seconds} not in [${before}, ${after}]`);
    const want = DAYS.map((d) => runTimeKey(new Date(seconds * 1000), d)).sort();
    assert.deepEqual(files, want);
  }));

test('a .gz input is decompressed', () =>
  inWorkFolder(suite.dir, async (work) => {
    const gz = path.join(work, 'input.ndjson.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(suite.input)));
    await assertHoldsInput(loadLake(work, dayAccountConfig(), ['--input', gz]), '.gz input');
  }));

test('a .gz input of several gzip members (as `cat a.gz b.gz`) is read whole', () =>
  inWorkFolder(suite.dir, async (work) => {
    const lines = inputLines();
    const half = Math.floor(lines.length / 2);
    const gz = path.join(work, 'input.ndjson.gz');
    fs.writeFileSync(
      gz,
      Buffer.concat([
        zlib.gzipSync(lines.slice(0, half).join('\n') + '\n'),
        zlib.gzipSync(lines.slice(half).join('\n') + '\n'),
      ]),
    );
    await assertHoldsInput(loadLake(work, dayAccountConfig(), ['--input', gz]), 'multi-member .gz input');
  }));

test('--input - reads standard input', () =>
  inWorkFolder(suite.dir, async (work) => {
    const dest = loadLake(work, dayAccountConfig(), ['--input', '-'], { stdin: fs.readFileSync(suite.input) });
    await assertHoldsInput(dest, '--input -');
  }));

test('no --input reads standard input', () =>
  inWorkFolder(suite.dir, async (work) => {
    const dest = loadLake(work, dayAccountConfig(), [], { stdin: fs.readFileSync(suite.input) });
    await assertHoldsInput(dest, 'standard input');
  }));

// Standard input is cut into blocks and parsed on every core, as a file is, its schema
// inferred from its first rows and those read again: a pipe of several blocks (at
// memory_limit_mb 32 a block is under 3 MiB) loads whole and in input order, NDJSON and
// csv with quoted line breaks, plain and gzip; a bad row deep in it is named by its line.
test('a long pipe loads whole and in order, and a bad row in it is named by its line', () =>
  inWorkFolder(suite.dir, (work) => {
    const rows = 400_000;
    const note = (i) => (i % 7 === 0 ? `line one ${i}\nline "two", ${i}` : `note ${i}`);
    const ndjson = Array.from({ length: rows }, (_, i) => JSON.stringify({ n: i, note: note(i) }) + '\n').join('');
    const csv = 'n,note\r\n' + Array.from({ length: rows }, (_, i) => `${i},"${note(i).replaceAll('"', '""')}"\r\n`).join('');
    const config = writeConfig(work, {
      folder: '/{{data_source}}', file_name: '{{filename}}', file_format: 'json', memory_limit_mb: 32,
      context: { data_source: 'pipe', filename: 'rows' },
    });
    const inputs = [
      ['NDJSON', 'ndjson', ndjson],
      ['csv', 'csv', csv],
      ['gzip csv', 'csv', zlib.gzipSync(csv, { level: 1 })],
    ];
    for (const [what, format, bytes] of inputs) {
      const dest = path.join(work, what.replace(' ', '-'));
      const r = s3dest(['load', '--config', config, '--input-format', format, '--dest', dest], { input: bytes });
      assert.equal(r.status, 0, `${what}: ${r.stderr}`);
      const lines = fs.readFileSync(path.join(dest, 'pipe', 'rows.json'), 'utf8').split('\n').filter(Boolean);
      assert.equal(lines.length, rows, what);
      lines.forEach((line, i) => {
        const row = JSON.parse(line);
        if (row.n !== i || row.note !== note(i)) assert.fail(`${what}: row ${i} is ${line}`);
      });
    }
    const bad = ndjson.replace('{"n":345678,', '{"n":"x",');
    const r = s3dest(['load', '--config', config, '--dest', path.join(work, 'bad')], { input: bad });
    assertFails(r, 3, [/stdin:345679: /, /"x"/]);
    assert.equal(listFiles(path.join(work, 'bad')).length, 0, 'a failed load leaves no object');
  }));

// The progress line: the share of a file read (a pipe's size is not known), rows per
// second, objects written; wiped before the summary, which stands on its own line.
test('--progress shows how far through its input a load is, then wipes its line', () =>
  inWorkFolder(suite.dir, (work) => {
    const config = writeConfig(work, dayAccountConfig());
    const fromFile = s3dest(['load', '--progress', '--config', config, '--input', suite.input,
                             '--dest', path.join(work, 'from-file')]);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    assert.match(fromFile.stderr, /\rs3dest: \d+% of [\d.]+ (kB|MB) read[^\r]*; [\d,]+ rows at [\d,]+ rows\/s; [\d,]+ objects?, [\d.]+ k?B written\x1b\[K/);
    assert.match(fromFile.stderr, /\r\x1b\[Ks3dest: loaded 5000 rows/);
    const fromPipe = s3dest(['load', '--progress', '--config', config, '--dest', path.join(work, 'from-pipe')],
                            { input: fs.readFileSync(suite.input) });
    assert.equal(fromPipe.status, 0, fromPipe.stderr);
    assert.match(fromPipe.stderr, /\rs3dest: [\d,]+ rows read at [\d,]+ rows\/s/);
    assert.doesNotMatch(fromPipe.stderr, /% of/);
    const quiet = s3dest(['load', '--config', config, '--input', suite.input, '--dest', path.join(work, 'quiet')]);
    assert.doesNotMatch(quiet.stderr, /\r/, 'no progress line when standard error is not a terminal');
  }));

test('several inputs, one of them .gz, load as one', () =>
  inWorkFolder(suite.dir, async (work) => {
    const lines = inputLines();
    const a = path.join(work, 'a.ndjson');
    const b = path.join(work, 'b.ndjson.gz');
    fs.writeFileSync(a, lines.slice(0, 1500).join('\n') + '\n');
    fs.writeFileSync(b, zlib.gzipSync(lines.slice(1500).join('\n') + '\n'));
    await assertHoldsInput(loadLake(work, dayAccountConfig(), ['--input', a, '--input', b]), 'two inputs');
  }));

// csv input: RFC 4180 with line breaks, separators and quotes inside quoted values; an
// empty quoted field is an empty string and an empty unquoted one is null.
const CSV_ROWS = [
  // [date, account, n, note]
  ['2026-05-01', 'acc1', '1', 'plain'],
  ['2026-05-01', 'acc1', '2', 'two\nlines'],
  ['2026-05-01', 'acc2', '3', 'crlf\r\ninside'],
  ['2026-05-02', 'acc2', '4', ''],
  ['2026-05-02', 'acc1', '5', null],
  ['2026-05-02', 'acc1', '6', 'sep , ; \t all'],
  ['2026-05-03', 'acc2', '7', 'say "hi"\n"bye"'],
  ['2026-05-03', 'acc2', '-9223372036854775808', '\r\n'],
];
function csvField(value, sep) {
  if (value === null) return '';
  if (value === '' || /["\r\n]/.test(value) || value.includes(sep)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

for (const [separator, sep] of [['comma', ','], ['semicolon', ';'], ['tab', '\t']]) {
  test(`csv input with the ${separator} separator and quoted line breaks round-trips`, () =>
    inWorkFolder(suite.dir, async (work) => {
      // CRLF record ends, as spreadsheets write them.
      const file = path.join(work, 'input.csv');
      const text = [['date', 'account', 'n', 'note'], ...CSV_ROWS].map((r) => r.map((v) => csvField(v, sep)).join(sep));
      fs.writeFileSync(file, text.join('\r\n') + '\r\n');
      const columns = { date: 'DATE', account: 'VARCHAR', n: 'BIGINT', note: 'VARCHAR' };
      for (const file_format of ['csv', 'json']) {
        const dest = loadLake(work, dayAccountConfig({ file_format, separator }), ['--input-format', 'csv', '--input', file],
                              { lake: file_format, configName: `${file_format}.json` });
        const paths = filePaths(dest);
        assert.equal(paths.length, 5, 'one object per (day, account)');
        const got = await suite.db.all(
          `SELECT date::VARCHAR AS date, account, n::VARCHAR AS n, note FROM ` +
            `${readerSql(paths, file_format, columns, { separator })} ORDER BY n::BIGINT DESC`,
        );
        const want = CSV_ROWS.map(([date, account, n, note]) => ({ date, account, n, note })).sort((x, y) =>
          BigInt(x.n) < BigInt(y.n) ? 1 : -1,
        );
        assert.deepEqual(got, want, `csv input -> ${file_format}`);
      }
    }));
}
