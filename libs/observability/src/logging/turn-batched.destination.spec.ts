import { execFileSync } from 'node:child_process';
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

  it('writes the pending lines when the process exits before the turn ends', () => {
    const script = `
      const pino = require('pino');
      const { TurnBatchedDestination } = require('@rampart/observability');
      const logger = pino(new TurnBatchedDestination(pino.destination({ fd: 1, sync: true })));
      logger.info({ call: 1 }, 'first');
      logger.info({ call: 2 }, 'second');
      process.exit(0);
    `;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: process.cwd() }).toString();
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; call: number });
    expect(lines.map((l) => [l.msg, l.call])).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
  });
});
