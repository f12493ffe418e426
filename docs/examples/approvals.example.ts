// The approvals guide's example server, compiled and run by test/docs/approvals-example.e2e-spec.ts.
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Matches } from 'class-validator';
import { Args, Ctx, McpContext, McpModule, Tool } from '@rampart/core';
import { ObservabilityModule } from '@rampart/observability';
import { Scopes, SecurityModule } from '@rampart/security';
import {
  RequiresApproval,
  TasksModule,
  WebhookApprovalNotifier,
  type ApprovalKey,
} from '@rampart/tasks';

export class SiteInput {
  @Matches(/^[a-z0-9-]{1,63}$/)
  site!: string;
}

export class PageInput extends SiteInput {
  @Matches(/^\/[\w\-./]{0,200}$/)
  path!: string;
}

/** A stand-in for the page store: what each tool did, for the guide's test to look at. */
@Injectable()
export class PageStore {
  readonly purged: string[] = [];
  readonly deleted: string[] = [];
}

@Injectable()
export class PageTools {
  constructor(private readonly store: PageStore) {}

  // Runs only once someone else holding pages:approve in the caller's tenant approves these
  // exact arguments, within ten minutes; the caller gets a task (or a handle) at once.
  @Scopes('pages:write')
  @Tool({
    name: 'purge_site',
    description: 'Deletes every stored page of a site. Needs an approval.',
    annotations: { destructiveHint: true, idempotentHint: true },
  })
  @RequiresApproval({
    approvers: 'pages:approve',
    ttlMs: 10 * 60_000,
    reason: 'Deletes every stored page of the site',
  })
  purge(@Args() input: SiteInput, @Ctx() ctx: McpContext) {
    this.store.purged.push(input.site);
    return `purged ${input.site} for ${ctx.identity?.subject}`;
  }

  // Destructive, without a decorator: held by the module's `approvals.destructive`.
  @Scopes('pages:write')
  @Tool({
    name: 'delete_page',
    description: 'Deletes one stored page.',
    annotations: { destructiveHint: true },
  })
  deletePage(@Args() input: PageInput) {
    this.store.deleted.push(`${input.site}${input.path}`);
    return `deleted ${input.site}${input.path}`;
  }

  // Read-only: runs in the request, as any tool.
  @Tool({
    name: 'count_pages',
    description: 'Counts the pages purged and deleted so far.',
    annotations: { readOnlyHint: true },
  })
  count() {
    return `${this.store.purged.length} sites purged, ${this.store.deleted.length} pages deleted`;
  }
}

/**
 * The approval keys from `APPROVAL_KEYS` (`kid=secret,kid=secret`), the signing key first; to
 * rotate, put a new key first and drop the old one once its approvals are over.
 */
export function approvalKeys(value: string | undefined): ApprovalKey[] {
  return (value ?? '').split(',').flatMap((pair) => {
    const at = pair.indexOf('=');
    return at > 0 ? [{ kid: pair.slice(0, at).trim(), secret: pair.slice(at + 1).trim() }] : [];
  });
}

/** Where the identity provider is: from the environment in an app, from a test issuer in tests. */
export interface IdentityProvider {
  issuer: string;
  jwksUrl: string;
}

/**
 * The pages server: bearer tokens from `idp`; tasks and approvals in Redis with `REDIS_URL`
 * (every replica sees the same approvals), in memory without; approvers told by a webhook when
 * `APPROVALS_WEBHOOK_URL` is set.
 */
export function pagesModule(idp: IdentityProvider, env: NodeJS.ProcessEnv = process.env) {
  const webhook = env.APPROVALS_WEBHOOK_URL;
  @Module({
    imports: [
      McpModule.forRoot({ name: 'pages', version: '1.0.0', http: { path: '/mcp' } }),
      SecurityModule.forRoot({
        resource: 'https://pages.example.com/mcp',
        jwt: { issuer: idp.issuer, jwksUrl: idp.jwksUrl },
      }),
      ObservabilityModule.forRoot({ metrics: true }),
      TasksModule.forRoot({
        ...(env.REDIS_URL && { storage: { redis: env.REDIS_URL } }),
        approvals: {
          keys: approvalKeys(env.APPROVAL_KEYS),
          destructive: { approvers: 'pages:approve', reason: 'A destructive tool' },
          ...(webhook && {
            notifiers: [
              new WebhookApprovalNotifier({ url: webhook, secret: env.APPROVALS_WEBHOOK_SECRET }),
            ],
          }),
        },
      }),
    ],
    providers: [PageStore, PageTools],
  })
  class PagesModule {}
  return { module: PagesModule } satisfies DynamicModule;
}
