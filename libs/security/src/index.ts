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
export { SecurityModule } from './security.module';
export { SecurityService } from './security.service';
export { SecurityHook } from './security.hook';
export {
  Public,
  Scopes,
  Roles,
  Tags,
  Risk,
  PublicMetadata,
  ScopesMetadata,
  RolesMetadata,
  TagsMetadata,
  RiskMetadata,
} from './decorators/access.decorators';
export { tagsOf } from './access/tags-of';
export {
  AuthenticationFailure,
  isAuthenticationFailure,
  type AuthFailureReason,
} from './auth/authentication-failure';
export type { ApiKeyVerifier } from './auth/authenticator';
export { ApiKeyVerifierToken } from './api-keys/api-key-verifier.token';
export { PolicyAuthorizerToken } from './policy/policy-authorizer.token';
export type {
  PolicyRequest,
  PolicyDecision,
  PolicyResource,
  PolicyResourceKind,
} from './policy/policy.interfaces';
export type { AccessDenial, PolicyAuthorizer } from './access/access-decision';
export {
  SecurityDefinitionError,
  isSecurityDefinitionError,
} from './errors/security-definition.error';
export { metadataUrlOf, type ProtectedResourceMetadata } from './http/protected-resource-metadata';
export { PROTECTED_RESOURCE_METADATA_PATH, DEFAULT_ADMIN_SCOPE } from './security.constants';
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
export {
  PolicyEngine,
  INLINE_POLICIES_SOURCE,
  POLICY_WATCH_DEBOUNCE_MS,
  DECISION_CACHE_SIZE,
  type PolicyEngineLogger,
  type PolicyReloadResult,
  type PolicyChangeListener,
} from './policy/policy-engine';
export type { PolicyInfo } from './policy/policy-set';
export { PolicyLoadError, isPolicyLoadError } from './errors/policy-load.error';
export { OperationsGuard } from './http/operations.guard';
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
export { SafeFetcher } from './egress/safe-fetcher';
export type {
  SafeFetcherOptions,
  SafeFetchInit,
  SafeResponse,
  EgressLogger,
} from './egress/safe-fetcher-options.interface';
export {
  SAFE_FETCHER_OPTIONS,
  DEFAULT_EGRESS_PORTS,
  DEFAULT_CONTENT_TYPES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_TOTAL_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_CONNECTIONS_PER_ORIGIN,
  DEFAULT_EGRESS_USER_AGENT,
} from './egress/egress.constants';
export {
  SystemResolver,
  type EgressResolver,
  type ResolvedAddress,
} from './egress/egress-resolver';
export { AddressPolicy } from './egress/address-policy';
export {
  REFUSED_IPV4_RANGES,
  REFUSED_IPV6_RANGES,
  GLOBAL_UNICAST_IPV6,
  type RefusedRange,
} from './egress/ip-ranges';
export { EgressRefusedError, isEgressRefusedError } from './egress/egress-refused.error';
export { EgressUrlError, isEgressUrlError } from './egress/egress-url.error';
export { EgressTooLargeError, isEgressTooLargeError } from './egress/egress-too-large.error';
export {
  EgressContentTypeError,
  isEgressContentTypeError,
} from './egress/egress-content-type.error';
export {
  EgressRedirectLimitError,
  isEgressRedirectLimitError,
} from './egress/egress-redirect-limit.error';
export { EgressNetworkError, isEgressNetworkError } from './egress/egress-network.error';
export { EgressTimeoutError, isEgressTimeoutError } from './egress/egress-timeout.error';
export { HtmlSanitizer } from './sanitize/html-sanitizer';
export type {
  HtmlSanitizerOptions,
  SanitizeHtmlOptions,
} from './sanitize/html-sanitizer-options.interface';
export {
  HTML_SANITIZER_OPTIONS,
  SANITIZE_HTML_KEY,
  DEFAULT_ALLOWED_TAGS,
  DEFAULT_ALLOWED_ATTRIBUTES,
  DEFAULT_ALLOWED_SCHEMES,
} from './sanitize/html-sanitizer.constants';
export { SanitizeHtml, SanitizeHtmlMetadata } from './sanitize/sanitize-html.decorator';
export { SanitizeHtmlInterceptor } from './sanitize/sanitize-html.interceptor';
