import { RISK_LEVELS } from './decorators/access.decorators';
import { ASYMMETRIC_ALGORITHMS } from './auth/jwt-verifier';
import { INVALID_OPTIONS } from './errors/messages.constant';
import { SecurityDefinitionError } from './errors/security-definition.error';
import type { SecurityModuleOptions } from './interfaces/security-module-options.interface';

/** Fails the boot on options that cannot work, naming each problem. */
export function assertSecurityOptions(options: SecurityModuleOptions): void {
  const problems: string[] = [];
  const o = options ?? {};
  if (o.resource !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(o.resource);
    } catch {
      problems.push(`"resource" must be an absolute URL, not ${JSON.stringify(o.resource)}`);
    }
    if (url && url.protocol !== 'https:' && !isLoopbackHost(url.hostname))
      problems.push('"resource" must be an https URL (http only on loopback)');
    if (url?.hash) problems.push('"resource" must not have a fragment');
  }
  if (o.jwt) {
    if (!o.jwt.issuer || (Array.isArray(o.jwt.issuer) && o.jwt.issuer.length === 0))
      problems.push('"jwt.issuer" is required');
    if (!o.jwt.audience && !o.resource)
      problems.push(
        '"jwt" needs "resource" (or "jwt.audience"): tokens must be bound to this server',
      );
    if (!!o.jwt.jwksUrl === !!o.jwt.keys)
      problems.push('"jwt" needs exactly one of "jwksUrl" and "keys"');
    if (o.jwt.jwksUrl && !isUrl(o.jwt.jwksUrl)) problems.push('"jwt.jwksUrl" must be a URL');
    for (const alg of o.jwt.algorithms ?? [])
      if (!ASYMMETRIC_ALGORITHMS.includes(alg))
        problems.push(
          `"jwt.algorithms" may not contain ${JSON.stringify(alg)}: only asymmetric algorithms (${ASYMMETRIC_ALGORITHMS.join(', ')}) are accepted`,
        );
    for (const key of ['clockSkewMs', 'jwksCooldownMs', 'jwksMaxAgeMs', 'jwksTimeoutMs'] as const) {
      const v = o.jwt[key];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0))
        problems.push(`"jwt.${key}" must be a number ≥ 0`);
    }
  }
  if (o.introspection) {
    const i = o.introspection;
    if (!isUrl(i.url)) problems.push('"introspection.url" must be a URL');
    if (!i.clientId || !i.clientSecret)
      problems.push('"introspection" needs "clientId" and "clientSecret"');
  }
  if (o.apiKeys?.header !== undefined && !/^[A-Za-z0-9-]+$/.test(o.apiKeys.header))
    problems.push('"apiKeys.header" must be an HTTP header name');
  if (o.anonymous !== undefined && o.anonymous !== 'allow' && o.anonymous !== 'deny')
    problems.push('"anonymous" must be "allow" or "deny"');
  if (
    o.defaultAccess !== undefined &&
    !['authenticated', 'public', 'deny'].includes(o.defaultAccess)
  )
    problems.push('"defaultAccess" must be "authenticated", "public" or "deny"');
  if (o.localIdentity !== undefined && typeof o.localIdentity?.subject !== 'string')
    problems.push('"localIdentity" needs a "subject"');
  const g = o.governance;
  if (g?.maxRisk !== undefined && !RISK_LEVELS.includes(g.maxRisk))
    problems.push(`"governance.maxRisk" must be one of ${RISK_LEVELS.join(', ')}`);
  g?.disable?.forEach((rule, i) => {
    const fields = ['tags', 'names', 'riskAtLeast', 'tenants', 'roles', 'environments'] as const;
    if (!fields.some((f) => rule?.[f] !== undefined))
      problems.push(`"governance.disable[${i}]" has no condition: it would disable everything`);
    if (rule?.riskAtLeast !== undefined && !RISK_LEVELS.includes(rule.riskAtLeast))
      problems.push(
        `"governance.disable[${i}].riskAtLeast" must be one of ${RISK_LEVELS.join(', ')}`,
      );
  });
  const headers: unknown = o.http?.headers;
  if (headers !== undefined && typeof headers !== 'boolean' && headers !== 'all')
    problems.push(`"http.headers" must be true, false or 'all', got ${JSON.stringify(headers)}`);
  for (const origin of o.http?.cors?.origins ?? [])
    if (!isOrigin(origin))
      problems.push(
        `"http.cors.origins" holds ${JSON.stringify(origin)}, which is not an origin (scheme://host[:port])`,
      );
  if (problems.length) throw new SecurityDefinitionError(INVALID_OPTIONS(problems));
}

function isUrl(value: unknown): boolean {
  try {
    new URL(value as string);
    return true;
  } catch {
    return false;
  }
}

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
