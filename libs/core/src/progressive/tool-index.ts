import MiniSearch, { type SearchResult } from 'minisearch';
import type { ToolEntry } from '../registry/registry.interfaces';

/** One document of the index: the searchable text of a tool. */
interface ToolDocument {
  id: string;
  name: string;
  title: string;
  description: string;
  tags: string;
}

/** How much each field weighs in the score: a word of the name counts most. */
const BOOST = { name: 3, title: 2, tags: 2, description: 1 } as const;

/** Words too common to tell tools apart; dropped from documents and queries alike. */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be by do does for from get give has have i in into is it its me my of on ' +
    'or our show that the their them then this to tool tools use want was we what which with you your'
  ).split(' '),
);

/** A term as indexed and searched: lower case; stop words and single letters dropped. */
function processTerm(term: string): string | null {
  const t = term.toLowerCase();
  return t.length < 2 || STOP_WORDS.has(t) ? null : t;
}

/** Splits `camelCase` and `snake_case` names into words, so that each word is found. */
function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_.-]+/g, ' ');
}

/** A tool found by a search, with its BM25 score. */
export interface ToolMatch {
  tool: ToolEntry;
  score: number;
}

/**
 * A BM25 index (minisearch) of a set of tools, over their names, titles, descriptions and tags.
 * Built once for a set of tools and searched for every query; never changed in place.
 */
export class ToolIndex {
  private readonly search = new MiniSearch<ToolDocument>({
    fields: ['name', 'title', 'description', 'tags'],
    processTerm,
    searchOptions: {
      boost: BOOST,
      // "invoice" finds "invoices"; "invoices" finds "invoice" (one edit in five letters or more).
      prefix: (term) => term.length >= 3,
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      combineWith: 'OR',
    },
  });
  private readonly byName = new Map<string, ToolEntry>();

  constructor(tools: readonly ToolEntry[], tagsOf: (tool: ToolEntry) => readonly string[]) {
    const docs: ToolDocument[] = [];
    for (const tool of tools) {
      this.byName.set(tool.name, tool);
      const definition = tool.definition;
      docs.push({
        id: tool.name,
        name: `${tool.name} ${words(tool.name)}`,
        title: definition.title ?? definition.annotations?.title ?? '',
        description: definition.description ?? '',
        tags: tagsOf(tool).join(' '),
      });
    }
    this.search.addAll(docs);
  }

  /** How many tools the index holds. */
  get size(): number {
    return this.byName.size;
  }

  /** Whether the index holds the tool of this name. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The tools that match `query`, best first (ties by name); a query that is a name finds that tool first. */
  find(query: string): ToolMatch[] {
    const results: SearchResult[] = this.search.search(query);
    const matches: ToolMatch[] = [];
    const exact = this.byName.get(query.trim());
    for (const r of results) {
      const tool = this.byName.get(r.id as string);
      if (tool && tool !== exact) matches.push({ tool, score: r.score });
    }
    matches.sort((a, b) => b.score - a.score || byName(a.tool, b.tool));
    if (exact) matches.unshift({ tool: exact, score: (matches[0]?.score ?? 0) + 1 });
    return matches;
  }
}

function byName(a: ToolEntry, b: ToolEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
