import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import {
  Args,
  Ctx,
  McpContext,
  McpHook,
  McpModule,
  ResourceTemplate,
  Tool,
  type McpAuthRequest,
  type McpIdentity,
  type McpRequest,
  type McpRequestHook,
} from '@rampart/core';
import {
  Cacheable,
  CacheEvict,
  ResultCacheModule,
  type ResultCacheModuleOptions,
} from '@rampart/resources';

/** How many times each method really ran, across every app of the test file. */
export const runs = new Map<string, number>();
const ran = (name: string) => {
  const n = (runs.get(name) ?? 0) + 1;
  runs.set(name, n);
  return n;
};

/** Identity from `x-user` and `x-tenant` headers. */
@McpHook()
@Injectable()
export class HeaderAuth implements McpRequestHook {
  authenticate({ http }: McpAuthRequest): McpIdentity | undefined {
    const h = http?.request.headers;
    if (typeof h?.['x-user'] !== 'string') return undefined;
    return {
      subject: h['x-user'],
      ...(typeof h['x-tenant'] === 'string' && { tenant: h['x-tenant'] }),
    };
  }
}

/** Counts the `tools/call` requests that have reached the server and not finished yet. */
@McpHook()
@Injectable()
export class Arrivals implements McpRequestHook {
  static inFlight = 0;
  async around(request: McpRequest, next: () => Promise<unknown>) {
    if (request.method !== 'tools/call') return next();
    Arrivals.inFlight++;
    try {
      return await next();
    } finally {
      Arrivals.inFlight--;
    }
  }
}

/** A gate a test opens: the slow tool waits on it. */
export const gate: { open?: () => void; promise: Promise<void> } = {
  promise: Promise.resolve(),
};
export function closeGate(): void {
  gate.promise = new Promise((resolve) => (gate.open = resolve));
}

export class ItemInput {
  @IsString()
  id!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  page?: number;
}

@Injectable()
export class ItemTools {
  /** The stored items: what `update_item` changes and `get_item` reads. */
  static readonly items = new Map<string, string>();

  @Tool({ name: 'get_item', annotations: { readOnlyHint: true } })
  @Cacheable({ ttlMs: 60_000, scope: 'public' })
  getItem(@Args() { id, page }: ItemInput) {
    return { id, page: page ?? 0, value: ItemTools.items.get(id) ?? null, run: ran('get_item') };
  }

  @Tool({ name: 'brief_item', annotations: { readOnlyHint: true } })
  @Cacheable({ ttlMs: 150, scope: 'public' })
  briefItem(@Args() { id }: ItemInput) {
    return { id, run: ran('brief_item') };
  }

  @Tool({ name: 'slow_item', annotations: { readOnlyHint: true } })
  @Cacheable({ ttlMs: 60_000, scope: 'public' })
  async slowItem(@Args() { id }: ItemInput) {
    const run = ran('slow_item');
    await gate.promise;
    return { id, run };
  }

  @Tool({ name: 'my_balance', annotations: { readOnlyHint: true } })
  @Cacheable({ ttlMs: 60_000, scope: 'private' })
  myBalance(@Args() { id }: ItemInput, @Ctx() ctx: McpContext) {
    return {
      account: id,
      owner: `${ctx.identity?.subject ?? 'nobody'}@${ctx.tenant ?? '-'}`,
      run: ran('my_balance'),
    };
  }

  @Tool({ name: 'failing_item', annotations: { readOnlyHint: true } })
  @Cacheable({ ttlMs: 60_000, scope: 'public' })
  failingItem(@Args() { id }: ItemInput) {
    ran('failing_item');
    throw new Error(`no item ${id}`);
  }

  @Tool({ name: 'update_item' })
  @CacheEvict({ tools: 'get_item', args: (a) => ({ id: a.id }) })
  updateItem(@Args() { id, page }: ItemInput) {
    ItemTools.items.set(id, `v${page ?? 0}`);
    return { updated: id };
  }

  @Tool({ name: 'reset_items' })
  @CacheEvict({ tools: ['get_item', 'brief_item'] })
  resetItems() {
    ItemTools.items.clear();
    return { reset: true };
  }

  @ResourceTemplate({ uriTemplate: 'item://{id}', mimeType: 'text/plain' })
  @Cacheable({ ttlMs: 60_000, scope: 'public' })
  itemResource(@Args('id') id: string) {
    return `item ${id}, run ${ran('item_resource')}`;
  }
}

/** One replica of the fixture server. */
@Module({})
export class CacheFixtureModule {
  static forRoot(options: ResultCacheModuleOptions = {}): DynamicModule {
    return {
      module: CacheFixtureModule,
      imports: [
        McpModule.forRoot({ name: 'cache-e2e', version: '1.0.0' }),
        ResultCacheModule.forRoot(options),
      ],
      providers: [HeaderAuth, Arrivals, ItemTools],
    };
  }
}
