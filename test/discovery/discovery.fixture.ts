import {
  Injectable,
  Module,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import {
  Args,
  Ctx,
  McpContext,
  McpExecutionContext,
  McpHook,
  McpModule,
  Tool,
  type McpRequest,
  type McpRequestHook,
} from '@rampart/core';
import { RateLimit, ResilienceModule } from '@rampart/resilience';
import { Public, Roles, Scopes, SecurityModule, Tags, tagsOf } from '@rampart/security';
import type { LocalIssuer } from '../security/local-issuer';

export const RESOURCE = 'https://mcp.test/mcp';

export class InvoiceInput {
  /** Invoice id, `in_` and digits. */
  @Matches(/^in_\d+$/)
  invoice_id!: string;
}

export class ListInvoicesInput {
  @IsString()
  customer_id!: string;

  @IsOptional()
  @IsIn(['open', 'paid', 'void'])
  status?: 'open' | 'paid' | 'void';

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class CityInput {
  @IsString()
  city!: string;
}

/** Refuses exports of more than 10 rows, whoever calls. */
@Injectable()
export class SmallExportsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const args = McpExecutionContext.getArgs(context) as { limit?: number } | undefined;
    return (args?.limit ?? 0) <= 10;
  }
}

/** Records what every request targets, as the audit and metrics hooks see it. */
@McpHook()
@Injectable()
export class TargetRecorder implements McpRequestHook {
  readonly seen: { method: string; target?: string; arguments?: unknown; error?: string }[] = [];

  async around(request: McpRequest, next: () => Promise<unknown>): Promise<unknown> {
    try {
      return await next();
    } finally {
      this.seen.push({
        method: request.method,
        target: request.target,
        arguments: request.arguments,
        ...(request.toolError && { error: request.toolError.code }),
      });
    }
  }
}

/** A small billing catalogue, plus tools of other domains to rank against. */
@Injectable()
@Public()
export class CatalogTools {
  @Tags('billing', 'finance')
  @Tool({
    description: 'Fetch one invoice by its id, with its lines, taxes and totals.',
    input: InvoiceInput,
    annotations: { readOnlyHint: true },
  })
  get_invoice(@Args() input: InvoiceInput) {
    return { invoice_id: input.invoice_id, total: 120 };
  }

  @Tags('billing', 'finance')
  @Tool({
    title: 'List invoices',
    description: 'List the invoices of a customer, newest first. Filter by status.',
    input: ListInvoicesInput,
    annotations: { readOnlyHint: true },
  })
  list_invoices(@Args() input: ListInvoicesInput) {
    return { customer_id: input.customer_id, invoices: [] };
  }

  @Tags('billing')
  @UseGuards(SmallExportsGuard)
  @Tool({
    description: 'Export invoices as CSV rows.',
    input: ListInvoicesInput,
    annotations: { readOnlyHint: true },
  })
  export_invoices(@Args() input: ListInvoicesInput) {
    return `rows for ${input.customer_id}`;
  }

  @Tags('weather')
  @RateLimit({ points: 1, perMs: 60_000 })
  @Tool({
    description: 'Weather forecast for a city, for the next three days.',
    input: CityInput,
    annotations: { readOnlyHint: true },
  })
  weather_forecast(@Args() input: CityInput, @Ctx() ctx: McpContext) {
    return `sunny in ${input.city} (${ctx.target})`;
  }

  @Tags('shipping')
  @Tool({
    description: 'Track a parcel by its tracking number.',
    input: CityInput,
    annotations: { readOnlyHint: true },
  })
  track_parcel(@Args() input: CityInput) {
    return input.city;
  }
}

/** Tools that only some callers may see or use (with `SecurityModule`). */
@Injectable()
export class GuardedBillingTools {
  /** Needs a scope: hidden from callers without it, and a direct call answers 403. */
  @Scopes('billing:write')
  @Tags('billing', 'finance')
  @Tool({
    description: 'Refund a captured invoice payment, in full or in part.',
    input: InvoiceInput,
  })
  refund_invoice(@Args() input: InvoiceInput) {
    return `refunded ${input.invoice_id}`;
  }

  /** For admins only: hidden from everyone else, and answered as unknown. */
  @Roles('admin')
  @Tags('billing', 'finance')
  @Tool({
    description: 'Delete every invoice of the ledger. Irreversible.',
    annotations: { destructiveHint: true },
  })
  purge_invoices() {
    return 'purged';
  }
}

/** The progressive `catalog` server, open (no authentication). */
export function openCatalogModule(): DynamicModule {
  @Module({
    imports: [
      McpModule.forRoot({
        name: 'catalog',
        version: '1.0.0',
        discovery: { mode: 'progressive', tagsOf },
      }),
      ResilienceModule.forRoot({}),
    ],
    providers: [CatalogTools, SmallExportsGuard, TargetRecorder],
  })
  class OpenCatalogModule {}
  return { module: OpenCatalogModule };
}

/** The progressive `catalog` server behind bearer tokens of `issuer`. */
export function securedCatalogModule(issuer: LocalIssuer): DynamicModule {
  @Module({
    imports: [
      McpModule.forRoot({
        name: 'catalog',
        version: '1.0.0',
        discovery: { mode: 'progressive', tagsOf },
      }),
      ResilienceModule.forRoot({}),
      SecurityModule.forRoot({
        resource: RESOURCE,
        jwt: { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, jwksTimeoutMs: 2_000 },
      }),
    ],
    providers: [CatalogTools, GuardedBillingTools, SmallExportsGuard, TargetRecorder],
  })
  class SecuredCatalogModule {}
  return { module: SecuredCatalogModule };
}
