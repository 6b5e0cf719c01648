// Re-runs, interruptions and many writers against Ceph radosgw, a real S3 server (the
// local folder's side is tests/e2e/rerun.test.mjs): a failing re-run puts back every
// object it replaced, from the copies it kept (without versions; where radosgw cannot
// copy an SSE-KMS object it names them) or by deleting its versions (with them; with
// s3:DeleteObjectVersion denied, it names the versions to delete), and a successful one
// leaves no copy; "keep" refuses; a re-run with fewer rows
// removes the stale chunks; SIGTERM and SIGINT at several points of a multipart load leave
// the objects as before and no open upload; after SIGKILL, check reports the open upload
// and cleanup aborts it (and nobody else's), with {{run_id}} in the layout cleanup --run
// removes the killed run's finished objects (and nobody else's), and with keys that repeat
// it puts back what the run replaced, with or without versions; the next load tells of
// the copies a killed run kept, which cleanup --run then removes; cleanup --run asks only
// about objects changed since a day before the run began; an upload key with an
// escape sequence is left alone; four workers load one prefix side by side.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { aws } from '../s3server/s3server.mjs';
import {
  SAMPLE_COLUMNS,
  assertFails,
  assertSameRows,
  dayAccountConfig,
  filePaths,
  loadSampleInput,
  readManifest,
  readerSql,
  s3dest,
  sample,
  spawnS3dest,
  testAwsSettings,
  waitFor,
  withBadLastRow,
  writeConfig,
} from './lib.mjs';
import {
  download,
  listObjects,
  listVersions,
  makeVersionedBucket,
  openUploads,
  radosgwAccess,
  radosgwSuite,
} from './radosgw.mjs';

let dir, server, env, db, small, big;

function config(overrides = {}) {
  return dayAccountConfig({
    ...radosgwAccess(env),
    encryption: 'none',
    max_file_size_mb: 0.1,
    memory_limit_mb: 16,
    ...overrides,
  });
}

// One stream in chunks of 12 MB, each a multipart upload of 5 MB parts.
const MULTIPART = {
  folder: '/one', file_name: 'all-{{chunk_id}}', max_file_size_mb: 12, part_size_mb: 5, use_load_by_account: false,
  date_field: undefined, account_field: undefined,
};

let configs = 0;
function run(args, cfg) {
  const file = writeConfig(dir, cfg, `config-${++configs}.json`);
  return s3dest([...args.slice(0, 1), '--config', file, ...args.slice(1)], { env: testAwsSettings(dir) });
}

function load(prefix, input, cfg = config(), extra = [], bucket = env.S3SERVER_BUCKET) {
  const manifest = path.join(dir, `manifest-${++configs}.json`);
  const r = run(['load', '--no-progress', '--input', input, '--dest', `s3://${bucket}/${prefix}`,
                 '--manifest', manifest, ...extra], cfg);
  return { ...r, manifest: fs.existsSync(manifest) ? readManifest(manifest) : null };
}

// Every object under `prefix/`: key -> ETag.
const listed = (prefix, bucket = env.S3SERVER_BUCKET) =>
  new Map(listObjects(server, `${prefix}/`, bucket).map((o) => [o.Key, o.ETag]));

// The multipart uploads open under `prefix/`.
const uploadsUnder = (prefix, bucket = env.S3SERVER_BUCKET) => openUploads(server, `${prefix}/`, bucket);

// A second bucket, with versioning on: S3 names each write's version.
const VERSIONED = 'versioned';
const versions = (prefix) => listVersions(server, VERSIONED, `${prefix}/`);

describe('re-runs and interruptions against radosgw', () => {
  radosgwSuite('s3dest-s3rerun-', {
    duck: true,
    memstoreMb: 4096,
    setup: (suite) => {
      ({ dir, server, env, db } = suite);
      small = sample(path.join(dir, 'small.ndjson'), { rows: 6_000, days: 3, accounts: 2, seed: 1 });
      big = sample(path.join(dir, 'big.ndjson'), { rows: 60_000, days: 3, accounts: 2, seed: 2 });
      makeVersionedBucket(server, VERSIONED);
    },
  });

  test('a re-run that fails at its last row puts back every object it replaced, from the copies it kept', () => {
    const first = load('fail', small);
    assert.equal(first.status, 0, first.stderr);
    for (const o of first.manifest.objects) assert.equal(o.version_id, null, `${o.key}: a bucket without versions`);
    const before = listed('fail');
    const again = load('fail', small);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual([...listed('fail').keys()], [...before.keys()], 'a successful re-run leaves no copy behind');
    const r = load('fail', withBadLastRow(big));
    assertFails(r, 3, [/big\.ndjson\.bad:60001:/,
                       /\d+ finished objects of this run removed, \d+ replaced objects put back as they were; nothing that existed before was lost/]);
    assert.doesNotMatch(r.stderr, /had already been replaced/);
    // The same keys with the same bytes (an ETag is the MD5 of a single-request object),
    // and each as the earlier run wrote it.
    assert.deepEqual(listed('fail'), before);
    const head = JSON.parse(aws(server, ['s3api', 'head-object', '--bucket', env.S3SERVER_BUCKET, '--key',
                                         again.manifest.objects[0].key]).stdout);
    assert.equal(head.Metadata['s3dest-run'], again.stderr.match(/^s3dest: run (\S+): loading/m)[1]);
    assert.equal(head.ContentType, 'text/csv');
    assert.deepEqual(uploadsUnder('fail'), []);
  });

  test('where the server cannot copy (radosgw 16, SSE-KMS) a failed re-run names each object it replaced, and why', () => {
    const kms = config({ encryption: 'sse-kms-cmk', encryption_key: env.S3SERVER_KMS_KEY_ID });
    assert.equal(load('kms', small, kms).status, 0);
    const before = listed('kms');
    const r = load('kms', withBadLastRow(big), kms);
    assertFails(r, 3, [/big\.ndjson\.bad:60001:/, 'had already been replaced with this run\'s complete data',
                       'no copy of it was kept: the server cannot copy it (CopyObject: HTTP 501 NotImplemented)']);
    assert.deepEqual([...listed('kms').keys()], [...before.keys()], 'no key lost, none added, no copy left');
  });

  describe('in a versioned bucket', () => {
    const bucket = VERSIONED;

    test('a re-run that fails at its last row puts back every object it replaced: the versions are as before', () => {
      const first = load('fail', small, config(), [], bucket);
      assert.equal(first.status, 0, first.stderr);
      const before = versions('fail');
      // The manifest names the version of each object it lists: the one the bucket holds.
      assert.deepEqual(first.manifest.objects.map((o) => `${o.key} ${o.version_id} "${o.etag}" latest`).sort(), before);
      const r = load('fail', withBadLastRow(big), config(), [], bucket);
      assertFails(r, 3, [/big\.ndjson\.bad:60001:/,
                         /\d+ finished objects of this run removed, \d+ replaced objects put back as they were; nothing that existed before was lost/]);
      assert.doesNotMatch(r.stderr, /had already been replaced/);
      assert.deepEqual(versions('fail'), before, 'no version of the run, no delete marker');
    });

    test('without s3:DeleteObjectVersion the failed re-run names the version whose deletion puts each replaced object back', () => {
      assert.equal(load('refused', small, config(), [], bucket).status, 0);
      const before = listed('refused', bucket);
      const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: [env.S3SERVER_USER_ARN] },
        Action: ['s3:DeleteObjectVersion'], Resource: [`arn:aws:s3:::${bucket}/refused/*`] }] };
      assert.equal(aws(server, ['s3api', 'put-bucket-policy', '--bucket', bucket, '--policy', JSON.stringify(deny)]).status, 0);
      let r;
      try {
        r = load('refused', withBadLastRow(big), config(), [], bucket);
      } finally {
        assert.equal(aws(server, ['s3api', 'delete-bucket-policy', '--bucket', bucket]).status, 0);
      }
      assertFails(r, 3, ['nothing that existed before was deleted', 's3:DeleteObjectVersion']);
      const named = [...r.stderr.matchAll(new RegExp(`^  s3://${bucket}/(\\S+) \\(its version (\\S+) is this run's: ` +
                                                     'delete that version to put back the one before it; ', 'gm'))];
      assert.ok(named.length > 0, r.stderr);
      // The run's new keys are gone (behind delete markers); deleting each named version, as
      // the message says, gives back every object as it was.
      for (const [, key, version] of named) {
        assert.ok(before.has(key), key);
        // One argument: radosgw's version ids may begin with '-', which the CLI would take for an option.
        const deleted = aws(server, ['s3api', 'delete-object', '--bucket', bucket, '--key', key, `--version-id=${version}`]);
        assert.equal(deleted.status, 0, deleted.stderr);
      }
      assert.deepEqual(listed('refused', bucket), before);
    });
  });

  test('existing_objects "keep" refuses with exit 4 naming the first existing key; nothing changes', () => {
    assert.equal(load('keep', small).status, 0);
    const before = listed('keep');
    const r = load('keep', small, config({ existing_objects: 'keep' }));
    assertFails(r, 4, [new RegExp(`s3://${env.S3SERVER_BUCKET}/keep/ws1/acc\\d/2026/01/0\\d/campaigns-202601\\d\\d-00001\\.csv already exists`)]);
    assert.deepEqual(listed('keep'), before, 'same keys, same ETags');
  });

  test('a re-run with fewer rows removes the stale chunks of the partitions it writes, and only those', () => {
    const first = load('fewer', big);
    assert.equal(first.status, 0, first.stderr);
    const dayOne = path.join(dir, 'day-one.ndjson');
    fs.writeFileSync(dayOne, fs.readFileSync(small, 'utf8').split('\n').filter((l) => l.includes('"2026-01-01"')).join('\n') + '\n');
    const second = load('fewer', dayOne);
    assert.equal(second.status, 0, second.stderr);
    const now = listed('fewer');
    const expected = first.manifest.objects.filter((o) => o.partition !== '2026-01-01').map((o) => o.key)
      .concat(second.manifest.objects.map((o) => o.key)).sort();
    assert.deepEqual([...now.keys()].sort(), expected);
    assert.ok(second.manifest.removed.length > 0);
    for (const o of second.manifest.removed) assert.equal(o.partition, '2026-01-01');
    // Partitions it did not write keep their objects as they were.
    for (const o of first.manifest.objects.filter((x) => x.partition !== '2026-01-01'))
      assert.equal(now.get(o.key), `"${o.etag}"`, o.key);
  });

  describe('interrupting a multipart load', () => {
    let stream;
    before(() => {
      // About 26 MB of csv: chunks of 12 MB, each a multipart upload.
      stream = sample(path.join(dir, 'stream.ndjson'), { rows: 230_000, days: 1, accounts: 1, seed: 3 });
    });

    // Feeds the first `share` of the stream to a load reading standard input, waits for
    // `ready`, sends `signal`.
    async function interrupt(prefix, share, ready, what, signal, cfg = config(MULTIPART), bucket = env.S3SERVER_BUCKET) {
      const file = writeConfig(dir, cfg, `config-${++configs}.json`);
      const running = spawnS3dest(['load', '--no-progress', '--config', file, '--input', '-', '--dest',
                                   `s3://${bucket}/${prefix}`], { env: testAwsSettings(dir) });
      const bytes = fs.readFileSync(stream);
      running.child.stdin.write(bytes.subarray(0, Math.floor(bytes.length * share)));
      await waitFor(ready, what, 120_000);
      running.child.kill(signal);
      running.child.stdin.end();
      return running.done;
    }

    const CASES = [
      { signal: 'SIGTERM', code: 143, earlier: true, point: 'the first upload is open' },
      { signal: 'SIGINT', code: 130, earlier: true, point: 'the first upload is open' },
      { signal: 'SIGINT', code: 130, earlier: false, point: 'a new object is complete and the next upload open' },
      { signal: 'SIGTERM', code: 143, earlier: false, point: 'a new object is complete and the next upload open' },
    ];
    CASES.forEach(({ signal, code, earlier, point }, i) => {
      test(`${signal} when ${point}: exit ${code}, no new object, no open upload${earlier ? ', earlier objects intact' : ''}`, async () => {
        const prefix = `stop-${i}`;
        if (earlier) assert.equal(load(prefix, small, config(MULTIPART)).status, 0);
        const before = listed(prefix);
        const firstKey = `${prefix}/one/all-00001.csv`;
        const r = point.startsWith('the first')
          ? await interrupt(prefix, 0.4, () => uploadsUnder(prefix).length > 0, point, signal)
          : await interrupt(prefix, 0.8,
                            () => listed(prefix).has(firstKey) && uploadsUnder(prefix).some((u) => u.Key !== firstKey),
                            point, signal);
        assert.equal(r.status, code, r.stderr);
        assert.match(r.stderr, new RegExp(`^s3dest: error: interrupted by ${signal}: undone: `, 'm'));
        if (!earlier) assert.match(r.stderr, /1 finished object of this run removed/);
        assert.deepEqual(listed(prefix), before, 'the same objects as before the run');
        assert.deepEqual(uploadsUnder(prefix), []);
      });
    });

    test('after SIGKILL, check reports the open upload and cleanup aborts it, and no one else\'s', async () => {
      const prefix = 'killed';
      const other = aws(server, ['s3api', 'create-multipart-upload', '--bucket', env.S3SERVER_BUCKET, '--key',
                                 `${prefix}/one/someone-elses.bin`]);
      assert.equal(other.status, 0, other.stderr);
      const r = await interrupt(prefix, 0.4, () => uploadsUnder(prefix).length > 1, 'an upload of the load', 'SIGKILL');
      assert.equal(r.signal, 'SIGKILL');
      const dest = ['--dest', `s3://${env.S3SERVER_BUCKET}/${prefix}`];
      const check = run(['check', ...dest], config(MULTIPART));
      assert.equal(check.status, 0, check.stdout + check.stderr);
      assert.match(check.stdout, new RegExp(`^warn +open uploads under s3://${env.S3SERVER_BUCKET}/${prefix}/one/: 1 left ` +
                                            `by s3dest runs .*${prefix}/one/all-00001\\.csv.*; 1 more that s3dest did not ` +
                                            'start \\(left alone\\).*s3dest cleanup', 'm'));
      const cleaned = run(['cleanup', ...dest], config(MULTIPART));
      assert.equal(cleaned.status, 0, cleaned.stderr);
      assert.match(cleaned.stdout, new RegExp(`^aborted upload s3://${env.S3SERVER_BUCKET}/${prefix}/one/all-00001\\.csv`));
      assert.match(cleaned.stderr, /1 open uploads aborted; 1 that s3dest did not start left alone/);
      assert.deepEqual(uploadsUnder(prefix).map((u) => u.Key), [`${prefix}/one/someone-elses.bin`]);
    });

    test('after SIGKILL with {{run_id}} in the layout, cleanup --run removes the run\'s finished objects, and no one else\'s', async () => {
      const prefix = 'killed-run';
      const cfg = config({ ...MULTIPART, file_name: 'all-{{run_id}}-{{chunk_id}}' });
      assert.equal(load(prefix, small, cfg).status, 0, 'an earlier run, whose objects stay');
      // Named as s3dest would name it, but not written by s3dest: no run metadata.
      const lookalike = `${prefix}/one/all-20261201T000000Z-00000000-00001.csv`;
      const put = aws(server, ['s3api', 'put-object', '--bucket', env.S3SERVER_BUCKET, '--key', lookalike]);
      assert.equal(put.status, 0, put.stderr);
      const before = listed(prefix);
      const r = await interrupt(prefix, 0.8, () => listed(prefix).size > before.size && uploadsUnder(prefix).length > 0,
                                'a finished object of the load and its next upload', 'SIGKILL', cfg);
      assert.equal(r.signal, 'SIGKILL');
      const runId = r.stderr.match(/^s3dest: run (\S+): loading/m)[1];
      const left = [...listed(prefix).keys()].filter((key) => !before.has(key));
      assert.ok(left.length > 0 && left.every((key) => key.includes(runId)), left.join(', '));

      const dest = ['--dest', `s3://${env.S3SERVER_BUCKET}/${prefix}`];
      const cleaned = run(['cleanup', ...dest, '--run', runId], cfg);
      assert.equal(cleaned.status, 0, cleaned.stderr);
      for (const key of left)
        assert.match(cleaned.stdout, new RegExp(`^removed object s3://${env.S3SERVER_BUCKET}/${key}$`, 'm'));
      assert.match(cleaned.stderr, new RegExp(`1 open uploads aborted; ${left.length} finished objects? of run ${runId} removed`));
      assert.deepEqual(listed(prefix), before, 'the objects from before the killed run, the lookalike included');
      assert.deepEqual(uploadsUnder(prefix), []);
    });

    // A re-run of the stream into `prefix`, where a load of `small` wrote all-00001, killed
    // once it has replaced all-00001 and opened the upload of all-00002; its run id.
    async function killedRerun(prefix, bucket) {
      const first = `${prefix}/one/all-00001.csv`;
      const before = listed(prefix, bucket).get(first);
      assert.ok(before, first);
      const r = await interrupt(prefix, 0.8, () => listed(prefix, bucket).get(first) !== before &&
                                uploadsUnder(prefix, bucket).length > 0,
                                'all-00001 replaced and the next upload open', 'SIGKILL', config(MULTIPART), bucket);
      assert.equal(r.signal, 'SIGKILL');
      return r.stderr.match(/^s3dest: run (\S+): loading/m)[1];
    }

    test('after SIGKILL in a versioned bucket, cleanup --run puts back the object the run replaced', async () => {
      const prefix = 'killed-versioned';
      assert.equal(load(prefix, small, config(MULTIPART), [], VERSIONED).status, 0);
      const before = versions(prefix);
      const runId = await killedRerun(prefix, VERSIONED);
      const cleaned = run(['cleanup', '--dest', `s3://${VERSIONED}/${prefix}`, '--run', runId], config(MULTIPART));
      assert.equal(cleaned.status, 0, cleaned.stderr);
      assert.match(cleaned.stdout, new RegExp(`^aborted upload s3://${VERSIONED}/${prefix}/one/all-00002\\.csv .*\n` +
                                              `put back s3://${VERSIONED}/${prefix}/one/all-00001\\.csv\n$`));
      assert.match(cleaned.stderr, new RegExp('1 open uploads aborted; 1 object they had replaced put back; ' +
                                              `0 finished objects of run ${runId} removed`));
      assert.deepEqual(versions(prefix), before, 'the killed run\'s version gone, and no delete marker');
      assert.deepEqual(uploadsUnder(prefix, VERSIONED), []);
    });

    test('after SIGKILL in a bucket without versions, cleanup --run puts back the object the run replaced from its copy', async () => {
      const prefix = 'killed-unversioned';
      const bucket = env.S3SERVER_BUCKET;
      assert.equal(load(prefix, small, config(MULTIPART)).status, 0);
      const before = listed(prefix);
      const runId = await killedRerun(prefix, bucket);
      const copy = `${prefix}/one/.all-00001.csv.s3dest-${runId}.kept`;
      assert.ok(listed(prefix).has(copy), 'the copy the killed run kept, named after it');
      const cleaned = run(['cleanup', '--dest', `s3://${bucket}/${prefix}`, '--run', runId], config(MULTIPART));
      assert.equal(cleaned.status, 0, cleaned.stderr);
      assert.match(cleaned.stdout, new RegExp(`^aborted upload s3://${bucket}/${prefix}/one/all-00002\\.csv .*\n` +
                                              `put back s3://${bucket}/${prefix}/one/all-00001\\.csv\n$`));
      assert.match(cleaned.stderr, new RegExp('1 open uploads aborted; 1 object they had replaced put back; ' +
                                              `0 finished objects of run ${runId} removed`));
      assert.deepEqual(listed(prefix), before, 'the same bytes under the same keys, and the copy gone');
      assert.deepEqual(uploadsUnder(prefix), []);
    });

    test('after SIGKILL, the next load tells of the copies the killed run kept, and cleanup --run then removes them', async () => {
      const prefix = 'killed-told';
      const bucket = env.S3SERVER_BUCKET;
      assert.equal(load(prefix, small, config(MULTIPART)).status, 0);
      const runId = await killedRerun(prefix, bucket);
      const copy = `${prefix}/one/.all-00001.csv.s3dest-${runId}.kept`;
      assert.ok(listed(prefix).has(copy), 'the copy the killed run kept');

      const rerun = load(prefix, small, config(MULTIPART));
      assert.equal(rerun.status, 0, rerun.stderr);
      assert.match(rerun.stderr, new RegExp(`^s3dest: note: run ${runId} kept 1 copy of objects it replaced, beside ` +
                                            `them \\(s3://${bucket}/${copy.replace(/\./g, '\\.')}\\): it was killed, ` +
                                            'or is running now\\. Once it is not, `s3dest cleanup --config \\S+ --dest ' +
                                            `s3://${bucket}/${prefix} --run ${runId}\` removes it`, 'm'));
      const after = listed(prefix);
      assert.ok(after.has(copy), 'the load leaves the copy to cleanup');

      const cleaned = run(['cleanup', '--dest', `s3://${bucket}/${prefix}`, '--run', runId], config(MULTIPART));
      assert.equal(cleaned.status, 0, cleaned.stderr);
      assert.match(cleaned.stdout, new RegExp(`^removed the copy of s3://${bucket}/${prefix}/one/all-00001\\.csv ` +
                                              '\\(the object there is not the run\'s', 'm'));
      after.delete(copy);
      assert.deepEqual(listed(prefix), after, 'the re-run\'s objects stay, and the copy is gone');
      assert.deepEqual(uploadsUnder(prefix), []);
      const quiet = load(prefix, small, config(MULTIPART));
      assert.equal(quiet.status, 0, quiet.stderr);
      assert.doesNotMatch(quiet.stderr, /note: run/);
    });

    test('after SIGKILL before it replaced anything, cleanup --run with keys that repeat deletes nothing', async () => {
      const prefix = 'killed-first';
      const bucket = env.S3SERVER_BUCKET;
      const first = `${prefix}/one/all-00001.csv`;
      const r = await interrupt(prefix, 0.8, () => listed(prefix).has(first) && uploadsUnder(prefix).length > 0,
                                'all-00001 written and the next upload open', 'SIGKILL');
      assert.equal(r.signal, 'SIGKILL');
      const runId = r.stderr.match(/^s3dest: run (\S+): loading/m)[1];
      const before = listed(prefix);
      const refused = run(['cleanup', '--dest', `s3://${bucket}/${prefix}`, '--run', runId], config(MULTIPART));
      assertFails(refused, 2, [new RegExp(`s3://${bucket}/${first.replace(/\./g, '\\.')} is run ${runId}'s, the bucket ` +
                                          'keeps no versions of it, and the run left no copies .* re-run the load or put instead')]);
      assert.deepEqual(listed(prefix), before, 'the killed run\'s object stays');
    });
  });

  test('cleanup --run asks only about the objects changed since a day before the run began', () => {
    const prefix = 'cleanup-heads';
    assert.equal(load(prefix, small).status, 0);
    const before = listed(prefix);
    const dest = ['--dest', `s3://${env.S3SERVER_BUCKET}/${prefix}`];
    // A run id as s3dest makes them, for a run that began at `ms`.
    const runIdAt = (ms) => `${new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z-0123abcd`;
    const heads = (r) => (r.stderr.match(new RegExp(`^s3dest: HEAD \\S*/${prefix}/`, 'gm')) || []).length;

    const later = runIdAt(Date.now() + 3 * 86_400_000);  // every object here is over a day older
    const skipped = run(['cleanup', ...dest, '--run', later, '--verbose'], config());
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.equal(heads(skipped), 0, skipped.stderr);
    assert.match(skipped.stderr, new RegExp(`; ${before.size} objects last changed over a day before run ${later} ` +
                                            'began not looked at'));
    const earlier = runIdAt(Date.now() - 3_600_000);  // every object here may be its
    const asked = run(['cleanup', ...dest, '--run', earlier, '--verbose'], config());
    assert.equal(asked.status, 0, asked.stderr);
    assert.equal(heads(asked), before.size, asked.stderr);
    assert.doesNotMatch(asked.stderr, /not looked at/);
    assert.match(asked.stderr, new RegExp(`; 0 finished objects of run ${earlier} removed`));
    assert.deepEqual(listed(prefix), before, 'nothing of another run is touched');
  });

  test('an upload whose key holds an escape sequence is not s3dest\'s: check and cleanup leave it alone, printing nothing raw', () => {
    const prefix = 'hostile-key';
    // The account's place, but s3dest writes a control character there as %1B. radosgw
    // makes the upload; the AWS CLI then refuses its reply, which names the key with a
    // character reference XML 1.0 does not allow (so the upload stays: only this test's).
    const key = `${prefix}/ws1/acc\x1b]0;owned\x07/2026/01/01/campaigns-20260101-00001.csv`;
    const made = aws(server, ['s3api', 'create-multipart-upload', '--bucket', env.S3SERVER_BUCKET, '--key', key]);
    assert.match(made.stderr, /<InitiateMultipartUploadResult .*<UploadId>/, made.stderr);
    const dest = ['--dest', `s3://${env.S3SERVER_BUCKET}/${prefix}`];
    const check = run(['check', ...dest], config());
    assert.match(check.stdout, /^ok +open uploads under .*: none of s3dest's; 1 more that s3dest did not start \(left alone\)/m);
    const cleaned = run(['cleanup', ...dest], config());
    assert.equal(cleaned.status, 0, cleaned.stderr);
    assert.match(cleaned.stderr, /0 open uploads aborted; 1 that s3dest did not start left alone/);
    for (const r of [check, cleaned]) assert.doesNotMatch(r.stdout + r.stderr, /[\x07\x1b]/);
  });

  test('four workers load one prefix side by side; the rows arrive once and the manifests merge', async () => {
    const cfg = config({ file_name: '{{filename}}-{{YYYY}}{{MM}}{{DD}}-{{worker}}-{{chunk_id}}' });
    const lines = fs.readFileSync(big, 'utf8').split('\n').filter(Boolean);
    const manifests = [];
    const runs = [0, 1, 2, 3].map((shard) => {
      const input = path.join(dir, `shard-${shard}.ndjson`);
      fs.writeFileSync(input, lines.filter((_, i) => i % 4 === shard).join('\n') + '\n');
      manifests.push(path.join(dir, `workers-${shard}.json`));
      const file = writeConfig(dir, cfg, `config-${++configs}.json`);
      return spawnS3dest(['load', '--no-progress', '--config', file, '--input', input, '--dest',
                          `s3://${env.S3SERVER_BUCKET}/workers`, '--worker', `w${shard}`, '--manifest', manifests[shard]],
                         { env: testAwsSettings(dir) }).done;
    });
    for (const r of await Promise.all(runs)) assert.equal(r.status, 0, r.stderr);
    const merged = s3dest(['manifest', 'merge', ...manifests]);
    assert.equal(merged.status, 0, merged.stderr);
    const all = JSON.parse(merged.stdout);
    assert.equal(all.rows, lines.length);
    const bucket = listed('workers');
    assert.deepEqual(all.objects.map((o) => o.key), [...bucket.keys()].sort());
    for (const o of all.objects) assert.equal(bucket.get(o.key), `"${o.etag}"`, o.key);
    const local = download(server, 'workers/', path.join(dir, 'down'));
    await loadSampleInput(db, 'big', big);
    await assertSameRows(db, 'SELECT * FROM big', `SELECT * FROM ${readerSql(filePaths(local), 'csv', SAMPLE_COLUMNS)}`,
                         'four workers into S3');
  });
});
