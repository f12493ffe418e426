import { Inject, Injectable, Logger } from '@nestjs/common';
import type { McpIdentity } from '@rampart/core';
import { ResourceLinkNotFoundError } from '../errors/resource-link-not-found.error';
import { ResourceOwnerRequiredError } from '../errors/resource-owner-required.error';
import type { OffloadOptions } from '../interfaces/resources-module-options.interface';
import { ResourceLinkSigner, type ResourceLinkClaims } from '../links/resource-link.signer';
import { RESOLVED_RESOURCES_OPTIONS, type ResolvedResourcesOptions } from '../resources-options';
import { ResourceStore, type ResourceOwner, type StoredResource } from '../storage/resource.store';
import { contentBytes } from '../storage/store-limits';
import type { OffloadedToolResult } from './offloaded-result.interface';

/**
 * Options of one offload: the module's `offload` defaults can be overridden per call; `owner` is
 * required, and is the calling identity (`ctx.identity`), `undefined` when anonymous.
 *
 * @example
 * ```ts
 * await offloader.offloadIfLarge(page, { owner: ctx.identity, previewChars: 500, mimeType: 'text/html' });
 * ```
 */
export interface OffloadCallOptions extends OffloadOptions {
  /** Who may read the stored result: the caller's identity, `undefined` when anonymous. */
  owner: McpIdentity | undefined;
}

/** Media types whose bytes have a text preview. */
const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|yaml|x-yaml|csv)\b)/i;

/**
 * Keeps large tool results out of the model's context: stores them in the {@link ResourceStore}
 * and answers a resource link bound to the caller plus a preview, and reads them back for
 * `resources/read` after checking the link (signature, expiry, owner) before the store is
 * touched. Used by tools directly, and by `@Offload()` through the `OffloadInterceptor`.
 *
 * @example
 * ```ts
 * @Tool({ name: 'scrape_url', annotations: { readOnlyHint: true } })
 * async scrape(@Args() input: ScrapeUrlInput, @Ctx() ctx: McpContext) {
 *   const page = await this.fetcher.get(input.url, { signal: ctx.signal });
 *   return this.offloader.offloadIfLarge(page, { owner: ctx.identity, previewChars: 500 });
 * }
 * ```
 */
@Injectable()
export class Offloader {
  private readonly logger = new Logger('Offloader');

  constructor(
    @Inject(ResourceStore) private readonly store: ResourceStore,
    private readonly signer: ResourceLinkSigner,
    @Inject(RESOLVED_RESOURCES_OPTIONS) private readonly options: ResolvedResourcesOptions,
  ) {}

  /**
   * `content` itself when it has `thresholdBytes` bytes or fewer; otherwise it is stored and
   * the answer is an {@link OffloadedToolResult} (a preview, a resource link, and the seed's
   * `structuredContent`). Fails with `RESOURCE_OWNER_REQUIRED` for an anonymous caller unless
   * `anonymous: 'allow'`, and with `RESOURCE_TOO_LARGE` past `maxEntryBytes`.
   */
  async offloadIfLarge<T extends string | Uint8Array>(
    content: T,
    options: OffloadCallOptions,
  ): Promise<T | OffloadedToolResult> {
    const threshold = options.thresholdBytes ?? this.options.offload.thresholdBytes;
    if (contentBytes(content) <= threshold) return content;
    return this.offload(content, options);
  }

  /** Stores `content` whatever its size and answers the {@link OffloadedToolResult}. */
  async offload(
    content: string | Uint8Array,
    options: OffloadCallOptions,
  ): Promise<OffloadedToolResult> {
    const owner = this.ownerOf(options.owner);
    const defaults = this.options.offload;
    const mimeType = options.mimeType ?? defaults.mimeType;
    const stored = await this.store.put({
      content,
      mimeType,
      owner,
      ttlMs: options.ttlMs ?? defaults.ttlMs,
      ...(options.name !== undefined && { name: options.name }),
    });
    const uri = this.signer.sign({ id: stored.id, owner, expiresAt: stored.expiresAt });
    const preview = previewOf(content, options.previewChars ?? defaults.previewChars, mimeType);
    const expiresAt = new Date(stored.expiresAt).toISOString();
    const whole =
      typeof content === 'string'
        ? `${preview.length} of ${content.length} characters`
        : `${stored.sizeBytes} bytes of ${mimeType}`;
    return {
      content: [
        {
          type: 'text',
          text:
            `${preview}${preview ? '\n\n' : ''}[Preview: ${whole} (${stored.sizeBytes} bytes in all). ` +
            `The whole result is the resource ${uri}, readable with resources/read until ${expiresAt}.]`,
        },
        {
          type: 'resource_link',
          uri,
          name: options.name ?? `offloaded-${stored.id}`,
          description: `The whole result (${stored.sizeBytes} bytes), readable until ${expiresAt}`,
          mimeType,
          size: stored.sizeBytes,
        },
      ],
      structuredContent: {
        resource_id: stored.id,
        resource_uri: uri,
        preview,
        size_bytes: stored.sizeBytes,
        expires_at: expiresAt,
      },
    };
  }

  /**
   * The stored resource a link points to, for `reader`. The link's shape, key, signature and
   * expiry, then whether `reader` may use it, are checked before the store is read; any failure,
   * and a resource that is gone, throws the same {@link ResourceLinkNotFoundError}.
   */
  async read(uri: string, reader: McpIdentity | undefined): Promise<StoredResource> {
    const claims = this.admit(uri, reader);
    const stored = claims && (await this.store.get(claims.id));
    if (!stored || !sameOwner(stored.owner, claims.owner)) {
      if (claims) this.logger.debug(`Refused a resource link: not in the store (${claims.id})`);
      throw new ResourceLinkNotFoundError(uri);
    }
    return stored;
  }

  /**
   * Deletes what a link points to, when `reader` may read it; answers whether something was
   * deleted (`false` for a link `reader` may not use, as for one that is gone). Its link then
   * answers not-found, like any other.
   */
  async delete(uri: string, reader: McpIdentity | undefined): Promise<boolean> {
    const claims = this.admit(uri, reader);
    return claims ? this.store.delete(claims.id) : false;
  }

  /**
   * Whether `reader` may use a link owned by `owner`: the owner itself (same subject and
   * tenant); a holder of `sharingScope` of the same tenant; anyone for an anonymous owner when
   * anonymous links are allowed (a bearer link). Override to change the rule.
   */
  protected mayRead(owner: ResourceOwner | null, reader: McpIdentity | undefined): boolean {
    if (owner === null) return this.options.anonymous === 'allow';
    if (!reader) return false;
    if ((reader.tenant || undefined) !== (owner.tenant || undefined)) return false;
    if (reader.subject === owner.subject) return true;
    const scope = this.options.sharingScope;
    return scope !== undefined && (reader.scopes?.includes(scope) ?? false);
  }

  /** The owner of a result made by `identity`; an anonymous caller's only when allowed. */
  protected ownerOf(identity: McpIdentity | undefined): ResourceOwner | null {
    if (identity)
      return identity.tenant
        ? { subject: identity.subject, tenant: identity.tenant }
        : { subject: identity.subject };
    if (this.options.anonymous === 'allow') return null;
    throw new ResourceOwnerRequiredError();
  }

  /** The claims of a link `reader` may use, or `undefined`. */
  private admit(uri: string, reader: McpIdentity | undefined): ResourceLinkClaims | undefined {
    const verdict = this.signer.verify(uri);
    if (!verdict.valid) {
      this.logger.debug(`Refused a resource link: ${verdict.reason}`);
      return undefined;
    }
    if (!this.mayRead(verdict.claims.owner, reader)) {
      this.logger.debug('Refused a resource link: another owner');
      return undefined;
    }
    return verdict.claims;
  }
}

function sameOwner(a: ResourceOwner | null, b: ResourceOwner | null): boolean {
  if (a === null || b === null) return a === b;
  return a.subject === b.subject && (a.tenant || undefined) === (b.tenant || undefined);
}

/**
 * The first `chars` characters of a text (never half of a surrogate pair), or of bytes of a
 * textual media type decoded as UTF-8; empty for other bytes.
 */
export function previewOf(content: string | Uint8Array, chars: number, mimeType: string): string {
  let text: string;
  if (typeof content === 'string') text = content.slice(0, chars);
  else if (!TEXTUAL.test(mimeType) || chars === 0) return '';
  else {
    // At most 4 bytes a character; a character cut at the end decodes as U+FFFD and is dropped.
    text = new TextDecoder().decode(content.subarray(0, chars * 4)).slice(0, chars);
    if (content.byteLength > chars * 4) text = text.replace(/\uFFFD$/, '');
  }
  return /[\uD800-\uDBFF]$/.test(text) ? text.slice(0, -1) : text;
}
