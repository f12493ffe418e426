import { Injectable } from '@nestjs/common';
import type { ReadResourceResult } from '@modelcontextprotocol/server';
import {
  Ctx,
  JsonRpcErrorCode,
  McpContext,
  McpProtocolError,
  ResourceTemplate,
} from '@rampart/core';
import { isResourceStoreUnavailableError } from '../errors/resource-store-unavailable.error';
import {
  RESOURCE_TEMPLATE_NAME,
  RESOURCE_URI_PREFIX,
  RESOURCE_URI_TEMPLATE,
} from '../resources.constants';
import { Offloader } from './offloader.service';

/**
 * The resource template through which offloaded results are read:
 * `rampart://resources/{+ref}`, on every MCP server of the app. Core's discovery finds it in
 * `ResourcesModule` like any `@ResourceTemplate()` provider; `resources/templates/list` shows
 * the one template, and `resources/list` lists no stored result (links come only from tool
 * results). The template takes every URI under `rampart://resources/` so that any link, however
 * it was tampered with, gets the same not-found as an expired or deleted one.
 *
 * @example
 * ```ts
 * const { resource_uri } = result.structuredContent;
 * const { contents } = await client.readResource({ uri: resource_uri });
 * ```
 */
@Injectable()
export class OffloadedResources {
  constructor(private readonly offloader: Offloader) {}

  @ResourceTemplate({
    uriTemplate: RESOURCE_URI_TEMPLATE,
    name: RESOURCE_TEMPLATE_NAME,
    title: 'Offloaded tool results',
    description: `Large tool results, kept for a while. Their links (${RESOURCE_URI_PREFIX}…) come in tool results, are signed for the caller that got them, and expire.`,
  })
  async read(@Ctx() ctx: McpContext): Promise<ReadResourceResult> {
    const uri = ctx.target;
    let stored;
    try {
      stored = await this.offloader.read(uri, ctx.identity);
    } catch (error) {
      // Only a link this caller may read gets here: its owner may learn that the store is down.
      if (isResourceStoreUnavailableError(error))
        throw new McpProtocolError(JsonRpcErrorCode.InternalError, error.message, {
          code: error.code,
          retryable: true,
        });
      throw error;
    }
    const base = { uri, mimeType: stored.mimeType };
    return {
      contents: [
        typeof stored.content === 'string'
          ? { ...base, text: stored.content }
          : { ...base, blob: stored.content.toString('base64') },
      ],
    };
  }
}
