// `s3dest check` against Ceph radosgw (tests/s3server): every step of the health check
// of DESIGN.md on a real S3 server, with access keys and through a role chain; each way
// it can fail says which step and why, exits 4, and leaves no test object behind (in a
// versioned bucket, no version of it either); no secret is printed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';

import { S3SERVER_SKIP, aws } from '../s3server/s3server.mjs';
import { s3dest, testAwsSettings, writeConfig } from './lib.mjs';
import { listObjects, listVersions, makeVersionedBucket, radosgwAccess, radosgwSuite } from './radosgw.mjs';

let dir, server, env;

function config(overrides = {}) {
  return {
    connection_option: 'access_key',
    ...radosgwAccess(env),
    sts_endpoint: env.S3SERVER_ENDPOINT,
    bucket: env.S3SERVER_BUCKET,
    folder: '/{{workspace_id}}/checks/{{YYYY}}/{{MM}}/{{DD}}',
    file_name: 'x-{{chunk_id}}',
    max_file_size_mb: 10,
    partition_by: 'day',
    date_field: 'date',
    encryption: 'sse-kms-cmk',
    encryption_key: env.S3SERVER_KMS_KEY_ID,
    context: { workspace_id: 'ws1' },
    ...overrides,
  };
}

function check(cfg, extra = []) {
  const file = writeConfig(dir, cfg, `check-${Math.random().toString(36).slice(2)}.json`);
  return s3dest(['check', '--config', file, '--now', '2026-11-25T12:00:00Z', ...extra], { env: testAwsSettings(dir) });
}

function lines(r) {
  return r.stdout.split('\n').filter(Boolean);
}

function assertNoSecrets(r, secrets) {
  for (const secret of secrets.filter(Boolean))
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'a secret was printed');
}

const objectsUnder = (prefix) => listObjects(server, prefix).map((o) => o.Key);

describe('s3dest check against radosgw', { skip: S3SERVER_SKIP }, () => {
  radosgwSuite('s3dest-check-', { setup: (suite) => ({ dir, server, env } = suite) });

  test('every step passes with access keys and SSE-KMS, under the folder\'s fixed prefix', () => {
    const r = check(config());
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const steps = lines(r);
    const key = 'ws1/checks/s3dest-check-1795608000.txt';
    assert.deepEqual(steps.map((l) => l.split(' ')[0]), ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    assert.match(steps[0], /^ok +credentials: from the config's access_key_id$/);
    // radosgw does not name a bucket's region (AWS does: see health_check_test.cpp).
    assert.equal(steps[1], 'ok    region: us-east-1 (the server does not name the bucket\'s region)');
    assert.equal(steps[2], `ok    s3:PutObject s3://${env.S3SERVER_BUCKET}/${key} (sse-kms-cmk)`);
    assert.equal(steps[3], 'ok    encryption: sse-kms-cmk confirmed by the server');
    assert.equal(steps[4], 'ok    object options: Content-Type text/csv confirmed by the server');
    assert.match(steps[5], /^ok +s3:ListBucket s3:\/\/[^ ]+\/ws1\/checks\/$/);
    assert.match(steps[6], /^ok +s3:GetObject /);
    assert.match(steps[7], /^ok +s3:DeleteObject /);
    assert.equal(steps[8], `ok    s3:GetBucketVersioning s3://${env.S3SERVER_BUCKET}/: the bucket keeps no versions: ` +
                           'a run keeps a copy of each object it replaces, and a failed one copies them back');
    assert.match(steps[9], /^ok +open uploads under s3:\/\/[^ ]+\/ws1\/checks\/: none of s3dest's$/);
    assert.deepEqual(objectsUnder('ws1/checks/'), [], 'the test object is deleted');
    assertNoSecrets(r, [env.S3SERVER_SECRET_KEY]);
  });

  test('in a versioned bucket the test object\'s version is deleted: no version or delete marker is left', () => {
    const bucket = makeVersionedBucket(server, 'check-versioned');
    const r = check(config({ bucket }));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(lines(r)[7], new RegExp(`^ok +s3:DeleteObjectVersion s3://${bucket}/ws1/checks/s3dest-check-1795608000\\.txt ` +
                                         '\\(version [^ )]+\\): the bucket keeps versions; the test object\'s is gone$'));
    assert.match(lines(r)[8], /^ok +s3:GetBucketVersioning s3:\/\/check-versioned\/: the bucket keeps versions: /);
    assert.deepEqual(listVersions(server, bucket), []);
  });

  test('--dest s3://bucket/prefix puts the test object behind the prefix', () => {
    const r = check(config({ encryption: 'none', encryption_key: undefined }), ['--dest', `s3://${env.S3SERVER_BUCKET}/team-a`]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`s3://${env.S3SERVER_BUCKET}/team-a/ws1/checks/s3dest-check-`), r.stdout);
    assert.ok(!r.stdout.includes('encryption:'), 'no encryption step without encryption');
  });

  test('through a role chain: each hop is its own line', () => {
    const r = check(config({ connection_option: 'assume_role', role_chain: [{ role_arn: env.S3SERVER_ROLE_A_ARN }],
                             assume_role_arn: env.S3SERVER_ROLE_B_ARN, external_id: 'ext-1' }));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const steps = lines(r);
    assert.match(steps[1], new RegExp(`^ok +AssumeRole ${env.S3SERVER_ROLE_A_ARN} \\(no ExternalId\\): session until 20`));
    assert.match(steps[2], new RegExp(`^ok +AssumeRole ${env.S3SERVER_ROLE_B_ARN} \\(ExternalId sent\\)`));
    assert.equal(steps.length, 12);
    assertNoSecrets(r, [env.S3SERVER_SECRET_KEY]);
  });

  test('--verbose reports every request, and no key, token or signature', () => {
    const r = check(config({ connection_option: 'assume_role', role_chain: [{ role_arn: env.S3SERVER_ROLE_A_ARN }],
                             assume_role_arn: env.S3SERVER_ROLE_B_ARN }), ['--verbose']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const requests = r.stderr.split('\n').filter((l) => /^s3dest: (GET|PUT|POST|HEAD|DELETE) /.test(l));
    // Two AssumeRoles, then put, list, get, delete (and maybe a HEAD for the encryption).
    assert.ok(requests.length >= 6, r.stderr);
    assert.ok(requests.some((l) => /^s3dest: POST http:\/\/127\.0\.0\.1:\d+\/? -> 200 in \d+ ms/.test(l)), r.stderr);
    assert.ok(requests.some((l) => /^s3dest: PUT .*s3dest-check-\d+\.txt -> 200/.test(l)), r.stderr);
    assertNoSecrets(r, [env.S3SERVER_SECRET_KEY]);
    for (const word of ['Signature=', 'Credential=', 'X-Amz-Security-Token', 'Authorization', 'aws4_request'])
      assert.ok(!r.stdout.includes(word) && !r.stderr.includes(word), `"${word}" was printed`);
  });

  test('a refused hop is the FAIL line, names the role, exits 4 and writes nothing', () => {
    const r = check(config({ connection_option: 'assume_role', assume_role_arn: env.S3SERVER_ROLE_REFUSED_ARN }));
    assert.equal(r.status, 4, r.stdout + r.stderr);
    const steps = lines(r);
    assert.match(steps[0], /^ok +credentials/);
    assert.match(steps.at(-1), new RegExp(`^FAIL +AssumeRole ${env.S3SERVER_ROLE_REFUSED_ARN} .*trust policy`));
    assert.match(r.stderr, /^s3dest: error: the health check failed/m);
    assert.deepEqual(objectsUnder('ws1/'), []);
  });

  test('a wrong secret fails at PutObject with what to check', () => {
    const r = check(config({ secret_access_key: 'wrong-secret-key-0123456789' }));
    assert.equal(r.status, 4, r.stdout + r.stderr);
    const fail = lines(r).at(-1);
    assert.match(fail, /^FAIL +s3:PutObject .* was refused: HTTP 403/);
    assertNoSecrets(r, ['wrong-secret-key-0123456789']);
  });

  test('an unknown KMS key fails at PutObject; a missing bucket says so', () => {
    const kms = check(config({ encryption_key: 'no-such-key' }));
    assert.equal(kms.status, 4);
    assert.match(lines(kms).at(-1), /^FAIL +s3:PutObject .*\(sse-kms-cmk\): .*refused/);
    const bucket = check(config({ bucket: 'no-such-bucket-s3dest' }));
    assert.equal(bucket.status, 4);
    assert.match(lines(bucket).at(-1), /^FAIL +bucket s3:\/\/no-such-bucket-s3dest\/: .*NoSuchBucket.*there is no bucket "no-such-bucket-s3dest" at http.*check "bucket"/);
  });

  test('object options are written with the test object and confirmed: HEAD, tags and ACL', () => {
    const r = check(config({ storage_class: env.S3SERVER_STORAGE_CLASS, canned_acl: 'bucket-owner-full-control',
                             tags: { dataset: '{{workspace_id}}', day: '{{YYYY}}-{{MM}}-{{DD}}' },
                             metadata: { team: 'data' }, file_format: 'json' }));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const steps = lines(r);
    const key = `s3://${env.S3SERVER_BUCKET}/ws1/checks/s3dest-check-1795608000.txt`;
    assert.equal(steps[2], `ok    s3:PutObject ${key} (sse-kms-cmk, STANDARD_IA, 2 tags, ACL bucket-owner-full-control, ` +
                           '1 metadata)');
    assert.equal(steps[4], 'ok    object options: Content-Type application/x-ndjson, storage class STANDARD_IA, ' +
                           'x-amz-meta-team data confirmed by the server');
    assert.equal(steps[5], `ok    s3:GetObjectTagging ${key}: 2 tags, as configured`);
    assert.match(steps[6], new RegExp(`^ok +s3:GetObjectAcl ${key}: bucket-owner-full-control \\(FULL_CONTROL to `));
    assert.deepEqual(objectsUnder('ws1/checks/'), []);
  });

  test('a bucket policy that denies DeleteObject: the check names the action, the statement and the left-over key', () => {
    const bucket = env.S3SERVER_BUCKET;
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: [env.S3SERVER_USER_ARN] },
      Action: ['s3:DeleteObject'], Resource: [`arn:aws:s3:::${bucket}/ws1/checks/*`] }] };
    const put = aws(server, ['s3api', 'put-bucket-policy', '--bucket', bucket, '--policy', JSON.stringify(deny)]);
    assert.equal(put.status, 0, put.stderr);
    try {
      const r = check(config({ encryption: 'none', encryption_key: undefined }));
      assert.equal(r.status, 4, r.stdout + r.stderr);
      const key = 'ws1/checks/s3dest-check-1795608000.txt';
      const fail = lines(r).find((l) => l.startsWith('FAIL'));
      assert.ok(fail.startsWith(`FAIL  s3:DeleteObject s3://${bucket}/${key}: `), fail);
      assert.match(fail, /AccessDenied/);
      assert.match(fail, new RegExp(`not allowed to do s3:DeleteObject on arn:aws:s3:::${bucket}/${key}`));
      const statement = JSON.parse(fail.match(/Add to the writer's policy: (\{.*\}); the test object/)[1]);
      assert.ok([statement.Action].flat().includes('s3:DeleteObject'), fail);
      assert.ok(fail.endsWith(`the test object was left at s3://${bucket}/${key}: delete it by hand`), fail);
      assert.deepEqual(objectsUnder('ws1/checks/'), [key]);
    } finally {
      assert.equal(aws(server, ['s3api', 'delete-bucket-policy', '--bucket', bucket]).status, 0);
      assert.equal(aws(server, ['s3api', 'delete-object', '--bucket', bucket, '--key',
                                'ws1/checks/s3dest-check-1795608000.txt']).status, 0);
    }
  });

  test('usage mistakes exit 2 before any request', () => {
    const noBucket = check(config({ bucket: undefined }));
    assert.equal(noBucket.status, 2);
    assert.match(noBucket.stderr, /no bucket to check/);
    const local = check(config(), ['--dest', path.join(dir, 'lake')]);
    assert.equal(local.status, 2);
    assert.match(local.stderr, /check tests an S3 destination/);
  });
});
