/**
 * A thrown kill switch: a whole server, or one primitive of it, taken out of service at run time.
 */
export interface KillSwitch {
  /** Rampart server name. */
  server: string;
  /** Tool or prompt name, or resource URI; absent when the whole server is off. */
  target?: string;
  /** Why, for the audit and for people. */
  reason?: string;
  /** Subject of who threw it. */
  by?: string;
  /** ISO 8601. */
  at: string;
}

/**
 * Where kill switches live. `InMemoryKillSwitchStore` serves one process; `RedisKillSwitchStore`
 * shares them across replicas and tells every replica of a change at once (pub/sub).
 */
export interface KillSwitchStore {
  /** Every switch currently thrown. */
  list(): Promise<KillSwitch[]>;
  /** Throws a switch (replacing one for the same server and target). */
  set(kill: KillSwitch): Promise<void>;
  /** Restores service; returns whether a switch was thrown. */
  clear(server: string, target?: string): Promise<boolean>;
  /** Calls `listener` whenever any replica changes a switch; returns an unsubscribe function. */
  watch(listener: () => void): () => void;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}

/** Injection token of the module's {@link KillSwitchStore}. */
export const KillSwitchStore = Symbol.for('rampart:kill-switch-store');
