/** Injection token of the resolved {@link HealthOptions}. */
export const HEALTH_OPTIONS = Symbol.for('rampart:health-options');
