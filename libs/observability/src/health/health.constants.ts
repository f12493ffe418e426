/** Injection token of the resolved {@link HealthOptions}. */
export const HEALTH_OPTIONS = Symbol.for('rampart:health-options');

/** Injection token of the Redis client that readiness pings (absent when none is configured). */
export const HEALTH_REDIS = Symbol.for('rampart:health-redis');
