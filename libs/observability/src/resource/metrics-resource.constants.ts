/** Injection token of the resolved metrics resource options. */
export const METRICS_RESOURCE_OPTIONS = Symbol.for('rampart:metrics-resource-options');

/** Injection token of the tracker the metrics resource reads. */
export const METRICS_RESOURCE_TRACKER = Symbol.for('rampart:metrics-resource-tracker');
