import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throw-away `redis-server` on 127.0.0.1 that a test starts, kills and restarts itself, or
 * freezes (`SIGSTOP`: its socket stays open, nothing answers) and thaws (`SIGCONT`).
 */
export class TestRedisServer {
  private process?: ChildProcess;
  /** Whether the server is stopped with `SIGSTOP`. */
  frozen = false;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const probe = new Redis(this.url, {
      lazyConnect: true,
      retryStrategy: () => 50,
      maxRetriesPerRequest: null,
    });
    try {
      await probe.connect().catch(() => undefined);
      await probe.ping();
    } finally {
      probe.disconnect();
    }
  }

  /** Stops the server without closing anything: connections stay open, nothing answers. */
  freeze(): void {
    if (!this.process || this.frozen) return;
    this.process.kill('SIGSTOP');
    this.frozen = true;
  }

  /** Lets a frozen server run again; it answers what was sent meanwhile. */
  thaw(): void {
    if (!this.process || !this.frozen) return;
    this.process.kill('SIGCONT');
    this.frozen = false;
  }

  /** Kills the server (thawing it first, so that nothing is left stopped). */
  async stop(): Promise<void> {
    this.thaw();
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    this.process = undefined;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/** Waits until `check` holds (polling), failing after `limitMs`. */
export async function until(check: () => boolean, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  const keys = await client.keys(`${prefix}*`);
  if (keys.length) await client.del(...keys);
}
