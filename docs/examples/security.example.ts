// The security guide's example, compiled and run by test/docs/security-example.e2e-spec.ts.
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { IsInt, Min } from 'class-validator';
import { Args, Ctx, McpContext, McpModule, Tool } from '@rampart/core';
import { Public, Roles, Scopes, SecurityModule, Tags } from '@rampart/security';

export class RefundInput {
  @IsInt()
  @Min(1)
  amount!: number;
}

@Injectable()
@Tags('finance')
export class BillingTools {
  @Public()
  @Tool({ name: 'status', description: 'Service status', annotations: { readOnlyHint: true } })
  status() {
    return 'ok';
  }

  @Scopes('billing:read')
  @Tool({
    name: 'list_invoices',
    description: "Invoices of the caller's tenant",
    annotations: { readOnlyHint: true },
  })
  list(@Ctx() ctx: McpContext) {
    return `invoices of ${ctx.identity?.tenant ?? 'nobody'}`;
  }

  @Roles('billing-admin')
  @Tool({ name: 'refund', description: 'Refund an order', annotations: { destructiveHint: true } })
  refund(@Args() input: RefundInput) {
    return `refunded ${input.amount}`;
  }
}

/** Where the identity provider is: from the environment in an app, from a test issuer in tests. */
export interface IdentityProvider {
  issuer: string;
  jwksUrl: string;
}

export const BILLING_POLICIES = `
@id("default-allow")
permit (principal, action, resource);

@id("big-refunds-need-billing-admin")
forbid (principal, action == Rampart::Action::"tools/call", resource == Rampart::Tool::"refund")
when { context has arguments && context.arguments has amount && context.arguments.amount > 1000 };
`;

export function billingModule(idp: IdentityProvider): DynamicModule {
  @Module({
    imports: [
      McpModule.forRoot({ name: 'billing', version: '1.0.0' }),
      SecurityModule.forRoot({
        resource: 'https://mcp.example.com/mcp',
        jwt: { issuer: idp.issuer, jwksUrl: idp.jwksUrl },
        policy: { policies: BILLING_POLICIES },
        governance: { disable: [{ tags: ['finance'], tenants: ['trial'] }] },
      }),
    ],
    providers: [BillingTools],
  })
  class BillingModule {}
  return { module: BillingModule };
}
