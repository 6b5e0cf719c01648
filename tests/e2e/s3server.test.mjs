// The real S3 server the S3 and STS tests stand on (tests/s3server/radosgw.sh: Ceph radosgw
// on 127.0.0.1), checked with the AWS CLI for everything those tests take for granted:
// objects go in, come back, list and go away; a wrong secret or unknown key gets 403; SSE-KMS
// with the key "testkey" is applied and reported; multipart uploads complete; STS hands
// out working credentials for user -> role A -> role B, role policies are enforced, and a
// role whose trust policy does not name the caller is refused. Then that the harness
// itself keeps its word: start is idempotent, stop leaves no daemon and no folder.
//
// Needs ceph-mon, ceph-osd, radosgw and the AWS CLI: tools/install_deps.sh --test
// installs them. Skipped, saying so, where they are missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { AWS_CLI, RADOSGW_SH, S3SERVER_SKIP, assumeRole, aws, startS3Server } from '../s3server/s3server.mjs';
import { cleanup, tempDir } from './lib.mjs';

const SKIP = S3SERVER_SKIP;
if (SKIP) console.log(`# skipping the S3 server tests: ${SKIP}`);

let server, dir, env, stopped = false;

before(() => {
  if (SKIP) return;
  dir = tempDir('s3dest-s3server-files-');
  server = startS3Server();
  env = server.env;
  console.log(`radosgw started in ${server.startMs} ms at ${env.S3SERVER_ENDPOINT} (AWS CLI: ${AWS_CLI})`);
});

after(() => {
  if (server && !stopped) server.stop();
  cleanup(dir);
});

function ok(r, what) {
  assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout ? JSON.parse(r.stdout) : null;
}

function writeFile(name, bytes) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

const bucket = () => env.S3SERVER_BUCKET;

// put-object of `bytes` under `key`, with the given credentials and extra arguments.
function put(key, bytes, { credentials, args = [], targetBucket = bucket() } = {}) {
  const file = writeFile(`put-${crypto.randomUUID()}`, bytes);
  return aws(server, ['s3api', 'put-object', '--bucket', targetBucket, '--key', key, '--body', file, ...args], {
    credentials,
  });
}

// The object's bytes, fetched with the test user's keys.
function get(key) {
  const out = path.join(dir, `get-${crypto.randomUUID()}`);
  ok(aws(server, ['s3api', 'get-object', '--bucket', bucket(), '--key', key, out]), `get-object ${key}`);
  return fs.readFileSync(out);
}

// A request signed with SigV4 by curl: its HTTP status and body.
// `payloadHash` is sent as x-amz-content-sha256; `upload` is a file to PUT.
function curlSigned(method, url, accessKey, secretKey, { payloadHash = 'UNSIGNED-PAYLOAD', upload } = {}) {
  const r = spawnSync(
    'curl',
    ['--noproxy', '*', '-sS', '-o', '-', '-w', '\n%{http_code}', '-X', method,
     '--aws-sigv4', `aws:amz:${env.S3SERVER_REGION}:s3`, '--user', `${accessKey}:${secretKey}`,
     '-H', `x-amz-content-sha256: ${payloadHash}`, ...(upload ? ['-T', upload] : []), url],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, `curl failed: ${r.stderr}`);
  const cut = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut) };
}

test('put, get, list and delete an object with the test user\'s keys', { skip: SKIP }, () => {
  const bytes = crypto.randomBytes(100_000);
  const putReply = ok(put('basic/a.bin', bytes), 'put-object');
  assert.equal(putReply.ETag, `"${crypto.createHash('md5').update(bytes).digest('hex')}"`);
  assert.ok(get('basic/a.bin').equals(bytes), 'the object read back differs from what was put');

  const list = ok(aws(server, ['s3api', 'list-objects-v2', '--bucket', bucket(), '--prefix', 'basic/']), 'list');
  assert.deepEqual(list.Contents.map((o) => [o.Key, o.Size]), [['basic/a.bin', bytes.length]]);

  ok(aws(server, ['s3api', 'delete-object', '--bucket', bucket(), '--key', 'basic/a.bin']), 'delete-object');
  const head = aws(server, ['s3api', 'head-object', '--bucket', bucket(), '--key', 'basic/a.bin']);
  assert.notEqual(head.status, 0, 'head-object still finds the deleted object');
  const listed = ok(aws(server, ["s3api", "list-objects-v2", "--bucket", bucket(), "--prefix", "basic/"]), "list");
  assert.equal(listed?.Contents, undefined, `deleted object still listed: ${JSON.stringify(listed)}`);
});

// With STS on (rgw s3 auth use sts), radosgw answers a failed signature check with the STS
// engine's AccessDenied rather than SignatureDoesNotMatch or InvalidAccessKeyId, which it
// gives with S3SERVER_STS=0 (checked by hand): tests of error messages must allow for both.
test('signatures are verified: a wrong secret or an unknown key gets 403, a changed body 400', { skip: SKIP }, () => {
  const url = `${env.S3SERVER_ENDPOINT}/${bucket()}?list-type=2`;
  const right = curlSigned('GET', url, env.S3SERVER_ACCESS_KEY, env.S3SERVER_SECRET_KEY);
  assert.equal(right.status, 200, `the right keys were refused: ${right.body}`);

  const wrong = curlSigned('GET', url, env.S3SERVER_ACCESS_KEY, `${env.S3SERVER_SECRET_KEY}x`);
  assert.equal(wrong.status, 403, `a wrong secret got ${wrong.status}: ${wrong.body}`);
  assert.match(wrong.body, /<Code>AccessDenied<\/Code>/);

  const unknown = curlSigned('GET', url, 'NOSUCHACCESSKEY00000', env.S3SERVER_SECRET_KEY);
  assert.equal(unknown.status, 403, `an unknown key got ${unknown.status}: ${unknown.body}`);
  assert.match(unknown.body, /<Code>AccessDenied<\/Code>/);

  // The signed payload hash is checked against the body.
  const file = writeFile('signed-body.txt', 'the body\n');
  const otherHash = crypto.createHash('sha256').update('another body\n').digest('hex');
  const changed = curlSigned('PUT', `${env.S3SERVER_ENDPOINT}/${bucket()}/signed-body.txt`, env.S3SERVER_ACCESS_KEY,
    env.S3SERVER_SECRET_KEY, { payloadHash: otherHash, upload: file });
  assert.equal(changed.status, 400, `a body that does not match its signed hash got ${changed.status}: ${changed.body}`);
  assert.match(changed.body, /<Code>XAmzContentSHA256Mismatch<\/Code>/);

  // The AWS CLI too (by its exit code: it may crash printing radosgw's error reply).
  const cli = aws(server, ['s3api', 'list-objects-v2', '--bucket', bucket()], {
    credentials: { accessKeyId: env.S3SERVER_ACCESS_KEY, secretAccessKey: `${env.S3SERVER_SECRET_KEY}x` },
  });
  assert.notEqual(cli.status, 0, 'the AWS CLI listed the bucket with a wrong secret');
});

test('SSE-KMS with key "testkey": applied, reported by head-object, and read back', { skip: SKIP }, () => {
  const bytes = crypto.randomBytes(50_000);
  const reply = ok(
    put('sse/kms.bin', bytes, {
      args: ['--server-side-encryption', 'aws:kms', '--ssekms-key-id', env.S3SERVER_KMS_KEY_ID],
    }),
    'put-object with SSE-KMS',
  );
  assert.equal(reply.ServerSideEncryption, 'aws:kms');
  const head = ok(aws(server, ['s3api', 'head-object', '--bucket', bucket(), '--key', 'sse/kms.bin']), 'head-object');
  assert.equal(head.ServerSideEncryption, 'aws:kms', `head-object: ${JSON.stringify(head)}`);
  assert.equal(head.SSEKMSKeyId, env.S3SERVER_KMS_KEY_ID);
  assert.ok(get('sse/kms.bin').equals(bytes), 'the SSE-KMS object read back differs');

  // A key id the server does not know is refused.
  const unknown = put('sse/unknown-key.bin', bytes, {
    args: ['--server-side-encryption', 'aws:kms', '--ssekms-key-id', 'no-such-key'],
  });
  assert.notEqual(unknown.status, 0, 'an unknown KMS key id was accepted');
});

test('a multipart upload (aws s3 cp of 12 MiB, 8 MiB parts) completes and reads back', { skip: SKIP }, () => {
  const bytes = crypto.randomBytes(12 * 1024 * 1024);
  const file = writeFile('multipart.bin', bytes);
  const cp = aws(server, ['s3', 'cp', '--only-show-errors', file, `s3://${bucket()}/multipart/m.bin`]);
  assert.equal(cp.status, 0, `aws s3 cp failed:\n${cp.stderr}`);
  const head = ok(aws(server, ['s3api', 'head-object', '--bucket', bucket(), '--key', 'multipart/m.bin']), 'head');
  assert.match(head.ETag, /-2"$/, `not a two-part upload: ETag ${head.ETag}`);
  assert.equal(head.ContentLength, bytes.length);
  assert.ok(get('multipart/m.bin').equals(bytes), 'the multipart object read back differs');
});

test('STS: user -> role A gives credentials that write into the bucket, and nowhere else', { skip: SKIP }, () => {
  const a = assumeRole(server, env.S3SERVER_ROLE_A_ARN, { sessionName: 'hop-a' });
  assert.ok(a.sessionToken, 'no session token');
  const bytes = Buffer.from('written with role A\n');
  ok(put('sts/by-role-a.txt', bytes, { credentials: a }), 'put-object as role A');
  assert.ok(get('sts/by-role-a.txt').equals(bytes));

  // The session is role A's, and its policy is what lets it write: not another bucket.
  ok(aws(server, ['s3api', 'create-bucket', '--bucket', `${bucket()}-other`]), 'create-bucket');
  const outside = put('x.txt', bytes, { credentials: a, targetBucket: `${bucket()}-other` });
  assert.notEqual(outside.status, 0, 'role A wrote into a bucket its policy does not name');

  // The temporary keys are nothing without their token.
  const noToken = put('sts/no-token.txt', bytes, {
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
  });
  assert.notEqual(noToken.status, 0, 'temporary keys worked without their session token');
});

test('STS: role A\'s session -> role B (a chain) gives credentials that write into the bucket', { skip: SKIP }, () => {
  const a = assumeRole(server, env.S3SERVER_ROLE_A_ARN, { sessionName: 'hop-a' });
  const b = assumeRole(server, env.S3SERVER_ROLE_B_ARN, { credentials: a, sessionName: 'hop-b' });
  assert.notEqual(b.accessKeyId, a.accessKeyId);
  const bytes = Buffer.from('written with role B, reached through role A\n');
  ok(put('sts/by-role-b.txt', bytes, { credentials: b }), 'put-object as role B');
  assert.ok(get('sts/by-role-b.txt').equals(bytes));
});

test('STS: a hop the trust policy does not allow is refused', { skip: SKIP }, () => {
  const refused = ['sts', 'assume-role', '--role-arn', env.S3SERVER_ROLE_REFUSED_ARN, '--role-session-name', 'no'];
  assert.notEqual(aws(server, refused).status, 0, 'the user assumed the role that trusts nobody');

  // Role B trusts role A's sessions only: the user itself is refused.
  const userToB = aws(server, ['sts', 'assume-role', '--role-arn', env.S3SERVER_ROLE_B_ARN, '--role-session-name', 'no']);
  assert.notEqual(userToB.status, 0, 'the user assumed role B, which only trusts role A');

  const a = assumeRole(server, env.S3SERVER_ROLE_A_ARN, { sessionName: 'hop-a' });
  assert.notEqual(aws(server, refused, { credentials: a }).status, 0, 'role A assumed the role that trusts nobody');
});

test('radosgw.sh start on a running cluster\'s folder changes nothing and prints the same environment', { skip: SKIP }, () => {
  const r = spawnSync('bash', [RADOSGW_SH, 'start', env.S3SERVER_DIR], { encoding: 'utf8', env: { ...process.env, S3SERVER_QUIET: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, fs.readFileSync(path.join(env.S3SERVER_DIR, 'env.sh'), 'utf8'));
  assert.match(r.stdout, new RegExp(`^export S3SERVER_RGW_PID=${env.S3SERVER_RGW_PID}$`, 'm'));
});

// Last: stops the server the tests above used.
test('radosgw.sh stop kills every recorded daemon and removes the folder', { skip: SKIP }, () => {
  const pids = env.S3SERVER_PIDS.split(' ').map(Number);
  assert.ok(pids.length >= 4, `expected mon, osd, rgw and watchdog PIDs, got ${env.S3SERVER_PIDS}`);
  server.stop();
  stopped = true;
  const running = pids.filter((pid) => {
    try {
      return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie has ended
    } catch {
      return false;
    }
  });
  assert.deepEqual(running, [], 'processes still running after stop');
  assert.equal(fs.existsSync(env.S3SERVER_DIR), false, 'the cluster folder is still there');
});
