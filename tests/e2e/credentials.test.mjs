// Credentials as the tools resolve them (destination/credentials.hpp), end to end:
// - against Ceph radosgw (tests/s3server): user -> role A -> role B through STS, then a
//   SigV4-signed PutObject through the libcurl transport, read back with the AWS CLI; a
//   refused hop names its role (exit 4); a presigned GET made by `s3dest sign` works with
//   plain curl;
// - against a loopback STS and S3 written here, which record what they receive: each hop's
//   ExternalId and DurationSeconds reach STS, profiles and environment variables are read,
//   and no secret key, session token or signature is ever printed, even with --verbose.
//
// The helper bin/s3dest-put-object (tests/helpers/put_object.cpp) does the resolving and
// the PutObject; the S3 layer proper is later work.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { S3SERVER_SKIP, aws } from '../s3server/s3server.mjs';
import { BIN, suiteSetup, testAwsSettings, writeJson } from './lib.mjs';
import { radosgwAccess, radosgwSuite } from './radosgw.mjs';

const PUT_OBJECT = path.join(path.dirname(BIN), 's3dest-put-object');

let dir;
suiteSetup('s3dest-credentials-', { setup: (suite) => ({ dir } = suite) });

// The environment the helper runs in: none of this machine's AWS_* settings except
// AWS_CA_BUNDLE, no profile files, and never instance metadata (169.254.169.254 is
// not ours to ask).
function isolatedEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^AWS_/i.test(k) || k === 'AWS_CA_BUNDLE'));
  return { ...env, ...testAwsSettings(dir), no_proxy: '127.0.0.1,localhost', ...extra };
}

// Runs s3dest-put-object without blocking this process (the loopback servers below live
// in it). Resolves to { status, stdout, stderr }.
function putObject(config, key, bytes, { env = {}, verbose = true } = {}) {
  const configFile = writeJson(path.join(dir, `config-${crypto.randomUUID()}.json`), { file_name: 'unused', ...config });
  const bodyFile = path.join(dir, `body-${crypto.randomUUID()}`);
  fs.writeFileSync(bodyFile, bytes);
  const args = ['--config', configFile, '--key', key, '--body-file', bodyFile, ...(verbose ? ['--verbose'] : [])];
  return new Promise((resolve) => {
    execFile(PUT_OBJECT, args, { env: isolatedEnv(env), encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (error.code ?? -1) : 0, stdout, stderr });
    });
  });
}

// Everything a run printed holds none of `secrets`, and no signature or token header.
function assertNoSecrets(r, secrets) {
  const all = `${r.stdout}\n${r.stderr}`;
  for (const s of secrets) assert.ok(s && !all.includes(s), `a secret (${s.slice(0, 4)}...) was printed:\n${all}`);
  for (const pattern of [/Signature=/, /X-Amz-Security-Token[:=]/i, /Credential=/, /Authorization:/i])
    assert.doesNotMatch(all, pattern, `printed output matches ${pattern}:\n${all}`);
}

// ---------------------------------------------------------------------------------------
// Against radosgw.

describe('against Ceph radosgw', { skip: S3SERVER_SKIP }, () => {
  let downloads, server, env;
  radosgwSuite('s3dest-credentials-rgw-', { setup: (suite) => ({ dir: downloads, server, env } = suite) });

  const baseConfig = () => ({ ...radosgwAccess(env), sts_endpoint: env.S3SERVER_ENDPOINT, bucket: env.S3SERVER_BUCKET });

  function getObject(key) {
    const out = path.join(downloads, `get-${crypto.randomUUID()}`);
    const r = aws(server, ['s3api', 'get-object', '--bucket', env.S3SERVER_BUCKET, '--key', key, out]);
    assert.equal(r.status, 0, `aws s3api get-object ${key} failed:\n${r.stderr}`);
    return fs.readFileSync(out);
  }

  test('user -> role A -> role B resolves to credentials that write an object, read back by the AWS CLI', async () => {
    const bytes = crypto.randomBytes(70_000);
    const r = await putObject(
      { ...baseConfig(), connection_option: 'assume_role', role_chain: [{ role_arn: env.S3SERVER_ROLE_A_ARN }],
        assume_role_arn: env.S3SERVER_ROLE_B_ARN, role_session_name: 's3dest-e2e' },
      'credentials/chain-a-b.bin', bytes);
    assert.equal(r.status, 0, `s3dest-put-object failed (exit ${r.status}):\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`credentials: role ${env.S3SERVER_ROLE_B_ARN} \\(AssumeRole with credentials from role ${env.S3SERVER_ROLE_A_ARN}`));
    assert.match(r.stderr, /\(temporary, with a session token\)/);
    assert.match(r.stderr, /PutObject s3:\/\/.*\/credentials\/chain-a-b.bin -> HTTP 200/);
    const etag = `"${crypto.createHash('md5').update(bytes).digest('hex')}"`;
    assert.match(r.stdout, new RegExp(`ETag ${etag}`));
    assert.ok(getObject('credentials/chain-a-b.bin').equals(bytes), 'the object read back differs');
    assertNoSecrets(r, [env.S3SERVER_SECRET_KEY]);
  });

  test('a hop the trust policy refuses names the role, with exit 4', async () => {
    const refused = await putObject(
      { ...baseConfig(), connection_option: 'assume_role', role_chain: [{ role_arn: env.S3SERVER_ROLE_A_ARN }],
        assume_role_arn: env.S3SERVER_ROLE_REFUSED_ARN },
      'credentials/never.txt', 'x');
    assert.equal(refused.status, 4, refused.stderr);
    assert.match(refused.stderr, /^s3dest: error: /m);
    assert.ok(refused.stderr.includes(`AssumeRole of role ${env.S3SERVER_ROLE_REFUSED_ARN} was refused`), refused.stderr);
    assert.match(refused.stderr, /trust policy/);
    assert.match(refused.stderr, /AccessDenied/);
    assertNoSecrets(refused, [env.S3SERVER_SECRET_KEY]);

    // Role B trusts role A's sessions, not the user: skipping the first hop is refused.
    const skipped = await putObject(
      { ...baseConfig(), connection_option: 'assume_role', assume_role_arn: env.S3SERVER_ROLE_B_ARN },
      'credentials/never.txt', 'x');
    assert.equal(skipped.status, 4, skipped.stderr);
    assert.ok(skipped.stderr.includes(`AssumeRole of role ${env.S3SERVER_ROLE_B_ARN} was refused`), skipped.stderr);
    assert.notEqual(aws(server, ['s3api', 'head-object', '--bucket', env.S3SERVER_BUCKET, '--key', 'credentials/never.txt']).status, 0);
  });

  test('access_key: the config\'s keys write an object; a wrong secret is refused with exit 4', async () => {
    const ok = await putObject({ ...baseConfig(), connection_option: 'access_key' }, 'credentials/keys.txt', 'by keys\n');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /credentials: the config's access_key_id/);
    assert.equal(getObject('credentials/keys.txt').toString(), 'by keys\n');

    const wrongSecret = `${env.S3SERVER_SECRET_KEY}-wrong`;
    const bad = await putObject({ ...baseConfig(), secret_access_key: wrongSecret, connection_option: 'access_key' },
      'credentials/bad.txt', 'x');
    assert.equal(bad.status, 4, bad.stderr);
    assert.match(bad.stderr, /credentials\/bad.txt/);
    assert.match(bad.stderr, /403/);
    assertNoSecrets(bad, [env.S3SERVER_SECRET_KEY, wrongSecret]);
  });

  test('SSE-KMS headers ask for the key given, and an unknown key is refused', async () => {
    const r = await putObject({ ...baseConfig(), connection_option: 'access_key', encryption: 'sse-kms-cmk',
      encryption_key: env.S3SERVER_KMS_KEY_ID }, 'credentials/kms.txt', 'encrypted\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /server-side encryption: aws:kms/);
    const head = aws(server, ['s3api', 'head-object', '--bucket', env.S3SERVER_BUCKET, '--key', 'credentials/kms.txt']);
    assert.equal(head.status, 0, head.stderr);
    assert.equal(JSON.parse(head.stdout).ServerSideEncryption, 'aws:kms');
    assert.equal(JSON.parse(head.stdout).SSEKMSKeyId, env.S3SERVER_KMS_KEY_ID);
    assert.equal(getObject('credentials/kms.txt').toString(), 'encrypted\n');

    const unknown = await putObject({ ...baseConfig(), connection_option: 'access_key', encryption: 'sse-kms-cmk',
      encryption_key: 'no-such-key' }, 'credentials/kms-unknown.txt', 'x');
    assert.equal(unknown.status, 4, unknown.stderr);
  });

  test('assume_role with base keys from the environment (shared chain) works too', async () => {
    const { access_key_id: _k, secret_access_key: _s, ...noKeys } = baseConfig();
    const r = await putObject({ ...noKeys, connection_option: 'assume_role', assume_role_arn: env.S3SERVER_ROLE_A_ARN },
      'credentials/env-a.txt', 'env then A\n',
      { env: { AWS_ACCESS_KEY_ID: env.S3SERVER_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: env.S3SERVER_SECRET_KEY } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /AssumeRole with credentials from environment variables/);
    assert.equal(getObject('credentials/env-a.txt').toString(), 'env then A\n');
  });

  test('a presigned GET made by s3dest sign --presign fetches the object with plain curl', async () => {
    const put = await putObject({ ...baseConfig(), connection_option: 'access_key' }, 'credentials/presigned.txt', 'presigned\n');
    assert.equal(put.status, 0, put.stderr);
    const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const url = `${env.S3SERVER_ENDPOINT}/${env.S3SERVER_BUCKET}/credentials/presigned.txt`;
    const sign = spawnSync(BIN, ['sign', '--method', 'GET', '--url', url, '--region', env.S3SERVER_REGION, '--service', 's3',
      '--time', now, '--access-key', env.S3SERVER_ACCESS_KEY, '--secret-key', env.S3SERVER_SECRET_KEY,
      '--presign', '300', '--format', 'json'], { encoding: 'utf8' });
    assert.equal(sign.status, 0, sign.stderr);
    const presigned = JSON.parse(sign.stdout).url;
    assert.match(presigned, /X-Amz-Signature=[0-9a-f]{64}$/);
    const get = spawnSync('curl', ['--noproxy', '*', '-sS', '-w', '\n%{http_code}', presigned], { encoding: 'utf8' });
    assert.equal(get.status, 0, get.stderr);
    assert.equal(get.stdout, 'presigned\n\n200');
    // The same URL with its signature changed is refused.
    const tampered = presigned.replace(/X-Amz-Signature=(.)/, (_, c) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    const refused = spawnSync('curl', ['--noproxy', '*', '-s', '-o', '/dev/null', '-w', '%{http_code}', tampered], { encoding: 'utf8' });
    assert.equal(refused.stdout, '403');
  });
});

// ---------------------------------------------------------------------------------------
// Against loopback STS and S3 fixtures that record what they receive.

// An STS that answers AssumeRole with credentials it makes up (secrets it can look for
// later), refuses roles it is told to, and an S3 that accepts every PUT.
function startFixtures() {
  const received = [];
  const issued = [];
  const refuse = new Set();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.method === 'PUT') {
        res.writeHead(200, { ETag: '"fixture-etag"' });
        return res.end();
      }
      const form = Object.fromEntries(new URLSearchParams(body));
      if (refuse.has(form.RoleArn)) {
        // Echoes a secret in the message, to show it is cut out of what s3dest prints.
        const echoed = issued.at(-1)?.secret ?? 'fixture-user-secret-0123456789';
        res.writeHead(403, { 'Content-Type': 'text/xml' });
        return res.end(`<ErrorResponse><Error><Code>AccessDenied</Code><Message>not authorized; seen ${echoed}</Message></Error></ErrorResponse>`);
      }
      const n = issued.length + 1;
      const c = { key: `ASIAFIXTURE${n}`, secret: `fixture-secret-${n}-${crypto.randomUUID()}`,
                  token: `fixture-token-${n}-${crypto.randomUUID()}` };
      issued.push(c);
      const expiration = new Date(Date.now() + Number(form.DurationSeconds ?? 3600) * 1000).toISOString();
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(`<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>${c.key}</AccessKeyId>` +
        `<SecretAccessKey>${c.secret}</SecretAccessKey><SessionToken>${c.token}</SessionToken>` +
        `<Expiration>${expiration}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ endpoint: `http://127.0.0.1:${server.address().port}`, received, issued, refuse,
                close: () => new Promise((r) => server.close(r)) });
    });
  });
}

describe('against loopback STS and S3 fixtures', () => {
  let fx;
  before(async () => { fx = await startFixtures(); });
  after(async () => { await fx?.close(); });

  const USER_SECRET = 'fixture-user-secret-0123456789';
  const fixtureConfig = () => ({ region: 'eu-west-1', endpoint: fx.endpoint, sts_endpoint: fx.endpoint, bucket: 'bucket',
                                 path_style: true });
  const forms = () => fx.received.filter((r) => r.method === 'POST').map((r) => Object.fromEntries(new URLSearchParams(r.body)));

  test('each hop sends its own ExternalId, chained hops ask for at most an hour, and nothing secret is printed', async () => {
    fx.received.length = 0;
    const r = await putObject({
      ...fixtureConfig(), connection_option: 'assume_role',
      access_key_id: 'AKIAFIXTUREUSER00001', secret_access_key: USER_SECRET, session_token: 'fixture-user-token-abc',
      role_chain: [{ role_arn: 'arn:aws:iam::111111111111:role/broker', external_id: 'broker-ext-id' },
                   { role_arn: 'arn:aws:iam::222222222222:role/middle' }],
      assume_role_arn: 'arn:aws:iam::333333333333:role/writer', external_id: 'writer-ext-id',
      role_session_name: 'e2e-session',
    }, 'k/x.txt', 'hello');
    assert.equal(r.status, 0, r.stderr);
    const hops = forms();
    assert.deepEqual(hops.map((f) => [f.Action, f.RoleArn, f.ExternalId, f.DurationSeconds, f.RoleSessionName, f.Version]), [
      ['AssumeRole', 'arn:aws:iam::111111111111:role/broker', 'broker-ext-id', '3600', 'e2e-session', '2011-06-15'],
      ['AssumeRole', 'arn:aws:iam::222222222222:role/middle', undefined, '3600', 'e2e-session', '2011-06-15'],
      ['AssumeRole', 'arn:aws:iam::333333333333:role/writer', 'writer-ext-id', '3600', 'e2e-session', '2011-06-15'],
    ]);
    // Each hop is signed for sts in the region, with the previous hop's key and token.
    const posts = fx.received.filter((x) => x.method === 'POST');
    const callers = ['AKIAFIXTUREUSER00001', ...fx.issued.map((c) => c.key)];
    const tokens = ['fixture-user-token-abc', ...fx.issued.map((c) => c.token)];
    posts.forEach((p, i) => {
      assert.match(p.headers.authorization, new RegExp(`^AWS4-HMAC-SHA256 Credential=${callers[i]}/\\d{8}/eu-west-1/sts/aws4_request, `));
      assert.equal(p.headers['x-amz-security-token'], tokens[i]);
    });
    // The PUT went out with the last session.
    const put = fx.received.find((x) => x.method === 'PUT');
    assert.equal(put.url, '/bucket/k/x.txt');
    assert.equal(put.headers['x-amz-content-sha256'], crypto.createHash('sha256').update('hello').digest('hex'));
    assert.match(put.headers.authorization, /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-server-side-encryption, /);
    assert.equal(put.headers['x-amz-server-side-encryption'], 'AES256');
    assert.match(put.headers.authorization, new RegExp(`Credential=${fx.issued[2].key}/`));
    assert.equal(put.headers['x-amz-security-token'], fx.issued[2].token);
    assert.equal(put.body, 'hello');
    assertNoSecrets(r, [USER_SECRET, 'fixture-user-token-abc', 'broker-ext-id', 'writer-ext-id',
      ...fx.issued.flatMap((c) => [c.secret, c.token])]);
  });

  test('a refused hop is exit 4 naming the role, and a secret the server echoes is not printed', async () => {
    fx.received.length = 0;
    fx.refuse.add('arn:aws:iam::222222222222:role/refusing');
    const r = await putObject({
      ...fixtureConfig(), connection_option: 'assume_role',
      access_key_id: 'AKIAFIXTUREUSER00001', secret_access_key: USER_SECRET,
      role_chain: [{ role_arn: 'arn:aws:iam::111111111111:role/broker', external_id: 'broker-ext-id' }],
      assume_role_arn: 'arn:aws:iam::222222222222:role/refusing', external_id: 'refusing-ext-id',
    }, 'k/never.txt', 'x');
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /AssumeRole of role arn:aws:iam::222222222222:role\/refusing was refused/);
    assert.match(r.stderr, /an ExternalId was sent/);
    assert.match(r.stderr, /\[redacted\]/);
    assert.equal(fx.received.filter((x) => x.method === 'PUT').length, 0);
    assertNoSecrets(r, [USER_SECRET, 'broker-ext-id', 'refusing-ext-id', ...fx.issued.flatMap((c) => [c.secret, c.token])]);
  });

  test('shared_access reads the environment, then a profile with role_arn, source_profile and external_id', async () => {
    fx.received.length = 0;
    const fromEnv = await putObject({ ...fixtureConfig(), connection_option: 'shared_access' }, 'k/env.txt', 'e',
      { env: { AWS_ACCESS_KEY_ID: 'AKIAFROMENVIRONMENT1', AWS_SECRET_ACCESS_KEY: 'env-secret-0123456789', AWS_SESSION_TOKEN: 'env-token-xyz' } });
    assert.equal(fromEnv.status, 0, fromEnv.stderr);
    const put = fx.received.find((x) => x.method === 'PUT');
    assert.match(put.headers.authorization, /Credential=AKIAFROMENVIRONMENT1\//);
    assert.equal(put.headers['x-amz-security-token'], 'env-token-xyz');
    assertNoSecrets(fromEnv, ['env-secret-0123456789', 'env-token-xyz']);

    fx.received.length = 0;
    const credentialsFile = path.join(dir, 'aws-credentials');
    const configFile = path.join(dir, 'aws-config');
    fs.writeFileSync(credentialsFile, '[base]\naws_access_key_id = AKIAFROMPROFILE00001\naws_secret_access_key = profile-secret-0123456789\n');
    fs.writeFileSync(configFile, '[profile loader]\nrole_arn = arn:aws:iam::444444444444:role/loader\nsource_profile = base\n' +
      'external_id = profile-ext-id\nrole_session_name = from-profile\n');
    const fromProfile = await putObject({ ...fixtureConfig(), connection_option: 'shared_access' }, 'k/profile.txt', 'p',
      { env: { AWS_PROFILE: 'loader', AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: credentialsFile } });
    assert.equal(fromProfile.status, 0, fromProfile.stderr);
    assert.match(fromProfile.stderr, /credentials: role arn:aws:iam::444444444444:role\/loader \(AssumeRole with credentials from the keys of profile base/);
    const [form] = forms();
    assert.equal(form.RoleArn, 'arn:aws:iam::444444444444:role/loader');
    assert.equal(form.ExternalId, 'profile-ext-id');
    assert.equal(form.RoleSessionName, 'from-profile');
    assert.match(fx.received[0].headers.authorization, /Credential=AKIAFROMPROFILE00001\//);
    assertNoSecrets(fromProfile, ['profile-secret-0123456789', 'profile-ext-id', ...fx.issued.flatMap((c) => [c.secret, c.token])]);
  });

  test('no credentials anywhere is exit 2 for access_key and exit 4 for the shared chain, saying where it looked', async () => {
    const keys = await putObject({ ...fixtureConfig(), connection_option: 'access_key' }, 'k/none.txt', 'x');
    assert.equal(keys.status, 2, keys.stderr);
    assert.match(keys.stderr, /needs access_key_id and secret_access_key in the config, or AWS_ACCESS_KEY_ID/);
    const chain = await putObject({ ...fixtureConfig(), connection_option: 'shared_access' }, 'k/none.txt', 'x');
    assert.equal(chain.status, 4, chain.stderr);
    assert.match(chain.stderr, /no AWS credentials found: none in the environment \(AWS_ACCESS_KEY_ID\), in profile default/);
    assert.match(chain.stderr, /instance metadata is disabled/);
  });
});
