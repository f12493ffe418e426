import { McpDefinitionError } from '../errors/mcp-definition.error';
import { DUPLICATE_PRIMITIVE } from '../errors/messages.constant';
import type {
  CompletionEntry,
  PromptEntry,
  RegistryChange,
  ResourceEntry,
  ResourceTemplateEntry,
  ToolEntry,
} from './registry.interfaces';

type Keyed = { source: string };

/** A name-keyed table whose sorted listing is computed once per change, not per request. */
class Table<T extends Keyed> {
  private readonly byKey = new Map<string, T>();
  private sorted?: T[];

  constructor(private readonly kind: string) {}

  add(key: string, entry: T, server: string): void {
    const existing = this.byKey.get(key);
    if (existing)
      throw new McpDefinitionError(
        DUPLICATE_PRIMITIVE(this.kind, key, server, existing.source, entry.source),
      );
    this.byKey.set(key, entry);
    this.sorted = undefined;
  }

  delete(key: string): boolean {
    const had = this.byKey.delete(key);
    if (had) this.sorted = undefined;
    return had;
  }

  get(key: string): T | undefined {
    return this.byKey.get(key);
  }

  /** Entries in a deterministic order (by key, code-point order). */
  list(): readonly T[] {
    return (this.sorted ??= [...this.byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v));
  }

  get size(): number {
    return this.byKey.size;
  }
}

/**
 * The tools, resources, templates, prompts and completions of one server. Filled by discovery at
 * boot; tools, resources and prompts can be added or removed at run time, which notifies
 * connected clients (`notifications/*\/list_changed`).
 */
export class McpRegistry {
  readonly tools = new Table<ToolEntry>('tool');
  readonly resources = new Table<ResourceEntry>('resource');
  readonly templates = new Table<ResourceTemplateEntry>('resource template');
  readonly prompts = new Table<PromptEntry>('prompt');
  readonly completions = new Table<CompletionEntry>('completion');
  private readonly listeners = new Set<(change: RegistryChange) => void>();
  /** Bumped on every change; caches keyed on it stay valid until the next change. */
  private version = 0;

  constructor(readonly server: string) {}

  get revision(): number {
    return this.version;
  }

  addTool(entry: ToolEntry): void {
    this.tools.add(entry.name, entry, this.server);
    this.changed('tools');
  }

  removeTool(name: string): boolean {
    return this.tools.delete(name) && this.changed('tools');
  }

  addResource(entry: ResourceEntry): void {
    this.resources.add(entry.uri, entry, this.server);
    this.changed('resources');
  }

  removeResource(uri: string): boolean {
    return this.resources.delete(uri) && this.changed('resources');
  }

  addTemplate(entry: ResourceTemplateEntry): void {
    this.templates.add(entry.name, entry, this.server);
    this.changed('resources');
  }

  removeTemplate(name: string): boolean {
    return this.templates.delete(name) && this.changed('resources');
  }

  addPrompt(entry: PromptEntry): void {
    this.prompts.add(entry.name, entry, this.server);
    this.changed('prompts');
  }

  removePrompt(name: string): boolean {
    return this.prompts.delete(name) && this.changed('prompts');
  }

  addCompletion(entry: CompletionEntry): void {
    this.completions.add(`${entry.kind}\0${entry.target}\0${entry.argument}`, entry, this.server);
  }

  completion(
    kind: 'prompt' | 'resourceTemplate',
    target: string,
    argument: string,
  ): CompletionEntry | undefined {
    return this.completions.get(`${kind}\0${target}\0${argument}`);
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(change: RegistryChange): true {
    this.version++;
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A failing listener (a closed session) must not stop the others.
      }
    }
    return true;
  }
}
