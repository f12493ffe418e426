import { randomBytes } from 'node:crypto';

/**
 * Correlation ids of records that have neither a trace id nor one of their own: a random prefix
 * per process and a counter, unique across replicas and about twenty times cheaper than a UUID.
 */
const ID_PREFIX = `${randomBytes(6).toString('hex')}-`;
let idSeq = 0;

/** A fresh correlation id. */
export const nextCorrelationId = (): string => ID_PREFIX + (++idSeq).toString(36);
