import { PROTECTED_RESOURCE_METADATA_PATH } from '../security.constants';

/** RFC 9728 protected resource metadata of an MCP server. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers?: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  resource_name?: string;
}

/**
 * Where a resource's metadata lives (RFC 9728 §3.1): the well-known path inserted between the
 * host and the resource's path, so `https://mcp.example.com/mcp` has its metadata at
 * `https://mcp.example.com/.well-known/oauth-protected-resource/mcp`.
 */
export function metadataUrlOf(resource: string): URL {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return new URL(`${PROTECTED_RESOURCE_METADATA_PATH}${path}`, url.origin);
}
