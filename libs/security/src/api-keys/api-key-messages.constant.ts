export const API_KEY_FIELD_INVALID = (field: string, problem: string) => `"${field}" ${problem}`;
export const API_KEY_INPUT_NOT_OBJECT = () => 'must be a JSON object';
export const API_KEYS_FILE_UNREADABLE = (file: string, problem: string) =>
  `API keys file ${file}: ${problem}`;
export const API_KEYS_FILE_RECORD_INVALID = (file: string, index: number, problem: string) =>
  `API keys file ${file}: record ${index}: ${problem}`;
export const API_KEY_STORE_UNAVAILABLE = (problem: string) =>
  `The API key store is unavailable: ${problem}`;
export const API_KEY_STORE_RECORD_CORRUPT = (id: string) =>
  `The stored API key "${id}" is not a valid record`;
export const REDIS_DOWN = (problem: string) => `Redis unavailable for API keys: ${problem}`;
