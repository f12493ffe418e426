import type { Logger } from '@nestjs/common';
import { KILL_SWITCH_LISTENER_FAILED } from './kill-switch-messages.constant';

/**
 * The `watch` listeners of a kill switch store: each is called in a microtask after a change (so
 * never inside the code that made it), and one that throws is logged and does not stop the rest.
 */
export class KillSwitchListeners {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly logger: Logger) {}

  /** Adds `listener`; returns its unsubscribe function. Adding one function twice adds it twice. */
  add(listener: () => void): () => void {
    const entry = () => listener();
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** Calls every listener, in a microtask. */
  notify(): void {
    queueMicrotask(() => {
      for (const listener of this.listeners)
        try {
          listener();
        } catch (e) {
          this.logger.warn(KILL_SWITCH_LISTENER_FAILED((e as Error)?.message ?? String(e)));
        }
    });
  }

  clear(): void {
    this.listeners.clear();
  }
}
