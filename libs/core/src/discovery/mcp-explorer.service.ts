import { Injectable, Logger, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, MetadataScanner, Reflector } from '@nestjs/core';
import { UriTemplate, type PromptArgument, type Tool } from '@modelcontextprotocol/server';
import { CompletionMetadata, PromptMetadata } from '../decorators/prompt.decorator';
import { McpParamType } from '../decorators/params.decorator';
import { ResourceMetadata, ResourceTemplateMetadata } from '../decorators/resource.decorator';
import { ToolMetadata } from '../decorators/tool.decorator';
import { definitionMeta } from '../decorators/versioning.util';
import { McpDefinitionError } from '../errors/mcp-definition.error';
import { McpExtension as McpExtensionMarker } from '../extensions/mcp-extension.decorator';
import type { McpProtocolExtension } from '../extensions/mcp-extension.interface';
import { McpHook } from '../hooks/mcp-hook.decorator';
import type { McpRequestHook } from '../hooks/mcp-request-hook.interface';
import { UNKNOWN_COMPLETION_TARGET } from '../errors/messages.constant';
import type {
  JsonSchemaObject,
  PromptOptions,
  ResourceOptions,
  SchemaSource,
  ServerScoped,
  ToolOptions,
  Versioned,
} from '../interfaces/primitive-options.interface';
import { MCP_CONTEXT_TYPE, MCP_PARAM_ARGS_METADATA } from '../mcp.constants';
import { McpInterceptorsConsumer } from '../pipeline/mcp-interceptors.consumer';
import { McpParamsFactory } from '../pipeline/mcp-params.factory';
import { assertInterceptorsRunThrough, mcpContextCreator } from '../pipeline/nest-adapter';
import type { McpRegistry } from '../registry/mcp-registry';
import type {
  McpDynamicHandler,
  McpInvoker,
  McpMethodHandler,
  McpValidator,
} from '../registry/registry.interfaces';
import { buildInputSchema } from '../schema/dto-schema';
import { compileDtoValidator } from '../schema/dto-validator';
import { compileJsonSchemaValidator } from '../schema/json-schema-validator';
import {
  compileStandardValidator,
  isStandardSchema,
  standardInputSchema,
} from '../schema/standard-schema';

const PRIMITIVE_TYPES = new Set<unknown>([
  Object,
  String,
  Number,
  Boolean,
  Array,
  Promise,
  Function,
  undefined,
]);

/**
 * What discovery found on one provider method (or a primitive added at run time, `O` its
 * options), before it is bound to a server.
 */
interface Found<O = never> {
  instance: object;
  methodName: string;
  source: string;
  handler: McpMethodHandler | McpDynamicHandler<O>;
}

/**
 * Finds `@Tool`, `@Resource`, `@ResourceTemplate`, `@Prompt` and `@Completion` methods in every
 * provider of the app at boot, compiles their schemas and validators once, and binds each
 * method to the Nest pipeline (guards, interceptors, pipes, filters; context type `'mcp'`).
 */
/** The methods of {@link McpRequestHook} that make a provider a hook. */
const HOOK_PHASES = ['onHttpRequest', 'authenticate', 'admit', 'view', 'around'] as const;

@Injectable()
export class McpExplorer implements OnModuleInit {
  private readonly logger = new Logger('McpExplorer');

  /** Nest's context creator with Rampart's interceptors consumer. */
  private readonly contextCreator: ExternalContextCreator;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly appContextCreator: ExternalContextCreator,
  ) {
    // The app's creator, shared with other libraries, stays as it is: MCP handlers are bound by
    // a second one whose interceptors run through the leaner consumer (see nest-adapter.ts).
    this.contextCreator = mcpContextCreator(appContextCreator, new McpInterceptorsConsumer());
  }

  /** Fails the boot if the installed Nest does not run interceptors through Rampart's consumer. */
  onModuleInit(): Promise<void> {
    return assertInterceptorsRunThrough(this.appContextCreator);
  }

  /** Fills `registry` with every primitive that belongs to its server. */
  explore(registry: McpRegistry): void {
    const completions: (() => void)[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.isDependencyTreeStatic()) {
        this.refuseScoped(wrapper.metatype);
        continue;
      }
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance);
      if (!prototype || prototype === Object.prototype) continue;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName];
        if (typeof method !== 'function') continue;
        const handler: McpMethodHandler = {
          kind: 'method',
          type: prototype.constructor as Type,
          method: method as McpMethodHandler['method'],
          key: methodName,
        };
        const found: Found = {
          instance,
          methodName,
          source: `${prototype.constructor.name}.${methodName}`,
          handler,
        };
        const tool = this.reflector.get(ToolMetadata, method);
        if (tool && belongs(tool, registry.server)) this.addTool(registry, found, tool);
        const resource = this.reflector.get(ResourceMetadata, method);
        if (resource && belongs(resource, registry.server)) {
          registry.addResource({
            uri: resource.uri,
            definition: wireDefinition(resource),
            source: found.source,
            handler,
            invoke: this.bind(found),
          });
        }
        const template = this.reflector.get(ResourceTemplateMetadata, method);
        if (template && belongs(template, registry.server)) {
          registry.addTemplate({
            name: template.name,
            template: new UriTemplate(template.uriTemplate),
            definition: wireDefinition(template),
            source: found.source,
            handler,
            invoke: this.bind(found),
          });
        }
        const prompt = this.reflector.get(PromptMetadata, method);
        if (prompt && belongs(prompt, registry.server)) this.addPrompt(registry, found, prompt);
        const completion = this.reflector.get(CompletionMetadata, method);
        if (completion && belongs(completion, registry.server))
          completions.push(() => {
            const kind = completion.prompt !== undefined ? 'prompt' : 'resourceTemplate';
            const target = (completion.prompt ?? completion.resourceTemplate)!;
            const known =
              kind === 'prompt'
                ? registry.prompts.get(target)
                : registry.templates.list().some((t) => t.definition.uriTemplate === target);
            if (!known)
              throw new McpDefinitionError(UNKNOWN_COMPLETION_TARGET(kind, target, found.source));
            registry.addCompletion({
              kind,
              target,
              argument: completion.argument,
              source: found.source,
              handler,
              invoke: this.bind(found),
            });
          });
      }
    }
    // Completions refer to prompts and templates, so they are checked once all are known.
    for (const add of completions) add();
    this.logger.log(
      `Server "${registry.server}": ${registry.tools.size} tools, ${registry.resources.size} resources, ` +
        `${registry.templates.size} resource templates, ${registry.prompts.size} prompts`,
    );
  }

  /** The `@McpHook()` providers that apply to `server`, outermost first. */
  hooks(server: string): McpRequestHook[] {
    const found = new Map<McpRequestHook, number>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: McpHook.KEY })) {
      const options = this.discovery.getMetadataByDecorator(McpHook, wrapper) ?? {};
      if (options.server !== undefined && options.server !== server) continue;
      const name =
        (wrapper.metatype as { name?: string } | undefined)?.name ?? String(wrapper.token);
      if (!wrapper.isDependencyTreeStatic())
        throw new McpDefinitionError(
          `@McpHook() provider ${name} is request- or transient-scoped: a request hook must be a singleton`,
        );
      const hook = wrapper.instance as McpRequestHook | undefined;
      if (!hook || !HOOK_PHASES.some((phase) => typeof hook[phase] === 'function'))
        throw new McpDefinitionError(
          `@McpHook() provider ${name} implements none of ${HOOK_PHASES.join('(), ')}(): implement McpRequestHook`,
        );
      if (hook.enabledFor?.(server) === false) continue;
      found.set(hook, options.order ?? 0);
    }
    return [...found].sort((a, b) => a[1] - b[1]).map(([hook]) => hook);
  }

  /** The `@McpExtension()` providers that apply to `server`, in discovery order. */
  extensions(server: string): McpProtocolExtension[] {
    const found: McpProtocolExtension[] = [];
    for (const wrapper of this.discovery.getProviders({ metadataKey: McpExtensionMarker.KEY })) {
      const options = this.discovery.getMetadataByDecorator(McpExtensionMarker, wrapper) ?? {};
      if (options.server !== undefined && options.server !== server) continue;
      const name =
        (wrapper.metatype as { name?: string } | undefined)?.name ?? String(wrapper.token);
      if (!wrapper.isDependencyTreeStatic())
        throw new McpDefinitionError(
          `@McpExtension() provider ${name} is request- or transient-scoped: an extension must be a singleton`,
        );
      const extension = wrapper.instance as McpProtocolExtension | undefined;
      if (!extension) continue;
      if (extension.enabledFor?.(server) === false) continue;
      if (!found.includes(extension)) found.push(extension);
    }
    return found;
  }

  /**
   * A request- or transient-scoped provider has no instance at boot; its MCP methods would be
   * silently missing, so they fail the boot instead.
   */
  private refuseScoped(metatype: unknown): void {
    const prototype = (metatype as { prototype?: object } | undefined)?.prototype;
    if (typeof metatype !== 'function' || !prototype) return;
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[methodName];
      if (typeof method !== 'function') continue;
      const decorated = [
        ToolMetadata,
        ResourceMetadata,
        ResourceTemplateMetadata,
        PromptMetadata,
        CompletionMetadata,
      ].some(
        (decorator) =>
          this.reflector.get(decorator as typeof ToolMetadata, method as () => void) !== undefined,
      );
      if (decorated)
        throw new McpDefinitionError(
          `${metatype.name}.${methodName} is an MCP handler on a request- or transient-scoped provider, which Rampart does not support yet: make ${metatype.name} a singleton (the default scope) and read per-call data from McpContext`,
        );
    }
  }

  /** Binds any object method to the Nest pipeline; used for dynamic tools too. */
  bind(found: Found<unknown>, validator?: McpValidator): McpInvoker {
    const { instance, methodName } = found;
    const callback = (instance as Record<string, (...a: unknown[]) => unknown>)[methodName];
    const factory = new McpParamsFactory(validator);
    const handler = this.contextCreator.create(
      instance,
      callback,
      methodName,
      MCP_PARAM_ARGS_METADATA,
      factory,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: true },
      MCP_CONTEXT_TYPE,
    );
    // Without an @Args() parameter Nest passes the raw arguments through, so they are
    // validated here; with one, the params factory validates them at the pipes stage.
    if (validator && !this.argsParamIndex(instance, methodName).length)
      return async (args, ctx) =>
        handler((await factory.validated([args, ctx])) as Record<string, unknown>, ctx);
    return handler as McpInvoker;
  }

  /** Adds a tool built at run time; `holder.run(args, ctx)` is its method. */
  addDynamicTool(
    registry: McpRegistry,
    tool: ToolOptions & { name: string },
    holder: object,
  ): void {
    this.addTool(registry, dynamic(holder, `dynamic tool ${tool.name}`, tool), tool);
  }

  /** Adds a resource built at run time; `holder.run(args, ctx)` is its method. */
  addDynamicResource(
    registry: McpRegistry,
    resource: ResourceOptions & { name: string },
    holder: object,
  ): void {
    const found = dynamic(holder, `dynamic resource ${resource.uri}`, resource);
    registry.addResource({
      uri: resource.uri,
      definition: wireDefinition(resource),
      source: found.source,
      handler: found.handler,
      invoke: this.bind(found),
    });
  }

  /** Adds a prompt built at run time; `holder.run(args, ctx)` is its method. */
  addDynamicPrompt(
    registry: McpRegistry,
    prompt: PromptOptions & { name: string },
    holder: object,
  ): void {
    this.addPrompt(registry, dynamic(holder, `dynamic prompt ${prompt.name}`, prompt), prompt);
  }

  private addTool(
    registry: McpRegistry,
    found: Found<ToolOptions & { name: string }>,
    tool: ToolOptions & { name: string },
  ): void {
    const input = tool.input ?? this.argsType(found);
    const { schema: inputSchema, validator } = input
      ? compile(input, found.source)
      : { schema: { type: 'object', properties: {} } as JsonSchemaObject, validator: undefined };
    const output = tool.output ? compile(tool.output, found.source) : undefined;
    const meta = definitionMeta(tool);
    const definition: Tool = {
      name: tool.name,
      ...(tool.title && { title: tool.title }),
      ...(tool.description && { description: tool.description }),
      inputSchema: inputSchema as Tool['inputSchema'],
      ...(output && { outputSchema: output.schema as Tool['outputSchema'] }),
      ...(tool.annotations && { annotations: tool.annotations }),
      ...(tool.icons && { icons: tool.icons }),
      ...(meta && { _meta: meta }),
    };
    registry.addTool({
      name: tool.name,
      definition,
      ...(tool.execution && { execution: { ...tool.execution } }),
      outputValidator: output?.validator,
      servers: scope(tool),
      source: found.source,
      handler: found.handler,
      invoke: this.bind(found, validator),
    });
  }

  private addPrompt(
    registry: McpRegistry,
    found: Found<PromptOptions & { name: string }>,
    prompt: PromptOptions & { name: string },
  ): void {
    const dto = prompt.arguments ?? this.argsType(found);
    let args: PromptArgument[] | undefined;
    let validator: McpValidator | undefined;
    if (dto) {
      const compiled = compile(dto, found.source);
      const schema = compiled.schema as {
        properties?: Record<string, { description?: string }>;
        required?: string[];
      };
      args = Object.entries(schema.properties ?? {}).map(([name, p]) => ({
        name,
        ...(p.description && { description: p.description }),
        required: schema.required?.includes(name) ?? false,
      }));
      validator = compiled.validator;
    }
    const { arguments: _a, ...rest } = prompt;
    registry.addPrompt({
      name: prompt.name,
      definition: { ...wireDefinition(rest), ...(args && { arguments: args }) },
      servers: scope(prompt),
      source: found.source,
      handler: found.handler,
      invoke: this.bind(found, validator),
    });
  }

  private argsParamIndex(instance: object, methodName: string): number[] {
    const meta = (Reflect.getMetadata(MCP_PARAM_ARGS_METADATA, instance.constructor, methodName) ??
      {}) as Record<string, { index: number; data?: unknown }>;
    return Object.entries(meta)
      .filter(([key, v]) => key.startsWith(`${McpParamType.ARGS}:`) && v.data === undefined)
      .map(([, v]) => v.index);
  }

  /** The DTO class of the whole-object `@Args()` parameter, when it has one. */
  private argsType(found: Found<unknown>): Type<unknown> | undefined {
    const [index] = this.argsParamIndex(found.instance, found.methodName);
    if (index === undefined) return undefined;
    const types = Reflect.getMetadata('design:paramtypes', found.instance, found.methodName) as
      unknown[] | undefined;
    const type = types?.[index];
    return PRIMITIVE_TYPES.has(type) ? undefined : (type as Type<unknown>);
  }
}

/**
 * The definition of a resource, template or prompt as the lists send it: its options without
 * `server`, with `version` and `deprecated` moved into `_meta`.
 */
function wireDefinition<O extends ServerScoped & Versioned & { _meta?: Record<string, unknown> }>(
  options: O,
): Omit<O, 'server' | 'version' | 'deprecated' | '_meta'> & { _meta?: Record<string, unknown> } {
  const { server: _s, version: _v, deprecated: _d, _meta: _m, ...definition } = options;
  const meta = definitionMeta(options);
  return { ...definition, ...(meta && { _meta: meta }) };
}

function dynamic<O>(holder: object, source: string, options: O): Found<O> {
  return { instance: holder, methodName: 'run', source, handler: { kind: 'dynamic', options } };
}

function scope(options: ServerScoped): readonly string[] | undefined {
  return options.server === undefined ? undefined : ([] as string[]).concat(options.server);
}

function belongs(options: ServerScoped, server: string): boolean {
  const s = scope(options);
  return !s || s.includes(server);
}

function compile(
  source: SchemaSource,
  where: string,
): { schema: JsonSchemaObject; validator: McpValidator } {
  if (isStandardSchema(source))
    return {
      schema: standardInputSchema(source, where) as JsonSchemaObject,
      validator: compileStandardValidator(source) as McpValidator,
    };
  if (typeof source === 'function') {
    try {
      return {
        schema: buildInputSchema(source) as JsonSchemaObject,
        validator: compileDtoValidator(source as Type<object>) as McpValidator,
      };
    } catch (e) {
      if (e instanceof Error) e.message = `${where}: ${e.message}`;
      throw e;
    }
  }
  return {
    schema: source,
    validator: compileJsonSchemaValidator(source, { where }) as McpValidator,
  };
}
