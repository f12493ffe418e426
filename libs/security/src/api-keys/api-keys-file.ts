import { readFile } from 'node:fs/promises';
import type { ApiKeyRecord } from './api-key.store';
import { findFieldProblem, isPlainObject, RECORD_FIELDS } from './api-key-fields';
import {
  API_KEY_FIELD_INVALID,
  API_KEYS_FILE_RECORD_INVALID,
  API_KEYS_FILE_UNREADABLE,
} from './api-key-messages.constant';
import { ApiKeysFileError } from './api-keys-file.error';

/**
 * Reads an API keys file: a JSON array of {@link ApiKeyRecord}s, hashes only. Every record is
 * checked (a known field each, an id of 10 letters or digits, a `sha256:<64 hex>` hash, a
 * subject, ISO 8601 dates, scopes and roles as arrays of strings, no id twice); the first
 * problem throws an {@link ApiKeysFileError} naming the file, the record's index and the field,
 * never a value from the file.
 *
 * @example
 * ```ts
 * // keys.json: [{ "id": "3fZ9qLm0Xa", "hash": "sha256:…", "subject": "svc-billing",
 * //               "scopes": ["scrape:read"], "createdAt": "2026-12-01T00:00:00Z" }]
 * const store = new InMemoryApiKeyStore(await loadApiKeysFile(process.env.API_KEYS_FILE!));
 * ```
 */
export async function loadApiKeysFile(path: string): Promise<ApiKeyRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code;
    throw new ApiKeysFileError(
      API_KEYS_FILE_UNREADABLE(path, `cannot be read (${code ?? 'error'})`),
      path,
      undefined,
      error,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the fault: not repeated.
    throw new ApiKeysFileError(API_KEYS_FILE_UNREADABLE(path, 'is not valid JSON'), path);
  }
  if (!Array.isArray(parsed))
    throw new ApiKeysFileError(
      API_KEYS_FILE_UNREADABLE(path, 'must hold a JSON array of API key records'),
      path,
    );
  const seen = new Set<string>();
  return parsed.map((entry: unknown, index) => {
    const fail = (problem: string): never => {
      throw new ApiKeysFileError(API_KEYS_FILE_RECORD_INVALID(path, index, problem), path, index);
    };
    if (!isPlainObject(entry)) return fail('must be a JSON object');
    const problem = findFieldProblem(entry, RECORD_FIELDS);
    if (problem) return fail(API_KEY_FIELD_INVALID(problem.field, problem.problem));
    const record = entry as unknown as ApiKeyRecord;
    if (seen.has(record.id))
      return fail(API_KEY_FIELD_INVALID('id', 'is used by an earlier record'));
    seen.add(record.id);
    return record;
  });
}
