import type { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { channel } from 'node:diagnostics_channel';
import { RampartChannel, type BreakerStateEvent } from '@rampart/core';
import { BreakersIndicator, MAX_BREAKERS_SEEN } from './breakers.indicator';
import { resolveHealthOptions } from './resolve-health-options';

/** A ModuleRef without `MCP_BREAKER_STATES`: the indicator falls back to the events. */
const noStates = {
  get: () => {
    throw new Error('not provided');
  },
} as unknown as ModuleRef;
const breakerState = channel(RampartChannel.breakerState);
const publish = (event: BreakerStateEvent) => breakerState.publish(event);

describe('BreakersIndicator from breaker-state events', () => {
  let indicator: BreakersIndicator;
  beforeEach(() => {
    indicator = new BreakersIndicator(
      resolveHealthOptions(true),
      new HealthIndicatorService(),
      noStates,
    );
    indicator.onModuleInit();
  });
  afterEach(() => indicator.onApplicationShutdown());

  it('keeps a bounded number of keys, and still sees an open breaker once full', () => {
    for (let i = 0; i < MAX_BREAKERS_SEEN + 500; i++)
      publish({ name: 'fetch', key: `user-${i}`, state: 'closed', critical: false });
    expect(indicator.snapshot()).toHaveLength(MAX_BREAKERS_SEEN);
    publish({ name: 'fetch', key: 'host-x', state: 'open', critical: true });
    const snapshot = indicator.snapshot();
    expect(snapshot).toHaveLength(MAX_BREAKERS_SEEN);
    expect(snapshot).toContainEqual({
      name: 'fetch',
      key: 'host-x',
      state: 'open',
      critical: true,
    });
  });

  it('updates a known key whatever the size', () => {
    publish({ name: 'fetch', key: 'a', state: 'open', critical: false });
    publish({ name: 'fetch', key: 'a', state: 'closed', critical: false });
    expect(indicator.snapshot()).toEqual([
      { name: 'fetch', key: 'a', state: 'closed', critical: false },
    ]);
  });
});
