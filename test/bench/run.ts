/**
 * Benchmark runner: for every scenario it spawns every target server on a free
 * loopback port (with the measurement probe preloaded), verifies that one
 * request answers correctly and warms each up, then drives a fixed-concurrency
 * autocannon load in windows interleaved across the targets (A B C, B C A, …),
 * and records req/s, latency percentiles, server CPU per request and peak RSS,
 * and each target's ratio to the bare Rampart target window by window. Prints
 * markdown tables and writes test/bench/results/latest.json.
 *
 * Usage: node test/bench/dist/run.js [--targets raw,sdk|all] [--scenarios call,list5,list200]
 *        (also discovery50, discovery1000, search1000: progressive discovery, Rampart targets only)
 *        [--connections 32] [--duration 8] [--warmup 2] [--rounds 1] [--pin]
 * Without --targets: raw, sdk, the bare Rampart target, `full` (resilience and observability
 * together) and `secure` (full plus bearer JWTs and Cedar policies); `--targets all` runs every
 * target.
 * --baseline <checkout>: every Rampart target runs a second time as `<name>@baseline` from another
 * checkout's test/bench/dist (built there), in the same interleaved windows: a change measured
 * against the code before it, in one run.
 * Env:   BENCH_CONNECTIONS, BENCH_DURATION, BENCH_WARMUP, BENCH_ROUNDS, BENCH_PIN=1 (CLI flags win).
 * --pin (Linux, two CPUs or more): the servers run on one CPU and the load generator on another
 * (taskset).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { SampleReply, SampleRequest } from './probe';
import {
  BENCH_AUTH,
  BENCH_HOST,
  BENCH_PROTOCOL_VERSION,
  extraTools,
  intFromEnv,
  MCP_PATH,
} from './shared';

// ---------------------------------------------------------------------------
// Targets and scenarios. Adding one is one line.
// ---------------------------------------------------------------------------

/** A server under test: a compiled script in test/bench/dist plus extra env. */
interface Target {
  name: string;
  /** Script file name, relative to test/bench/dist. */
  script: string;
  env?: Record<string, string>;
  /** Run when no `--targets` are given. */
  byDefault?: true;
  /** Directory of the compiled script; test/bench/dist of this checkout by default. */
  dir?: string;
  /**
   * The server takes bearer JWTs: it is given the issuer's public key (BENCH_JWT_PUBLIC_JWK) and
   * every request to it carries `Authorization: Bearer <token>`; the runner makes both at start.
   */
  bearer?: true;
  /** Another target this one is compared with window by window (`secure` ÷ `full`). */
  reference?: string;
}

const TARGETS: Target[] = [
  { name: 'raw', script: 'raw-server.js', byDefault: true },
  { name: 'sdk', script: 'sdk-server.js', byDefault: true },
  { name: 'rampart-express', script: 'echo-server.js', env: { ADAPTER: 'express' } },
  {
    name: 'rampart-fastify',
    script: 'echo-server.js',
    env: { ADAPTER: 'fastify' },
    byDefault: true,
  },
  {
    name: 'resilience-memory',
    script: 'echo-server.js',
    env: { ADAPTER: 'fastify', STACK: 'resilience', STORAGE: 'memory' },
  },
  {
    name: 'resilience-redis',
    script: 'echo-server.js',
    env: { ADAPTER: 'fastify', STACK: 'resilience', STORAGE: 'redis' },
  },
  {
    name: 'observability',
    script: 'echo-server.js',
    env: { ADAPTER: 'fastify', STACK: 'observability' },
  },
  {
    // As a production server runs: the resilience decorators with their state in Redis (shared
    // by replicas), metrics, tracing and a log line per call.
    name: 'full',
    script: 'echo-server.js',
    env: { ADAPTER: 'fastify', STACK: 'full', STORAGE: 'redis' },
    byDefault: true,
  },
  {
    // `full` plus identity and access: a bearer JWT on every request, `echo` behind a scope,
    // Cedar policies on every call and list, security headers. Compared with `full`.
    name: 'secure',
    script: 'echo-server.js',
    env: { ADAPTER: 'fastify', STACK: 'secure', STORAGE: 'redis' },
    byDefault: true,
    bearer: true,
    reference: 'full',
  },
  {
    // `echo` read-only behind `@Cacheable`: every measured call is a hit of the memory tier.
    name: 'cached',
    script: 'echo-server.js',
    env: { ADAPTER: 'fastify', STACK: 'cached' },
  },
  ...['headers', 'policy', 'none'].map((parts) => ({
    name: `secure-${parts}`,
    script: 'echo-server.js',
    env: { ADAPTER: 'fastify', STACK: 'secure', STORAGE: 'redis', SECURE_PARTS: parts },
    bearer: true as const,
    reference: 'full',
  })),
];

/** The bare Rampart target that the stacks (resilience, observability) are compared with. */
const BARE = 'rampart-fastify';

/** One request shape driven against every target. */
interface Scenario {
  name: string;
  title: string;
  method: 'tools/call' | 'tools/list';
  /** Value of `Mcp-Name` (required for tools/call), if any. */
  mcpName?: string;
  /** Extra tools the server registers next to `echo` (TOOLS env). */
  tools: number;
  params: Record<string, unknown>;
  /**
   * Extra env of the server (e.g. `DISCOVERY=progressive`); a scenario with env runs only on the
   * targets that read it (the Rampart echo server).
   */
  env?: Record<string, string>;
  /** Returns a reason when the JSON-RPC result is not the expected one. */
  check: (result: Record<string, unknown>) => string | undefined;
}

const checkEcho = (result: Record<string, unknown>): string | undefined => {
  const content = result.content as { type?: unknown; text?: unknown }[] | undefined;
  if (!Array.isArray(content) || content[0]?.type !== 'text' || content[0]?.text !== 'hi') {
    return 'expected content [{ type: "text", text: "hi" }]';
  }
  if (result.isError === true) return 'tool result has isError: true';
  return undefined;
};

const checkList =
  (tools: number) =>
  (result: Record<string, unknown>): string | undefined => {
    const list = result.tools as { name?: unknown }[] | undefined;
    if (!Array.isArray(list)) return 'expected a tools array';
    if (list.length !== tools + 1) {
      return `expected ${tools + 1} tools (echo + TOOLS=${tools}), got ${list.length}`;
    }
    const expected = ['echo', ...extraTools(tools).map((tool) => tool.name)];
    const listed = new Set(list.map((tool) => tool.name));
    const missing = expected.filter((name) => !listed.has(name));
    if (missing.length > 0) return `not listed: ${missing.slice(0, 5).join(', ')}`;
    return undefined;
  };

/** The three meta-tools a server in progressive discovery mode lists, whatever its size. */
const checkMetaTools = (result: Record<string, unknown>): string | undefined => {
  const names = (result.tools as { name?: unknown }[] | undefined)?.map((tool) => tool.name);
  return JSON.stringify(names) === '["search_tools","describe_tool","call_tool"]'
    ? undefined
    : `expected the three meta-tools, got ${JSON.stringify(names)}`;
};

/** `tools/list` of the echo server in progressive discovery mode with `tools` extra tools. */
const discoveryList = (tools: number): Scenario => ({
  name: `discovery${tools}`,
  title: `tools/list in progressive discovery mode, TOOLS=${tools}`,
  method: 'tools/list',
  tools,
  params: {},
  env: { DISCOVERY: 'progressive' },
  check: checkMetaTools,
});

const SCENARIOS: Scenario[] = [
  {
    name: 'call',
    title: 'tools/call echo (TOOLS=5)',
    method: 'tools/call',
    mcpName: 'echo',
    tools: 5,
    params: { name: 'echo', arguments: { text: 'hi' } },
    check: checkEcho,
  },
  {
    name: 'list5',
    title: 'tools/list, TOOLS=5',
    method: 'tools/list',
    tools: 5,
    params: {},
    check: checkList(5),
  },
  {
    name: 'list200',
    title: 'tools/list, TOOLS=200',
    method: 'tools/list',
    tools: 200,
    params: {},
    check: checkList(200),
  },
  discoveryList(50),
  discoveryList(1000),
  {
    name: 'search1000',
    title: 'tools/call search_tools (brief, 10 results) in progressive discovery mode, TOOLS=1000',
    method: 'tools/call',
    mcpName: 'search_tools',
    tools: 1000,
    params: { name: 'search_tools', arguments: { query: 'synthetic tool number 420' } },
    env: { DISCOVERY: 'progressive' },
    check: (result) => {
      const found = (result.structuredContent as { tools?: { name?: unknown }[] } | undefined)
        ?.tools;
      return Array.isArray(found) && found.length === 10 && found[0]?.name === 'tool_420'
        ? undefined
        : 'expected 10 brief results, tool_420 first';
    },
  },
];

// ---------------------------------------------------------------------------
// Wire form (2026-07-28 stateless: per-request `_meta` envelope + headers).
// Keys verified against @modelcontextprotocol/server 2.4.0:
// PROTOCOL_VERSION_META_KEY, CLIENT_INFO_META_KEY, CLIENT_CAPABILITIES_META_KEY.
// ---------------------------------------------------------------------------

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': BENCH_PROTOCOL_VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

function requestBody(scenario: Scenario): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: scenario.method,
    params: { ...scenario.params, _meta: ENVELOPE },
  });
}

function requestHeaders(
  scenario: Scenario,
  extra?: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': BENCH_PROTOCOL_VERSION,
    'mcp-method': scenario.method,
    ...(scenario.mcpName ? { 'mcp-name': scenario.mcpName } : {}),
    ...extra,
  };
}

// ---------------------------------------------------------------------------
// Credentials of the `bearer` targets: an issuer key pair and one token, made at start.
// ---------------------------------------------------------------------------

/** What a `bearer` target is given (the public key) and sent (the token). */
interface Credentials {
  /** The issuer's public key as a JWK, JSON. */
  publicJwk: string;
  /** `Authorization` header value. */
  authorization: string;
}

/** Lifetime of the token: well past any run. */
const TOKEN_LIFETIME_S = 24 * 60 * 60;

/**
 * An RS256 key pair (the algorithm most identity providers sign access tokens with) and a token
 * as an authorization server issues it for this resource: issuer, audience, subject, tenant, the
 * scope `echo` needs, a role, `iat` and `exp`. The server verifies the signature once and then
 * remembers the token, so the algorithm does not show in the per-call cost.
 */
async function makeCredentials(): Promise<Credentials> {
  const { generateKeyPair, exportJWK, SignJWT } = await import('jose');
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = 'bench-1';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const token = await new SignJWT({
    scope: BENCH_AUTH.scope,
    tenant: 'acme',
    roles: ['member'],
  })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
    .setIssuer(BENCH_AUTH.issuer)
    .setAudience(BENCH_AUTH.resource)
    .setSubject('bench-client')
    .setIssuedAt()
    .setExpirationTime(`${TOKEN_LIFETIME_S}s`)
    .sign(privateKey);
  return { publicJwk: JSON.stringify(jwk), authorization: `Bearer ${token}` };
}

// ---------------------------------------------------------------------------
// autocannon (ships no types; this is the slice the runner uses).
// ---------------------------------------------------------------------------

interface Histogram {
  average: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p99: number;
}

interface AutocannonResult {
  requests: Histogram & { total: number; sent: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}

interface AutocannonTracker {
  on(
    event: 'response',
    listener: (client: unknown, status: number, bytes: number, ms: number) => void,
  ): void;
}

type Autocannon = (
  opts: Record<string, unknown>,
  cb: (err: Error | null, result: AutocannonResult) => void,
) => AutocannonTracker;

const autocannon = require('autocannon') as Autocannon;

// ---------------------------------------------------------------------------
// Configuration.
// ---------------------------------------------------------------------------

interface Config {
  targets: Target[];
  scenarios: Scenario[];
  connections: number;
  durationS: number;
  warmupS: number;
  /** Measured windows per target, interleaved across targets (durationS / rounds seconds each). */
  rounds: number;
  /** CPUs of the server and of this process (the load generator), when they are pinned. */
  pin?: Pinning;
  /** True when the target list was given explicitly (missing scripts are then errors). */
  explicitTargets: boolean;
  /** Made at start when some target takes bearer tokens. */
  credentials?: Credentials;
}

function pick<T extends { name: string }>(
  all: T[],
  list: string | undefined,
  kind: string,
  byDefault: (item: T) => boolean = () => true,
): T[] {
  if (list === undefined) return all.filter(byDefault);
  if (list.trim() === 'all') return all;
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !all.some((item) => item.name === name));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `unknown ${kind}: ${unknown.join(', ') || '(none given)'}; known: ${all.map((item) => item.name).join(', ')} (or all)`,
    );
  }
  return all.filter((item) => names.includes(item.name));
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be > 0, got "${raw}"`);
  return value;
}

interface Pinning {
  serverCpu: number;
  loadCpu: number;
}

/**
 * The server on the first CPU this process may use, the load generator (this process) on the
 * second: the two no longer trade places, and the server's garbage-collector threads run on the
 * server's CPU, so that its CPU cost is what slows it. `undefined` (no pinning) with fewer than
 * two CPUs or without `taskset` (util-linux).
 */
function pinning(): Pinning | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const out = execFileSync('taskset', ['-c', '-p', String(process.pid)]).toString();
    const list = out.slice(out.lastIndexOf(':') + 1).trim();
    const cpus = list.split(',').flatMap((part) => {
      const [from, to = from] = part.split('-').map(Number);
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    });
    if (cpus.length < 2) return undefined;
    return { serverCpu: cpus[0], loadCpu: cpus[1] };
  } catch {
    return undefined;
  }
}

function parseConfig(argv: string[]): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string' },
      scenarios: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      pin: { type: 'boolean' },
      baseline: { type: 'string' },
    },
    strict: true,
  });
  const targets = pick(TARGETS, values.targets, 'target', (target) => target.byDefault === true);
  return {
    targets: values.baseline ? withBaseline(targets, values.baseline) : targets,
    scenarios: pick(SCENARIOS, values.scenarios, 'scenario'),
    connections: Math.round(
      positive('connections', values.connections, intFromEnv('BENCH_CONNECTIONS', 32)),
    ),
    durationS: positive('duration', values.duration ?? process.env.BENCH_DURATION, 8),
    warmupS: positive('warmup', values.warmup ?? process.env.BENCH_WARMUP, 2),
    rounds: Math.round(positive('rounds', values.rounds ?? process.env.BENCH_ROUNDS, 1)),
    pin: values.pin || process.env.BENCH_PIN === '1' ? pinning() : undefined,
    explicitTargets: values.targets !== undefined,
  };
}

/** The targets, each Rampart one followed by its twin from the baseline checkout. */
function withBaseline(targets: Target[], checkout: string): Target[] {
  const dir = path.resolve(checkout, 'test/bench/dist');
  return targets.flatMap((target) =>
    target.script === 'echo-server.js'
      ? [
          target,
          {
            ...target,
            name: `${target.name}@baseline`,
            dir,
            ...(target.reference && { reference: `${target.reference}@baseline` }),
          },
        ]
      : [target],
  );
}

// ---------------------------------------------------------------------------
// Server process management.
// ---------------------------------------------------------------------------

const DIST_DIR = __dirname;
const PROBE = path.join(DIST_DIR, 'probe.js');
const RESULTS_DIR = path.join(DIST_DIR, '..', 'results');
const READY_TIMEOUT_MS = 30_000;
/** Idle time before each measured window. */
const WINDOW_PAUSE_MS = 500;
const CLK_TCK = 100; // `getconf CLK_TCK` on Linux x86_64/arm64.

const children = new Set<ChildProcess>();

/** A running target server with its captured output and probe channel. */
class ServerProcess {
  private readonly output: string[] = [];
  private exited: string | undefined;
  private seq = 0;
  private readonly pending = new Map<number, (reply: SampleReply) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    /** Headers every request to this server carries besides the scenario's (credentials). */
    readonly headers: Readonly<Record<string, string>> | undefined,
  ) {
    const capture = (chunk: Buffer): void => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    child.on('message', (message: SampleReply) => {
      if (message?.type !== 'bench:sample') return;
      this.pending.get(message.seq)?.(message);
      this.pending.delete(message.seq);
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      this.exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
  }

  static async start(
    target: Target,
    scenario: Scenario,
    pin: Pinning | undefined,
    credentials: Credentials | undefined,
  ): Promise<ServerProcess> {
    if (target.bearer && !credentials) throw new Error(`${target.name} needs credentials`);
    const port = await freePort();
    const script = path.join(target.dir ?? DIST_DIR, target.script);
    const node = [process.execPath, '--require', PROBE, script];
    const [command, ...args] = pin ? ['taskset', '-c', String(pin.serverCpu), ...node] : node;
    const child = spawn(command, args, {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        ...target.env,
        HOST: BENCH_HOST,
        PORT: String(port),
        TOOLS: String(scenario.tools),
        ...scenario.env,
        ...(target.bearer && { [BENCH_AUTH.publicJwkEnv]: credentials!.publicJwk }),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    children.add(child);
    return new ServerProcess(
      child,
      port,
      target.bearer && { authorization: credentials!.authorization },
    );
  }

  get url(): string {
    return `http://${BENCH_HOST}:${this.port}${MCP_PATH}`;
  }

  /** The server's recent stdout/stderr, for failure reports. */
  recentOutput(): string {
    return this.output.join('').split('\n').slice(-40).join('\n');
  }

  /** Throws if the process has died. */
  assertAlive(): void {
    if (this.exited) throw new Error(`server ${this.exited}\n${this.recentOutput()}`);
  }

  /** Asks the probe for the server's own CPU and memory counters. */
  sample(): Promise<SampleReply> {
    this.assertAlive();
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error('probe did not answer within 5 s (is --require probe.js loaded?)'));
      }, 5000);
      this.pending.set(seq, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      const request: SampleRequest = { type: 'bench:sample', seq };
      this.child.send(request);
    });
  }

  /** SIGTERM, then SIGKILL after 2 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(timer);
  }
}

function killAllChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, BENCH_HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Reads utime+stime of a process from /proc, in µs (Linux only; tick resolution). */
function procCpuUs(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime/stime are fields 14/15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLK_TCK) * 1e6;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Verification.
// ---------------------------------------------------------------------------

interface Verified {
  status: number;
  contentType: string;
  body: string;
}

/** Extracts the JSON-RPC message from a JSON or SSE response body. */
function parseRpc(contentType: string, body: string): Record<string, unknown> {
  if (contentType.includes('text/event-stream')) {
    const data = body
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .filter(Boolean);
    if (data.length === 0) throw new Error('SSE response carried no data frame');
    return JSON.parse(data[data.length - 1]) as Record<string, unknown>;
  }
  return JSON.parse(body) as Record<string, unknown>;
}

async function post(
  server: ServerProcess,
  scenario: Scenario,
  headers: Readonly<Record<string, string>> | undefined = server.headers,
): Promise<Verified> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: requestHeaders(scenario, headers),
    body: requestBody(scenario),
    signal: AbortSignal.timeout(5000),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

/** Polls until the server answers HTTP at all, then checks one request in full. */
async function waitAndVerify(server: ServerProcess, scenario: Scenario): Promise<Verified> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let answer: Verified | undefined;
  while (!answer) {
    server.assertAlive();
    try {
      answer = await post(server, scenario);
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`server not answering after ${READY_TIMEOUT_MS} ms: ${String(error)}`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const got: Verified = answer;
  const fail: (reason: string) => never = (reason) => {
    throw new Error(
      `verification failed: ${reason}\n  HTTP ${got.status} ${got.contentType}\n  ${got.body.slice(0, 600)}`,
    );
  };
  if (got.status < 200 || got.status > 299) fail(`non-2xx status ${got.status}`);
  let message: Record<string, unknown>;
  try {
    message = parseRpc(got.contentType, got.body);
  } catch (error) {
    fail(`unparseable body (${String(error)})`);
  }
  if (message.error !== undefined) fail('JSON-RPC error response');
  if (message.jsonrpc !== '2.0' || message.id !== 1) fail('not a JSON-RPC 2.0 response to id 1');
  const result = message.result;
  if (typeof result !== 'object' || result === null) fail('no result object');
  const record = result as Record<string, unknown>;
  const reason = scenario.check(record);
  if (reason) fail(reason);
  if (record.resultType !== 'complete') fail('result lacks resultType: "complete" (2026-07-28)');
  if (server.headers?.authorization) {
    // The answer above came through authentication; the same request without the token must not.
    const anonymous = await post(server, scenario, {});
    if (anonymous.status !== 401)
      throw new Error(
        `verification failed: without its bearer token the request was answered ` +
          `HTTP ${anonymous.status}, not 401\n  ${anonymous.body.slice(0, 600)}`,
      );
  }
  return answer;
}

// ---------------------------------------------------------------------------
// Load.
// ---------------------------------------------------------------------------

interface LoadOutcome {
  result: AutocannonResult;
  /** Latencies of 2xx responses, ms, sub-ms precision. */
  latenciesMs: Float64Array;
}

function load(
  server: ServerProcess,
  scenario: Scenario,
  connections: number,
  durationS: number,
  expectBody: string,
): Promise<LoadOutcome> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  return new Promise((resolve, reject) => {
    const tracker = autocannon(
      {
        url: server.url,
        method: 'POST',
        headers: requestHeaders(scenario, server.headers),
        body: requestBody(scenario),
        connections,
        duration: durationS,
        expectBody,
        timeout: 10,
      },
      (err, result) => {
        if (err) reject(err);
        else resolve({ result, latenciesMs: latencies.subarray(0, count) });
      },
    );
    // autocannon's own histogram has 1 ms resolution; keep exact latencies too.
    tracker.on('response', (_client, status, _bytes, ms) => {
      if (status < 200 || status > 299) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = ms;
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

// ---------------------------------------------------------------------------
// Measured windows and runs.
// ---------------------------------------------------------------------------

interface RunResult {
  target: string;
  scenario: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerReq: number;
  /** Same, from /proc/<pid>/stat (10 ms ticks): a cross-check of the probe. */
  procCpuUsPerReq: number | undefined;
  /** Server CPU use over the windows, % of one core. */
  serverCpuPct: number;
  /** Runner (load generator) CPU use over the windows, % of one core. */
  loadgenCpuPct: number;
  peakRssMb: number;
  requests: number;
  durationS: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCodes: Record<string, number>;
  responseBytes: number;
  /** req/s of each window, in order (one per round). */
  windowReqPerSec: number[];
  /** The bare target's req/s divided into this one's, window by window: median, min, max. */
  bareRatio?: { median: number; min: number; max: number };
  /** Same for server CPU per request (bare CPU/req ÷ this CPU/req): median. */
  bareCpuRatio?: number;
  /** Against the target's `reference` (e.g. `secure` ÷ `full`), window by window, as `bareRatio`. */
  referenceRatio?: {
    reference: string;
    median: number;
    min: number;
    max: number;
    /** Reference CPU/req ÷ this CPU/req, median. */
    cpu: number;
  };
}

/** One measured window of one target. */
interface Window {
  requests: number;
  wallUs: number;
  cpuUs: number;
  procCpuUs: number | undefined;
  loadgenUs: number;
  latenciesMs: Float64Array;
  result: AutocannonResult;
}

/** A started, verified and warmed-up target, ready for measured windows. */
interface Prepared {
  target: Target;
  server: ServerProcess;
  verified: Verified;
  windows: Window[];
}

function failure(target: Target, scenario: Scenario, server: ServerProcess, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(
    `[${target.name} / ${scenario.name}] ${message}\n--- server output (tail) ---\n${server.recentOutput()}`,
    { cause: error },
  );
}

async function prepare(target: Target, scenario: Scenario, config: Config): Promise<Prepared> {
  const server = await ServerProcess.start(target, scenario, config.pin, config.credentials);
  try {
    const verified = await waitAndVerify(server, scenario);
    await load(server, scenario, config.connections, config.warmupS, verified.body);
    server.assertAlive();
    return { target, server, verified, windows: [] };
  } catch (error) {
    await server.stop();
    throw failure(target, scenario, server, error);
  }
}

async function measureWindow(
  prepared: Prepared,
  scenario: Scenario,
  config: Config,
  seconds: number,
): Promise<void> {
  const { server, verified, target } = prepared;
  try {
    const before = await server.sample();
    const procBefore = procCpuUs(server.child.pid);
    const loadgenBefore = process.cpuUsage();
    const wallBefore = process.hrtime.bigint();
    const { result, latenciesMs } = await load(
      server,
      scenario,
      config.connections,
      seconds,
      verified.body,
    );
    const wallUs = Number(process.hrtime.bigint() - wallBefore) / 1000;
    const loadgen = process.cpuUsage(loadgenBefore);
    const after = await server.sample();
    const procAfter = procCpuUs(server.child.pid);
    prepared.windows.push({
      requests: result.requests.total,
      wallUs,
      cpuUs: after.userUs + after.systemUs - (before.userUs + before.systemUs),
      procCpuUs:
        procBefore !== undefined && procAfter !== undefined ? procAfter - procBefore : undefined,
      loadgenUs: loadgen.user + loadgen.system,
      latenciesMs: latenciesMs.slice(),
      result,
    });
  } catch (error) {
    throw failure(target, scenario, server, error);
  }
}

/** One figure per target from its windows: sums over the windows, percentiles over all responses. */
async function summarize(prepared: Prepared, scenario: Scenario): Promise<RunResult> {
  const { windows, verified, server, target } = prepared;
  const after = await server.sample();
  const sum = (pick: (w: Window) => number) => windows.reduce((total, w) => total + pick(w), 0);
  const requests = sum((w) => w.requests);
  const wallUs = sum((w) => w.wallUs);
  const cpuUs = sum((w) => w.cpuUs);
  const procCpu = windows.every((w) => w.procCpuUs !== undefined)
    ? sum((w) => w.procCpuUs!)
    : undefined;
  const latencies = new Float64Array(sum((w) => w.latenciesMs.length));
  let offset = 0;
  for (const w of windows) {
    latencies.set(w.latenciesMs, offset);
    offset += w.latenciesMs.length;
  }
  latencies.sort();
  const statusCodes: Record<string, number> = {};
  for (const w of windows)
    for (const [code, { count }] of Object.entries(w.result.statusCodeStats ?? {}))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  return {
    target: target.name,
    scenario: scenario.name,
    reqPerSec: requests / (wallUs / 1e6),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuUsPerReq: requests > 0 ? cpuUs / requests : Number.NaN,
    procCpuUsPerReq: procCpu !== undefined && requests > 0 ? procCpu / requests : undefined,
    serverCpuPct: (cpuUs / wallUs) * 100,
    loadgenCpuPct: (sum((w) => w.loadgenUs) / wallUs) * 100,
    peakRssMb: after.maxRssBytes / (1024 * 1024),
    requests,
    durationS: wallUs / 1e6,
    non2xx: sum((w) => w.result.non2xx),
    errors: sum((w) => w.result.errors),
    timeouts: sum((w) => w.result.timeouts),
    mismatches: sum((w) => w.result.mismatches),
    statusCodes,
    responseBytes: Buffer.byteLength(verified.body),
    windowReqPerSec: windows.map((w) => w.requests / (w.wallUs / 1e6)),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A target's windows against another's, round by round: req/s ratios (median, lowest, highest)
 * and the median ratio of CPU per request (the other's ÷ this one's, so that higher is cheaper).
 */
function windowRatios(
  windows: Window[],
  other: Window[],
): { median: number; min: number; max: number; cpu: number } {
  const ratios = windows.map(
    (w, r) => w.requests / w.wallUs / (other[r].requests / other[r].wallUs),
  );
  const cpu = windows.map((w, r) => other[r].cpuUs / other[r].requests / (w.cpuUs / w.requests));
  return {
    median: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    cpu: median(cpu),
  };
}

/**
 * Compares every target with the bare one, and a target that names a `reference` with that one,
 * window by window: on a machine shared with the load generator the speed of the whole box
 * drifts by more than the differences measured, and a ratio of two windows run one after the
 * other cancels most of that drift.
 */
function compareWindows(prepared: Prepared[], runs: RunResult[]): void {
  const bare = prepared.find((p) => p.target.name === BARE)?.windows;
  prepared.forEach((p, i) => {
    if (bare) {
      const { cpu, ...ratio } = windowRatios(p.windows, bare);
      runs[i].bareRatio = ratio;
      runs[i].bareCpuRatio = cpu;
    }
    const reference = prepared.find((q) => q.target.name === p.target.reference);
    if (reference)
      runs[i].referenceRatio = {
        reference: reference.target.name,
        ...windowRatios(p.windows, reference.windows),
      };
  });
}

/**
 * Runs one scenario: starts every target (idle servers use no CPU), verifies and warms each up,
 * then measures `rounds` windows per target, interleaved (A B C, B C A, C A B, …).
 */
async function measureScenario(
  targets: Target[],
  scenario: Scenario,
  config: Config,
): Promise<RunResult[]> {
  const prepared: Prepared[] = [];
  try {
    for (const target of targets) prepared.push(await prepare(target, scenario, config));
    const seconds = config.durationS / config.rounds;
    for (let round = 0; round < config.rounds; round++)
      for (let i = 0; i < prepared.length; i++) {
        // Each round starts one target later, so that no target always follows the same one;
        // a pause lets the previous server's garbage collector settle before the next window.
        const p = prepared[(round + i) % prepared.length];
        p.server.assertAlive();
        await new Promise((resolve) => setTimeout(resolve, WINDOW_PAUSE_MS));
        await measureWindow(p, scenario, config, seconds);
      }
    // Still the verified answer after the load (autocannon only counts mismatches).
    for (const p of prepared) {
      const after = await post(p.server, scenario);
      if (after.body !== p.verified.body)
        console.log(
          `⚠ ${p.target.name}: the answer after the load differs from the verified one:\n` +
            `  HTTP ${after.status} ${after.body.slice(0, 400)}`,
        );
    }
    const runs: RunResult[] = [];
    for (const p of prepared) runs.push(await summarize(p, scenario));
    compareWindows(prepared, runs);
    return runs;
  } finally {
    await Promise.all(prepared.map((p) => p.server.stop()));
  }
}

// ---------------------------------------------------------------------------
// Reporting.
// ---------------------------------------------------------------------------

const fmt = (value: number | undefined, digits: number): string =>
  value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);

const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b;

function scenarioTable(runs: RunResult[]): string {
  const byTarget = (name: string): RunResult | undefined => runs.find((r) => r.target === name);
  const raw = byTarget('raw')?.reqPerSec;
  const sdk = byTarget('sdk')?.reqPerSec;
  const lines = [
    '| target | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MB | ×ceiling | ×SDK | ×bare (median, range) | CPU ×bare |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const run of runs) {
    const bare = run.bareRatio;
    lines.push(
      `| ${run.target} | ${fmt(run.reqPerSec, 0)} | ${fmt(run.p50Ms, 2)} | ${fmt(run.p99Ms, 2)} | ` +
        `${fmt(run.cpuUsPerReq, 1)} | ${fmt(run.peakRssMb, 1)} | ${fmt(ratio(run.reqPerSec, raw), 2)} | ` +
        `${fmt(ratio(run.reqPerSec, sdk), 2)} | ` +
        `${bare ? `${fmt(bare.median, 2)} (${fmt(bare.min, 2)}–${fmt(bare.max, 2)})` : '—'} | ` +
        `${fmt(run.bareCpuRatio, 2)} |`,
    );
  }
  const compared = runs.filter((run) => run.referenceRatio);
  if (compared.length > 0) {
    lines.push(
      '',
      '| target ÷ reference | req/s (median, range) | CPU/req ratio | p99 ms | ×ceiling |',
      '|---|---:|---:|---:|---:|',
    );
    for (const run of compared) {
      const r = run.referenceRatio!;
      const reference = byTarget(r.reference)!;
      lines.push(
        `| ${run.target} ÷ ${r.reference} | ${fmt(r.median, 2)} (${fmt(r.min, 2)}–${fmt(r.max, 2)}) | ` +
          `${fmt(r.cpu, 2)} | ${fmt(run.p99Ms, 2)} vs ${fmt(reference.p99Ms, 2)} | ` +
          `${fmt(ratio(run.reqPerSec, raw), 2)} vs ${fmt(ratio(reference.reqPerSec, raw), 2)} |`,
      );
    }
  }
  return lines.join('\n');
}

interface CostRatio {
  target: string;
  cpuPerReqRatio: number | undefined;
  reqPerSecRatio: number | undefined;
}

function costRatios(all: RunResult[], targets: Target[]): CostRatio[] {
  const find = (target: string, scenario: string): RunResult | undefined =>
    all.find((r) => r.target === target && r.scenario === scenario);
  return targets
    .map((target) => ({ big: find(target.name, 'list200'), small: find(target.name, 'list5') }))
    .filter(({ big, small }) => big && small)
    .map(({ big, small }) => ({
      target: big!.target,
      cpuPerReqRatio: ratio(big!.cpuUsPerReq, small!.cpuUsPerReq),
      reqPerSecRatio: ratio(big!.reqPerSec, small!.reqPerSec),
    }));
}

/** tools/list in progressive discovery mode: 1,000 tools against 50, per target. */
function discoveryRatios(all: RunResult[], targets: Target[]): CostRatio[] {
  const find = (target: string, scenario: string): RunResult | undefined =>
    all.find((r) => r.target === target && r.scenario === scenario);
  return targets
    .map((target) => ({
      big: find(target.name, 'discovery1000'),
      small: find(target.name, 'discovery50'),
    }))
    .filter(({ big, small }) => big && small)
    .map(({ big, small }) => ({
      target: big!.target,
      cpuPerReqRatio: ratio(big!.cpuUsPerReq, small!.cpuUsPerReq),
      reqPerSecRatio: ratio(big!.reqPerSec, small!.reqPerSec),
    }));
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/**
 * The Node version the repo pins (its devDependency `node`, which npm scripts run on), when it is
 * not the one running this: a server's cost per call differs between V8 versions (an object
 * spread on the secure stack's call path took 2 µs per call on Node 20, 0.4 µs on Node 24).
 */
function pinnedNodeOtherThanThis(): string | undefined {
  try {
    const manifest = JSON.parse(
      readFileSync(path.join(DIST_DIR, '..', '..', '..', 'package.json'), 'utf8'),
    ) as { devDependencies?: Record<string, string> };
    const pinned = manifest.devDependencies?.node;
    return pinned && `v${pinned}` !== process.version ? pinned : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Main.
// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = parseConfig(process.argv.slice(2));
  const host = machine();

  const targets = config.targets.filter((target) => {
    const dir = target.dir ?? DIST_DIR;
    if (existsSync(path.join(dir, target.script))) return true;
    if (config.explicitTargets || target.dir) {
      throw new Error(`target ${target.name}: ${target.script} not found in ${dir}`);
    }
    console.log(`(skipping ${target.name}: ${target.script} not built)`);
    return false;
  });
  if (!existsSync(PROBE)) throw new Error(`${PROBE} not found: build test/bench first`);
  if (config.pin)
    execFileSync('taskset', ['-a', '-c', '-p', String(config.pin.loadCpu), String(process.pid)]);
  if (targets.some((target) => target.bearer)) config.credentials = await makeCredentials();

  console.log(`# Rampart benchmark\n`);
  console.log(
    `Machine: ${String(host.cpuModel)} × ${String(host.cpuCount)}, ${String(host.totalMemGb)} GB RAM, ` +
      `Node ${String(host.node)}, ${String(host.platform)}`,
  );
  const pinned = pinnedNodeOtherThanThis();
  if (pinned)
    console.log(
      `Note: the servers run on this Node (${process.version}); the repo pins ${pinned}. ` +
        `\`npm run bench -- …\` or \`node_modules/.bin/node test/bench/dist/run.js …\` measures that one.`,
    );
  console.log(
    `Load: autocannon, ${config.connections} connections, ${config.durationS} s measured per target ` +
      `in ${config.rounds} interleaved windows after ${config.warmupS} s warm-up, protocol ` +
      `${BENCH_PROTOCOL_VERSION} stateless, POST ${MCP_PATH}; ` +
      (config.pin
        ? `server on CPU ${config.pin.serverCpu}, load generator on CPU ${config.pin.loadCpu}`
        : 'not pinned to CPUs'),
  );
  console.log(
    `Targets: ${targets.map((t) => t.name).join(', ')}; scenarios: ${config.scenarios.map((s) => s.name).join(', ')}\n`,
  );

  const all: RunResult[] = [];
  const tables: Record<string, string> = {};
  for (const scenario of config.scenarios) {
    process.stdout.write(
      `  ${scenario.name}: ${targets.length} targets × ${config.rounds} windows of ` +
        `${fmt(config.durationS / config.rounds, 2)} s …\n`,
    );
    // A scenario that sets env runs on the targets that read it: the Rampart echo server.
    const runs = await measureScenario(
      scenario.env ? targets.filter((t) => t.script === 'echo-server.js') : targets,
      scenario,
      config,
    );
    for (const run of runs) {
      all.push(run);
      process.stdout.write(`  ${scenario.name} / ${run.target}: `);
      const issues =
        run.non2xx + run.errors + run.timeouts + run.mismatches > 0
          ? ` ⚠ non-2xx ${run.non2xx}, errors ${run.errors}, timeouts ${run.timeouts}, body mismatches ${run.mismatches}`
          : '';
      console.log(
        `${fmt(run.reqPerSec, 0)} req/s, ${run.requests} requests, ${run.responseBytes} B/response, ` +
          `server CPU ${fmt(run.serverCpuPct, 0)}%, loadgen CPU ${fmt(run.loadgenCpuPct, 0)}%, ` +
          `non-2xx ${run.non2xx}${issues}`,
      );
    }
    tables[scenario.name] = scenarioTable(runs);
    console.log(`\n## ${scenario.title}\n\n${tables[scenario.name]}\n`);
    const noisy = runs.filter((r) => r.non2xx + r.errors + r.timeouts + r.mismatches > 0);
    for (const run of noisy) {
      console.log(
        `⚠ ${run.target}: non-2xx ${run.non2xx} (${JSON.stringify(run.statusCodes)}), errors ${run.errors}, ` +
          `timeouts ${run.timeouts}, body mismatches ${run.mismatches}`,
      );
    }
  }

  const costs = costRatios(all, targets);
  if (costs.length > 0) {
    console.log('## Cost of tools/list: 200 tools vs 5 tools\n');
    console.log('| target | CPU µs/req ×(200/5) | req/s ×(200/5) |');
    console.log('|---|---:|---:|');
    for (const cost of costs) {
      console.log(
        `| ${cost.target} | ${fmt(cost.cpuPerReqRatio, 2)} | ${fmt(cost.reqPerSecRatio, 2)} |`,
      );
    }
    console.log('');
  }

  const flat = discoveryRatios(all, targets);
  if (flat.length > 0) {
    console.log('## Cost of tools/list in progressive discovery mode: 1,000 tools vs 50 tools\n');
    console.log('| target | CPU µs/req ×(1000/50) | req/s ×(1000/50) |');
    console.log('|---|---:|---:|');
    for (const cost of flat) {
      console.log(
        `| ${cost.target} | ${fmt(cost.cpuPerReqRatio, 2)} | ${fmt(cost.reqPerSecRatio, 2)} |`,
      );
    }
    console.log('');
  }

  const busyLoadgen = all.filter((r) => r.loadgenCpuPct > 90);
  if (busyLoadgen.length > 0) {
    console.log(
      `Note: the load generator used >90% of a core in ${busyLoadgen.map((r) => `${r.scenario}/${r.target}`).join(', ')}; ` +
        'those req/s figures may be client-bound (CPU µs/req is unaffected).\n',
    );
  }

  const totalS = (Date.now() - startedAt) / 1000;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, 'latest.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: new Date(startedAt).toISOString(),
        totalSeconds: totalS,
        machine: host,
        config: {
          connections: config.connections,
          durationS: config.durationS,
          warmupS: config.warmupS,
          rounds: config.rounds,
          pin: config.pin ?? null,
          protocolVersion: BENCH_PROTOCOL_VERSION,
          targets: targets.map((t) => ({ name: t.name, script: t.script, env: t.env ?? {} })),
          scenarios: config.scenarios.map((s) => ({
            name: s.name,
            title: s.title,
            tools: s.tools,
          })),
        },
        runs: all,
        costRatios: costs,
        discoveryRatios: flat,
        tables,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`Results: ${path.relative(process.cwd(), file)}`);
  console.log(`Total run time: ${totalS.toFixed(1)} s`);
}

process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllChildren();
    console.error(`\n${signal}: benchmark aborted, servers stopped`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

main().then(
  () => killAllChildren(),
  (error: unknown) => {
    killAllChildren();
    console.error(`\nBENCHMARK FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
