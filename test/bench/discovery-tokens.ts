/**
 * What progressive discovery saves the model's context, in tokens (gpt-tokenizer `o200k_base`,
 * the reference count of `rampart-tokens`): the web-scrape app's catalogue server (360 tools)
 * served in `list` mode and in `progressive` mode, booted in this process from the built app.
 *
 * - The catalogue: every definition `tools/list` gives (each definition's compact JSON, counted
 *   as `rampart-tokens` counts it), in each mode.
 * - A typical turn in progressive mode: `search_tools` with the default detail (brief, 10
 *   results), then `call_tool` of the tool found: the two calls' arguments and their results,
 *   for five tasks. The same task in list mode costs the catalogue plus the direct call.
 * - The detail levels: one search's result at minimal, brief and full, and one `describe_tool`.
 *
 * Usage: npm run bench:discovery-tokens  (builds first; prints markdown tables, no timing)
 */
import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as path from 'node:path';
import {
  createMcpCall,
  listedDefinitions,
  McpServers,
  measureDefinitions,
  o200kCounter,
  type McpServerHost,
} from '@rampart/core';

const REPO = path.resolve(__dirname, '../../..');

type AppModuleType = {
  forRoot(options: Record<string, unknown>): DynamicModule;
};

/** A task a model would do with the catalogue: what it searches, and the call it then makes. */
interface Task {
  query: string;
  tool: string;
  arguments: Record<string, unknown>;
}

const TASKS: Task[] = [
  {
    query: 'overdue invoices',
    tool: 'list_invoices',
    arguments: { status: 'overdue', limit: 5 },
  },
  {
    query: 'track a parcel by its tracking number',
    tool: 'find_shipments_by_tracking_number',
    arguments: { tracking_number: '1Z999AA10123456784' },
  },
  {
    query: 'expenses claimed by an employee',
    tool: 'find_expenses_by_employee_id',
    arguments: { employee_id: 'emp_1042' },
  },
  {
    query: 'change history of an incident',
    tool: 'get_incident_history',
    arguments: { incident_id: 'inc_77', limit: 5 },
  },
  {
    query: 'count support tickets by status',
    tool: 'count_tickets',
    arguments: { since: '2026-01-01' },
  },
];

const counter = o200kCounter();
const tokens = (value: unknown) =>
  counter.count(typeof value === 'string' ? value : JSON.stringify(value));

async function boot(discovery: 'progressive' | 'list'): Promise<INestApplication> {
  const { AppModule } = (await import(path.join(REPO, 'apps/web-scrape/dist/app.module.js'))) as {
    AppModule: AppModuleType;
  };
  const app = await NestFactory.create(
    AppModule.forRoot({
      redisUrl: undefined,
      logLevel: 'silent',
      audit: { sink: 'log' },
      security: false,
      catalog: { discovery },
    }),
    { logger: false },
  );
  await app.init();
  return app;
}

/** Calls a tool on the server as a 2026-07-28 client would; the text the model reads. */
async function call(host: McpServerHost, name: string, args: Record<string, unknown>) {
  const result = (await host.dispatcher.dispatch(
    createMcpCall({
      server: host.name,
      id: 1,
      method: 'tools/call',
      params: { name, arguments: args },
      origin: { transport: 'memory', era: 'modern' },
      signal: new AbortController().signal,
      notify: async () => undefined,
      log: async () => undefined,
      send: async () => undefined,
    }),
  )) as { content: { text: string }[]; isError?: boolean; structuredContent?: unknown };
  if (result.isError) throw new Error(`${name} failed: ${result.content[0].text}`);
  return result;
}

const text = (result: { content: { text: string }[] }) =>
  result.content.map((c) => c.text).join('');

const pct = (part: number, whole: number) => `${((1 - part / whole) * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const listApp = await boot('list');
  const progressiveApp = await boot('progressive');
  try {
    const listed = listApp.get(McpServers).get('catalog');
    const progressive = progressiveApp.get(McpServers).get('catalog');
    const tools = (host: McpServerHost) =>
      measureDefinitions(
        host.name,
        listedDefinitions(host).filter((d) => d.kind === 'tool'),
        counter,
      ).kinds.tool;
    const full = tools(listed);
    const meta = tools(progressive);

    console.log('# Progressive discovery: tokens (o200k_base)\n');
    console.log(`Catalogue: the web-scrape app's catalog server, ${full.count} tools.\n`);
    console.log('## What tools/list puts in the context\n');
    console.log('| mode | tools listed | tokens |');
    console.log('|---|---:|---:|');
    console.log(`| list (every definition) | ${full.count} | ${full.tokens} |`);
    console.log(`| progressive (meta-tools) | ${meta.count} | ${meta.tokens} |`);
    console.log(`\nReduction: ${pct(meta.tokens, full.tokens)}\n`);

    console.log('## A typical turn: search (brief, 10 results), then call the tool found\n');
    console.log(
      '| task | rank of the tool | search call + result | call_tool call + result | turn (progressive, with the meta-tools) | same task in list mode (catalogue + call) | saved |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    let turnSum = 0;
    let listSum = 0;
    for (const task of TASKS) {
      const searchArgs = { query: task.query };
      const found = await call(progressive, 'search_tools', searchArgs);
      const names = (found.structuredContent as { tools: { name: string }[] }).tools.map(
        (t) => t.name,
      );
      const rank = names.indexOf(task.tool) + 1;
      const callArgs = { name: task.tool, arguments: task.arguments };
      const through = await call(progressive, 'call_tool', callArgs);
      const direct = await call(listed, task.tool, task.arguments);
      const search = tokens({ name: 'search_tools', arguments: searchArgs }) + tokens(text(found));
      const invoke = tokens({ name: 'call_tool', arguments: callArgs }) + tokens(text(through));
      const turn = meta.tokens + search + invoke;
      const inList =
        full.tokens + tokens({ name: task.tool, arguments: task.arguments }) + tokens(text(direct));
      turnSum += turn;
      listSum += inList;
      console.log(
        `| ${task.query} | ${rank || 'not found'} | ${search} | ${invoke} | ${turn} | ${inList} | ${pct(turn, inList)} |`,
      );
    }
    console.log(
      `| **mean of ${TASKS.length}** | | | | **${Math.round(turnSum / TASKS.length)}** | **${Math.round(listSum / TASKS.length)}** | **${pct(turnSum, listSum)}** |\n`,
    );

    console.log('## Detail levels (one search, 10 results; one describe)\n');
    console.log('| answer | tokens |');
    console.log('|---|---:|');
    for (const detail of ['minimal', 'brief', 'full'])
      console.log(
        `| search_tools detail ${detail} | ${tokens(text(await call(progressive, 'search_tools', { query: 'invoices of a customer', detail })))} |`,
      );
    console.log(
      `| describe_tool list_invoices | ${tokens(text(await call(progressive, 'describe_tool', { name: 'list_invoices' })))} |`,
    );
    console.log('');
  } finally {
    await Promise.all([listApp.close(), progressiveApp.close()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
