/** Metadata key of `@Public()`. */
export const PUBLIC_KEY = 'RAMPART:PUBLIC';
/** Metadata key of `@Scopes()`. */
export const SCOPES_KEY = 'RAMPART:SCOPES';
/** Metadata key of `@Roles()`. */
export const ROLES_KEY = 'RAMPART:ROLES';
/** Metadata key of `@Tags()`. */
export const TAGS_KEY = 'RAMPART:TAGS';
/** Metadata key of `@Risk()`. */
export const RISK_KEY = 'RAMPART:RISK';

/** The scope the admin endpoints need by default. */
export const DEFAULT_ADMIN_SCOPE = 'rampart:admin';

/** The path of RFC 9728 protected resource metadata. */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** JSON-RPC code of authentication and authorization refusals (JSON-RPC's server range). */
export const ACCESS_DENIED_RPC_CODE = -32000;
