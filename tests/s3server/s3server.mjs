// A real S3 server (Ceph radosgw, see radosgw.sh beside this file) for node:test files,
// and the AWS CLI to look at what it holds. One server per test file:
//
//   import { S3SERVER_SKIP, startS3Server, aws } from '../s3server/s3server.mjs';
//   let server;
//   before(() => { if (!S3SERVER_SKIP) server = startS3Server(); });
//   after(() => server?.stop());
//   test('...', { skip: S3SERVER_SKIP }, () => {
//     const r = aws(server, ['s3api', 'head-bucket', '--bucket', server.env.S3SERVER_BUCKET]);
//   });
//
// server.env holds what radosgw.sh exports (S3SERVER_ENDPOINT, S3SERVER_ACCESS_KEY, the
// role ARNs, ...: see the comment at the top of radosgw.sh).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RADOSGW_SH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'radosgw.sh');

const onPath = (command) =>
  (process.env.PATH ?? '').split(':').find((dir) => dir && fs.existsSync(path.join(dir, command)));

// Debian's AWS CLI (the one CI installs) before any other on PATH; S3SERVER_AWS_CLI wins.
export const AWS_CLI =
  process.env.S3SERVER_AWS_CLI ??
  (fs.existsSync('/usr/bin/aws') ? '/usr/bin/aws' : onPath('aws') ? path.join(onPath('aws'), 'aws') : null);

// Why the S3 server tests cannot run here, or false when they can. Under CI=true a missing
// tool fails the run, naming it, instead: a suite that skipped itself there would pass
// without having tested anything.
export const S3SERVER_SKIP = (() => {
  const missing = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'curl', 'python3'].filter((c) => !onPath(c));
  if (!AWS_CLI) missing.push('aws');
  if (!missing.length) return false;
  const why = `${missing.join(', ')} not installed: run 'bash tools/install_deps.sh --test' (Ceph radosgw and the AWS CLI)`;
  if (process.env.CI === 'true') throw new Error(`the S3 server tests cannot run: ${why}`);
  return why;
})();

// Starts a cluster in a fresh temporary folder and waits until S3 answers. Returns
// { env, dir, startMs, stop() }. The cluster also stops by itself when this process
// exits, even by a crash (radosgw.sh's watchdog), so a failed run leaves nothing behind.
export function startS3Server({ memstoreMb, prefix = 's3dest-s3server-' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const env = { ...process.env, S3SERVER_OWNER_PID: String(process.pid), S3SERVER_QUIET: '1' };
  if (memstoreMb !== undefined) env.S3SERVER_MEMSTORE_MB = String(memstoreMb);
  const t0 = Date.now();
  const r = spawnSync('bash', [RADOSGW_SH, 'start', dir], { env, encoding: 'utf8', timeout: 180_000 });
  const startMs = Date.now() - t0;
  if (r.error || r.status !== 0) {
    spawnSync('bash', [RADOSGW_SH, 'stop', dir], { stdio: 'ignore' });
    throw new Error(`radosgw.sh start failed (${r.error ?? `exit ${r.status}`}):\n${r.stderr}`);
  }
  const serverEnv = JSON.parse(fs.readFileSync(path.join(dir, 'env.json'), 'utf8'));
  return {
    env: serverEnv,
    dir,
    startMs,
    stop() {
      const s = spawnSync('bash', [RADOSGW_SH, 'stop', dir], { encoding: 'utf8', timeout: 60_000 });
      if (s.error || s.status !== 0) throw new Error(`radosgw.sh stop failed: ${s.error ?? s.stderr}`);
    },
  };
}

// The environment for an AWS CLI run against `server`: none of the caller's AWS_*
// settings (this machine's AWS_CA_BUNDLE, a profile, a session token) leak in, no config
// file is read, no instance metadata is asked, no proxy is used for loopback.
// `credentials`: { accessKeyId, secretAccessKey, sessionToken } (default: the test user).
export function awsEnv(server, credentials) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^AWS_/i.test(k)));
  const c = credentials ?? {
    accessKeyId: server.env.S3SERVER_ACCESS_KEY,
    secretAccessKey: server.env.S3SERVER_SECRET_KEY,
  };
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_DEFAULT_REGION: server.env.S3SERVER_REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  });
  if (c.sessionToken) env.AWS_SESSION_TOKEN = c.sessionToken;
  return env;
}

// Runs `aws --endpoint-url ENDPOINT ARGS...`; returns { status, stdout, stderr }. Judge by
// status: Debian's AWS CLI 2.9 can crash while printing some radosgw error replies.
export function aws(server, args, { credentials, input } = {}) {
  const r = spawnSync(AWS_CLI, ['--endpoint-url', server.env.S3SERVER_ENDPOINT, '--output', 'json', ...args], {
    env: awsEnv(server, credentials),
    input: input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// `sts assume-role` with `credentials` (default: the test user); returns the new
// credentials, in the shape `credentials` takes, or throws with the CLI's output.
export function assumeRole(server, roleArn, { credentials, sessionName = 's3dest-test' } = {}) {
  const r = aws(server, ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', sessionName], {
    credentials,
  });
  if (r.status !== 0) throw new Error(`aws sts assume-role ${roleArn} failed (exit ${r.status}):\n${r.stderr}`);
  const c = JSON.parse(r.stdout).Credentials;
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}
