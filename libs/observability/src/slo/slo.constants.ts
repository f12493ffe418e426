/** Injection token of the resolved {@link SloOptions} of the SLO part. */
export const SLO_OPTIONS = Symbol.for('rampart:slo-options');

/** `_meta` key by which a client marks a call's priority; `'low'` makes it non-critical. */
export const PRIORITY_META_KEY = 'io.rampart/priority';

/** Code of the tool error answered to a shed call. */
export const BUDGET_EXHAUSTED = 'BUDGET_EXHAUSTED';

/** Default SLO window: 1 hour. */
export const DEFAULT_SLO_WINDOW_MS = 3_600_000;

/** Default number of buckets per window. */
export const DEFAULT_SLO_BUCKETS = 60;

/** Default short burn-rate window: 5 minutes. */
export const DEFAULT_SHORT_BURN_WINDOW_MS = 300_000;
