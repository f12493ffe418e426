import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ToolMetadata } from '@rampart/core';
import { TrackMetrics } from '../decorators/track-metrics.decorator';

/**
 * Which tool methods `@TrackMetrics()` selects, found once by discovery: `Class.method` (the
 * `source` of a registry entry) → tracked or explicitly left out.
 */
@Injectable()
export class TrackedTools {
  private decisions?: Map<string, boolean>;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /** `true`/`false` when the method or its class says so, `undefined` when neither does. */
  decision(source: string): boolean | undefined {
    return (this.decisions ??= this.scan()).get(source);
  }

  private scan(): Map<string, boolean> {
    const decisions = new Map<string, boolean>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
      if (!prototype || prototype === Object.prototype) continue;
      const type = prototype.constructor as () => void;
      const onClass = this.reflector.get(TrackMetrics, type);
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = prototype[methodName];
        if (typeof method !== 'function' || !this.reflector.get(ToolMetadata, method as () => void))
          continue;
        const own = this.reflector.get(TrackMetrics, method as () => void) ?? onClass;
        if (own) decisions.set(`${type.name}.${methodName}`, own.enabled !== false);
      }
    }
    return decisions;
  }
}
