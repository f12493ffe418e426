import { HealthIndicatorService } from '@nestjs/terminus';
import { EventLoopDelayIndicator } from './event-loop-delay.indicator';
import { resolveHealthOptions } from './resolve-health-options';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Keeps the event loop busy for `ms` (a synchronous stall, as a long computation makes), once the
 * histogram's timer has ticked: it measures the time between its ticks, so a stall before its
 * first tick would not count.
 */
async function stall(ms: number): Promise<void> {
  await sleep(60);
  for (const end = Date.now() + ms; Date.now() < end;);
  await sleep(60);
}

describe('EventLoopDelayIndicator', () => {
  let indicator: EventLoopDelayIndicator | undefined;
  const start = (eventLoopDelayMs: number) => {
    indicator = new EventLoopDelayIndicator(
      resolveHealthOptions({ eventLoopDelayMs }),
      new HealthIndicatorService(),
    );
    indicator.onApplicationBootstrap();
    return indicator;
  };
  afterEach(() => indicator?.onApplicationShutdown());

  // A busy machine only makes the measured delay longer: these hold however slow it is.
  it('is down when the loop stalled past the threshold since the previous check', async () => {
    const loop = start(50);
    await stall(300);
    const { event_loop } = loop.check('event_loop');
    expect(event_loop).toMatchObject({ status: 'down', thresholdMs: 50 });
    expect(event_loop.maxMs).toBeGreaterThanOrEqual(250);
    expect(event_loop.p99Ms).toBeGreaterThan(50);
  });

  it('is up when no stall reaches the threshold, and reports what it measured', async () => {
    const loop = start(60_000);
    await stall(300);
    const { event_loop } = loop.check('event_loop');
    expect(event_loop).toMatchObject({ status: 'up', thresholdMs: 60_000 });
    expect(event_loop.maxMs).toBeGreaterThanOrEqual(250);
  });
});
