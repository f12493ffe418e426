import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { IsInt, IsString, Max, Min } from 'class-validator';
import {
  Args,
  Ctx,
  McpContext,
  McpHook,
  McpModule,
  Tool,
  type McpAuthRequest,
  type McpIdentity,
  type McpRequestHook,
} from '@rampart/core';
import {
  Offload,
  Offloader,
  ResourcesModule,
  type ResourcesModuleOptions,
} from '@rampart/resources';

/** The identity of in-memory calls (which have no headers), set by the test before a call. */
export const memory: { identity?: McpIdentity } = {};

/** Identity from `x-user`, `x-tenant` and `x-scopes` headers; in memory, from {@link memory}. */
@McpHook()
@Injectable()
export class HeaderAuth implements McpRequestHook {
  authenticate({ http }: McpAuthRequest): McpIdentity | undefined {
    if (!http) return memory.identity;
    const h = http.request.headers;
    if (typeof h['x-user'] !== 'string') return undefined;
    return {
      subject: h['x-user'],
      ...(typeof h['x-tenant'] === 'string' && { tenant: h['x-tenant'] }),
      scopes: typeof h['x-scopes'] === 'string' ? h['x-scopes'].split(' ') : [],
    };
  }
}

export class PageInput {
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  size!: number;
}

export class ForgetInput {
  @IsString()
  uri!: string;
}

/** A deterministic page of `size` characters: numbered sentences. */
export function pageOf(size: number): string {
  let text = '';
  for (let i = 1; text.length < size; i++) text += `Sentence ${i} of the page. `;
  return text.slice(0, size);
}

@Injectable()
export class PageTools {
  constructor(private readonly offloader: Offloader) {}

  @Tool({ name: 'page', description: 'A page of `size` characters; large ones are offloaded' })
  @Offload()
  page(@Args() { size }: PageInput): string {
    return pageOf(size);
  }

  @Tool({ name: 'page_markdown', description: 'The same, offloaded by the Offloader directly' })
  pageMarkdown(@Args() { size }: PageInput, @Ctx() ctx: McpContext) {
    return this.offloader.offloadIfLarge(pageOf(size), {
      owner: ctx.identity,
      previewChars: 200,
      mimeType: 'text/markdown',
      name: 'page',
    });
  }

  @Tool({ name: 'brief_page', description: 'A large page whose link lasts 200 ms' })
  @Offload({ ttlMs: 200 })
  briefPage(@Args() { size }: PageInput): string {
    return pageOf(size);
  }

  @Tool({ name: 'forget', description: 'Deletes an offloaded result the caller may read' })
  async forget(@Args() { uri }: ForgetInput, @Ctx() ctx: McpContext) {
    return { deleted: await this.offloader.delete(uri, ctx.identity) };
  }
}

/** Signing keys shared by the replicas of the tests (from configuration in a real deployment). */
export const KEYS = [{ id: 'e2e-1', secret: 'an-e2e-secret-of-at-least-32-bytes!!' }];

/** One replica of the fixture server. */
@Module({})
export class ResourcesFixtureModule {
  static forRoot(options: ResourcesModuleOptions = {}): DynamicModule {
    return {
      module: ResourcesFixtureModule,
      imports: [
        McpModule.forRoot({ name: 'resources-e2e', version: '1.0.0' }),
        ResourcesModule.forRoot({ keys: KEYS, sharingScope: 'resources:share', ...options }),
      ],
      providers: [HeaderAuth, PageTools],
    };
  }
}
