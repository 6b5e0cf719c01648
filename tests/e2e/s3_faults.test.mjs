// The S3 fault matrix: loads into Ceph radosgw (a real S3 server) through a proxy that
// breaks requests on purpose (tests/s3server/fault_proxy.mjs). Each cell ends either with
// every object byte-identical to the same load into a local folder, or with exit 4 and
// nothing of the run left behind (no object, no open upload), with a clean message.
//
// Cells: 503 SlowDown, 500 InternalError, connections reset in the middle of a part, a
// stalled request (idle_timeout_seconds), replies lost after the server did the write
// (the retry meets the run's own object), a 7 MB object at 100 KB/s, error replies with
// control characters and fake secrets, a clock two hours off (libfaketime), and STS
// credentials that expire during the load. And with 50 ms added to every request, 400
// small objects load with concurrency 8 in at most a quarter of the one-at-a-time time;
// and parts asked bigger than the memory allows stay within memory_limit_mb.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { startFaultProxy } from '../s3server/fault_proxy.mjs';
import {
  BIN,
  assertFails,
  readManifest,
  s3dest,
  sample,
  snapshot,
  testAwsSettings,
  workFolder,
  writeConfig,
} from './lib.mjs';
import { download, openUploads, radosgwAccess, radosgwSuite } from './radosgw.mjs';

const NOW = '2026-03-15T12:00:00Z';
let dir, server, env, input, expected;

// Months of a 140,000-row sample as csv: per month a 6 MB chunk (a multipart upload of a
// 5 MB and a 1 MB part) and a small one (one PutObject).
const LAYOUT = {
  folder: '/{{YYYY}}/{{MM}}', file_name: 'part-{{chunk_id}}', file_format: 'csv', partition_by: 'month',
  date_field: 'date', max_file_size_mb: 6, part_size_mb: 5, memory_limit_mb: 64,
};

function s3Config(endpoint, overrides = {}) {
  return {
    ...LAYOUT,
    ...radosgwAccess(env, endpoint),
    sts_endpoint: endpoint,
    encryption: 'none',
    max_attempts: 5,
    ...overrides,
  };
}

let runs = 0;
// Loads `file` with `config` into `dest`; `wrap`: a command to run s3dest under.
function load(config, dest, { file = input, wrap = [], extra = [] } = {}) {
  const configFile = writeConfig(dir, config, `config-${++runs}.json`);
  const args = ['load', '--no-progress', '--now', NOW, '--config', configFile, '--input', file, '--dest', dest, ...extra];
  if (!wrap.length) return s3dest(args, { env: testAwsSettings(dir) });
  const r = spawnSync(wrap[0], [...wrap.slice(1), BIN, ...args], {
    env: { ...process.env, ...testAwsSettings(dir) }, encoding: 'utf8',
  });
  if (r.error) throw r.error;
  return r;
}

// Every object under `prefix`, downloaded: key (without the prefix) -> bytes.
function objectsUnder(prefix) {
  return snapshot(download(server, prefix, workFolder(dir, 'download-')));
}

function assertSameObjects(prefix, want = expected) {
  const got = objectsUnder(prefix);
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), 'the same objects as the local load');
  for (const [key, bytes] of want) assert.ok(got.get(key).equals(bytes), `${key} differs from the local load`);
}

function assertNothingLeft(prefix) {
  assert.equal(objectsUnder(prefix).size, 0, 'no object of the failed run is left');
  assert.deepEqual(openUploads(server, prefix), [], 'no upload of the failed run is left open');
}

// Runs one cell: a proxy with `plan` in front of radosgw, a load through it.
async function throughProxy(plan, prefix, { config = {}, file, wrap, extra } = {}) {
  const proxy = await startFaultProxy({ target: env.S3SERVER_ENDPOINT, ...plan });
  try {
    const r = load(s3Config(proxy.url, config), `s3://${env.S3SERVER_BUCKET}/${prefix}`, { file, wrap, extra });
    return { ...r, stats: await proxy.stats() };
  } finally {
    proxy.stop();
  }
}

// The sample loaded into a local folder: what every cell's objects must equal.
radosgwSuite('s3dest-s3-faults-', {
  sample: { rows: 140_000, days: 60, accounts: 1 },
  setup: (suite) => {
    ({ dir, server, env, input } = suite);
    const local = path.join(dir, 'local');
    const r = load(LAYOUT, local);
    assert.equal(r.status, 0, r.stderr);
    expected = snapshot(local);
    assert.ok(expected.size >= 4 && [...expected.values()].some((b) => b.length > 5 << 20), 'multipart and small objects');
  },
});

test('503 SlowDown on every third write: retried, every object identical', async () => {
  const r = await throughProxy({ faults: [{ match: { method: 'PUT' }, every: 3,
                                            do: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' } }] },
                               'slowdown/');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stats.faults >= 2, `faults injected: ${r.stats.faults}`);
  assertSameObjects('slowdown/');
});

test('500 InternalError on a listing, an upload start and a completion: retried, identical', async () => {
  const error = { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' };
  const r = await throughProxy({ faults: [{ match: { method: 'GET' }, at: [1], do: error },
                                          { match: { method: 'POST', query: 'uploads' }, at: [1], do: error },
                                          { match: { method: 'POST', query: 'uploadId' }, at: [1], do: error }] },
                               'internal-error/');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stats.faults, 3);
  assertSameObjects('internal-error/');
});

test('connections reset in the middle of parts: the parts are sent again, identical', async () => {
  const r = await throughProxy({ faults: [{ match: { method: 'PUT', query: 'partNumber' }, at: [1, 3],
                                            do: { reset_after_bytes: 1 << 20 } }] },
                               'reset/');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stats.faults, 2);
  assertSameObjects('reset/');
});

test('replies lost after a PutObject and a completion went through: the run\'s own new objects, identical', async () => {
  // The retries meet If-None-Match on the objects their first attempts made.
  const manifest = path.join(dir, 'lost-replies.json');
  const r = await throughProxy({ faults: [{ match: { method: 'PUT', no_query: true }, at: [1], do: { drop_reply: true } },
                                          { match: { method: 'POST', query: 'uploadId' }, at: [1], do: { drop_reply: true } }] },
                               'lost-reply/', { extra: ['--manifest', manifest] });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stats.faults, 2);
  assertSameObjects('lost-reply/');
  for (const o of readManifest(manifest).objects) assert.equal(o.replaced, false, `${o.key} was new`);
});

test('a request that stalls is abandoned after idle_timeout_seconds and sent again, identical', async () => {
  const r = await throughProxy({ faults: [{ match: { method: 'PUT', query: 'partNumber' }, at: [1],
                                            do: { stall_ms: 60_000 } }] },
                               'stall/', { config: { idle_timeout_seconds: 2 } });
  assert.equal(r.status, 0, r.stderr);
  // Done before the stall ended: the stalled request was given up and sent again.
  assert.equal(r.stats.faults, 1);
  assert.equal(r.stats.stalls_ended, 0, 'the load waited for the stalled request');
  assertSameObjects('stall/');
});

test('a 7 MB object at 100 KB/s completes: no limit on a request that keeps moving', async () => {
  // About 75 seconds: longer than the 60 s a request could take before.
  const file = sample(path.join(dir, 'seven-mb.ndjson'), { rows: 62_000, days: 1, accounts: 1 });
  const config = { folder: '/slow', partition_by: undefined, date_field: undefined, max_file_size_mb: undefined,
                   part_size_mb: 8 };
  const local = path.join(dir, 'seven-mb-local');
  assert.equal(load({ ...LAYOUT, ...config }, local, { file }).status, 0);
  const want = snapshot(local);
  const size = [...want.values()][0].length;
  assert.ok(size > 6.5e6 && size < 8 << 20, `one object of about 7 MB (${size} bytes), sent in one PutObject`);
  const r = await throughProxy({ throttle_bps: 100_000 }, 'slow/', { config, file });
  assert.equal(r.status, 0, r.stderr);
  assertSameObjects('slow/', want);
});

test('an error reply with control characters and fake secrets: exit 4, clean message, nothing left', async () => {
  const signature = 'Signature=' + 'ab'.repeat(32);
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const r = await throughProxy({ faults: [{ match: { method: 'PUT' }, at: [2],
                                            do: { status: 403, code: 'AccessDenied\x1b[2J',
                                                  message: `\x1b]0;owned\x07Denied ${signature} ${secret} \x1b[31mred` } }] },
                               'hostile/');
  assertFails(r, 4, ['AccessDenied']);
  for (const bad of ['\x1b', '\x07', signature, secret]) assert.ok(!r.stderr.includes(bad), `stderr shows ${JSON.stringify(bad)}`);
  assertNothingLeft('hostile/');
});

test('a clock two hours off (libfaketime): the server time is learned, identical', async () => {
  const faketime = ['/usr/bin/faketime', '/usr/local/bin/faketime'].find((f) => fs.existsSync(f));
  assert.ok(faketime, "faketime is not installed: run 'bash tools/install_deps.sh --test'");
  const r = await throughProxy({}, 'skewed/', { wrap: [faketime, '-f', '+2h'] });
  assert.equal(r.status, 0, r.stderr);
  assertSameObjects('skewed/');
});

test('STS credentials that expire during the load are renewed in time, identical', async () => {
  // The proxy gives every session 4 seconds and refuses its token after that; 100 days
  // one at a time, with 50 ms on every request, take about 10.
  const file = sample(path.join(dir, 'hundred-days.ndjson'), { rows: 20_000, days: 100, accounts: 1 });
  const config = { connection_option: 'assume_role', assume_role_arn: env.S3SERVER_ROLE_A_ARN, concurrency: 1,
                   folder: '/{{YYYY}}/{{MM}}/{{DD}}', partition_by: 'day' };
  const local = path.join(dir, 'hundred-days-local');
  assert.equal(load({ ...LAYOUT, ...config }, local, { file }).status, 0);
  const r = await throughProxy({ sts_lifetime_s: 4, latency_ms: 50 }, 'expiring/', { config, file });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stats.sts_issued >= 2, `sessions issued: ${r.stats.sts_issued}`);
  assert.equal(r.stats.expired_refused, 0, 'no request went out with an expired token');
  assertSameObjects('expiring/', snapshot(local));
});

test('50 ms a request: 400 small objects with concurrency 8 take at most a quarter of the time of 1', async () => {
  const file = sample(path.join(dir, 'days.ndjson'), { rows: 350_000, days: 400, accounts: 1 });
  // memory_limit_mb 512: room for 8 parts in flight.
  const config = { folder: '/{{YYYY}}/{{MM}}/{{DD}}', partition_by: 'day', max_file_size_mb: undefined,
                   memory_limit_mb: 512 };
  const local = path.join(dir, 'days-local');
  assert.equal(load({ ...LAYOUT, ...config }, local, { file }).status, 0);
  const want = snapshot(local);
  assert.equal(want.size, 400);
  const timed = async (concurrency, prefix) => {
    const t0 = Date.now();
    const r = await throughProxy({ latency_ms: 50 }, prefix, { config: { ...config, concurrency }, file });
    assert.equal(r.status, 0, r.stderr);
    return Date.now() - t0;
  };
  const one = await timed(1, 'latency-1/');
  const eight = await timed(8, 'latency-8/');
  console.log(`400 objects, 50 ms a request: concurrency 1 ${one} ms, concurrency 8 ${eight} ms`);
  assert.ok(eight <= one / 4, `concurrency 8 took ${eight} ms, more than a quarter of ${one} ms`);
  assertSameObjects('latency-8/', want);
});

test('part_size_mb 256 at memory_limit_mb 64: parts are held to the budget, peak under 64 + 24 MB', () => {
  // 92 MB in one object: parts as big as the memory allows, one filling and one in flight.
  const file = sample(path.join(dir, 'one-object.ndjson'), { rows: 800_000, days: 1, accounts: 1 });
  const config = s3Config(env.S3SERVER_ENDPOINT, { folder: '/big', partition_by: undefined, date_field: undefined,
                                                   max_file_size_mb: undefined, part_size_mb: 256 });
  const r = load(config, `s3://${env.S3SERVER_BUCKET}/big-parts/`, { file, wrap: ['/usr/bin/time', '-f', 'peak-rss-kb=%M'] });
  assert.equal(r.status, 0, r.stderr);
  const peakKb = Number(/peak-rss-kb=(\d+)/.exec(r.stderr)[1]);
  console.log(`part_size_mb 256 at memory_limit_mb 64: peak RSS ${peakKb} KB`);
  assert.ok(peakKb < (64 + 24) * 1024, `peak RSS ${peakKb} KB`);
  const local = path.join(dir, 'one-object-local');
  assert.equal(load({ ...LAYOUT, ...config, endpoint: undefined }, local, { file }).status, 0);
  assertSameObjects('big-parts/', snapshot(local));
});
