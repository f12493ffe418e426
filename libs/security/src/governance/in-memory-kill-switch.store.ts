import { Logger } from '@nestjs/common';
import type { KillSwitch, KillSwitchStore } from './kill-switch.store';
import {
  checkKillSwitchKey,
  killSwitchField,
  normalizeKillSwitch,
  sortedCopies,
} from './kill-switch-fields';
import { KillSwitchListeners } from './kill-switch-listeners';

/**
 * Kill switches of this process only: the default, for a single replica. A change calls every
 * `watch` listener right after it (in a microtask, once `set()` or `clear()` has returned), so a
 * listener never runs inside the caller's own code.
 *
 * @example
 * ```ts
 * const store = new InMemoryKillSwitchStore();
 * store.watch(() => console.log('switches changed'));
 * await store.set({ server: 'web', target: 'delete_page', reason: 'incident 42', at: new Date().toISOString() });
 * await store.list(); // [{ server: 'web', target: 'delete_page', reason: 'incident 42', at: '…' }]
 * await store.clear('web', 'delete_page'); // true
 * ```
 */
export class InMemoryKillSwitchStore implements KillSwitchStore {
  private readonly switches = new Map<string, KillSwitch>();
  private readonly listeners = new KillSwitchListeners(new Logger('InMemoryKillSwitchStore'));

  async list(): Promise<KillSwitch[]> {
    return sortedCopies(this.switches.values());
  }

  /** @throws KillSwitchInputError when a field is missing or malformed */
  async set(kill: KillSwitch): Promise<void> {
    const copy = normalizeKillSwitch(kill);
    this.switches.set(killSwitchField(copy.server, copy.target), copy);
    this.listeners.notify();
  }

  /** @throws KillSwitchInputError when `server` or `target` is malformed */
  async clear(server: string, target?: string): Promise<boolean> {
    checkKillSwitchKey(server, target);
    const cleared = this.switches.delete(killSwitchField(server, target));
    if (cleared) this.listeners.notify();
    return cleared;
  }

  watch(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** Forgets the listeners; the switches stay (a store in memory holds no connection). */
  async close(): Promise<void> {
    this.listeners.clear();
  }
}
