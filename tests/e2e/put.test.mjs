// `s3dest put`: files uploaded as they are into radosgw (tests/s3server) and into a local
// folder. A small file goes up in one PutObject, a large one as a multipart upload; both
// come back byte for byte through the AWS CLI, under the layout's fixed prefix or --key,
// with the load's encryption and object options. A missing file, an existing key under
// existing_objects "keep", and a connection dropped mid-upload all leave the bucket as it
// was: no object, no open multipart upload. cleanup --run takes a put back in a versioned
// bucket (what it replaced is current again), deletes nothing of a finished put without
// versions, and with --key puts back what a killed `put --key` replaced, outside the prefix.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { S3SERVER_SKIP, aws } from '../s3server/s3server.mjs';
import { startFaultProxy } from '../s3server/fault_proxy.mjs';
import { crc32cBase64, listEntries, readManifest, s3dest, spawnS3dest, testAwsSettings, waitFor, writeConfig } from './lib.mjs';
import { listObjects, listVersions, makeVersionedBucket, openUploads, radosgwAccess, radosgwSuite } from './radosgw.mjs';

let dir, server, env;
let small, large; // a 3-line csv, and 12 MB of random bytes (three 5 MiB parts, the last smaller)

function config(overrides = {}) {
  return {
    ...radosgwAccess(env),
    folder: '/uploads/{{YYYY}}/{{MM}}/{{DD}}',
    file_name: 'part-{{chunk_id}}',
    part_size_mb: 5,
    encryption: 'none',
    ...overrides,
  };
}

// `s3dest put` with `cfg`, into s3://bucket/<prefix> (or `dest` as given), of `files`.
function put(cfg, prefix, files, { extra = [], dest } = {}) {
  const configFile = writeConfig(dir, cfg, `config-${crypto.randomUUID()}.json`);
  const to = dest ?? `s3://${env.S3SERVER_BUCKET}/${prefix}`;
  return s3dest(['put', '--config', configFile, '--dest', to, ...extra, ...files], { env: testAwsSettings(dir) });
}

// The object `key`, downloaded with the AWS CLI.
function fetched(key) {
  const local = path.join(dir, 'down', crypto.randomUUID());
  const r = aws(server, ['s3', 'cp', '--quiet', `s3://${env.S3SERVER_BUCKET}/${key}`, local]);
  assert.equal(r.status, 0, r.stderr);
  return fs.readFileSync(local);
}

function head(key) {
  const r = aws(server, ['s3api', 'head-object', '--bucket', env.S3SERVER_BUCKET, '--key', key]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const keysUnder = (prefix) => listObjects(server, `${prefix}/`).map((o) => o.Key).sort();

describe('s3dest put into radosgw', { skip: S3SERVER_SKIP }, () => {
  radosgwSuite('s3dest-put-', {
    setup: (suite) => {
      ({ dir, server, env } = suite);
      small = path.join(dir, 'events.csv');
      fs.writeFileSync(small, 'id,name\n1,"a, b"\n2,c\n');
      large = path.join(dir, 'blob.bin');
      fs.writeFileSync(large, crypto.randomBytes(12_000_000));
    },
  });

  test('a small and a large file arrive byte for byte under the fixed prefix, as the manifest says', () => {
    const manifest = path.join(dir, 'manifest-plain.json');
    const r = put(config(), 'plain', [small, large], { extra: ['--manifest', manifest] });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /uploaded 2 objects \(12000021 bytes\) under s3:\/\/[^/]+\/plain/);
    // The folder's fixed part is "uploads/": the date is no part of a file that has no rows.
    assert.deepEqual(keysUnder('plain'), ['plain/uploads/blob.bin', 'plain/uploads/events.csv']);
    assert.deepEqual(fetched('plain/uploads/events.csv'), fs.readFileSync(small));
    assert.deepEqual(fetched('plain/uploads/blob.bin'), fs.readFileSync(large));
    // One PutObject for the small one, a multipart upload of three parts for the large.
    assert.doesNotMatch(head('plain/uploads/events.csv').ETag, /-\d+"$/);
    assert.match(head('plain/uploads/blob.bin').ETag, /-3"$/);
    assert.equal(head('plain/uploads/events.csv').ContentType, 'text/csv');
    assert.equal(head('plain/uploads/blob.bin').ContentType, 'application/octet-stream');
    const m = readManifest(manifest);
    assert.deepEqual(m.objects.map((o) => [o.key, o.bytes, o.format]),
                     [['plain/uploads/events.csv', 21, 'csv'], ['plain/uploads/blob.bin', 12_000_000, '']]);
    // The large file's parts were checksummed apart; the manifest has the whole file's CRC.
    assert.equal(m.objects[0].checksum, `crc32c:${crc32cBase64(fs.readFileSync(small))}`);
    assert.equal(m.objects[1].checksum, `crc32c:${crc32cBase64(fs.readFileSync(large))}`);
    assert.deepEqual(openUploads(server, 'plain/'), []);
  });

  test('with checksum md5 the large file still goes up from the file, each part with its Content-MD5', () => {
    const manifest = path.join(dir, 'manifest-md5.json');
    const r = put(config({ checksum: 'md5' }), 'md5', [small, large], { extra: ['--manifest', manifest] });
    assert.equal(r.status, 0, r.stderr);
    // radosgw refuses a part whose Content-MD5 is not its bytes' (BadDigest).
    assert.deepEqual(fetched('md5/uploads/blob.bin'), fs.readFileSync(large));
    assert.match(head('md5/uploads/blob.bin').ETag, /-3"$/);
    const md5 = (file) => crypto.createHash('md5').update(fs.readFileSync(file)).digest('base64');
    assert.deepEqual(readManifest(manifest).objects.map((o) => o.checksum), [`md5:${md5(small)}`, `md5:${md5(large)}`]);
    assert.deepEqual(openUploads(server, 'md5/'), []);
  });

  test('a put whose standard error is closed under it (`2>&1 | head`) goes on and uploads every file', async () => {
    const configFile = writeConfig(dir, config(), 'config-unheard.json');
    const run = spawnS3dest(['put', '--verbose', '--config', configFile, '--dest', `s3://${env.S3SERVER_BUCKET}/unheard`,
                             small, large], { env: testAwsSettings(dir) });
    run.child.stderr.destroy();  // every message the put writes meets a closed pipe
    const r = await run.done;
    assert.deepEqual([r.status, r.signal], [0, null]);
    assert.deepEqual(fetched('unheard/uploads/blob.bin'), fs.readFileSync(large));
    assert.deepEqual(fetched('unheard/uploads/events.csv'), fs.readFileSync(small));
    assert.deepEqual(openUploads(server, 'unheard/'), []);
  });

  test('--key names the whole key of one file', () => {
    const r = put(config(), 'unused', [small], { extra: ['--key', 'exact/place/today.csv'] });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(fetched('exact/place/today.csv'), fs.readFileSync(small));
    const two = put(config(), 'unused', [small, large], { extra: ['--key', 'exact/two.csv'] });
    assert.equal(two.status, 2, two.stderr);
    assert.match(two.stderr, /--key names one object, but 2 files were given/);
  });

  test('SSE-KMS, storage class, metadata and tags are on the objects, small and multipart', () => {
    const cfg = config({
      encryption: 'sse-kms-cmk', encryption_key: env.S3SERVER_KMS_KEY_ID, storage_class: env.S3SERVER_STORAGE_CLASS,
      metadata: { Team: 'data' }, tags: { dataset: 'events' },
    });
    const r = put(cfg, 'opts', [small, large]);
    assert.equal(r.status, 0, r.stderr);
    for (const key of ['opts/uploads/events.csv', 'opts/uploads/blob.bin']) {
      const h = head(key);
      assert.equal(h.ServerSideEncryption, 'aws:kms', key);
      assert.equal(h.StorageClass, env.S3SERVER_STORAGE_CLASS, key);
      assert.equal(h.Metadata.team, 'data', key);
      assert.match(h.Metadata['s3dest-run'], /^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    }
    // radosgw keeps the tags of a PutObject (it drops those of a multipart upload).
    const t = aws(server, ['s3api', 'get-object-tagging', '--bucket', env.S3SERVER_BUCKET, '--key', 'opts/uploads/events.csv']);
    assert.equal(t.status, 0, t.stderr);
    assert.deepEqual(JSON.parse(t.stdout).TagSet, [{ Key: 'dataset', Value: 'events' }]);
    assert.deepEqual(fetched('opts/uploads/blob.bin'), fs.readFileSync(large));
  });

  test('a missing file exits 3 before anything is uploaded', () => {
    const r = put(config(), 'missing', [small, path.join(dir, 'no-such.csv'), large]);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /^s3dest: error: cannot read .*no-such\.csv: No such file or directory/);
    assert.deepEqual(keysUnder('missing'), []);
  });

  test('an existing key is replaced only as existing_objects says', () => {
    assert.equal(put(config(), 'exists', [small]).status, 0);
    const other = path.join(dir, 'other', 'events.csv');
    fs.mkdirSync(path.dirname(other), { recursive: true });
    fs.writeFileSync(other, 'id,name\n9,z\n');
    const kept = put(config({ existing_objects: 'keep' }), 'exists', [large, other]);
    assert.equal(kept.status, 4, kept.stderr);
    assert.match(kept.stderr, /exists\/uploads\/events\.csv already exists and existing_objects is "keep": nothing was uploaded/);
    assert.deepEqual(keysUnder('exists'), ['exists/uploads/events.csv'], 'blob.bin was not uploaded either');
    assert.deepEqual(fetched('exists/uploads/events.csv'), fs.readFileSync(small));
    const replaced = put(config(), 'exists', [other]);
    assert.equal(replaced.status, 0, replaced.stderr);
    assert.match(replaced.stderr, /replacing 1 that existed/);
    assert.deepEqual(fetched('exists/uploads/events.csv'), fs.readFileSync(other));
  });

  test('cleanup --run takes a put back where the bucket keeps versions, and deletes nothing of a finished put where it does not', () => {
    const versioned = makeVersionedBucket(server, 'put-versioned');
    const versions = () => listVersions(server, versioned);
    const other = path.join(dir, 'again', 'events.csv');
    fs.mkdirSync(path.dirname(other), { recursive: true });
    fs.writeFileSync(other, 'id,name\n7,y\n');
    const cleanup = (dest, runId) =>
      s3dest(['cleanup', '--config', writeConfig(dir, config(), `cleanup-${crypto.randomUUID()}.json`), '--dest', dest,
              '--run', runId], { env: testAwsSettings(dir) });
    const runOf = (r) => r.stderr.match(/^s3dest: run (\S+): uploading/m)[1];

    const dest = `s3://${versioned}/taken-back`;
    assert.equal(put(config(), '', [small], { dest }).status, 0);
    const before = versions();
    const second = put(config(), '', [other, large], { dest });  // replaces events.csv, adds blob.bin
    assert.equal(second.status, 0, second.stderr);
    const cleaned = cleanup(dest, runOf(second));
    assert.equal(cleaned.status, 0, cleaned.stderr);
    assert.deepEqual(cleaned.stdout.split('\n').filter(Boolean).sort(),
                     [`put back ${dest}/uploads/events.csv`, `removed object ${dest}/uploads/blob.bin`].sort());
    assert.deepEqual(versions(), before, 'the second put\'s versions gone, no delete marker');

    assert.equal(put(config(), 'runless', [small]).status, 0);
    const again = put(config(), 'runless', [other]);
    assert.equal(again.status, 0, again.stderr);
    const refused = cleanup(`s3://${env.S3SERVER_BUCKET}/runless`, runOf(again));
    assert.equal(refused.status, 2, refused.stderr);
    // The put finished: its copy of what it replaced is gone, and with it any way back.
    assert.match(refused.stderr, /runless\/uploads\/events\.csv is run \S+'s, the bucket keeps no versions of it, and the run left no copies .*re-run the load or put instead/);
    assert.deepEqual(fetched('runless/uploads/events.csv'), fs.readFileSync(other), 'nothing deleted');
  });

  test('a put --key killed after it replaced the object: cleanup --run --key puts the object back from its copy', async () => {
    const key = 'elsewhere/k/today.csv';
    const earlier = path.join(dir, 'earlier.csv');
    fs.writeFileSync(earlier, 'id,name\n1,earlier\n');
    assert.equal(put(config(), 'unused', [earlier], { extra: ['--key', key] }).status, 0);
    // The run keeps a copy of the object, replaces it, then deletes the copy at its end
    // (DeleteObjects): that request stalls, and the run is killed while it waits.
    const proxy = await startFaultProxy({
      target: env.S3SERVER_ENDPOINT,
      faults: [{ match: { method: 'POST', query: 'delete' }, at: [1], do: { stall_ms: 120_000 } }],
    });
    let runId;
    try {
      const configFile = writeConfig(dir, config(radosgwAccess(env, proxy.url)), `config-${crypto.randomUUID()}.json`);
      const running = spawnS3dest(['put', '--config', configFile, '--dest', `s3://${env.S3SERVER_BUCKET}/unused`,
                                   '--key', key, small], { env: testAwsSettings(dir) });
      await waitFor(() => {
        const copy = listObjects(server, 'elsewhere/k/.today.csv.s3dest-').map((o) => o.Key)[0];
        runId = copy?.match(/\.s3dest-(\S+)\.kept$/)[1];
        return runId !== undefined && head(key).Metadata?.['s3dest-run'] === runId;
      }, 'the object replaced and its copy kept');
      running.child.kill('SIGKILL');
      assert.equal((await running.done).signal, 'SIGKILL');
    } finally {
      proxy.stop();
    }
    assert.deepEqual(fetched(key), fs.readFileSync(small), 'the killed put had replaced the object');
    const cleanup = (extra) =>
      s3dest(['cleanup', '--config', writeConfig(dir, config(), `cleanup-${crypto.randomUUID()}.json`), '--dest',
              `s3://${env.S3SERVER_BUCKET}/unused`, '--run', runId, ...extra], { env: testAwsSettings(dir) });
    // The key is outside the prefix cleanup looks under: without --key it stays the run's.
    assert.equal(cleanup([]).status, 0);
    assert.deepEqual(fetched(key), fs.readFileSync(small));
    const cleaned = cleanup(['--key', key]);
    assert.equal(cleaned.status, 0, cleaned.stderr);
    assert.equal(cleaned.stdout, `put back s3://${env.S3SERVER_BUCKET}/${key}\n`);
    assert.deepEqual(fetched(key), fs.readFileSync(earlier), 'the object as it was before the killed put');
    assert.deepEqual(listObjects(server, 'elsewhere/').map((o) => o.Key), [key], 'its copy gone');
    const bad = cleanup(['--key', '/rooted.csv']);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /--key takes the key a put was given with --key, and "\/rooted\.csv" is not one: the key begins with '\/'/);
  });

  test('a put --key killed in its multipart upload: cleanup --key aborts the upload, outside the prefix', async () => {
    const key = 'elsewhere/big/blob.bin';
    const proxy = await startFaultProxy({
      target: env.S3SERVER_ENDPOINT,
      faults: [{ match: { method: 'PUT', query: 'partNumber' }, every: 1, do: { stall_ms: 120_000 } }],
    });
    try {
      const configFile = writeConfig(dir, config(radosgwAccess(env, proxy.url)), `config-${crypto.randomUUID()}.json`);
      const running = spawnS3dest(['put', '--config', configFile, '--dest', `s3://${env.S3SERVER_BUCKET}/unused`,
                                   '--key', key, large], { env: testAwsSettings(dir) });
      await waitFor(() => openUploads(server, 'elsewhere/big/').length === 1, 'the upload open');
      running.child.kill('SIGKILL');
      assert.equal((await running.done).signal, 'SIGKILL');
    } finally {
      proxy.stop();
    }
    const cleanup = (extra) =>
      s3dest(['cleanup', '--config', writeConfig(dir, config(), `cleanup-${crypto.randomUUID()}.json`), '--dest',
              `s3://${env.S3SERVER_BUCKET}/unused`, ...extra], { env: testAwsSettings(dir) });
    assert.equal(cleanup([]).status, 0);
    assert.equal(openUploads(server, 'elsewhere/big/').length, 1, 'outside the prefix, not looked at without --key');
    const cleaned = cleanup(['--key', key]);
    assert.equal(cleaned.status, 0, cleaned.stderr);
    assert.match(cleaned.stdout, new RegExp(`^aborted upload s3://${env.S3SERVER_BUCKET}/elsewhere/big/blob\\.bin \\(started `));
    assert.match(cleaned.stderr, /: 1 open uploads aborted/);
    assert.deepEqual(openUploads(server, 'elsewhere/big/'), []);
    assert.deepEqual(listObjects(server, 'elsewhere/big/'), []);
  });

  test('in a folder of more than 2,000 objects each key is looked up: one that sorts after them is found', () => {
    // 2,001 objects first in key order, so the folder's bounded listing ends before z.csv.
    const crowd = path.join(dir, 'crowd');
    fs.mkdirSync(crowd);
    const names = Array.from({ length: 2001 }, (_, i) => `a-${String(i).padStart(4, '0')}.csv`);
    for (const name of names) fs.writeFileSync(path.join(crowd, name), `${name}\n`);
    const filled = put(config(), 'crowd', names.map((name) => path.join(crowd, name)));
    assert.equal(filled.status, 0, filled.stderr);
    const later = path.join(dir, 'later');
    fs.mkdirSync(later);
    const [y, z] = ['y.csv', 'z.csv'].map((name) => path.join(later, name));
    fs.writeFileSync(y, 'id\n1\n');
    fs.writeFileSync(z, 'id\n2\n');
    assert.equal(put(config(), 'crowd', [z]).status, 0);

    const kept = put(config({ existing_objects: 'keep' }), 'crowd', [y, z]);
    assert.equal(kept.status, 4, kept.stderr);
    assert.match(kept.stderr, /crowd\/uploads\/z\.csv already exists and existing_objects is "keep"/);
    const keys = keysUnder('crowd');
    assert.equal(keys.length, 2002);
    assert.ok(!keys.includes('crowd/uploads/y.csv'), 'y.csv was not uploaded either');
    const replaced = put(config(), 'crowd', [y, z]);
    assert.equal(replaced.status, 0, replaced.stderr);
    assert.match(replaced.stderr, /replacing 1 that existed/);
  });

  test('a connection dropped mid-upload leaves no object and no open multipart upload', async () => {
    const proxy = await startFaultProxy({
      target: env.S3SERVER_ENDPOINT,
      // Every part after the first: libcurl itself sends a request again once on a fresh
      // connection when a reused one drops before the reply, so one drop may not fail.
      faults: [{ match: { method: 'PUT', query: 'partNumber' }, at: [2, 3, 4, 5], do: { reset_after_bytes: 100_000 } }],
    });
    try {
      // The small file is committed (beside the large one's parts); the large one fails:
      // both are undone.
      const r = put(config({ ...radosgwAccess(env, proxy.url), max_attempts: 1 }), 'fault', [small, large]);
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stderr, /UploadPart .*blob\.bin/);
      assert.match(r.stderr, /undone: .*1 finished object of this run removed/);
      assert.ok((await proxy.stats()).faults >= 1);
    } finally {
      proxy.stop();
    }
    assert.deepEqual(keysUnder('fault'), []);
    assert.deepEqual(openUploads(server, 'fault/'), []);
  });

  test('a part whose connection dropped is read from the file again and sent again', async () => {
    const proxy = await startFaultProxy({
      target: env.S3SERVER_ENDPOINT,
      faults: [{ match: { method: 'PUT', query: 'partNumber' }, at: [1, 3], do: { reset_after_bytes: 1_000_000 } }],
    });
    try {
      const r = put(config(radosgwAccess(env, proxy.url)), 'retried', [large]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal((await proxy.stats()).faults, 2);
    } finally {
      proxy.stop();
    }
    assert.deepEqual(fetched('retried/uploads/blob.bin'), fs.readFileSync(large));
    assert.deepEqual(openUploads(server, 'retried/'), []);
  });

  test('--dry-run prints where each file would go and uploads nothing', () => {
    const r = put(config(), 'dry', [small, large], { extra: ['--dry-run'] });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${small}\ts3://${env.S3SERVER_BUCKET}/dry/uploads/events.csv\n` +
                           `${large}\ts3://${env.S3SERVER_BUCKET}/dry/uploads/blob.bin\n`);
    assert.deepEqual(keysUnder('dry'), []);
  });
});

describe('s3dest put into a local folder', () => {
  test('files are copied in whole, and nothing is left of a refused run', () => {
    const work = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 's3dest-put-local-'));
    try {
      const a = path.join(work, 'a.json');
      const b = path.join(work, 'b.parquet');
      fs.writeFileSync(a, '{"x": 1}\n');
      fs.writeFileSync(b, crypto.randomBytes(3_000_000));
      const cfg = writeConfig(work, { folder: 'lake/{{YYYY}}/{{MM}}', file_name: 'x', partition_by: 'month', existing_objects: 'keep' });
      const lake = path.join(work, 'dest');
      const r = s3dest(['put', '--config', cfg, '--dest', lake, a, b]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(fs.readFileSync(path.join(lake, 'lake', 'a.json')), fs.readFileSync(a));
      assert.deepEqual(fs.readFileSync(path.join(lake, 'lake', 'b.parquet')), fs.readFileSync(b));
      const before = listEntries(lake);
      // "keep": b.parquet exists, so neither file is written, and no temporary file stays.
      fs.writeFileSync(a, '{"x": 2}\n');
      const again = s3dest(['put', '--config', cfg, '--dest', lake, a, b]);
      assert.equal(again.status, 4, again.stderr);
      assert.deepEqual(listEntries(lake), before);
      assert.equal(fs.readFileSync(path.join(lake, 'lake', 'a.json'), 'utf8'), '{"x": 1}\n');
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('cleanup --key removes the temporary file a killed put --key left beside its key, outside the prefix', () => {
    const work = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 's3dest-put-local-'));
    try {
      const cfg = writeConfig(work, { folder: 'lake/{{YYYY}}', file_name: 'x-{{MM}}', partition_by: 'month' });
      const lake = path.join(work, 'dest');
      // What a put --key elsewhere/x.csv killed while it wrote leaves: its file, unfinished,
      // under a temporary name (a put's own, taken from one stopped early).
      fs.mkdirSync(path.join(lake, 'elsewhere'), { recursive: true });
      const left = path.join(lake, 'elsewhere', '.x.csv.s3dest-20261201T224412Z-5f3a9c1e-1.tmp');
      fs.writeFileSync(left, 'id\n1\n');
      fs.writeFileSync(path.join(lake, 'elsewhere', 'x.csv'), 'id\n0\n');
      assert.equal(s3dest(['cleanup', '--config', cfg, '--dest', lake]).status, 0);
      assert.ok(fs.existsSync(left), 'outside the prefix, not looked at without --key');
      const cleaned = s3dest(['cleanup', '--config', cfg, '--dest', lake, '--key', 'elsewhere/x.csv']);
      assert.equal(cleaned.status, 0, cleaned.stderr);
      assert.equal(cleaned.stdout, `removed ${left}\n`);
      assert.deepEqual(listEntries(lake), ['elsewhere', 'elsewhere/x.csv']);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
