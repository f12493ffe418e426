import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ToolEntry } from '@rampart/core';
import { TrackMetrics } from '../decorators/track-metrics.decorator';

/**
 * Which tools `@TrackMetrics()` selects, read from the registry entry of a tool (its method, then
 * its class), as the metrics resolve each server's tool once.
 *
 * @example
 * ```ts
 * const entry = servers.find(server)?.registry.tools.get(tool);
 * const tracked = entry && trackedTools.decision(entry);
 * ```
 */
@Injectable()
export class TrackedTools {
  constructor(private readonly reflector: Reflector) {}

  /**
   * `true`/`false` when the tool's method or its class says so, `undefined` when neither does and
   * for tools added at run time (they have no decorators).
   */
  decision(entry: ToolEntry): boolean | undefined {
    const { handler } = entry;
    if (handler.kind !== 'method') return undefined;
    const own =
      this.reflector.get(TrackMetrics, handler.method) ??
      this.reflector.get(TrackMetrics, handler.type);
    return own ? own.enabled !== false : undefined;
  }
}
