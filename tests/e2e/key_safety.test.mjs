// Values put into keys (context values, accounts from the data) can never add path
// segments or escape the destination folder: "/", "\", control characters, "." and ".."
// are percent-encoded, so each value stays one segment and different values stay apart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { assertFails, listFiles, loadOk, readerSql, s3dest, suiteSetup, workFolder, writeConfig } from './lib.mjs';

const suite = suiteSetup('s3dest-keys-', { duck: true });

const UNSAFE = ['..', '.', '../../escape', 'a/b', '/absolute', 'x/../../y', 'back\\slash', '..\\..\\win', 'new\nline', 'tab\there'];

// A destination three levels down, so a value climbing out of it would still land inside
// the case's folder, where the test can see it.
function newCase() {
  const work = workFolder(suite.dir, 'case-');
  return { work, dest: path.join(work, 'a', 'b', 'c', 'lake') };
}

// Every file the run made is under dest; returns them relative to dest.
function filesUnderDest({ work, dest }, inputs) {
  const outside = listFiles(work).filter((f) => !f.startsWith('a/b/c/lake/') && !inputs.includes(f));
  assert.deepEqual(outside, [], 'files outside the destination folder');
  assert.deepEqual(fs.readdirSync(path.join(work, 'a')), ['b']);
  assert.deepEqual(fs.readdirSync(path.join(work, 'a', 'b')), ['c']);
  assert.deepEqual(fs.readdirSync(path.join(work, 'a', 'b', 'c')), ['lake']);
  return listFiles(dest);
}

const ROWS = ['{"date":"2026-03-01","account":"acc1","n":1}', '{"date":"2026-03-02","account":"acc1","n":2}'];

for (const value of UNSAFE) {
  test(`a context value ${JSON.stringify(value)} stays one path segment inside the folder`, () => {
    const c = newCase();
    fs.writeFileSync(path.join(c.work, 'input.ndjson'), ROWS.join('\n') + '\n');
    writeConfig(c.work, {
      folder: '/{{workspace_id}}/{{data_source}}/{{YYYY}}/{{MM}}/{{DD}}',
      file_name: '{{filename}}-{{chunk_id}}',
      file_format: 'csv',
      partition_by: 'day',
      date_field: 'date',
      context: { workspace_id: 'ws1' },
    });
    loadOk([
      '--config', path.join(c.work, 'config.json'), '--input', path.join(c.work, 'input.ndjson'),
      '--dest', c.dest, '--set', `data_source=${value}`, '--set', `filename=${value}`,
    ]);
    const files = filesUnderDest(c, ['config.json', 'input.ndjson']);
    assert.equal(files.length, 2, `one object per day: ${files}`);
    for (const f of files) {
      const segments = f.split('/');
      assert.equal(segments.length, 6, `ws1/DATA_SOURCE/YYYY/MM/DD/FILE, got ${f}`);
      const [ws, source, , , , file] = segments;
      assert.equal(ws, 'ws1');
      assert.ok(source !== '.' && source !== '..' && !source.includes('\\'), `unsafe segment ${JSON.stringify(source)}`);
      assert.equal(decodeURIComponent(source), value, `the segment ${source} is the value percent-encoded`);
      assert.ok(!/[\\\x00-\x1f]/.test(file), `unsafe file name ${JSON.stringify(file)}`);
      assert.equal(decodeURIComponent(file), `${value}-00001.csv`);
    }
  });
}

test('accounts from the data stay one segment each, and different accounts never share a folder', async () => {
  const c = newCase();
  // "%2E" and "." (or "a%2Fb" and "a/b") must not end up in the same folder either.
  const accounts = [...UNSAFE, '%2E', '%2E%2E', 'a%2Fb', 'plain', 'Zürich'];
  const lines = [];
  accounts.forEach((account, i) => {
    for (let day = 1; day <= 2; day++) lines.push(JSON.stringify({ date: `2026-03-0${day}`, account, n: i * 10 + day }));
  });
  fs.writeFileSync(path.join(c.work, 'input.ndjson'), lines.join('\n') + '\n');
  writeConfig(c.work, {
    folder: '/{{account}}/{{YYYY}}/{{MM}}/{{DD}}',
    file_name: 'part-{{chunk_id}}',
    file_format: 'csv',
    partition_by: 'day',
    use_load_by_account: true,
    date_field: 'date',
    account_field: 'account',
  });
  loadOk(['--config', path.join(c.work, 'config.json'), '--input', path.join(c.work, 'input.ndjson'), '--dest', c.dest]);
  const files = filesUnderDest(c, ['config.json', 'input.ndjson']);
  assert.equal(files.length, 2 * accounts.length, `one object per (account, day): ${files.join(', ')}`);

  const paths = files.map((f) => path.join(c.dest, f));
  const rows = await suite.db.all(
    `SELECT filename, account, n::VARCHAR AS n FROM ` +
      readerSql(paths, 'csv', { date: 'DATE', account: 'VARCHAR', n: 'BIGINT' }, { extra: ', filename=true' }),
  );
  assert.equal(rows.length, lines.length, 'every row once');
  const accountsIn = new Map(); // first segment -> accounts found under it
  for (const r of rows) {
    const segments = path.relative(c.dest, r.filename).split(path.sep);
    assert.equal(segments.length, 5, `ACCOUNT/YYYY/MM/DD/FILE, got ${segments.join('/')}`);
    const [segment] = segments;
    assert.ok(segment !== '.' && segment !== '..' && !segment.includes('\\'), `unsafe segment ${JSON.stringify(segment)}`);
    if (!r.account.includes('%')) assert.equal(decodeURIComponent(segment), r.account);
    if (!accountsIn.has(segment)) accountsIn.set(segment, new Set());
    accountsIn.get(segment).add(r.account);
  }
  for (const [segment, held] of accountsIn) assert.equal(held.size, 1, `${segment} holds accounts ${[...held]}`);
  assert.equal(accountsIn.size, accounts.length, 'one folder per account');
});

test('a --dest prefix with a "." or ".." folder is refused before any request', () => {
  const c = newCase();
  const input = path.join(c.work, 'rows.ndjson');
  fs.writeFileSync(input, '{"date": "2026-01-01", "n": 1}\n');
  // An endpoint where nothing listens: a request would fail with exit 4, not 2.
  const config = writeConfig(c.work, { folder: '/x', file_name: 'f', access_key_id: 'AKIDEXAMPLE',
                                       secret_access_key: 'not-a-secret', endpoint: 'http://127.0.0.1:9', path_style: true });
  for (const dest of ['s3://bkt/../other/x', 's3://bkt/a/./b', 's3://bkt/..']) {
    const r = s3dest(['load', '--config', config, '--input', input, '--dest', dest]);
    assertFails(r, 2, ['the --dest prefix', 'folder: give the prefix without it']);
  }
});
