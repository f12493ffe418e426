import type { DeprecationInfo } from '../interfaces/primitive-options.interface';
import { DEPRECATED_META_KEY, VERSION_META_KEY } from '../mcp.constants';
import type { McpRegistry } from '../registry/mcp-registry';
import { CONTRACT_FILE_INVALID } from './contract-messages.constant';
import { ContractError } from './contract.error';
import type {
  ContractSchema,
  ContractVersioned,
  McpContract,
  PromptContract,
  ServerContract,
} from './contract.interfaces';

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A JSON value with every object's keys sorted and every `required` list sorted, so that two
 * equal contracts serialize to the same text whatever order the schemas were generated in.
 * `undefined` members are left out, as `JSON.stringify` would.
 */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => canonical(v)) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(byCodePoint)) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    out[key] =
      key === 'required' && Array.isArray(member) && member.every((m) => typeof m === 'string')
        ? [...member].sort(byCodePoint)
        : canonical(member);
  }
  return out as T;
}

/** The version and deprecation a definition's `_meta` carries. */
function lifecycle(meta: Record<string, unknown> | undefined): ContractVersioned {
  const version = meta?.[VERSION_META_KEY];
  const deprecated = meta?.[DEPRECATED_META_KEY];
  return {
    ...(typeof version === 'string' && { version }),
    ...(!!deprecated &&
      typeof deprecated === 'object' && { deprecated: deprecated as DeprecationInfo }),
  };
}

/** One server's contract, from the definitions its registry sends in the lists. */
function serverContract(registry: McpRegistry): ServerContract {
  const server: ServerContract = { tools: {}, resources: {}, resourceTemplates: {}, prompts: {} };
  for (const { definition: d } of registry.tools.list())
    server.tools[d.name] = {
      ...lifecycle(d._meta),
      title: d.title,
      description: d.description,
      inputSchema: d.inputSchema as ContractSchema,
      outputSchema: d.outputSchema as ContractSchema | undefined,
      annotations: d.annotations as Record<string, unknown> | undefined,
    };
  for (const { definition: d } of registry.resources.list())
    server.resources[d.uri] = {
      ...lifecycle(d._meta),
      name: d.name,
      title: d.title,
      description: d.description,
      mimeType: d.mimeType,
    };
  for (const { definition: d } of registry.templates.list())
    server.resourceTemplates[d.uriTemplate] = {
      ...lifecycle(d._meta),
      name: d.name,
      title: d.title,
      description: d.description,
      mimeType: d.mimeType,
    };
  for (const { definition: d } of registry.prompts.list()) {
    const prompt: PromptContract = {
      ...lifecycle(d._meta),
      title: d.title,
      description: d.description,
      arguments: (d.arguments ?? [])
        .map((a) => ({ name: a.name, description: a.description, required: !!a.required }))
        .sort((a, b) => byCodePoint(a.name, b.name)),
    };
    server.prompts[d.name] = prompt;
  }
  return server;
}

/**
 * The contract of the servers whose registries are given: each tool's name, version,
 * deprecation, title, description, input and output schemas and annotations; each resource's
 * URI, name and MIME type; each template's URI template; each prompt's arguments. Taken from the
 * definitions the lists send, so it is what clients see. Pure: the same registries give the same
 * document, keys sorted.
 *
 * @example
 * ```ts
 * const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
 * const contract = contractOf(app.get(McpServers).all().map((host) => host.registry));
 * writeFileSync('rampart.contract.json', serializeContract(contract));
 * ```
 */
export function contractOf(registries: Iterable<McpRegistry>): McpContract {
  const servers: Record<string, ServerContract> = {};
  for (const registry of registries) servers[registry.server] = serverContract(registry);
  return canonical({ rampartContract: 1, servers });
}

/** Tables of a server, and fields of an entry, in the order a file lists them. */
const TABLE_ORDER = ['tools', 'resources', 'resourceTemplates', 'prompts'];
const FIELD_ORDER = [
  'version',
  'deprecated',
  'name',
  'title',
  'description',
  'mimeType',
  'annotations',
  'arguments',
  'inputSchema',
  'outputSchema',
];

/** `value`'s members in `order` first, then the others by name. */
function inOrder(value: Record<string, unknown>, order: string[]): Record<string, unknown> {
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.fromEntries(
    Object.entries(value).sort(([a], [b]) => rank(a) - rank(b) || byCodePoint(a, b)),
  );
}

/**
 * The text of a contract file: JSON, two-space indented, with a final newline. Servers and
 * entries by name, tools first, each entry's version and words before its schemas, schema
 * keywords sorted: the same contract always gives the same text.
 */
export function serializeContract(contract: McpContract): string {
  const sorted = canonical(contract);
  const servers = Object.fromEntries(
    Object.entries(sorted.servers).map(([name, server]) => [
      name,
      Object.fromEntries(
        Object.entries(inOrder(server as unknown as Record<string, unknown>, TABLE_ORDER)).map(
          ([table, entries]) => [
            table,
            Object.fromEntries(
              Object.entries(entries as Record<string, Record<string, unknown>>).map(
                ([key, entry]) => [key, inOrder(entry, FIELD_ORDER)],
              ),
            ),
          ],
        ),
      ),
    ]),
  );
  return `${JSON.stringify({ rampartContract: sorted.rampartContract, servers }, null, 2)}\n`;
}

/**
 * Reads the text of a contract file; throws a {@link ContractError} naming `file` and what is
 * wrong when it is not one (not JSON, another format, a table missing).
 *
 * @example
 * ```ts
 * const snapshot = parseContract(readFileSync(file, 'utf8'), file);
 * ```
 */
export function parseContract(text: string, file: string): McpContract {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ContractError(CONTRACT_FILE_INVALID(file, (error as Error).message));
  }
  const problem = contractProblem(parsed);
  if (problem) throw new ContractError(CONTRACT_FILE_INVALID(file, problem));
  return canonical(parsed as McpContract);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

function contractProblem(doc: unknown): string | undefined {
  if (!isRecord(doc)) return 'it is not a JSON object';
  if (doc.rampartContract !== 1)
    return `"rampartContract" is ${JSON.stringify(doc.rampartContract)}, not 1 (a newer rampart-contract may have written it)`;
  if (!isRecord(doc.servers)) return '"servers" is not an object';
  for (const [name, server] of Object.entries(doc.servers)) {
    if (!isRecord(server)) return `server "${name}" is not an object`;
    for (const table of ['tools', 'resources', 'resourceTemplates', 'prompts'])
      if (!isRecord(server[table])) return `"servers.${name}.${table}" is not an object`;
    for (const [tool, entry] of Object.entries(server.tools as Record<string, unknown>))
      if (!isRecord(entry) || !isRecord(entry.inputSchema))
        return `tool "${tool}" of server "${name}" has no inputSchema`;
    for (const [prompt, entry] of Object.entries(server.prompts as Record<string, unknown>))
      if (!isRecord(entry) || !Array.isArray(entry.arguments))
        return `prompt "${prompt}" of server "${name}" has no arguments list`;
    for (const table of ['resources', 'resourceTemplates'])
      for (const [uri, entry] of Object.entries(server[table] as Record<string, unknown>))
        if (!isRecord(entry) || typeof entry.name !== 'string')
          return `"servers.${name}.${table}" entry "${uri}" has no name`;
  }
  return undefined;
}
