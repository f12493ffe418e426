/** Injection token of the `ApiKeyVerifier` the module authenticates API keys with. */
export const ApiKeyVerifierToken = Symbol.for('rampart:api-key-verifier');
