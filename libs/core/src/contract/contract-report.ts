import { subjectWord } from './contract-diff';
import type { ContractChange, McpContract } from './contract.interfaces';

/** How a change is labelled: refused breaking, accepted breaking, compatible. */
const label = (c: ContractChange): string =>
  c.severity === 'compatible' ? 'COMPATIBLE' : c.accepted ? 'ACCEPTED' : 'BREAKING';

const ORDER = ['BREAKING', 'ACCEPTED', 'COMPATIBLE'];

/**
 * One line per change, refused breaking changes first, then accepted ones, then compatible ones:
 * `BREAKING tool scrape_url: input property "url" removed`. The server is named when the
 * contracts have more than one. A refused change's remedy follows it once per primitive, indented.
 *
 * @example
 * ```ts
 * for (const line of reportLines(diffContracts(snapshot, build))) console.log(line);
 * ```
 */
export function reportLines(changes: readonly ContractChange[], multiServer = false): string[] {
  const lines: string[] = [];
  const noted = new Set<string>();
  const sorted = [...changes].sort((a, b) => ORDER.indexOf(label(a)) - ORDER.indexOf(label(b)));
  for (const c of sorted) {
    const server = multiServer && c.subject !== 'server' ? ` (server ${c.server})` : '';
    const accepted = c.accepted ? ` (accepted: ${c.accepted})` : '';
    lines.push(`${label(c)} ${subjectWord(c.subject)} ${c.name}${server}: ${c.message}${accepted}`);
    const who = `${c.server}\0${c.subject}\0${c.name}`;
    if (c.note && !c.accepted && !noted.has(who)) {
      noted.add(who);
      lines.push(`  to pass: ${c.note}`);
    }
  }
  return lines;
}

/** `1 tool`, `2 tools`. */
export const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `1 server: 1 tool, 1 resource, 1 resource template, 0 prompts`, for the summary line. */
export function describeContract(contract: McpContract): string {
  const servers = Object.values(contract.servers);
  const sum = (table: 'tools' | 'resources' | 'resourceTemplates' | 'prompts') =>
    servers.reduce((n, s) => n + Object.keys(s[table]).length, 0);
  return `${count(servers.length, 'server')}: ${count(sum('tools'), 'tool')}, ${count(sum('resources'), 'resource')}, ${count(sum('resourceTemplates'), 'resource template')}, ${count(sum('prompts'), 'prompt')}`;
}
