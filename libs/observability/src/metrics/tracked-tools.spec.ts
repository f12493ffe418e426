import type { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Tool, type ToolEntry } from '@rampart/core';
import { TrackMetrics } from '../decorators/track-metrics.decorator';
import { TrackedTools } from './tracked-tools';

@TrackMetrics()
class Tracked {
  @Tool({ name: 'a' })
  a() {}

  @Tool({ name: 'b' })
  @TrackMetrics({ enabled: false })
  b() {}
}

class Plain {
  @Tool({ name: 'c' })
  c() {}

  @Tool({ name: 'd' })
  @TrackMetrics()
  d() {}
}

/** The registry entry discovery makes of the `@Tool()` method `key` of `type`. */
function entryOf(type: Type, key: string): ToolEntry {
  const method = Object.getOwnPropertyDescriptor(type.prototype, key)!.value as () => void;
  return {
    name: key,
    definition: { name: key, inputSchema: { type: 'object' } },
    source: `${type.name}.${key}`,
    handler: { kind: 'method', type, method, key },
    invoke: () => Promise.resolve(undefined),
  };
}

describe('TrackedTools', () => {
  const tracked = new TrackedTools(new Reflector());

  it("reads @TrackMetrics() off the entry's method, then its class", () => {
    expect(tracked.decision(entryOf(Tracked, 'a'))).toBe(true);
    expect(tracked.decision(entryOf(Tracked, 'b'))).toBe(false);
    expect(tracked.decision(entryOf(Plain, 'c'))).toBeUndefined();
    expect(tracked.decision(entryOf(Plain, 'd'))).toBe(true);
  });

  it('has no say on tools added at run time', () => {
    expect(
      tracked.decision({
        ...entryOf(Plain, 'c'),
        handler: { kind: 'dynamic', options: { name: 'c' } },
      }),
    ).toBeUndefined();
  });
});
