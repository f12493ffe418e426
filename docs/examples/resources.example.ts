// The resources guide's example server, compiled and run by test/docs/resources-example.e2e-spec.ts.
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { IsIn, IsString } from 'class-validator';
import { Args, Ctx, McpContext, McpModule, Tool } from '@rampart/core';
import { Offload, Offloader, ResourcesModule, type ResourceLinkKey } from '@rampart/resources';

export class LogQuery {
  @IsIn(['api', 'worker'])
  service!: string;
}

export class ForgetInput {
  @IsString()
  uri!: string;
}

/** A stand-in for a log archive: a few hundred kilobytes per service. */
@Injectable()
export class LogArchive {
  dump(service: string): string {
    return Array.from(
      { length: 4_000 },
      (_, i) => `2027-01-01T00:${String(i % 60).padStart(2, '0')}:00Z ${service} request ${i} ok\n`,
    ).join('');
  }
}

@Injectable()
export class LogTools {
  constructor(
    private readonly archive: LogArchive,
    private readonly offloader: Offloader,
  ) {}

  // Declarative: a result above the threshold becomes a preview plus a signed link.
  @Tool({ name: 'export_logs', annotations: { readOnlyHint: true } })
  @Offload({ thresholdBytes: 16 * 1024, previewChars: 300 })
  exportLogs(@Args() { service }: LogQuery) {
    return this.archive.dump(service);
  }

  // The same by hand, with the caller as the owner of the link.
  @Tool({ name: 'export_logs_csv', annotations: { readOnlyHint: true } })
  exportCsv(@Args() { service }: LogQuery, @Ctx() ctx: McpContext) {
    const csv = this.archive.dump(service).replaceAll(' ', ',');
    return this.offloader.offloadIfLarge(csv, { owner: ctx.identity, mimeType: 'text/csv' });
  }

  // Links stop reading once their result is deleted.
  @Tool({ name: 'forget_export', annotations: { destructiveHint: true, idempotentHint: true } })
  async forget(@Args() { uri }: ForgetInput, @Ctx() ctx: McpContext) {
    return { deleted: await this.offloader.delete(uri, ctx.identity) };
  }
}

/**
 * The logs server. Every replica gets the same Redis URL and the same signing keys, from
 * configuration: `RESOURCE_LINK_KEYS` holds `id:secret` pairs, the signing key first.
 */
@Module({})
export class LogsModule {
  static forRoot(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: LogsModule,
      imports: [
        McpModule.forRoot({ name: 'logs', version: '1.0.0', http: { path: '/mcp' } }),
        ResourcesModule.forRootAsync({
          useFactory: () => ({
            storage: { redis: env.REDIS_URL, keyPrefix: 'logs:resources:' }, // memory when unset
            maxBytes: 256 * 1024 * 1024,
            maxEntryBytes: 8 * 1024 * 1024,
            ttlMs: 30 * 60_000,
            keys: parseKeys(env.RESOURCE_LINK_KEYS),
            sharingScope: 'logs:share',
          }),
        }),
      ],
      providers: [LogArchive, LogTools],
    };
  }
}

/** `k2:secret2,k1:secret1` → keys; undefined (a random key, with a warning) when unset. */
export function parseKeys(value: string | undefined): ResourceLinkKey[] | undefined {
  if (!value) return undefined;
  return value.split(',').map((pair) => {
    const at = pair.indexOf(':');
    return { id: pair.slice(0, at), secret: pair.slice(at + 1) };
  });
}
