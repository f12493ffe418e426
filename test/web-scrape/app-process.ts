import { spawn, type ChildProcess } from 'node:child_process';
import { stripAnsi } from './built-app';

/** How a process ended: its exit code, or the signal that ended it. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The built web-scrape app (or any command) as a child process, with its stdout and stderr kept
 * as text. Tests wait for lines rather than for time: {@link waitFor} resolves as soon as the
 * output matches and fails when the process ends first or when `limitMs` (a bound for a slow
 * machine, not an expectation) has passed.
 */
export class AppProcess {
  stdout = '';
  stderr = '';
  /** Resolves when the process has ended. */
  readonly exit: Promise<Exit>;
  private readonly child: ChildProcess;
  private ended?: Exit;
  private readonly waiters = new Set<() => void>();

  constructor(command: string, args: string[], env: Record<string, string>) {
    this.child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => this.add('stdout', chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => this.add('stderr', chunk));
    this.exit = new Promise<Exit>((resolve) =>
      this.child.once('close', (code, signal) => {
        this.ended = { code, signal };
        this.wake();
        resolve(this.ended);
      }),
    );
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid!;
  }

  /** Waits until `stream` matches `pattern`; returns the match. */
  waitFor(
    stream: 'stdout' | 'stderr',
    pattern: RegExp,
    limitMs = 60_000,
  ): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${pattern} on ${stream} within ${limitMs} ms:\n${this.output()}`));
      }, limitMs);
      const check = () => {
        const found = pattern.exec(stripAnsi(this[stream]));
        if (found || this.ended) {
          clearTimeout(timer);
          this.waiters.delete(check);
          if (found) resolve(found);
          else
            reject(
              new Error(
                `ended (${JSON.stringify(this.ended)}) before ${pattern} on ${stream}:\n${this.output()}`,
              ),
            );
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Sends `signal` to the process. */
  kill(signal: NodeJS.Signals): void {
    if (!this.ended) this.child.kill(signal);
  }

  /** Ends the process if it still runs (SIGKILL) and waits for it. */
  async stop(): Promise<void> {
    this.kill('SIGKILL');
    await this.exit;
  }

  /** Both streams, for failure messages. */
  output(): string {
    return `--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`;
  }

  private add(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this[stream] += chunk.toString();
    this.wake();
  }

  private wake(): void {
    for (const check of this.waiters) check();
  }
}
