// A fault-injecting HTTP proxy for the tests: it stands in front of the S3 server (radosgw)
// on loopback, passes requests through unchanged (the Host header too, so signatures still
// verify), and breaks the ones its plan names. Run it as a process of its own, so a test
// may block on a synchronous s3dest run while the proxy works:
//
//   node fault_proxy.mjs PLAN_JSON      prints "listening PORT", then serves until killed
//
// From a test: `const proxy = await startFaultProxy(plan); ... await proxy.stats(); proxy.stop()`.
//
// The plan:
//   target          "http://127.0.0.1:PORT": where requests go
//   latency_ms      added before every request is passed on
//   throttle_bps    request and reply bodies move at about this many bytes a second
//   sts_lifetime_s  STS replies say their credentials expire this many seconds after they
//                   are issued; S3 requests with such a session token after that time get
//                   400 ExpiredToken, as AWS answers
//   faults          [{ match, at, do }]: the requests that `match` (method, and `query`: a
//                   word the query string must hold, such as "partNumber" or "uploads", or
//                   `no_query`: none, as a PutObject's),
//                   counted from 1, are broken at the counts listed in `at` (or at every
//                   one with `every: N`), as `do` says:
//                     { status, code, message }  an S3 error reply instead of the server's
//                     { reset_after_bytes }      the connection dropped once that much of
//                                                the request body has come
//                     { stall_ms }               no byte for that long, then passed on
//                     { drop_reply: true }       passed on, and the server's reply read
//                                                whole, but the connection dropped instead
//                                                of answering: done, as far as the client
//                                                can tell maybe not
//
// GET /__proxy/stats answers { requests, faults, stalls_ended (stalls that ran their whole
// time), sts_issued, expired_refused }.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FAULT_PROXY = fileURLToPath(import.meta.url);

// Starts the proxy for `plan`; resolves to { url, stats(), stop() }.
export function startFaultProxy(plan) {
  const child = spawn(process.execPath, [FAULT_PROXY, JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`fault proxy exited (${code}) before listening`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening (\d+)\n/.exec(out);
      if (!m) return;
      const url = `http://127.0.0.1:${m[1]}`;
      resolve({
        url,
        stats: async () => (await fetch(`${url}/__proxy/stats`)).json(),
        stop: () => child.kill('SIGKILL'),
      });
    });
  });
}

function serve(plan) {
  const target = new URL(plan.target);
  const counts = new Map();  // fault index -> requests matched so far
  const tokens = new Map();  // session token -> expiry (ms)
  const stats = { requests: 0, faults: 0, stalls_ended: 0, sts_issued: 0, expired_refused: 0 };

  const matches = (match = {}, req) =>
    (!match.method || match.method === req.method) && (!match.query || (req.url.split('?')[1] ?? '').includes(match.query)) &&
    (!match.no_query || !req.url.includes('?'));

  const faultFor = (req) => {
    for (const [i, f] of (plan.faults ?? []).entries()) {
      if (!matches(f.match, req)) continue;
      const n = (counts.get(i) ?? 0) + 1;
      counts.set(i, n);
      if ((f.at ?? []).includes(n) || (f.every && n % f.every === 0)) return f.do;
    }
    return null;
  };

  const errorReply = (res, status, code, message) => {
    res.writeHead(status, { 'Content-Type': 'application/xml', Connection: 'close' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>` +
            `<RequestId>fault-proxy</RequestId></Error>`);
  };

  // Passes `from` on to `to` at about throttle_bps (or at once), then ends `to`.
  const pump = (from, to) => {
    if (!plan.throttle_bps) return from.pipe(to);
    const slice = Math.max(1, Math.floor(plan.throttle_bps / 10));
    let queue = Buffer.alloc(0);
    let ended = false;
    const timer = setInterval(() => {
      if (queue.length) {
        to.write(queue.subarray(0, slice));
        queue = queue.subarray(slice);
      }
      if (queue.length < slice * 4) from.resume();
      if (ended && !queue.length) {
        clearInterval(timer);
        to.end();
      }
    }, 100);
    from.on('data', (d) => {
      queue = Buffer.concat([queue, d]);
      if (queue.length >= slice * 4) from.pause();
    });
    from.on('end', () => (ended = true));
    from.on('error', () => clearInterval(timer));
    to.on('error', () => clearInterval(timer));
  };

  const server = http.createServer(async (req, res) => {
    if (req.url === '/__proxy/stats') return res.end(JSON.stringify(stats));
    stats.requests++;
    if (plan.latency_ms) await new Promise((r) => setTimeout(r, plan.latency_ms));
    const token = req.headers['x-amz-security-token'];
    if (token && tokens.has(token) && Date.now() > tokens.get(token)) {
      stats.expired_refused++;
      req.resume();
      return errorReply(res, 400, 'ExpiredToken', 'The provided token has expired.');
    }
    const fault = faultFor(req);
    if (fault) stats.faults++;
    if (fault?.status) {
      req.resume();
      return req.on('end', () => errorReply(res, fault.status, fault.code, fault.message ?? 'injected by the fault proxy'));
    }
    if (fault?.stall_ms) {
      await new Promise((r) => setTimeout(r, fault.stall_ms));
      stats.stalls_ended++;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        if (fault?.drop_reply) {
          reply.resume();
          return reply.on('end', () => req.socket.resetAndDestroy?.() ?? req.socket.destroy());
        }
        const sts = plan.sts_lifetime_s && (req.headers['content-type'] ?? '').includes('x-www-form-urlencoded');
        if (!sts) {
          res.writeHead(reply.statusCode, reply.headers);
          return pump(reply, res);
        }
        // An STS reply: its credentials are given a short life here.
        const chunks = [];
        reply.on('data', (d) => chunks.push(d));
        reply.on('end', () => {
          const expiry = Date.now() + plan.sts_lifetime_s * 1000;
          let body = Buffer.concat(chunks).toString();
          const issued = /<SessionToken>([^<]+)<\/SessionToken>/.exec(body);
          if (issued) {
            stats.sts_issued++;
            tokens.set(issued[1].replace(/&amp;/g, '&'), expiry);
            body = body.replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${new Date(expiry).toISOString()}</Expiration>`);
          }
          const headers = { ...reply.headers, 'content-length': Buffer.byteLength(body) };
          res.writeHead(reply.statusCode, headers);
          res.end(body);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    if (fault?.reset_after_bytes !== undefined) {
      let seen = 0;
      req.on('data', (d) => {
        seen += d.length;
        if (seen >= fault.reset_after_bytes) {
          upstream.destroy();
          req.socket.resetAndDestroy?.() ?? req.socket.destroy();
        }
      });
    }
    pump(req, upstream);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
}

if (process.argv[1] && path.resolve(process.argv[1]) === FAULT_PROXY) serve(JSON.parse(process.argv[2]));
