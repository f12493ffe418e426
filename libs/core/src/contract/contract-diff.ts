import type { DeprecationInfo } from '../interfaces/primitive-options.interface';
import { canonical } from './contract-snapshot';
import type {
  ContractChange,
  ContractSubject,
  ContractVersioned,
  McpContract,
  PromptContract,
  ResourceContract,
  ServerContract,
  ToolContract,
} from './contract.interfaces';
import { diffSchemas } from './schema-diff';

/**
 * A change before it is attributed to a server and a primitive; `final` when no version bump or
 * deprecation can make it acceptable (a lowered version).
 */
type Change = Pick<ContractChange, 'severity' | 'message'> & { final?: true };

const same = (a: unknown, b: unknown): boolean =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
const show = (value: unknown): string => JSON.stringify(value);

/** The version a primitive counts as: its declared one, or 1 when it declares none. */
export function versionOf(primitive: ContractVersioned): { major: number; minor: number } {
  const [major, minor] = (primitive.version ?? '1').split('.').map(Number);
  return { major, minor: minor ?? 0 };
}

const versionText = (p: ContractVersioned): string => p.version ?? '1 (none declared)';

/** Title, description and the other words people and models read: always compatible. */
function wording(
  before: { title?: string; description?: string; name?: string },
  after: { title?: string; description?: string; name?: string },
): Change[] {
  const changes: Change[] = [];
  for (const k of ['name', 'title', 'description'] as const)
    if (before[k] !== after[k])
      changes.push({
        severity: 'compatible',
        message:
          before[k] === undefined
            ? `${k} added`
            : after[k] === undefined
              ? `${k} removed`
              : k === 'name'
                ? `name changed from ${show(before[k])} to ${show(after[k])}`
                : `${k} changed`,
      });
  return changes;
}

/** Version and deprecation: lowering a version is breaking, everything else compatible. */
function lifecycle(before: ContractVersioned, after: ContractVersioned): Change[] {
  const changes: Change[] = [];
  if (before.version !== after.version) {
    const a = versionOf(before);
    const b = versionOf(after);
    const lowered = b.major < a.major || (b.major === a.major && b.minor < a.minor);
    changes.push({
      severity: lowered ? 'breaking' : 'compatible',
      message: `version ${lowered ? 'lowered' : 'changed'} from ${versionText(before)} to ${versionText(after)}`,
      ...(lowered && { final: true as const }),
    });
  }
  if (!before.deprecated && after.deprecated)
    changes.push({
      severity: 'compatible',
      message: `deprecated${deprecationText(after.deprecated)}`,
    });
  else if (before.deprecated && !after.deprecated)
    changes.push({ severity: 'compatible', message: 'no longer deprecated' });
  else if (!same(before.deprecated, after.deprecated))
    changes.push({
      severity: 'compatible',
      message: `deprecation changed${deprecationText(after.deprecated!)}`,
    });
  return changes;
}

function deprecationText(info: DeprecationInfo): string {
  const parts = [
    info.since && `since ${info.since}`,
    info.replacedBy && `replaced by ${info.replacedBy}`,
    info.reason,
  ].filter(Boolean);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** The shape of a tool: what its callers depend on. */
function toolShape(before: ToolContract, after: ToolContract): Change[] {
  const changes: Change[] = [...diffSchemas(before.inputSchema, after.inputSchema, 'input')];
  if (before.outputSchema && !after.outputSchema)
    changes.push({ severity: 'breaking', message: 'output schema removed' });
  else if (!before.outputSchema && after.outputSchema)
    changes.push({ severity: 'compatible', message: 'output schema added' });
  else if (before.outputSchema && after.outputSchema)
    changes.push(...diffSchemas(before.outputSchema, after.outputSchema, 'output'));
  return changes;
}

function toolChanges(before: ToolContract, after: ToolContract): Change[] {
  const changes = [...lifecycle(before, after), ...wording(before, after)];
  const hints = new Set([
    ...Object.keys(before.annotations ?? {}),
    ...Object.keys(after.annotations ?? {}),
  ]);
  for (const hint of [...hints].sort()) {
    const a = before.annotations?.[hint];
    const b = after.annotations?.[hint];
    if (!same(a, b))
      changes.push({
        severity: 'compatible',
        message: `annotation ${hint} changed from ${show(a) ?? 'unset'} to ${show(b) ?? 'unset'}`,
      });
  }
  return [...changes, ...toolShape(before, after)];
}

/** The shape of a resource or template: the content type its readers parse. */
function resourceShape(before: ResourceContract, after: ResourceContract): Change[] {
  if (before.mimeType === after.mimeType) return [];
  return [
    {
      severity: 'breaking',
      message: `mimeType changed from ${show(before.mimeType) ?? 'unset'} to ${show(after.mimeType) ?? 'unset'}`,
    },
  ];
}

function resourceChanges(before: ResourceContract, after: ResourceContract): Change[] {
  return [...lifecycle(before, after), ...wording(before, after), ...resourceShape(before, after)];
}

/** The shape of a prompt: its arguments, as a tool's input (removing one or requiring one breaks). */
function promptShape(before: PromptContract, after: PromptContract): Change[] {
  const changes: Change[] = [];
  const a = new Map(before.arguments.map((arg) => [arg.name, arg]));
  const b = new Map(after.arguments.map((arg) => [arg.name, arg]));
  for (const [name, arg] of a) {
    const now = b.get(name);
    if (!now) changes.push({ severity: 'breaking', message: `argument "${name}" removed` });
    else if (arg.required !== now.required)
      changes.push({
        severity: now.required ? 'breaking' : 'compatible',
        message: `argument "${name}" became ${now.required ? 'required' : 'optional'}`,
      });
    if (now && arg.description !== now.description)
      changes.push({ severity: 'compatible', message: `argument "${name}": description changed` });
  }
  for (const [name, arg] of b)
    if (!a.has(name))
      changes.push({
        severity: arg.required ? 'breaking' : 'compatible',
        message: `argument "${name}" added (${arg.required ? 'required' : 'optional'})`,
      });
  return changes;
}

function promptChanges(before: PromptContract, after: PromptContract): Change[] {
  return [...lifecycle(before, after), ...wording(before, after), ...promptShape(before, after)];
}

/** How each table of a server contract is compared. */
interface Table<T extends ContractVersioned> {
  subject: Exclude<ContractSubject, 'server'>;
  entries: (server: ServerContract) => Record<string, T>;
  /** Every change from `before` to `after`. */
  changes: (before: T, after: T) => Change[];
  /** Only the changes of what clients depend on (no words, version or deprecation). */
  shape: (before: T, after: T) => Change[];
}

const TABLES: Table<any>[] = [
  {
    subject: 'tool',
    entries: (s) => s.tools,
    changes: toolChanges,
    shape: toolShape,
  } satisfies Table<ToolContract>,
  {
    subject: 'resource',
    entries: (s) => s.resources,
    changes: resourceChanges,
    shape: resourceShape,
  } satisfies Table<ResourceContract>,
  {
    subject: 'resourceTemplate',
    entries: (s) => s.resourceTemplates,
    changes: resourceChanges,
    shape: resourceShape,
  } satisfies Table<ResourceContract>,
  {
    subject: 'prompt',
    entries: (s) => s.prompts,
    changes: promptChanges,
    shape: promptShape,
  } satisfies Table<PromptContract>,
];

const SUBJECT_WORD: Record<ContractSubject, string> = {
  server: 'server',
  tool: 'tool',
  resource: 'resource',
  resourceTemplate: 'resource template',
  prompt: 'prompt',
};

/**
 * Where the old shape of `name` is still served, deprecated, at its old major version: another
 * entry of the same table that is deprecated, whose major version is the snapshot's, and that a
 * client of the snapshot's `name` could use without a breaking change.
 */
function deprecatedOldShape<T extends ContractVersioned>(
  table: Table<T>,
  name: string,
  before: T,
  build: Record<string, T>,
): string | undefined {
  const major = versionOf(before).major;
  return Object.keys(build).find(
    (other) =>
      other !== name &&
      !!build[other].deprecated &&
      versionOf(build[other]).major === major &&
      !table.shape(before, build[other]).some((c) => c.severity === 'breaking'),
  );
}

/**
 * Every change from a contract snapshot to a build, classified: `breaking` when a client of the
 * snapshot can fail against the build, `compatible` otherwise. A breaking change is `accepted`
 *
 * - to a primitive still there, when its major version was raised and the build still serves its
 *   old shape, deprecated, at the old major version under another name (`search` at version 2,
 *   `search_v1` deprecated at version 1 with the snapshot's schemas);
 * - for a primitive removed, when it was already deprecated in the snapshot.
 *
 * Changes are listed by server, then tools, resources, templates and prompts, by name.
 *
 * @example
 * ```ts
 * const changes = diffContracts(JSON.parse(readFileSync('rampart.contract.json', 'utf8')), contract);
 * const refused = changes.filter((c) => c.severity === 'breaking' && !c.accepted);
 * ```
 */
export function diffContracts(snapshot: McpContract, build: McpContract): ContractChange[] {
  const out: ContractChange[] = [];
  const servers = [
    ...new Set([...Object.keys(snapshot.servers), ...Object.keys(build.servers)]),
  ].sort();
  for (const server of servers) {
    const before = snapshot.servers[server];
    const after = build.servers[server];
    if (!after) {
      out.push({
        severity: 'breaking',
        server,
        subject: 'server',
        name: server,
        message: 'removed',
      });
      continue;
    }
    if (!before) {
      out.push({
        severity: 'compatible',
        server,
        subject: 'server',
        name: server,
        message: 'added',
      });
      continue;
    }
    for (const table of TABLES) out.push(...diffTable(table, server, before, after));
  }
  return out;
}

function diffTable<T extends ContractVersioned>(
  table: Table<T>,
  server: string,
  snapshotServer: ServerContract,
  buildServer: ServerContract,
): ContractChange[] {
  const out: ContractChange[] = [];
  const before = table.entries(snapshotServer);
  const after = table.entries(buildServer);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const at = (name: string) => ({ server, subject: table.subject, name });
  for (const name of names) {
    const old = before[name];
    const now = after[name];
    if (!now) {
      out.push({
        ...at(name),
        severity: 'breaking',
        message: 'removed',
        ...(old.deprecated
          ? { accepted: 'it was deprecated in the snapshot' }
          : {
              note: `deprecate it first, and remove it once a snapshot with the deprecation is committed`,
            }),
      });
      continue;
    }
    if (!old) {
      out.push({ ...at(name), severity: 'compatible', message: addedText(now) });
      continue;
    }
    const changes = table.changes(old, now);
    const breaking = changes.some((c) => c.severity === 'breaking');
    const raised = versionOf(now).major > versionOf(old).major;
    const oldShape = breaking && raised ? deprecatedOldShape(table, name, old, after) : undefined;
    for (const { final, ...change } of changes) {
      const entry: ContractChange = { ...at(name), ...change };
      if (change.severity === 'breaking' && !final) {
        if (oldShape)
          entry.accepted = `version ${versionText(old)} → ${versionText(now)}; the old shape is served deprecated as ${SUBJECT_WORD[table.subject]} ${oldShape}`;
        else if (raised)
          entry.note = `the version was raised, but no deprecated ${SUBJECT_WORD[table.subject]} at version ${versionOf(old).major} serves the old shape`;
        else
          entry.note = `raise the major version and keep serving the old shape, deprecated, under another name`;
      }
      out.push(entry);
    }
  }
  return out;
}

function addedText(p: ContractVersioned): string {
  const parts = [p.version && `version ${p.version}`, p.deprecated && 'deprecated'].filter(Boolean);
  return parts.length ? `added (${parts.join(', ')})` : 'added';
}

/** The word for a subject in reports: `tool`, `resource template`, ... */
export const subjectWord = (subject: ContractSubject): string => SUBJECT_WORD[subject];
