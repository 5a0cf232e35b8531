// A test S3 server for Playlake's tests: s3rver (npm) on a temporary folder, behind a
// proxy that does what s3rver does not:
// - verifies every request's AWS Signature V4 with an independent signer (npm aws4),
//   answering 403 SignatureDoesNotMatch when it differs;
// - honours `If-None-Match: *` on PUT (412 PreconditionFailed when the key exists) and
//   `If-Match: ETAG` (412 unless the object is at that ETag), one request per object at
//   a time, so of two racing writers exactly one wins;
// - injects faults on command: `POST /__faults` with JSON {"status": 503, "count": 3}
//   answers the next `count` requests with that status (503 as S3's SlowDown); with
//   "match": TEXT, only requests whose method and URL ("PUT /bucket/key?partNumber=2…")
//   contain TEXT; with "cut": true, those requests' connections are cut instead; with
//   "rate": R (0..1) instead of a count, each request is answered so with probability R
//   until the next POST /__faults.
// - keeps track of multipart uploads, and answers ListMultipartUploads (GET /bucket?uploads)
//   and AbortMultipartUpload (DELETE /bucket/key?uploadId=…), which s3rver lacks: an upload
//   is listed from its start until it is completed or aborted, and a part or completion
//   of an upload that is not listed answers 404 NoSuchUpload, as S3 does.
// Prints the proxy's URL on its first line of stdout, then one line per request it
// answers ("PUT /bucket/key?partNumber=1&uploadId=… 200"), until killed.
//
// Usage: node --openssl-legacy-provider s3_server.mjs --bucket NAME [--access-key ID
//          --secret-key KEY] [--region R]
// (s3rver makes its listing continuation tokens with DES, which OpenSSL 3 keeps in its
// legacy provider.)
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import aws4 from 'aws4';
import S3rver from 's3rver';

const { values: args } = parseArgs({
  options: {
    bucket: { type: 'string' },
    'access-key': { type: 'string', default: 'PLAYLAKETESTKEY' },
    'secret-key': { type: 'string', default: 'playlake-test-secret' },
    region: { type: 'string', default: 'us-east-1' },
  },
});
if (!process.execArgv.includes('--openssl-legacy-provider')) {
  console.error('s3_server.mjs: run it with node --openssl-legacy-provider (s3rver lists with DES tokens)');
  process.exit(2);
}
if (!args.bucket) {
  console.error('usage: node s3_server.mjs --bucket NAME [--access-key ID --secret-key KEY] [--region R]');
  process.exit(2);
}

const folder = mkdtempSync(join(tmpdir(), 'playlake-s3-'));
const s3rver = new S3rver({
  address: '127.0.0.1', port: 0, silent: true, directory: folder, configureBuckets: [{ name: args.bucket }],
});
const { port: backendPort } = await s3rver.run();

const faults = { status: 0, count: 0, match: '', cut: false, rate: 0 };
const locks = new Map(); // object path -> promise of the request in flight on it

function xmlError(res, status, code, message) {
  res.writeHead(status, { 'Content-Type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

// The signature aws4 computes for the request as received; null when it carries none.
function expectedAuthorization(req) {
  const authorization = req.headers.authorization ?? '';
  const signed = /SignedHeaders=([^,]+)/.exec(authorization)?.[1];
  if (!signed) return null;
  const headers = {};
  for (const name of signed.split(';')) headers[name] = req.headers[name] ?? '';
  const signer = aws4.sign({
    service: 's3', region: args.region, method: req.method, host: req.headers.host, path: req.url, headers,
    extraHeadersToInclude: Object.fromEntries(signed.split(';').map((n) => [n, true])),
  }, { accessKeyId: args['access-key'], secretAccessKey: args['secret-key'] });
  return signer.headers.Authorization;
}

// Multipart uploads in progress: upload id -> {key, initiated}.
const uploads = new Map();

function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function listUploads(res, url) {
  const prefix = url.searchParams.get('prefix') ?? '';
  const listed = [...uploads].filter(([, u]) => u.key.startsWith(prefix))
    .sort(([a, x], [b, y]) => (x.key === y.key ? a.localeCompare(b) : x.key.localeCompare(y.key)));
  res.writeHead(200, { 'Content-Type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>${args.bucket}</Bucket>`
    + `<Prefix>${escapeXml(prefix)}</Prefix><IsTruncated>false</IsTruncated>`
    + listed.map(([id, u]) => `<Upload><Key>${escapeXml(u.key)}</Key><UploadId>${id}</UploadId>`
      + `<Initiated>${u.initiated.toISOString()}</Initiated></Upload>`).join('')
    + '</ListMultipartUploadsResult>');
}

// What a multipart request changes in `uploads` once s3rver has answered it.
function trackUpload(req, url) {
  const key = decodeURIComponent(url.pathname.slice(args.bucket.length + 2));
  const id = url.searchParams.get('uploadId');
  if (req.method === 'POST' && url.searchParams.has('uploads')) {
    return (status, answer) => {
      const started = /<UploadId>([^<]+)<\/UploadId>/.exec(answer)?.[1];
      if (status === 200 && started) uploads.set(started, { key, initiated: new Date() });
    };
  }
  if (req.method === 'POST' && id) {
    return (status) => { if (status < 300) uploads.delete(id); };
  }
  return null;
}

// Sends the request on to s3rver; `seen` (when given) is called with its status and body.
function forward(req, res, body, seen = null) {
  // The proxy checked the signature; s3rver, which knows only its own keys, serves anonymously.
  const headers = { ...req.headers };
  for (const name of ['if-none-match', 'if-match', 'authorization', 'x-amz-security-token']) delete headers[name];
  const upstream = http.request({
    host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers,
  }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    if (!seen) {
      answer.pipe(res);
      return;
    }
    const parts = [];
    answer.on('data', (part) => parts.push(part));
    answer.on('end', () => {
      const whole = Buffer.concat(parts);
      seen(answer.statusCode, whole.toString());
      res.end(whole);
    });
  });
  upstream.on('error', (error) => xmlError(res, 502, 'BadGateway', error.message));
  upstream.end(body);
}

// The object's ETag now, asked of s3rver directly; null when there is none.
function currentEtag(path) {
  return new Promise((resolve) => {
    http.request({ host: '127.0.0.1', port: backendPort, method: 'HEAD', path: path.split('?')[0] }, (answer) => {
      answer.resume();
      resolve(answer.statusCode === 200 ? answer.headers.etag : null);
    }).on('error', () => resolve(null)).end();
  });
}

// Whether a conditional PUT's precondition holds for the object at `etag`.
function holds(req, etag) {
  if (req.headers['if-none-match'] === '*') return etag === null;
  return etag !== null && etag === req.headers['if-match'];
}

const server = http.createServer(async (req, res) => {
  res.on('finish', () => process.stdout.write(`${req.method} ${req.url} ${res.statusCode}\n`));
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  if (req.url === '/__faults' && req.method === 'POST') {
    Object.assign(faults, { count: 0, match: '', cut: false, rate: 0 }, JSON.parse(body.toString()));
    res.end('ok');
    return;
  }
  const chosen = faults.count > 0 || (faults.rate > 0 && Math.random() < faults.rate);
  if (chosen && `${req.method} ${req.url}`.includes(faults.match)) {
    if (faults.count > 0) faults.count -= 1;
    if (faults.cut) {
      req.socket.destroy();
      return;
    }
    xmlError(res, faults.status, faults.status === 503 ? 'SlowDown' : 'InternalError', 'injected by the test');
    return;
  }
  const expected = expectedAuthorization(req);
  if (expected === null || expected !== req.headers.authorization) {
    xmlError(res, 403, 'SignatureDoesNotMatch', `expected ${expected}`);
    return;
  }
  const key = req.url.split('?')[0];
  const url = new URL(req.url, 'http://s3');
  if (req.method === 'GET' && url.searchParams.has('uploads')) {
    listUploads(res, url);
    return;
  }
  if (key.indexOf('/', 1) < 0) { // the bucket itself: a listing
    forward(req, res, body);
    return;
  }
  // One request per object at a time: conditional PUTs need it, and s3rver's file store
  // can leave a GET unanswered while a PUT replaces the same object.
  while (locks.has(key)) await locks.get(key);
  let release;
  locks.set(key, new Promise((r) => { release = r; }));
  try {
    const id = url.searchParams.get('uploadId');
    if (id && !uploads.has(id)) {
      xmlError(res, 404, 'NoSuchUpload', 'The specified upload does not exist');
      return;
    }
    if (id && req.method === 'DELETE') { // an abort: s3rver keeps the parts, never listed
      uploads.delete(id);
      res.writeHead(204);
      res.end();
      return;
    }
    const conditional = req.method === 'PUT' && (req.headers['if-none-match'] === '*' || req.headers['if-match']);
    if (conditional && !holds(req, await currentEtag(req.url))) {
      xmlError(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
      return;
    }
    await new Promise((resolve) => { res.on('finish', resolve); res.on('close', resolve); forward(req, res, body, trackUpload(req, url)); });
  } finally {
    locks.delete(key);
    release();
  }
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});

// Exits at once: closing the servers first waits for their keep-alive connections,
// which took up to two minutes when a client had left one open.
const stop = () => {
  rmSync(folder, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
