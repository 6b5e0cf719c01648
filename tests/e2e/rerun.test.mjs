// Loads are re-run, killed and run side by side, and never lose what was already there
// (a local folder here; tests/e2e/s3_rerun.test.mjs does the same against radosgw):
// a failing re-run leaves the folder byte for byte as it was; existing_objects "keep"
// refuses to overwrite; a re-run with fewer rows replaces each partition it writes whole;
// SIGTERM, SIGINT and SIGHUP undo a load, and a closed standard error does not stop it;
// cleanup removes what a SIGKILL left, and puts back what a load killed in the middle of
// its renames had replaced; files reach the disk of each file system they are
// on before they are renamed into place; no key is rendered twice; four workers load one
// dataset with {{worker}} and their manifests merge.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import {
  BIN,
  SAMPLE_COLUMNS,
  SAMPLE_SCHEMA,
  assertFails,
  assertSameRows,
  dayAccountConfig,
  filePaths,
  listFiles,
  loadOk,
  loadSampleInput,
  readManifest,
  readerSql,
  s3dest,
  sample,
  snapshot,
  spawnS3dest,
  suiteSetup,
  waitFor,
  withBadLastRow,
  workFolder,
  writeConfig,
  writeJson,
} from './lib.mjs';

let small, big, spread;
const suite = suiteSetup('s3dest-rerun-', {
  duck: true,
  setup: ({ dir }) => {
    small = sample(path.join(dir, 'small.ndjson'), { rows: 6_000, days: 3, accounts: 2, seed: 1 });
    big = sample(path.join(dir, 'big.ndjson'), { rows: 60_000, days: 3, accounts: 2, seed: 2 });
    // 2,000 partitions: most wait in the partition store, which spills past 4 MB.
    spread = sample(path.join(dir, 'spread.ndjson'), { rows: 40_000, days: 2_000, accounts: 1, seed: 3 });
  },
});

// Small blocks and chunks, so a run has written (staged) objects long before its end.
const CONFIG = dayAccountConfig({ max_file_size_mb: 0.05, memory_limit_mb: 16 });

const work = () => workFolder(suite.dir);

function load(w, args, config = CONFIG) {
  return s3dest(['load', '--no-progress', '--config', writeConfig(w, config), ...args]);
}

function temporaryFiles(dest) {
  return listFiles(dest).filter((f) => /(^|\/)\.[^/]*\.s3dest-[^/]*\.tmp$/.test(f));
}

test('a re-run of a larger input that fails at its last row leaves the folder byte for byte as it was', () => {
  const w = work();
  const dest = path.join(w, 'lake');
  loadOk(['--config', writeConfig(w, CONFIG), '--input', small, '--dest', dest]);
  const before = snapshot(dest);
  const r = load(w, ['--input', withBadLastRow(big), '--dest', dest]);
  assertFails(r, 3, [/big\.ndjson\.bad:60001:/]);
  // It had written objects, replacing earlier ones, before it met the bad row.
  assert.match(r.stderr, /^undone: (\d+ unfinished objects? dropped, )?\d+ finished objects? of this run removed; nothing that existed before was touched$/m);
  assert.deepEqual(snapshot(dest), before);
});

test('the files reach the disk of every file system they are on before they are renamed into place', (t) => {
  // A folder under the destination on another file system, as a mount would be: here a
  // link to one in /dev/shm (tmpfs).
  const w = work();
  const other = fs.mkdtempSync('/dev/shm/s3dest-e2e-');
  t.after(() => fs.rmSync(other, { recursive: true, force: true }));
  if (fs.statSync(other).dev === fs.statSync(w).dev) return t.skip('/dev/shm is on the same file system as the work folder');
  if (spawnSync('strace', ['-o', '/dev/null', 'true']).status !== 0) return t.skip('strace cannot run here');
  const dest = path.join(w, 'lake');
  fs.mkdirSync(path.join(dest, 'ws1'), { recursive: true });
  fs.symlinkSync(other, path.join(dest, 'ws1', 'acc1'));
  const log = path.join(w, 'calls.log');
  const r = spawnSync('strace', ['-f', '-y', '-qq', '-e', 'trace=syncfs,rename,renameat2,link', '-o', log,
                                 BIN, 'load', '--no-progress', '--config', writeConfig(w, CONFIG), '--input', small,
                                 '--dest', dest], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.readdirSync(other).length > 0, 'acc1 was loaded into /dev/shm');
  // "PID syncfs(3</the/folder>) = 0", and the renames between the flushes.
  const calls = fs.readFileSync(log, 'utf8').split('\n').filter((line) => / (syncfs|rename|renameat2|link)\(/.test(line));
  const flushed = calls.map((line) => line.match(/ syncfs\(\d+<([^>]*)>\) = 0/)?.[1]);
  const firstRename = flushed.indexOf(undefined), lastRename = flushed.lastIndexOf(undefined);
  assert.ok(firstRename > 0, calls.join('\n'));
  const onEach = (folders) => [folders.some((f) => f.startsWith(`${other}/`)),
                               folders.some((f) => f.startsWith(`${fs.realpathSync(dest)}/`))];
  assert.deepEqual(onEach(flushed.slice(0, firstRename)), [true, true], calls.join('\n'));
  assert.deepEqual(onEach(flushed.slice(lastRename + 1)), [true, true], calls.join('\n'));
});

test('existing_objects "keep" refuses a re-run with exit 4, naming the first existing key, and changes nothing', () => {
  const w = work();
  const dest = path.join(w, 'lake');
  loadOk(['--config', writeConfig(w, CONFIG), '--input', small, '--dest', dest]);
  const before = snapshot(dest);
  const r = load(w, ['--input', small, '--dest', dest], { ...CONFIG, existing_objects: 'keep' });
  assertFails(r, 4, [/lake\/ws1\/acc\d\/2026\/01\/0\d\/campaigns-202601\d\d-00001\.csv already exists and existing_objects is "keep"/]);
  assert.deepEqual(snapshot(dest), before);
  // New keys are fine with keep.
  loadOk(['--config', writeConfig(w, { ...CONFIG, existing_objects: 'keep' }), '--input', small, '--dest',
          path.join(w, 'other')]);
});

test('a file where a folder must go fails the load with exit 4, naming it, and the folder is left as it was', () => {
  // The folders and files are made on a thread of their own while rows are encoded: its
  // failure is the load's all the same.
  const w = work();
  const dest = path.join(w, 'lake');
  loadOk(['--config', writeConfig(w, CONFIG), '--input', small, '--dest', dest]);
  const inTheWay = path.join(dest, 'ws1', 'acc1');
  fs.rmSync(inTheWay, { recursive: true });
  fs.writeFileSync(inTheWay, "a file of the user's\n");
  const before = snapshot(dest);
  const r = load(w, ['--input', small, '--dest', dest]);
  assertFails(r, 4, [`${inTheWay} exists and is not a folder: move it or choose another --dest`]);
  assert.deepEqual(snapshot(dest), before);
});

describe('a re-run with fewer rows', () => {
  let w, dest, first, second, dayOne;
  before(() => {
    w = work();
    dest = path.join(w, 'lake');
    const firstFile = path.join(w, 'first.json');
    loadOk(['--config', writeConfig(w, CONFIG), '--input', big, '--dest', dest, '--manifest', firstFile]);
    first = readManifest(firstFile);
    // Things beside the chunks that only look like them.
    fs.writeFileSync(path.join(dest, 'ws1/acc0/2026/01/01/campaigns-20260101-00099.csv.bak'), 'mine');
    fs.writeFileSync(path.join(dest, 'ws1/acc0/2026/01/01/campaigns-20260101-99.csv'), 'mine too');
    // Only the first day, and fewer rows of it.
    dayOne = path.join(w, 'day-one.ndjson');
    const lines = fs.readFileSync(small, 'utf8').split('\n').filter((l) => l.includes('"2026-01-01"'));
    fs.writeFileSync(dayOne, lines.join('\n') + '\n');
  });

  test('--dry-run says what it would replace and remove, and changes nothing', () => {
    const before = snapshot(dest);
    const r = loadOk(['--config', writeConfig(w, CONFIG), '--input', dayOne, '--dest', dest, '--dry-run']);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.some((l) => /^ws1\/acc0\/2026\/01\/01\/campaigns-20260101-00001\.csv\t\d+ rows\treplaces an existing object$/.test(l)), r.stdout);
    assert.ok(lines.some((l) => /\tremoved\t/.test(l)), r.stdout);
    assert.deepEqual(snapshot(dest), before);
  });

  test('leaves exactly its own chunks in each partition it wrote, lists the stale ones as removed', async () => {
    const untouched = new Map([...snapshot(dest)].filter(([f]) => !f.includes('/2026/01/01/')));
    const secondFile = path.join(w, 'second.json');
    loadOk(['--config', writeConfig(w, CONFIG), '--input', dayOne, '--dest', dest, '--manifest', secondFile]);
    second = readManifest(secondFile);
    const dayOneFiles = listFiles(dest).filter((f) => f.includes('/2026/01/01/'));
    assert.deepEqual(dayOneFiles.filter((f) => f.endsWith('.csv') && !f.endsWith('-99.csv')),
                     second.objects.map((o) => o.key).sort(), 'the partitions hold this run\'s chunks only');
    assert.ok(dayOneFiles.includes('ws1/acc0/2026/01/01/campaigns-20260101-00099.csv.bak'));
    assert.ok(dayOneFiles.includes('ws1/acc0/2026/01/01/campaigns-20260101-99.csv'));
    const earlierDayOne = first.objects.filter((o) => o.partition === '2026-01-01').map((o) => o.key);
    assert.ok(earlierDayOne.length > second.objects.length, 'the first run had more chunks there');
    assert.deepEqual(second.removed.map((o) => o.key).sort(),
                     earlierDayOne.filter((k) => !second.objects.some((o) => o.key === k)).sort());
    assert.ok(second.objects.every((o) => o.replaced));
    for (const [f, bytes] of untouched) assert.deepEqual(snapshot(dest).get(f), bytes, `${f} was not written`);
    // What the partitions hold now is the second input, row for row.
    await loadSampleInput(suite.db, 'day_one', dayOne);
    const files = second.objects.map((o) => path.join(dest, o.key));
    await assertSameRows(suite.db, 'SELECT * FROM day_one', `SELECT * FROM ${readerSql(files, 'csv', SAMPLE_COLUMNS)}`,
                         'day one after the re-run');
  });
});

describe('interruptions', () => {
  // Starts a load that reads standard input, feeds it half of `big`, and waits until the
  // load has staged files in `dest`.
  async function interruptedLoad(w, dest, signal) {
    const run = spawnS3dest(['load', '--no-progress', '--config', writeConfig(w, CONFIG), '--input', '-',
                             '--input-format', 'ndjson', '--dest', dest]);
    const text = fs.readFileSync(big);
    run.child.stdin.write(text.subarray(0, text.length / 2));
    await waitFor(() => temporaryFiles(dest).length > 1, 'the load to stage files');
    run.child.kill(signal);
    run.child.stdin.end();
    return run.done;
  }

  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]]) {
    test(`${signal} stops a load, undoes it and exits ${code}; the folder is as it was`, async () => {
      const w = work();
      const dest = path.join(w, 'lake');
      loadOk(['--config', writeConfig(w, CONFIG), '--input', small, '--dest', dest]);
      const before = snapshot(dest);
      const r = await interruptedLoad(w, dest, signal);
      assert.equal(r.status, code, r.stderr);
      assert.match(r.stderr, new RegExp(`^s3dest: error: interrupted by ${signal}: undone: .*; nothing that existed before was touched$`, 'm'));
      assert.deepEqual(snapshot(dest), before);
    });
  }

  test('a load whose standard error is closed under it (`2>&1 | head`) goes on to its end and publishes every object', async () => {
    const w = work();
    const input = ['--input', '-', '--input-format', 'ndjson'];
    const heard = path.join(w, 'heard');
    loadOk(['--config', writeConfig(w, CONFIG), ...input, '--dest', heard], { input: fs.readFileSync(big) });
    const unheard = path.join(w, 'unheard');
    const run = spawnS3dest(['load', '--no-progress', '--verbose', '--config', writeConfig(w, CONFIG), ...input,
                             '--dest', unheard]);
    run.child.stderr.destroy();  // before the load has said anything: every message it writes meets a closed pipe
    run.child.stdin.end(fs.readFileSync(big));
    const r = await run.done;
    assert.deepEqual([r.status, r.signal], [0, null]);
    assert.deepEqual(snapshot(unheard), snapshot(heard));
  });

  test('after SIGKILL, cleanup removes the spill folder the load left under TMPDIR, and not a running load\'s', async () => {
    const w = work();
    const tmp = path.join(w, 'tmp');
    fs.mkdirSync(tmp);
    const spillFolders = () => fs.readdirSync(tmp).filter((name) => name.startsWith('s3dest-spill-')).sort();
    // Folders that hold a spill file beside their lock (the folder is made a moment before).
    const spilled = () => spillFolders().filter((name) => fs.readdirSync(path.join(tmp, name)).length > 1);
    // All of the input but its end: the load holds the stored partitions, spilled, and waits.
    const spilling = async (dest) => {
      const before = spilled().length;
      const run = spawnS3dest(['load', '--no-progress', '--config', writeConfig(w, CONFIG), '--input', '-',
                               '--input-format', 'ndjson', '--dest', dest], { env: { TMPDIR: tmp } });
      run.child.stdin.write(fs.readFileSync(spread));
      await waitFor(() => spilled().length > before, 'the load to spill');
      return run;
    };
    const killed = await spilling(path.join(w, 'killed'));
    killed.child.kill('SIGKILL');
    assert.equal((await killed.done).signal, 'SIGKILL');
    const [left] = spillFolders();
    assert.ok(fs.readdirSync(path.join(tmp, left)).length > 1, 'the killed load left its spill files');

    const running = await spilling(path.join(w, 'lake'));
    // The killed load's folder: cleanup with --older-than 0 would take the running load's
    // temporary files in its own.
    const cleaned = s3dest(['cleanup', '--config', writeConfig(w, CONFIG), '--dest', path.join(w, 'killed')],
                           { env: { TMPDIR: tmp } });
    assert.equal(cleaned.status, 0, cleaned.stderr);
    assert.match(cleaned.stderr, /; 1 spill folder of killed loads removed from /);
    assert.equal(spillFolders().length, 1);
    assert.notEqual(spillFolders()[0], left);

    running.child.stdin.end();
    const r = await running.done;
    assert.equal(r.status, 0, r.stderr);
    assert.equal(filePaths(path.join(w, 'lake')).length, 2_000);
    assert.deepEqual(spillFolders(), []);
  });

  test('after SIGKILL, cleanup removes the temporary files the load left, and nothing else', async () => {
    const w = work();
    const dest = path.join(w, 'lake');
    loadOk(['--config', writeConfig(w, CONFIG), '--input', small, '--dest', dest]);
    const data = snapshot(dest);
    const r = await interruptedLoad(w, dest, 'SIGKILL');
    assert.equal(r.signal, 'SIGKILL');
    const left = temporaryFiles(dest);
    assert.ok(left.length > 1, 'a killed load leaves its temporary files');
    const config = writeConfig(w, CONFIG);
    const young = s3dest(['cleanup', '--config', config, '--dest', dest, '--older-than', '1h']);
    assert.equal(young.status, 0, young.stderr);
    assert.match(young.stderr, new RegExp(`: 0 temporary files removed; ${left.length} younger than --older-than 1h kept`));
    const cleaned = s3dest(['cleanup', '--config', config, '--dest', dest]);
    assert.equal(cleaned.status, 0, cleaned.stderr);
    assert.equal(cleaned.stdout.trim().split('\n').filter((line) => !line.startsWith('removed folder ')).length,
                 left.length);
    assert.deepEqual(temporaryFiles(dest), []);
    for (const [f, bytes] of data) assert.deepEqual(snapshot(dest).get(f), bytes, f);
  });
  // Every file and folder under `root` (folders end in '/'), sorted.
  const entries = (root, under = '') => fs.readdirSync(path.join(root, under), { withFileTypes: true })
    .flatMap((e) => {
      const name = path.posix.join(under, e.name);
      return e.isDirectory() ? [`${name}/`, ...entries(root, name)] : [name];
    })
    .sort();

  test('after SIGKILL, cleanup removes the folders the load made once they are empty, and none that were there', async () => {
    const w = work();
    const dest = path.join(w, 'lake');
    // The user's empty folders: one the load writes into, one beside it.
    for (const folder of ['ws1/acc0', 'elsewhere']) fs.mkdirSync(path.join(dest, folder), { recursive: true });
    const before = entries(dest);
    const fresh = path.join(w, 'fresh');  // made by the load
    for (const target of [dest, fresh]) {
      const r = await interruptedLoad(w, target, 'SIGKILL');
      assert.equal(r.signal, 'SIGKILL');
      const cleaned = s3dest(['cleanup', '--config', writeConfig(w, CONFIG), '--dest', target]);
      assert.equal(cleaned.status, 0, cleaned.stderr);
      assert.match(cleaned.stderr, /temporary files removed; \d+ empty folders they made removed\n$/);
      assert.match(cleaned.stdout, /^removed folder .*\/ws1\/acc\d\/\d{4}\/\d\d\/\d\d$/m);
    }
    assert.deepEqual(entries(dest), before);
    assert.ok(!fs.existsSync(fresh), 'the destination the load made is gone');
  });

  // A re-run of `big` over a load of `small`, killed by strace as it enters its fourth
  // rename: its first files are in place, some of them over the first load's.
  function killedWhilePublishing(dest, config, manifest) {
    const r = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=rename,renameat2',
                                   '-e', 'inject=rename,renameat2:signal=KILL:when=4', BIN, 'load', '--no-progress',
                                   '--config', config, '--input', big, '--dest', dest, '--manifest', manifest],
                        { encoding: 'utf8' });
    assert.ok(r.signal === 'SIGKILL' || r.status === 128 + 9, `${r.status} ${r.signal} ${r.stderr}`);
    return r.stderr.match(/^s3dest: run (\S+): loading into /m)[1];
  }

  test('killed while it moves its files into place, a load is taken back by cleanup: what it replaced is put back', (t) => {
    if (spawnSync('strace', ['-o', '/dev/null', 'true']).status !== 0) return t.skip('strace cannot run here');
    const w = work();
    const dest = path.join(w, 'lake'), manifest = path.join(w, 'manifest.json');
    const config = writeConfig(w, CONFIG);
    loadOk(['--config', config, '--input', small, '--dest', dest, '--manifest', manifest]);
    const before = snapshot(dest), folders = entries(dest), manifestBefore = fs.readFileSync(manifest);
    const runId = killedWhilePublishing(dest, config, manifest);
    // The manifest of the run before is as it was; the killed run's waits under a name of its own.
    assert.deepEqual(fs.readFileSync(manifest), manifestBefore);
    assert.deepEqual(readManifest(path.join(w, `.manifest.json.s3dest-${runId}.tmp`)).run_id, runId);
    const left = snapshot(dest);
    assert.ok([...before].some(([f, bytes]) => !bytes.equals(left.get(f))), 'the killed load had replaced files');
    assert.ok(left.has(`.s3dest-${runId}.publishing`), 'its journal is there');

    const cleaned = s3dest(['cleanup', '--config', config, '--dest', dest]);
    assert.equal(cleaned.status, 0, cleaned.stderr);
    assert.match(cleaned.stderr, /temporary files removed; \d+ files? they had replaced put back/);
    assert.match(cleaned.stdout, /^put back .*\/campaigns-\d{8}-00001\.csv$/m);
    assert.deepEqual(snapshot(dest), before);
    assert.deepEqual(entries(dest), folders);
  });

  test('a load into a folder where a load was killed while publishing takes that one back first', (t) => {
    if (spawnSync('strace', ['-o', '/dev/null', 'true']).status !== 0) return t.skip('strace cannot run here');
    const w = work();
    const dest = path.join(w, 'lake'), manifest = path.join(w, 'manifest.json');
    const config = writeConfig(w, CONFIG);
    loadOk(['--config', config, '--input', small, '--dest', dest]);
    const before = snapshot(dest);
    const runId = killedWhilePublishing(dest, config, manifest);
    const waiting = path.join(w, `.manifest.json.s3dest-${runId}.tmp`);
    assert.ok(fs.existsSync(waiting), 'the killed run\'s manifest waits under a name of its own');
    // The same rows again: with the killed run taken back, the folder is the first load's,
    // and the killed run's manifest is gone.
    const r = load(w, ['--input', small, '--dest', dest, '--manifest', manifest]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^s3dest: run ${runId} was killed while it published into .*: taken back first ` +
                                      '\\(\\d+ files? put back, \\d+ removed\\)$', 'm'));
    assert.match(r.stderr, new RegExp(`^s3dest: removed the manifest that killed run ${runId} left: ${waiting}$`, 'm'));
    assert.deepEqual(snapshot(dest), before);
    assert.deepEqual(fs.readdirSync(w).filter((name) => name.startsWith('.manifest.json.')), []);
    assert.notEqual(readManifest(manifest).run_id, runId);
  });

  test('the next run leaves alone a waiting manifest whose run holds its lock, or that was only just made', async () => {
    const w = work();
    const waiting = (n) => path.join(w, `.manifest.json.s3dest-20261201T000000Z-0000000${n}.tmp`);
    fs.writeFileSync(waiting(1), '{"run_id": "publishing now"}');
    fs.writeFileSync(waiting(2), '');  // made, and not locked yet
    fs.writeFileSync(waiting(3), '{"run_id": "killed"}');
    const holder = spawn('flock', [waiting(1), 'sleep', '60'], { stdio: 'ignore' });
    try {
      await waitFor(() => spawnSync('flock', ['-n', waiting(1), 'true']).status !== 0, 'flock holds it', 10_000);
      const r = load(w, ['--input', small, '--dest', path.join(w, 'lake'), '--manifest', path.join(w, 'manifest.json')]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /^s3dest: removed the manifest that killed run 20261201T000000Z-00000003 left: /m);
      assert.deepEqual(fs.readdirSync(w).filter((name) => name.startsWith('.manifest.json.')).sort(),
                       [path.basename(waiting(1)), path.basename(waiting(2))]);
    } finally {
      holder.kill();
    }
  });
});

describe('no key is rendered twice', () => {
  const timestampSchema = {
    columns: SAMPLE_SCHEMA.columns.map((c) => (c.name === 'date' ? { name: 'date', type: 'timestamp' } : c)),
  };
  for (const [date, shown] of [['9999-12-31T23:30:00-01:00', '10000-01-01T00:30:00Z'],
                               ['0001-01-01T00:30:00+01:00', '0000-12-31T23:30:00Z']]) {
    test(`a record date of ${date} (year ${shown.slice(0, shown.indexOf('-', 1))} in UTC) is bad input at its line`, () => {
      const w = work();
      const input = path.join(w, 'input.ndjson');
      fs.writeFileSync(input, '{"date": "2026-01-01T10:00:00Z", "account": "a"}\n' +
                              `{"date": "${date}", "account": "a"}\n`);
      const r = load(w, ['--input', input, '--schema', writeJson(path.join(w, 'schema.json'), timestampSchema),
                         '--dest', path.join(w, 'lake')]);
      assertFails(r, 3, [/input\.ndjson:2: the date field "date" is /, shown, 'outside the years 0001 to 9999']);
      assert.deepEqual(listFiles(path.join(w, 'lake')), []);
    });
  }

  test('a partition that would need more than 99,999 chunks is refused before chunk 100,000', () => {
    const w = work();
    const input = path.join(w, 'input.ndjson');
    // Two 500-byte rows fill a chunk of 0.001 MB: 200,002 rows need 100,001 chunks.
    const row = `{"date": "2026-01-01", "note": "${'n'.repeat(500)}"}\n`;
    fs.writeFileSync(input, row.repeat(200_002));
    const r = load(w, ['--input', input, '--dest', path.join(w, 'lake'), '--dry-run'],
                   { folder: '/{{YYYY}}/{{MM}}/{{DD}}', file_name: 'part-{{chunk_id}}', max_file_size_mb: 0.001,
                     date_field: 'date' });
    assertFails(r, 2, ['2026/01/01/part-99999.csv would pass 99999', 'raise max_file_size_mb']);
    assert.equal(r.stdout, '', 'a dry run that fails prints no key');
  });
});

describe('four workers load one dataset', () => {
  const workerConfig = dayAccountConfig({ file_name: '{{filename}}-{{YYYY}}{{MM}}{{DD}}-{{worker}}-{{chunk_id}}',
                                          max_file_size_mb: 0.05 });

  test('side by side with {{worker}}: every row exactly once, and the manifests merge to the input\'s totals', async () => {
    const w = work();
    const dest = path.join(w, 'lake');
    const config = writeConfig(w, workerConfig);
    const lines = fs.readFileSync(big, 'utf8').split('\n').filter(Boolean);
    const runs = [0, 1, 2, 3].map((shard) => {
      const input = path.join(w, `shard-${shard}.ndjson`);
      fs.writeFileSync(input, lines.filter((_, i) => i % 4 === shard).join('\n') + '\n');
      return spawnS3dest(['load', '--no-progress', '--config', config, '--input', input, '--dest', dest,
                          '--worker', String(shard), '--manifest', path.join(w, `manifest-${shard}.json`)]).done;
    });
    for (const r of await Promise.all(runs)) assert.equal(r.status, 0, r.stderr);
    const manifests = [0, 1, 2, 3].map((shard) => path.join(w, `manifest-${shard}.json`));
    manifests.forEach(readManifest);
    const merged = s3dest(['manifest', 'merge', ...manifests]);
    assert.equal(merged.status, 0, merged.stderr);
    const all = JSON.parse(merged.stdout);
    assert.equal(all.rows, lines.length);
    assert.deepEqual(all.runs.map((r) => r.worker), ['0', '1', '2', '3']);
    assert.deepEqual(all.objects.map((o) => o.key), listFiles(dest));
    assert.equal(all.bytes, listFiles(dest).reduce((n, f) => n + fs.statSync(path.join(dest, f)).size, 0));
    await loadSampleInput(suite.db, 'big', big);
    await assertSameRows(suite.db, 'SELECT * FROM big', `SELECT * FROM ${readerSql(filePaths(dest), 'csv', SAMPLE_COLUMNS)}`,
                         'four workers');
  });

  test('--worker with a layout that has neither {{worker}} nor {{uuid}} is refused before anything is written', () => {
    const w = work();
    const r = load(w, ['--input', small, '--dest', path.join(w, 'lake'), '--worker', '1']);
    assertFails(r, 2, ['neither folder nor file_name has {{worker}}', 'overwrite each other']);
    assert.equal(fs.existsSync(path.join(w, 'lake')), false);
  });

  test('manifest merge refuses a key that two runs wrote, naming both manifests', () => {
    const w = work();
    for (const name of ['a', 'b'])
      loadOk(['--config', writeConfig(w, CONFIG), '--input', small, '--dest', path.join(w, name),
              '--manifest', path.join(w, `${name}.json`)]);
    const r = s3dest(['manifest', 'merge', path.join(w, 'a.json'), path.join(w, 'b.json')]);
    assertFails(r, 3, [/ws1\/acc\d\/.* was written by both .*a\.json and .*b\.json/]);
    assert.equal(r.stdout, '');
  });
});
