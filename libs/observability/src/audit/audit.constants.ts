/** Injection token of the resolved audit options. */
export const AUDIT_OPTIONS = Symbol.for('rampart:audit-options');

/** Default table of the PostgreSQL sink. */
export const DEFAULT_AUDIT_TABLE = 'rampart_audit';

/** Name of the counter of dropped audit records. */
export const AUDIT_DROPPED_METRIC = 'rampart_audit_dropped_total';

/** Name of the counter of written audit records. */
export const AUDIT_WRITTEN_METRIC = 'rampart_audit_written_total';
