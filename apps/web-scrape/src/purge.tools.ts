import { Inject, Injectable } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { Args, Ctx, McpContext, Tool, ToolError } from '@rampart/core';
import { ResourceStore } from '@rampart/resources';
import { Scopes } from '@rampart/security';
import { PurgePagesInput } from './purge.dto';
import { PURGE_SCOPE } from './settings';

/** The `structuredContent` of a `purge_pages` answer. */
export interface PurgeResult {
  [key: string]: unknown;
  /** Stored pages deleted (their resource links no longer read). */
  deleted: number;
  /** Whose pages: every caller's of the tenant, or the caller's own. */
  owner: 'tenant' | 'caller';
  /** The tenant purged; `null` for the callers without a tenant. */
  tenant: string | null;
}

/**
 * `purge_pages`: deletes the pages that `scrape_url`, `batch_scrape` and `crawl_site` stored
 * (`@rampart/resources`) for the caller's tenant, or with `mine: true` for the caller only;
 * their links then answer not-found. Pages of other tenants, and pages stored without an owner
 * (an open server's bearer links), are never touched.
 *
 * Annotated `destructiveHint`, it is held by the app's `approvals.destructive` default: the call
 * becomes a task that runs only once another identity of the caller's tenant, holding
 * `APPROVER_SCOPE` (default `pages:approve`), approves these exact arguments on
 * `/rampart/approvals`. Calling it needs the scope `pages:purge`.
 *
 * The app serves it only with authentication: without it every caller is anonymous, owns no page,
 * and nobody could approve. The method refuses an anonymous caller all the same
 * (`AUTHENTICATION_REQUIRED`), should it be registered without.
 */
@Injectable()
export class PurgeTools {
  constructor(@Inject(ResourceStore) private readonly store: ResourceStore) {}

  @Scopes(PURGE_SCOPE)
  @Tool({
    name: 'purge_pages',
    server: 'web-scrape',
    title: 'Purge stored pages',
    description:
      'Delete the pages stored for your tenant (or with mine: true, only yours); their resource links stop reading. Runs once another person of your tenant approves it: answers a taskId for get_task_status and get_task_result.',
    annotations: {
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: false,
    },
  })
  async purge(@Args() input: PurgePagesInput, @Ctx() ctx: McpContext): Promise<CallToolResult> {
    const identity = ctx.identity;
    if (!identity)
      throw new ToolError(
        'AUTHENTICATION_REQUIRED',
        'purge_pages deletes the pages of the caller’s tenant: an anonymous caller has none, and may not delete pages others stored',
        {
          fault: 'caller',
          suggestions: [
            'Call it with credentials (a bearer token or an API key) that hold pages:purge',
          ],
        },
      );
    const mine = input.mine === true;
    const deleted = await this.store.deleteOwned({
      tenant: identity.tenant,
      ...(mine && { subject: identity.subject }),
    });
    const result: PurgeResult = {
      deleted,
      owner: mine ? 'caller' : 'tenant',
      tenant: identity.tenant || null,
    };
    return {
      content: [{ type: 'text', text: JSON.stringify(result) }],
      structuredContent: result,
    };
  }
}
