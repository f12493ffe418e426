/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the most
 * self time, self time per package or file, and optionally the functions with
 * the most inclusive time (self plus callees). Sample time is what the
 * profiler attributed to each function; `(idle)` is time the event loop
 * waited, so the share of the rest is the share of the server's CPU.
 *
 * Usage: node test/bench/dist/profile-summary.js <file.cpuprofile> [--top 30] [--inclusive]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** The slice of the `.cpuprofile` format this script reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

type ProfileNode = CpuProfile['nodes'][number];

/** `file:///…/node_modules/pkg/x.js` → `pkg/x.js`; repository files relative to the cwd. */
function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  const cwd = `${process.cwd()}/`;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

/** The package (`zod`, `@nestjs/core`) or file a frame belongs to. */
function ownerOf(node: ProfileNode): string {
  const url = node.callFrame.url;
  if (!url) {
    const name = node.callFrame.functionName;
    return name.startsWith('(') ? name : `(${name || 'native'})`;
  }
  if (url.includes('/node_modules/')) {
    const parts = shortUrl(url).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return shortUrl(url);
}

function frameOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  return url ? `${name}  ${shortUrl(url)}:${lineNumber + 1}` : name;
}

function addTo(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function printTop(title: string, map: Map<string, number>, total: number, top: number): void {
  console.log(`\n## ${title}\n`);
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, us] of rows) {
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`,
    );
  }
}

function main(): void {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { top: { type: 'string' }, inclusive: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    throw new Error('usage: profile-summary <file.cpuprofile> [--top 30] [--inclusive]');
  }
  const top = Number(values.top ?? 30);
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parents.set(child, node.id);
  }

  // Time per leaf node: each sample's delta is attributed to the frame on top of the stack.
  const leafTime = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    leafTime.set(id, (leafTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );

  const self = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of leafTime) {
    const leaf = nodes.get(id)!;
    total += us;
    if (leaf.callFrame.functionName === '(idle)') idle += us;
    addTo(self, frameOf(leaf), us);
    addTo(byOwner, ownerOf(leaf), us);
    if (!values.inclusive) continue;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parents.get(cur)) {
      const frame = frameOf(nodes.get(cur)!);
      if (!seen.has(frame)) {
        seen.add(frame);
        addTo(inclusive, frame, us);
      }
    }
  }

  console.log(
    `${positionals[0]}: ${(total / 1e6).toFixed(2)} s sampled, ${((100 * idle) / total).toFixed(1)}% idle`,
  );
  printTop('Self time by function', self, total, top);
  printTop('Self time by package or file', byOwner, total, Math.min(top, 25));
  if (values.inclusive) printTop('Inclusive time by function', inclusive, total, top);
}

main();
