// `s3dest load --dest s3://bucket/prefix` into Ceph radosgw (tests/s3server), a real S3
// server that verifies every signature: objects written in one PutObject or as multipart
// uploads, encrypted with SSE-KMS, downloaded with the AWS CLI and read back by DuckDB row
// for row; the manifest matches what the bucket lists; a failed load leaves no object and
// no open multipart upload; refused credentials exit 4 without printing a secret.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { S3SERVER_SKIP, aws } from '../s3server/s3server.mjs';
import {
  SAMPLE_COLUMNS,
  assertSameRows,
  filePaths,
  readManifest,
  readerSql,
  s3dest,
  sampleWithMicros,
  sqlList,
  testAwsSettings,
  writeConfig,
} from './lib.mjs';
import { download, listObjects, openUploads, radosgwAccess, radosgwSuite } from './radosgw.mjs';

let dir, server, env, db, input;

function config(overrides = {}) {
  return {
    ...radosgwAccess(env),
    folder: '/{{account}}/{{YYYY}}/{{MM}}/{{DD}}',
    file_name: 'part-{{chunk_id}}',
    max_file_size_mb: 20,
    partition_by: 'day',
    use_load_by_account: true,
    date_field: 'date',
    account_field: 'account',
    encryption: 'sse-kms-cmk',
    encryption_key: env.S3SERVER_KMS_KEY_ID,
    ...overrides,
  };
}

function load(cfg, prefix, file = input, progress = '--no-progress') {
  const configFile = writeConfig(dir, cfg, `config-${prefix}.json`);
  const manifest = path.join(dir, `manifest-${prefix}.json`);
  const r = s3dest(['load', '--config', configFile, '--input', file, '--dest', `s3://${env.S3SERVER_BUCKET}/${prefix}`,
                    '--manifest', manifest, progress], { env: testAwsSettings(dir) });
  return { ...r, manifest: fs.existsSync(manifest) ? readManifest(manifest) : null };
}

// Every object under `prefix` as the bucket lists it: key -> {size, etag}.
function listed(prefix) {
  const contents = listObjects(server, `${prefix}/`);
  return new Map(contents.map((o) => [o.Key, { size: o.Size, etag: o.ETag.replaceAll('"', '') }]));
}

// The objects under `prefix/`, downloaded: their local paths.
const downloaded = (prefix) => filePaths(download(server, `${prefix}/`, path.join(dir, 'down', prefix)));

function assertManifestMatchesBucket(manifest, prefix) {
  const objects = listed(prefix);
  assert.equal(objects.size, manifest.objects.length);
  for (const o of manifest.objects) {
    const seen = objects.get(o.key);
    assert.ok(seen, `${o.key} of the manifest is not in the bucket`);
    assert.equal(seen.size, o.bytes, o.key);
    assert.equal(seen.etag, o.etag, o.key);
  }
}

describe('loading into radosgw', { skip: S3SERVER_SKIP }, () => {
  radosgwSuite('s3dest-s3load-', {
    duck: true,
    sample: { rows: 200_000, days: 10, accounts: 3 },
    setup: (suite) => ({ dir, server, env, db, input } = suite),
  });

  test('csv+gzip by day and account: every row arrives, encrypted, as the manifest says', async () => {
    const r = load(config({ file_format: 'csv+gzip' }), 'gz');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`loaded 200000 rows into 30 objects \\(\\d+ bytes\\) under s3://${env.S3SERVER_BUCKET}/gz`));
    assertManifestMatchesBucket(r.manifest, 'gz');
    const key = r.manifest.objects[0].key;
    const head = aws(server, ['s3api', 'head-object', '--bucket', env.S3SERVER_BUCKET, '--key', key]);
    assert.equal(JSON.parse(head.stdout).ServerSideEncryption, 'aws:kms');
    const files = downloaded('gz');
    await assertSameRows(db, 'SELECT * FROM input', `SELECT * FROM ${readerSql(files, 'csv+gzip', SAMPLE_COLUMNS)}`, 's3 csv+gzip');
  });

  test('parquet: read back by DuckDB from the downloaded objects', async () => {
    const r = load(config({ file_format: 'parquet' }), 'pq');
    assert.equal(r.status, 0, r.stderr);
    assertManifestMatchesBucket(r.manifest, 'pq');
    const files = downloaded('pq');
    await assertSameRows(db, sampleWithMicros('input'), sampleWithMicros(`read_parquet(${sqlList(files)})`), 's3 parquet');
  });

  test('objects over part_size_mb go up as multipart uploads', async () => {
    // One stream of ~23 MB csv, in chunks of at most 12 MB: two multipart objects of
    // three 5 MB parts (the last smaller), none left open.
    const r = load(config({ file_format: 'csv', folder: '/one', file_name: 'all-{{chunk_id}}', partition_by: 'day',
                             use_load_by_account: false, date_field: undefined, account_field: undefined,
                             max_file_size_mb: 12, part_size_mb: 5 }), 'mp', input, '--progress');
    assert.equal(r.status, 0, r.stderr);
    // The progress line names what S3 has taken and the requests on their way.
    assert.match(r.stderr, /\rs3dest: \d+% of [\d.]+ MB read[^\r]*objects?, [\d.]+ k?M?B uploaded, \d+ in flight/);
    assertManifestMatchesBucket(r.manifest, 'mp');
    const multipart = r.manifest.objects.filter((o) => /-\d+$/.test(o.etag));
    assert.ok(multipart.length >= 1, `no multipart ETag in ${JSON.stringify(r.manifest.objects.map((o) => o.etag))}`);
    for (const o of r.manifest.objects) assert.ok(o.bytes <= 12 * 1024 * 1024);
    assert.deepEqual(openUploads(server), []);
    const files = downloaded('mp');
    await assertSameRows(db, 'SELECT * FROM input', `SELECT * FROM ${readerSql(files, 'csv', SAMPLE_COLUMNS)}`, 's3 multipart');
  });

  test('a load that fails late leaves no object and no open upload', () => {
    const lines = fs.readFileSync(input, 'utf8').split('\n').filter(Boolean);
    const bad = path.join(dir, 'bad.ndjson');
    fs.writeFileSync(bad, [...lines.slice(0, 190_000), '{"date": "not a date"}', ''].join('\n'));
    const r = load(config({ file_format: 'csv', max_file_size_mb: 6, part_size_mb: 5 }), 'bad', bad);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /bad\.ndjson:190001/);
    assert.equal(listed('bad').size, 0, 'objects of the failed run were deleted');
    assert.deepEqual(openUploads(server), []);
  });

  test('refused credentials exit 4, say what to check, print no secret and leave nothing', () => {
    const secret = 'not-the-secret-0123456789abcdef';
    const r = load(config({ secret_access_key: secret, file_format: 'csv' }), 'denied');
    assert.equal(r.status, 4, r.stderr);
    // Before writing a partition, the run lists what is there (so it never deletes it):
    // the first request, and the first refused.
    assert.match(r.stderr, /^s3dest: error: .*ListObjectsV2 s3:\/\/.*\/denied\/.* was refused: HTTP 403/m);
    assert.match(r.stderr, /s3:ListBucket/);
    assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret));
    assert.equal(listed('denied').size, 0);
  });
});
