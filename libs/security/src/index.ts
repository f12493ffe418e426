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
export {
  API_KEY_PREFIX,
  API_KEY_ID_PATTERN,
  API_KEY_HASH_PATTERN,
  generateApiKey,
  parseApiKey,
  hashApiKeySecret,
  apiKeySecretMatches,
  verifyApiKey,
  type GeneratedApiKey,
  type ParsedApiKey,
  type ApiKeyRefusalReason,
  type ApiKeyVerification,
} from './api-keys/api-key';
export { InMemoryApiKeyStore } from './api-keys/in-memory-api-key.store';
export {
  RedisApiKeyStore,
  DEFAULT_API_KEYS_REDIS_PREFIX,
  DEFAULT_API_KEYS_COMMAND_TIMEOUT_MS,
  type RedisApiKeyStoreOptions,
} from './api-keys/redis-api-key.store';
export { loadApiKeysFile } from './api-keys/api-keys-file';
export {
  ApiKeys,
  type IssueApiKeyInput,
  type ApiKeyInfo,
  type IssuedApiKey,
  type ApiKeyCheck,
  type ApiKeysOptions,
} from './api-keys/api-keys.service';
export {
  createApiKeyAdminHandler,
  type ApiKeyAdminAuthorize,
  type ApiKeyAdminBody,
  type ApiKeyAdminRequest,
  type ApiKeyAdminResponse,
  type ApiKeyAdminHandler,
} from './api-keys/api-key-admin.handler';
export { mountApiKeyAdmin } from './api-keys/api-key-admin.mount';
export { ApiKeyInputError, isApiKeyInputError } from './api-keys/api-key-input.error';
export { ApiKeysFileError, isApiKeysFileError } from './api-keys/api-keys-file.error';
export {
  ApiKeyStoreUnavailableError,
  isApiKeyStoreUnavailableError,
} from './api-keys/api-key-store-unavailable.error';
