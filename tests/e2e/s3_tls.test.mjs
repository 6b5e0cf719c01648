// s3dest over https, against radosgw's TLS endpoint (tests/s3server/radosgw.sh makes a
// certificate for 127.0.0.1 at start, trusted here through AWS_CA_BUNDLE as a private CA's
// would be). A load with a multipart upload and a put of a large file arrive byte for
// byte, and their bodies, which carry a checksum, go as UNSIGNED-PAYLOAD (radosgw's log at
// debug level 20 says what each request's payload hash was); over plain http the same
// load signs its bodies. A server whose certificate is not trusted gets nothing: the run
// stops at its first request, names the fix, and leaves no object or upload.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { S3SERVER_SKIP, aws } from '../s3server/s3server.mjs';
import { loadOk, s3dest, sample, testAwsSettings, writeConfig } from './lib.mjs';
import { listObjects, openUploads, radosgwAccess, radosgwSuite } from './radosgw.mjs';

let dir, server, env, rows, blob;

function config(endpoint) {
  return {
    ...radosgwAccess(env, endpoint),
    folder: '/tls',
    file_name: 'rows-{{chunk_id}}',
    file_format: 'csv',
    part_size_mb: 5,
    encryption: 'none',
  };
}

// `s3dest ARGS...` with the server's certificate trusted (or, with `trusted` false, only
// the system's CAs).
function run(args, { trusted = true } = {}) {
  return s3dest(args, { env: { ...testAwsSettings(dir), AWS_CA_BUNDLE: trusted ? env.S3SERVER_CA_BUNDLE : '' } });
}

// The object `key`, downloaded with the AWS CLI.
function fetched(key) {
  const local = path.join(dir, 'down', key);
  const r = aws(server, ['s3', 'cp', '--quiet', `s3://${env.S3SERVER_BUCKET}/${key}`, local]);
  assert.equal(r.status, 0, r.stderr);
  return fs.readFileSync(local);
}

// Requests radosgw has taken whose payload hash was UNSIGNED-PAYLOAD, so far.
function unsignedBodies() {
  const log = fs.readFileSync(path.join(env.S3SERVER_LOGS, 'client.rgw.a.log'), 'latin1');
  return log.split('payload request hash = UNSIGNED-PAYLOAD').length - 1;
}

describe('s3dest over https into radosgw', { skip: S3SERVER_SKIP }, () => {
  radosgwSuite('s3dest-tls-', {
    setup: (suite) => {
      ({ dir, server, env } = suite);
      rows = sample(path.join(dir, 'rows.ndjson'), { rows: 100_000, days: 3 }); // about 11.5 MB of csv
      blob = path.join(dir, 'blob.bin');
      fs.writeFileSync(blob, Buffer.alloc(12_000_000, 'tls'));
      // Each request's headers and payload hash in radosgw's log, from now on.
      const socket = path.join(env.S3SERVER_DIR, 'run', 'client.rgw.a.asok');
      const r = spawnSync('ceph', ['--admin-daemon', socket, 'config', 'set', 'debug_rgw', '20'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    },
  });

  test('a load and a put over https arrive byte for byte, their bodies sent as UNSIGNED-PAYLOAD', () => {
    const local = path.join(dir, 'local');
    loadOk(['--config', writeConfig(dir, config(env.S3SERVER_TLS_ENDPOINT), 'local.json'), '--input', rows,
            '--dest', local]);
    const expected = fs.readFileSync(path.join(local, 'tls', 'rows-00001.csv'));
    assert.ok(expected.length > 10_000_000, 'three parts of 5 MiB');

    const before = unsignedBodies();
    const tls = writeConfig(dir, config(env.S3SERVER_TLS_ENDPOINT), 'tls.json');
    const loaded = run(['load', '--no-progress', '--config', tls, '--input', rows,
                        '--dest', `s3://${env.S3SERVER_BUCKET}/https`]);
    assert.equal(loaded.status, 0, loaded.stderr);
    assert.deepEqual(fetched('https/tls/rows-00001.csv'), expected);
    const put = run(['put', '--config', tls, '--dest', `s3://${env.S3SERVER_BUCKET}/https-put`, blob]);
    assert.equal(put.status, 0, put.stderr);
    assert.deepEqual(fetched('https-put/tls/blob.bin'), fs.readFileSync(blob));
    // Three parts each (the load's last part is sent as its object ends).
    assert.ok(unsignedBodies() - before >= 6, `${unsignedBodies() - before} bodies sent unsigned`);

    const plain = unsignedBodies();
    const http = run(['load', '--no-progress', '--config', writeConfig(dir, config(env.S3SERVER_ENDPOINT), 'http.json'),
                      '--input', rows, '--dest', `s3://${env.S3SERVER_BUCKET}/http`]);
    assert.equal(http.status, 0, http.stderr);
    assert.deepEqual(fetched('http/tls/rows-00001.csv'), expected);
    assert.equal(unsignedBodies(), plain, 'over plain http every body is in the signature');
  });

  test('a server whose certificate is not trusted gets nothing, and the message says how to trust it', () => {
    const r = run(['load', '--no-progress', '--config', writeConfig(dir, config(env.S3SERVER_TLS_ENDPOINT), 'tls.json'),
                   '--input', rows, '--dest', `s3://${env.S3SERVER_BUCKET}/untrusted`], { trusted: false });
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /the server's TLS certificate is not trusted; if a private CA signed it, point AWS_CA_BUNDLE at/);
    assert.deepEqual(listObjects(server, 'untrusted/'), []);
    assert.deepEqual(openUploads(server, 'untrusted/'), []);
  });
});
