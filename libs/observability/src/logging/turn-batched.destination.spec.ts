import { spawnSync } from 'node:child_process';
import type { DestinationStream } from 'pino';
import { TurnBatchedDestination } from './turn-batched.destination';

class Recorder implements DestinationStream {
  readonly writes: string[] = [];
  write(chunk: string): void {
    this.writes.push(chunk);
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnBatchedDestination', () => {
  it('writes the lines of one event-loop turn in one write when the turn ends', async () => {
    const target = new Recorder();
    const destination = new TurnBatchedDestination(target);
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    expect(target.writes).toEqual([]);
    await nextTurn();
    expect(target.writes).toEqual(['{"n":1}\n{"n":2}\n']);
    destination.write('{"n":3}\n');
    await nextTurn();
    expect(target.writes).toEqual(['{"n":1}\n{"n":2}\n', '{"n":3}\n']);
  });

  it('writes at once on flush(), and nothing twice', async () => {
    const target = new Recorder();
    const destination = new TurnBatchedDestination(target);
    destination.write('a\n');
    destination.flush();
    expect(target.writes).toEqual(['a\n']);
    await nextTurn();
    destination.flush();
    expect(target.writes).toEqual(['a\n']);
  });

  it('writes the pending lines, in order, when the process exits before the turn ends', () => {
    // The destination goes second: pino takes a lone argument without `writable` for options,
    // and would log through its own asynchronous stdout instead (which reorders lines at exit).
    // Without the exit hook, the lines of this turn would never be written.
    const script = `
      const pino = require('pino');
      const { TurnBatchedDestination } = require('@rampart/observability');
      const target = pino.destination({ fd: 1, sync: true });
      const writes = [];
      const write = target.write.bind(target);
      target.write = (chunk) => (writes.push(chunk), write(chunk));
      const logger = pino({}, new TurnBatchedDestination(target));
      for (let call = 1; call <= 20; call++) logger.info({ call }, 'line');
      process.on('exit', () => process.stderr.write(String(writes.length)));
      process.exit(0);
    `;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: process.cwd() });
    const calls = child.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { call: number }).call);
    expect(calls).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // All of them in the one write of the exit hook.
    expect(child.stderr.toString()).toBe('1');
  });
});
