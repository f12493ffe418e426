export type {
  SecurityModuleOptions,
  JwtOptions,
  IntrospectionOptions,
  IdentityClaims,
  ApiKeyOptions,
  GovernanceOptions,
  AccessRule,
  RiskLevel,
  PolicyOptions,
  SecurityHttpOptions,
  CorsOptions,
} from './interfaces/security-module-options.interface';
export { ApiKeyStore, type ApiKeyRecord } from './api-keys/api-key.store';
export { KillSwitchStore, type KillSwitch } from './governance/kill-switch.store';
export { SECURITY_MODULE_OPTIONS } from './security.module-definition';
export { InMemoryKillSwitchStore } from './governance/in-memory-kill-switch.store';
export { KillSwitchInputError, isKillSwitchInputError } from './governance/kill-switch-input.error';
export {
  RedisKillSwitchStore,
  type RedisKillSwitchStoreOptions,
  DEFAULT_KILL_SWITCH_REDIS_KEY,
  DEFAULT_KILL_SWITCH_COMMAND_TIMEOUT_MS,
} from './governance/redis-kill-switch.store';
export {
  KillSwitchStoreUnavailableError,
  isKillSwitchStoreUnavailableError,
} from './governance/kill-switch-store-unavailable.error';
export {
  createKillSwitchAdminHandler,
  type KillSwitchAdminAuthorize,
  type KillSwitchAdminBody,
  type KillSwitchAdminHandler,
  type KillSwitchAdminOptions,
  type KillSwitchAdminRoute,
} from './governance/kill-switch-admin.handler';
export { mountKillSwitchAdmin } from './governance/kill-switch-admin.mount';
