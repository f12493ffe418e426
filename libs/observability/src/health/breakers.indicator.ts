import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  RampartChannel,
  type BreakerSnapshot,
  type BreakerStateEvent,
  type McpBreakerStates,
} from '@rampart/core';
import { breakerStatesLookup } from '../breaker-states.lookup';
import { HEALTH_OPTIONS } from './health.constants';
import type { ResolvedHealthOptions } from './resolve-health-options';

/** Most breakers (keys of a keyed breaker each count) remembered from events. */
export const MAX_BREAKERS_SEEN = 10_000;

/**
 * Circuit breakers, read from `MCP_BREAKER_STATES` when `@rampart/resilience` (or any lib)
 * provides it, else from the `rampart:breaker-state` diagnostics channel. Readiness is
 * `degraded` (or `down`, per `criticalBreakerOpen`) while a critical breaker is open; open
 * breakers that are not critical are listed but leave it `up`.
 *
 * @example
 * ```ts
 * this.health.check([() => this.breakers.check('breakers')]);
 * ```
 */
@Injectable()
export class BreakersIndicator implements OnModuleInit, OnApplicationShutdown {
  private readonly seen = new Map<string, BreakerSnapshot>();
  private readonly critical: ReadonlySet<string>;
  private readonly onEvent = (message: unknown) => {
    const e = message as BreakerStateEvent;
    const id = `${e.name}\u0000${e.key ?? ''}`;
    if (!this.seen.has(id) && this.seen.size >= MAX_BREAKERS_SEEN && !this.makeRoom(e)) return;
    this.seen.set(id, { name: e.name, key: e.key, state: e.state, critical: e.critical });
  };

  constructor(
    @Inject(HEALTH_OPTIONS) private readonly options: ResolvedHealthOptions,
    private readonly indicators: HealthIndicatorService,
    moduleRef: ModuleRef,
  ) {
    this.critical = new Set(options.criticalBreakers);
    this.states = breakerStatesLookup(moduleRef);
  }

  private readonly states: () => McpBreakerStates | undefined;

  onModuleInit(): void {
    subscribe(RampartChannel.breakerState, this.onEvent);
  }

  onApplicationShutdown(): void {
    unsubscribe(RampartChannel.breakerState, this.onEvent);
  }

  /**
   * When the event map is full (keyed breakers, e.g. per upstream host), a breaker that is not
   * closed takes the place of a closed one, so readiness still sees it; a closed one is not kept.
   */
  private makeRoom(event: BreakerStateEvent): boolean {
    if (event.state === 'closed') return false;
    for (const [id, b] of this.seen) if (b.state === 'closed') return this.seen.delete(id);
    return false;
  }

  /** Every known breaker, with `critical` as this app counts it. */
  snapshot(): BreakerSnapshot[] {
    const list = this.states()?.snapshot() ?? [...this.seen.values()];
    return list.map((b) => ({ ...b, critical: b.critical || this.critical.has(b.name) }));
  }

  check<const Key extends string>(key: Key) {
    const session = this.indicators.check(key);
    const open = this.snapshot().filter((b) => b.state === 'open' || b.state === 'isolated');
    // Names only: keys may be hosts or identities, and health endpoints are often public.
    const names = (list: BreakerSnapshot[]) => [...new Set(list.map((b) => b.name))].sort();
    const criticalOpen = names(open.filter((b) => b.critical));
    const data = { open: names(open), criticalOpen };
    if (criticalOpen.length === 0) return session.up(data);
    return this.options.criticalBreakerOpen === 'down'
      ? session.down(data)
      : session.degraded(data);
  }
}
