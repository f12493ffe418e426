import type { KillSwitch } from './kill-switch.store';
import { KillSwitchInputError } from './kill-switch-input.error';

/** Longest server name a switch accepts, in characters. */
export const MAX_KILL_SWITCH_SERVER_LENGTH = 256;
/** Longest target (tool or prompt name, resource URI) a switch accepts, in characters. */
export const MAX_KILL_SWITCH_TARGET_LENGTH = 2_048;
/** Longest reason a switch accepts, in characters. */
export const MAX_KILL_SWITCH_REASON_LENGTH = 1_000;
/** Longest `by` (subject) a switch accepts, in characters. */
export const MAX_KILL_SWITCH_BY_LENGTH = 512;

// Control characters never belong in a name, URI, reason or subject; refusing them keeps the
// NUL that separates server and target in a Redis field, and line breaks in logs, out.
// oxlint-disable-next-line no-control-regex -- the point is to match them
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `value` is not acceptable as a text field of at most `max` characters, if it is not. */
function textProblem(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
  if (value.length > max) return `must be at most ${max} characters`;
  if (CONTROL.test(value)) return 'must not contain control characters';
  return undefined;
}

/** Checks a text field, throwing a {@link KillSwitchInputError} naming it. */
function checkText(field: string, value: unknown, max: number): string {
  const problem = textProblem(value, max);
  if (problem) throw new KillSwitchInputError(field, problem);
  return value as string;
}

/**
 * Checks the server and target that name a switch.
 *
 * @throws KillSwitchInputError naming the field at fault
 */
export function checkKillSwitchKey(server: unknown, target: unknown): void {
  checkText('server', server, MAX_KILL_SWITCH_SERVER_LENGTH);
  if (target !== undefined) checkText('target', target, MAX_KILL_SWITCH_TARGET_LENGTH);
}

/**
 * A copy of `kill` with its known fields only, after checking every one.
 *
 * @throws KillSwitchInputError naming the field at fault
 */
export function normalizeKillSwitch(kill: KillSwitch): KillSwitch {
  if (!kill || typeof kill !== 'object')
    throw new KillSwitchInputError('kill', 'must be an object');
  checkKillSwitchKey(kill.server, kill.target);
  if (typeof kill.at !== 'string' || Number.isNaN(Date.parse(kill.at)))
    throw new KillSwitchInputError('at', 'must be an ISO 8601 date and time');
  const reason =
    kill.reason === undefined
      ? undefined
      : checkText('reason', kill.reason, MAX_KILL_SWITCH_REASON_LENGTH);
  const by =
    kill.by === undefined ? undefined : checkText('by', kill.by, MAX_KILL_SWITCH_BY_LENGTH);
  return {
    server: kill.server,
    ...(kill.target === undefined ? {} : { target: kill.target }),
    ...(reason === undefined ? {} : { reason }),
    ...(by === undefined ? {} : { by }),
    at: kill.at,
  };
}

/** The key of a switch in a store: `server`, or `server` NUL `target`. */
export function killSwitchField(server: string, target?: string): string {
  return target === undefined ? server : `${server}\u0000${target}`;
}

/** The server and target of a key made by {@link killSwitchField}. */
export function parseKillSwitchField(field: string): { server: string; target?: string } {
  const nul = field.indexOf('\u0000');
  return nul < 0
    ? { server: field }
    : { server: field.slice(0, nul), target: field.slice(nul + 1) };
}

/** Orders switches by server, a whole server's switch before its targets', then by target. */
export function compareKillSwitches(a: KillSwitch, b: KillSwitch): number {
  if (a.server !== b.server) return a.server < b.server ? -1 : 1;
  if (a.target === b.target) return 0;
  if (a.target === undefined) return -1;
  if (b.target === undefined) return 1;
  return a.target < b.target ? -1 : 1;
}

/** Copies of `switches`, in {@link compareKillSwitches} order. */
export function sortedCopies(switches: Iterable<KillSwitch>): KillSwitch[] {
  return [...switches].map((kill) => ({ ...kill })).sort(compareKillSwitches);
}
