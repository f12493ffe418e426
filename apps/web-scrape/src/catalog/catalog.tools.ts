import { Injectable } from '@nestjs/common';
import { Args, Tool, type JsonSchemaObject } from '@rampart/core';
import { Scopes, Tags } from '@rampart/security';
import { CATALOG_ENTITIES, type CatalogEntity, type CatalogField } from './catalog.table';

/** Name of the catalogue's MCP server. */
export const CATALOG_SERVER = 'catalog';
/** Scope a caller needs for the catalogue when authentication is on. */
export const CATALOG_SCOPE = 'catalog:read';
/** Scope a caller needs for the people records (domain `hr`) when authentication is on. */
export const CATALOG_HR_SCOPE = 'catalog:hr';

/** One generated tool of the catalogue. */
export interface CatalogToolSpec {
  name: string;
  title: string;
  description: string;
  input: JsonSchemaObject;
  /** The record's domain and the kind of operation. */
  tags: readonly string[];
  entity: CatalogEntity;
  operation: CatalogOperation;
}

/** The nine read-only operations each record of the table gets. */
export type CatalogOperation =
  'get' | 'list' | 'search' | 'count' | 'history' | 'export' | 'summarize' | 'find' | 'links';

const words = (snake: string) => snake.replace(/_/g, ' ');
const LIMIT = { type: 'integer', minimum: 1, maximum: 100, default: 20 } as const;
const DATE = { type: 'string', format: 'date' } as const;

function fieldSchema(field: CatalogField): Record<string, unknown> {
  if (field.values) return { type: 'string', enum: [...field.values] };
  return field.type === 'date' ? { ...DATE } : { type: field.type };
}

function idSchema(e: CatalogEntity): Record<string, unknown> {
  return {
    type: 'string',
    pattern: `^${e.idPrefix}_[A-Za-z0-9]{1,32}$`,
    description: `${e.idPrefix}_ followed by letters or digits`,
  };
}

function schema(properties: Record<string, unknown>, required: string[] = []): JsonSchemaObject {
  return {
    type: 'object',
    properties,
    ...(required.length && { required }),
    additionalProperties: false,
  };
}

/** The nine tools of one record. */
function toolsOf(e: CatalogEntity): CatalogToolSpec[] {
  const label = words(e.name);
  const plural = words(e.plural);
  const status = { type: 'string', enum: [...e.statuses] };
  const id = `${e.name}_id`;
  const [lookup] = e.fields;
  const fieldNames = e.fields.map((f) => words(f.name));
  const groupable = ['status', ...e.fields.filter((f) => f.values).map((f) => f.name)];
  const spec = (
    operation: CatalogOperation,
    name: string,
    title: string,
    description: string,
    input: JsonSchemaObject,
  ): CatalogToolSpec => ({
    name,
    title,
    description,
    input,
    tags: [e.domain, operation],
    entity: e,
    operation,
  });
  const Plural = plural[0].toUpperCase() + plural.slice(1);
  return [
    spec(
      'get',
      `get_${e.name}`,
      `Get ${label}`,
      `Fetch one ${label} (${e.about}) by its id, with all its fields. Read-only.`,
      schema({ [id]: idSchema(e) }, [id]),
    ),
    spec(
      'list',
      `list_${e.plural}`,
      `List ${plural}`,
      `List ${plural}, newest first, optionally only those in one status (${e.statuses.join(', ')}). Pages through the results with cursor.`,
      schema({ status, limit: LIMIT, cursor: { type: 'string' } }),
    ),
    spec(
      'search',
      `search_${e.plural}`,
      `Search ${plural}`,
      `Search ${plural} by words in their ${fieldNames.join(', ')}; best matches first.`,
      schema({ query: { type: 'string', minLength: 1 }, limit: LIMIT }, ['query']),
    ),
    spec(
      'count',
      `count_${e.plural}`,
      `Count ${plural}`,
      `Count ${plural} per status, created within an optional date range.`,
      schema({ since: DATE, until: DATE }),
    ),
    spec(
      'history',
      `get_${e.name}_history`,
      `${label[0].toUpperCase() + label.slice(1)} history`,
      `The change history of one ${label}: each change of its fields or status, who made it and when.`,
      schema({ [id]: idSchema(e), limit: LIMIT }, [id]),
    ),
    spec(
      'export',
      `export_${e.plural}`,
      `Export ${plural}`,
      `Export ${plural} as CSV rows (at most 1,000), with the columns you choose, for a report or a spreadsheet.`,
      schema({
        columns: {
          type: 'array',
          items: { type: 'string', enum: ['id', 'status', ...e.fields.map((f) => f.name)] },
          minItems: 1,
        },
        status,
        since: DATE,
      }),
    ),
    spec(
      'summarize',
      `summarize_${e.plural}`,
      `${Plural} summary`,
      `Totals and counts of ${plural} grouped by ${groupable.map(words).join(' or ')}, for dashboards and reviews.`,
      schema({ group_by: { type: 'string', enum: groupable }, since: DATE }, ['group_by']),
    ),
    spec(
      'find',
      `find_${e.plural}_by_${lookup.name}`,
      `Find ${plural} by ${words(lookup.name)}`,
      `Find the ${plural} whose ${words(lookup.name)} is the given value.`,
      schema({ [lookup.name]: fieldSchema(lookup), limit: LIMIT }, [lookup.name]),
    ),
    spec(
      'links',
      `get_${e.name}_links`,
      `${label[0].toUpperCase() + label.slice(1)} links`,
      `The records linked to one ${label}: its ${e.related.map(words).join(', ')}.`,
      schema({ [id]: idSchema(e) }, [id]),
    ),
  ];
}

/** Every tool of the catalogue, in table order: 9 per record, 360 in all. */
export const CATALOG_TOOLS: readonly CatalogToolSpec[] = CATALOG_ENTITIES.flatMap(toolsOf);

/** A small deterministic number from a string, so that answers are the same on every call. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A sample record of `e` with id `id`: the catalogue is an example, its data made up. */
function record(e: CatalogEntity, id: string): Record<string, string | number | boolean> {
  const h = hash(id);
  const out: Record<string, string | number | boolean> = {
    id,
    status: e.statuses[h % e.statuses.length],
  };
  for (const [i, f] of e.fields.entries()) {
    const n = (h >>> (i * 3)) % 997;
    out[f.name] = f.values
      ? f.values[n % f.values.length]
      : f.type === 'integer'
        ? n
        : f.type === 'number'
          ? n * 10 + 0.5
          : f.type === 'boolean'
            ? n % 2 === 0
            : f.type === 'date'
              ? `2026-${String((n % 12) + 1).padStart(2, '0')}-${String((n % 28) + 1).padStart(2, '0')}`
              : `${f.name.replace(/_id$/, '')}_${n}`;
  }
  return out;
}

function records(
  e: CatalogEntity,
  seed: string,
  count: number,
): Record<string, string | number | boolean>[] {
  return Array.from({ length: count }, (_, i) =>
    record(e, `${e.idPrefix}_${hash(`${seed}${i}`) % 100_000}`),
  );
}

/** What a catalogue tool answers: made-up records of the right shape for the operation. */
export function answer(
  spec: CatalogToolSpec,
  args: Record<string, unknown>,
): Record<string, unknown> {
  const e = spec.entity;
  const seed = `${spec.name}${JSON.stringify(args)}`;
  const limit = Math.min(Number(args.limit ?? 3), 3);
  switch (spec.operation) {
    case 'get':
      return record(e, String(args[`${e.name}_id`]));
    case 'list':
    case 'search':
    case 'find':
      return { items: records(e, seed, limit), next_cursor: `c_${hash(seed) % 10_000}` };
    case 'count':
      return {
        counts: Object.fromEntries(e.statuses.map((s, i) => [s, (hash(seed) >>> i) % 500])),
      };
    case 'history':
      return {
        [`${e.name}_id`]: args[`${e.name}_id`],
        changes: e.statuses.slice(0, limit).map((s, i) => ({
          status: s,
          by: `emp_${(hash(seed) >>> i) % 1000}`,
          at: `2026-0${i + 1}-1${i}T09:00:00Z`,
        })),
      };
    case 'export': {
      const columns = (args.columns as string[] | undefined) ?? ['id', 'status'];
      const rows = records(e, seed, 3).map((r) => columns.map((c) => String(r[c] ?? '')).join(','));
      return { csv: [columns.join(','), ...rows].join('\n') };
    }
    case 'summarize': {
      const by = String(args.group_by);
      const keys =
        by === 'status' ? e.statuses : (e.fields.find((f) => f.name === by)?.values ?? []);
      return {
        group_by: by,
        groups: keys.map((k, i) => ({ [by]: k, count: (hash(seed) >>> i) % 300 })),
      };
    }
    case 'links':
      return Object.fromEntries(
        e.related.map((r, i) => [r, [`${r.slice(0, 3)}_${(hash(seed) >>> i) % 10_000}`]]),
      );
  }
}

/**
 * The catalogue's tools, one method per generated tool, each declared with the decorators a
 * hand-written tool has (`@Tool`, `@Args`, `@Tags`, `@Scopes`), so that it runs through the same
 * pipeline: validation against its schema, guards, limits, metrics and audit.
 */
@Injectable()
export class CatalogTools {}

for (const spec of CATALOG_TOOLS) {
  const proto = CatalogTools.prototype as unknown as Record<string, unknown>;
  const method = {
    [spec.name](this: CatalogTools, args: Record<string, unknown>) {
      return answer(spec, args);
    },
  }[spec.name];
  Object.defineProperty(proto, spec.name, { value: method, writable: true, configurable: true });
  const descriptor = Object.getOwnPropertyDescriptor(proto, spec.name)!;
  Args()(proto, spec.name, 0);
  Tool({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: spec.input,
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    server: CATALOG_SERVER,
  })(proto, spec.name, descriptor);
  Tags(...spec.tags)(proto, spec.name, descriptor);
  Scopes(spec.entity.domain === 'hr' ? CATALOG_HR_SCOPE : CATALOG_SCOPE)(
    proto,
    spec.name,
    descriptor,
  );
}
