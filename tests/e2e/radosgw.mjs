// The S3 suites' side of Ceph radosgw (tests/s3server): a server and a folder per suite,
// the config keys that reach it with the test user's keys, and what its bucket holds, as
// the AWS CLI lists and downloads it. Only suites that load into radosgw import this
// (tests/s3server/s3server.mjs fails at import under CI=true when Ceph is not installed).
import assert from 'node:assert/strict';
import { after } from 'node:test';

import { aws, startS3Server } from '../s3server/s3server.mjs';
import { suiteSetup } from './lib.mjs';

// suiteSetup (a folder, and DuckDB and sample rows if asked), then radosgw started in a
// folder of its own (`memstoreMb`: its store's size); `setup(suite)` then runs with
// suite.server and suite.env (what radosgw.sh exports) filled in. The server stops after
// the suite's last test. In a describe() block, for that block.
export function radosgwSuite(prefix, { memstoreMb, setup, ...options } = {}) {
  const suite = suiteSetup(prefix, {
    ...options,
    setup: async (s) => {
      s.server = startS3Server({ memstoreMb });
      s.env = s.server.env;
      await setup?.(s);
    },
  });
  after(() => suite.server?.stop());
  return suite;
}

// The config keys that reach radosgw with the test user's access keys, through `endpoint`
// (radosgw's own unless a proxy stands in front of it).
export function radosgwAccess(env, endpoint = env.S3SERVER_ENDPOINT) {
  return {
    access_key_id: env.S3SERVER_ACCESS_KEY,
    secret_access_key: env.S3SERVER_SECRET_KEY,
    region: env.S3SERVER_REGION,
    endpoint,
    path_style: true,
  };
}

// Every object under `prefix` as list-objects-v2 gives it: [{Key, Size, ETag, ...}]; in
// the suite's bucket unless `bucket` names another.
export function listObjects(server, prefix, bucket = server.env.S3SERVER_BUCKET) {
  const r = aws(server, ['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', prefix]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() ? JSON.parse(r.stdout).Contents ?? [] : [];
}

// Makes the bucket `name`, with versioning on: each write's reply names its version.
export function makeVersionedBucket(server, name) {
  for (const args of [['create-bucket', '--bucket', name],
                      ['put-bucket-versioning', '--bucket', name, '--versioning-configuration', 'Status=Enabled']]) {
    const r = aws(server, ['s3api', ...args]);
    assert.equal(r.status, 0, r.stderr);
  }
  return name;
}

// Every version and delete marker under `prefix` of a versioned bucket, as sorted
// "key version etag latest|older" lines (a delete marker's etag: "delete-marker").
export function listVersions(server, bucket, prefix = '') {
  const r = aws(server, ['s3api', 'list-object-versions', '--bucket', bucket, '--prefix', prefix]);
  assert.equal(r.status, 0, r.stderr);
  const found = r.stdout.trim() ? JSON.parse(r.stdout) : {};
  return [...(found.Versions ?? []), ...(found.DeleteMarkers ?? []).map((m) => ({ ...m, ETag: 'delete-marker' }))]
    .map((v) => `${v.Key} ${v.VersionId} ${v.ETag} ${v.IsLatest ? 'latest' : 'older'}`).sort();
}

// The multipart uploads open under `prefix`, or in the whole bucket without one; in the
// suite's bucket unless `bucket` names another.
export function openUploads(server, prefix, bucket = server.env.S3SERVER_BUCKET) {
  const args = ['s3api', 'list-multipart-uploads', '--bucket', bucket];
  if (prefix !== undefined) args.push('--prefix', prefix);
  const r = aws(server, args);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() ? JSON.parse(r.stdout).Uploads ?? [] : [];
}

// Downloads every object under `prefix` into the folder `local` (aws s3 cp --recursive);
// returns `local`.
export function download(server, prefix, local) {
  const r = aws(server, ['s3', 'cp', '--recursive', '--quiet', `s3://${server.env.S3SERVER_BUCKET}/${prefix}`, local]);
  assert.equal(r.status, 0, r.stderr);
  return local;
}
