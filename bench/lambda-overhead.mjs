// Per-request overhead of the generated Node CORS wrapper, against a bare handler and @middy/core +
// @middy/http-cors configured the same way, measured in the same process.
//
//   node bench/lambda-overhead.mjs [--seconds S]
//
// The wrapper is src/runtime/lambda/cors.mjs, the file `generate` copies into every Node module (behind a header
// comment), imported as it is. Plain JavaScript so that it runs with node alone (no TypeScript loader).
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import { configFromEnv, createHandler } from '../src/runtime/lambda/cors.mjs';

const secondsArg = process.argv.indexOf('--seconds');
const ROUND_MS = (secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 0.5) * 1000;
const ROUNDS = 7;

// ---- the three handlers -------------------------------------------------------------------------------------

const ORIGINS = ['https://app.example.com', 'https://admin.example.com', 'https://*.example.org'];

/** The app: a fresh result per request, as most handlers build one. */
async function handle(_event) {
  return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' };
}

const corsGen = createHandler(
  handle,
  configFromEnv({
    ALLOWED_ORIGINS: ORIGINS.join(' '),
    ALLOW_CREDENTIALS: 'true',
    ALLOW_HEADERS: 'Content-Type,Authorization',
    EXPOSE_HEADERS: 'X-Request-Id',
    CORS_MODE: 'lambda',
    ENFORCE_ORIGIN: 'false',
  }),
);
const withMiddy = middy(handle).use(
  httpCors({
    origins: ORIGINS,
    credentials: true,
    headers: 'Content-Type,Authorization',
    exposeHeaders: 'X-Request-Id',
  }),
);

// ---- events: REST payload 1.0, a mix of exact, wildcard-matched and refused origins ---------------------------

function restEvent(origin) {
  const headers = {
    Accept: 'application/json',
    Host: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
    'User-Agent': 'Mozilla/5.0',
    Origin: origin,
  };
  return {
    resource: '/items',
    path: '/items',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: { httpMethod: 'GET', path: '/prod/items', stage: 'prod', requestId: 'r' },
    body: null,
    isBase64Encoded: false,
  };
}
const EVENTS = [
  restEvent('https://app.example.com'),
  restEvent('https://shop.example.org'),
  restEvent('https://admin.example.com'),
  restEvent('https://evil.example.net'),
];
const CONTEXT = {};

// Both wrappers must give the same answer, or the comparison means nothing.
for (const event of EVENTS) {
  const ours = (await corsGen(event, CONTEXT)).headers['Access-Control-Allow-Origin'];
  const theirs = (await withMiddy(event, CONTEXT)).headers['Access-Control-Allow-Origin'];
  if (ours !== theirs) throw new Error(`the wrappers disagree on ${event.headers.Origin}: ${ours} vs ${theirs}`);
}

// ---- measurement --------------------------------------------------------------------------------------------

async function round(handler) {
  const deadline = performance.now() + ROUND_MS;
  let n = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 1000; i++) await handler(EVENTS[i & 3], CONTEXT);
    n += 1000;
  }
  return n / (ROUND_MS / 1000);
}

const variants = { bare: handle, 'cors-gen': corsGen, middy: withMiddy };
const samples = { bare: [], 'cors-gen': [], middy: [] };
for (const name of Object.keys(variants)) await round(variants[name]); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  // Interleaved rounds, so drift (thermal, GC) hits every variant alike.
  for (const name of Object.keys(variants)) samples[name].push(await round(variants[name]));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ops = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
const overheadNs = (name) => 1e9 / ops[name] - 1e9 / ops.bare;

const fmt = (x) => Math.round(x).toLocaleString('en-US');
console.log(`node ${process.version}, ${ROUNDS} rounds of ${ROUND_MS} ms, median ops/s`);
console.log(`  bare handler           ${fmt(ops.bare).padStart(12)} ops/s`);
console.log(
  `  cors-gen wrapper       ${fmt(ops['cors-gen']).padStart(12)} ops/s   ${(ops['cors-gen'] / ops.bare).toFixed(2)}x bare   +${fmt(overheadNs('cors-gen'))} ns/request`,
);
console.log(
  `  middy + http-cors      ${fmt(ops.middy).padStart(12)} ops/s   ${(ops.middy / ops.bare).toFixed(2)}x bare   +${fmt(overheadNs('middy'))} ns/request`,
);
console.log(
  `  cors-gen vs middy: ${(ops['cors-gen'] / ops.middy).toFixed(2)}x the throughput, ${(overheadNs('middy') / overheadNs('cors-gen')).toFixed(1)}x less overhead`,
);
