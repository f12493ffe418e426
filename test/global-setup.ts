import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  MISSING_SERVICES_ENV,
  type Service,
} from './services';

/**
 * Jest's global setup, once per run, before any suite:
 *
 * - checks that the tests run on Node 24.9 or newer (`npm test` runs them on the repo's own);
 * - finds Redis at `REDIS_URL` and PostgreSQL at `DATABASE_URL`. When one does not answer on
 *   this machine, it starts it as `.ci/run` does (`redis-server` on the URL's port, bound to
 *   loopback; the PostgreSQL cluster of this machine on the URL's port, with `pg_ctlcluster`),
 *   and `test/global-teardown.ts` stops it at the end. When that cannot be done, the suites that
 *   need it are skipped (see `test/services.ts`) and one line says what to start.
 *
 * `RAMPART_TEST_START_SERVERS=false` turns starting off: missing servers are only skipped.
 */
export default async function globalSetup(): Promise<void> {
  checkRuntime();
  const start = process.env.RAMPART_TEST_START_SERVERS !== 'false';
  const missing: Service[] = [];
  if (!(await ensureRedis(start))) missing.push('redis');
  if (!onPath('redis-server')) {
    missing.push('redis-server');
    say(
      'redis-server is not installed: skipping the suites that start Redis servers of their own (install Redis to run them).',
    );
  }
  if (!(await ensurePostgres(start))) missing.push('postgres');
  process.env[MISSING_SERVICES_ENV] = missing.join(',');
}

/** What the setup started, for the teardown (same process, other module). */
export interface StartedServers {
  redis?: ChildProcess;
  clusters: { version: string; name: string }[];
}
const STARTED = Symbol.for('rampart.test.started-servers');
export const started = (): StartedServers =>
  ((globalThis as Record<symbol, StartedServers>)[STARTED] ??= { clusters: [] });

function checkRuntime(): void {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 24 || (major === 24 && minor >= 9)) return;
  throw new Error(
    `The tests run on Node ${process.version} (${process.execPath}) and need Node 24.9 or newer. ` +
      '`npm test` runs them on the Node 24 that `npm install` puts in node_modules/.bin; ' +
      'to run Jest another way, put node_modules/.bin first on PATH.',
  );
}

const say = (line: string): void => void process.stderr.write(`${line}\n`);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

// ---------------------------------------------------------------------------------------- Redis

async function ensureRedis(start: boolean): Promise<boolean> {
  const raw = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || 6379);
  if (await redisAnswers(host, port)) return true;

  let why: string;
  if (!start) why = 'starting servers is off (RAMPART_TEST_START_SERVERS=false)';
  else if (!LOOPBACK.has(url.hostname)) why = 'it is not on this machine';
  else if (url.password || url.username) why = 'the URL has credentials this run cannot set up';
  else if (!onPath('redis-server')) why = 'redis-server is not installed';
  else {
    const bind = host === 'localhost' ? '127.0.0.1' : host;
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', bind, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    started().redis = child;
    stopOnInterrupt();
    const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(false)));
    const up = await Promise.race([exited, poll(() => redisAnswers(host, port), 10_000)]);
    if (up) {
      say(`Redis: started redis-server on ${bind}:${port} for this run (it stops at the end).`);
      return true;
    }
    child.kill('SIGKILL');
    started().redis = undefined;
    why = `redis-server did not start on ${bind}:${port}`;
  }
  say(
    `Redis: nothing answers at ${mask(raw)} and ${why}; skipping the suites that need it. ` +
      `Start Redis there (redis-server --port ${port} --bind 127.0.0.1) or point REDIS_URL at one.`,
  );
  // What runs without Redis (the example apps, spawned with this environment) uses memory.
  if (process.env.REDIS_URL) process.env.REDIS_URL = '';
  return false;
}

/** Whether something answers a Redis PING (or refuses it for lack of a password) within 2 s. */
function redisAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^[+-]/.test(data.toString())));
  });
}

// ----------------------------------------------------------------------------------- PostgreSQL

async function ensurePostgres(start: boolean): Promise<boolean> {
  const raw = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const url = new URL(raw);
  const port = Number(url.port || 5432);
  let probe = await pgProbe(raw);
  if (probe.state === 'down' && start && LOOPBACK.has(url.hostname)) {
    const cluster = await startCluster(port);
    if (cluster) {
      probe = await poll(async () => {
        const p = await pgProbe(raw);
        return p.state === 'down' ? undefined : p;
      }, 30_000).then((p) => p ?? probe);
      if (probe.state !== 'down')
        say(
          `PostgreSQL: started cluster ${cluster.version}/${cluster.name} on port ${port} for this run (it stops at the end).`,
        );
    }
  }
  if (probe.state === 'no-database') {
    const database = decodeURIComponent(url.pathname.slice(1));
    const admin = new URL(raw);
    admin.pathname = '/postgres';
    const created = await pgRun(admin.href, `CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    probe = created ? await pgProbe(raw) : probe;
  }
  if (probe.state === 'up') return true;

  const database = decodeURIComponent(url.pathname.slice(1)) || 'test';
  let why: string;
  if (probe.state === 'refused') why = probe.message;
  else if (probe.state === 'no-database')
    why = `database "${database}" does not exist and could not be created`;
  else if (!start) why = 'starting servers is off (RAMPART_TEST_START_SERVERS=false)';
  else if (!LOOPBACK.has(url.hostname)) why = 'it is not on this machine';
  else
    why = `nothing answers, and no PostgreSQL cluster of this machine could be started on port ${port}`;
  say(
    `PostgreSQL: nothing usable at ${mask(raw)} (${why}); skipping the suites that need it. ` +
      `Start PostgreSQL there with a database "${database}" or point DATABASE_URL at one.`,
  );
  if (process.env.DATABASE_URL) process.env.DATABASE_URL = '';
  return false;
}

type PgProbe = { state: 'up' | 'down' | 'no-database' } | { state: 'refused'; message: string };

/** Connects and runs `select 1`: up, down (nothing answers), no such database, or refused. */
async function pgProbe(connectionString: string): Promise<PgProbe> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return { state: 'up' };
  } catch (error) {
    const e = error as { code?: string; severity?: string; message?: string };
    if (e.code === '3D000') return { state: 'no-database' };
    // Errors from the server carry a severity; anything else is the connection failing.
    if (e.severity) return { state: 'refused', message: e.message ?? String(error) };
    return { state: 'down' };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pgRun(connectionString: string, sql: string): Promise<boolean> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(sql);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Starts this machine's PostgreSQL cluster configured for `port`, if one is down. */
async function startCluster(port: number): Promise<{ version: string; name: string } | undefined> {
  if (!onPath('pg_lsclusters') || !onPath('pg_ctlcluster')) return undefined;
  const run = promisify(execFile);
  try {
    const { stdout } = await run('pg_lsclusters', ['--no-header'], { timeout: 10_000 });
    for (const line of stdout.split('\n')) {
      const [version, name, clusterPort, status] = line.trim().split(/\s+/);
      if (Number(clusterPort) !== port || !status?.startsWith('down')) continue;
      await run('pg_ctlcluster', [version, name, 'start'], { timeout: 60_000 });
      const cluster = { version, name };
      started().clusters.push(cluster);
      stopOnInterrupt();
      return cluster;
    }
  } catch {
    // not allowed or failed: the suites are skipped
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------- utils

/** Whether `command` is an executable on PATH. */
function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** Calls `check` every 100 ms until it gives a truthy value, for at most `limitMs`. */
async function poll<T>(check: () => Promise<T | undefined | false>, limitMs: number) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value || Date.now() > deadline) return value || undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The URL with its password masked, for a line on the terminal. */
const mask = (url: string): string => url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');

let interruptHandled = false;
/** On Ctrl-C, what this run started is stopped before Jest ends. */
function stopOnInterrupt(): void {
  if (interruptHandled) return;
  interruptHandled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      started().redis?.kill('SIGTERM');
      for (const { version, name } of started().clusters)
        execFile('pg_ctlcluster', [version, name, 'stop'], () => undefined);
      process.kill(process.pid, signal);
    });
}
