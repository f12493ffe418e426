import type { DeprecationInfo } from '../interfaces/primitive-options.interface';

/** A JSON Schema as the contract records it: plain JSON. */
export type ContractSchema = { [keyword: string]: unknown };

/** What every primitive of a contract records of its lifecycle. */
export interface ContractVersioned {
  /** The declared version (`_meta['io.rampart/version']`); absent when none was declared. */
  version?: string;
  /** The declared deprecation (`_meta['io.rampart/deprecated']`); absent when not deprecated. */
  deprecated?: DeprecationInfo;
}

/** A tool as the contract records it: what a client relies on when it calls it. */
export interface ToolContract extends ContractVersioned {
  title?: string;
  description?: string;
  inputSchema: ContractSchema;
  outputSchema?: ContractSchema;
  annotations?: Record<string, unknown>;
}

/** A fixed resource, by URI. */
export interface ResourceContract extends ContractVersioned {
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

/** A resource template, by URI template. */
export interface ResourceTemplateContract extends ContractVersioned {
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

/** One argument of a prompt. */
export interface PromptArgumentContract {
  name: string;
  description?: string;
  required: boolean;
}

/** A prompt, by name. */
export interface PromptContract extends ContractVersioned {
  title?: string;
  description?: string;
  /** Sorted by name. */
  arguments: PromptArgumentContract[];
}

/** What one server serves, each table keyed (and sorted) by what clients address it by. */
export interface ServerContract {
  tools: Record<string, ToolContract>;
  resources: Record<string, ResourceContract>;
  resourceTemplates: Record<string, ResourceTemplateContract>;
  prompts: Record<string, PromptContract>;
}

/**
 * The contract of an app: every server's tools, resources, resource templates and prompts, as
 * clients see them in the lists. `rampart-contract update` writes it (`rampart.contract.json`)
 * and `rampart-contract check` compares a build against it.
 *
 * @example
 * ```ts
 * const contract = contractOf(app.get(McpServers).all().map((host) => host.registry));
 * contract.servers['web-scrape'].tools.scrape_url.inputSchema;
 * ```
 */
export interface McpContract {
  /** Format of the document. */
  rampartContract: 1;
  /** Servers by name. */
  servers: Record<string, ServerContract>;
}

/** What a change is about. */
export type ContractSubject = 'server' | 'tool' | 'resource' | 'resourceTemplate' | 'prompt';

/**
 * One difference between a contract snapshot and a build. `breaking` when a client written
 * against the snapshot can fail against the build; `compatible` otherwise (additions, loosened
 * input constraints, descriptions).
 *
 * @example
 * ```ts
 * { severity: 'breaking', server: 'web-scrape', subject: 'tool', name: 'scrape_url',
 *   message: 'input property "url" removed' }
 * ```
 */
export interface ContractChange {
  severity: 'breaking' | 'compatible';
  server: string;
  subject: ContractSubject;
  /** The tool's or prompt's name, the resource's URI, the template's URI template, the server's name. */
  name: string;
  /** What changed, e.g. `input property "url" removed`. */
  message: string;
  /**
   * For a breaking change the rules accept: why (the version was raised and the old shape is
   * still served deprecated, or the primitive was deprecated in the snapshot before it went).
   */
  accepted?: string;
  /** For a breaking change the rules refuse: what is missing for them to accept it, if known. */
  note?: string;
}
