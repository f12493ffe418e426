const RAMPART_ENTITY_TYPES =
  'Rampart::Subject, Rampart::Anonymous, Rampart::Role, Rampart::Action, Rampart::Server, Rampart::Tool, Rampart::Resource, Rampart::ResourceTemplate and Rampart::Prompt';

export const POLICY_FILE_UNREADABLE = (file: string, problem: string) =>
  `Cannot read the Cedar policy file "${file}": ${problem}`;
export const POLICY_PARSE_FAILED = (source: string, where: string, problem: string) =>
  `Cannot parse the Cedar policies in "${source}"${where}: ${problem}`;
export const POLICY_TEMPLATES_UNSUPPORTED = (source: string, count: number) =>
  `"${source}" holds ${count} Cedar policy template(s) (policies with ?principal or ?resource slots); Rampart loads static policies only. Write the principal or resource into the policy instead of a slot.`;
export const POLICY_DUPLICATE_ID = (id: string, first: string, second: string) =>
  `Two Cedar policies have the id "${id}" (${first} and ${second}); a decision names the policy that made it, so give each policy its own @id("…").`;
export const POLICY_SET_REJECTED = (problem: string) => `Cedar refused the policy set: ${problem}`;
export const POLICY_SET_EMPTY = (sources: string) =>
  `The Cedar policy set (${sources}) holds no policy, so every request is denied (Cedar's default). Add a permit policy, or leave the policy option out to not use policies at all.`;
export const POLICY_UNKNOWN_ENTITY_TYPE = (policy: string, where: string, type: string) =>
  `Cedar policy "${policy}" (${where}) names the entity type ${type}, which Rampart never sends, so what names it can never match. Rampart's types are ${RAMPART_ENTITY_TYPES}.`;
export const POLICY_LOADED = (generation: number, count: number) =>
  `Cedar policies loaded: generation ${generation}, ${count} ${count === 1 ? 'policy' : 'policies'}`;
export const POLICY_RELOAD_FAILED = (problem: string, generation: number) =>
  `Cedar policies not reloaded, generation ${generation} stays in force: ${problem}`;
export const POLICY_WATCH_FAILED = (dir: string, problem: string) =>
  `Cannot watch "${dir}" for Cedar policy changes: ${problem}. Changes there are picked up only by PolicyEngine.reload().`;
export const POLICY_LISTENER_FAILED = (problem: string) =>
  `A Cedar policy change listener failed: ${problem}`;
export const POLICY_NOT_LOADED = () =>
  'The Cedar policies are not loaded (PolicyEngine.load() has not succeeded), so the request is denied.';
export const POLICY_CONTEXT_REFUSED = (problem: string) =>
  `The request's context cannot be given to the policies (${problem}), so the request is denied.`;
export const POLICY_EVALUATION_FAILED = (problem: string) =>
  `Cedar could not evaluate the request (${problem}), so it is denied.`;
