/**
 * The Lua scripts of `RedisResourceStore`. Every change of the store is one script, so that it
 * is atomic whatever the number of replicas writing at once: the byte counter, the recency and
 * expiry indexes and the entries never disagree, and no two puts can both see room for
 * themselves.
 *
 * Layout, under the store's key prefix `<p>`:
 *
 * - `<p>r:<id>`: a hash per entry, `c` (content: UTF-8 text, or base64 bytes), `m` (metadata
 *   JSON), `t` (created at) and `e` (expires at), expiring at `e` (`PEXPIREAT`);
 * - `<p>lru`: sorted set of ids by last use (a sequence number from `<p>seq`, so ties cannot
 *   happen); the eviction order;
 * - `<p>exp`: sorted set of ids by expiry, in ms, so that expired entries are reclaimed (their
 *   bytes uncounted) at the next put, delete or usage, although Redis dropped their hash itself;
 * - `<p>sizes`: hash of content bytes by id;
 * - `<p>bytes`: the sum of `<p>sizes`;
 * - `<p>owners`: hash of each owned entry's owner index (`:<tenant>`, or `-` for an owner without
 *   a tenant); anonymous entries have none;
 * - `<p>t:<tenant>` and `<p>t-` (owners without a tenant): the owner indexes, a hash of the ids of
 *   the tenant's entries to their owner's subject, so that a tenant's entries are deleted without
 *   looking at any other tenant's key.
 *
 * Time is Redis's own (`TIME`), so replicas whose clocks differ agree on what has expired.
 * Every key but the entries' is passed in KEYS; the entries of evicted and expired ids are
 * named in the script, so on Redis Cluster give the store a key prefix with a hash tag
 * (`{rampart-resources}:`) to keep them in one slot.
 */

/**
 * KEYS[1..6] of every script: lru, exp, sizes, bytes, seq, owners. ARGV[1]: entry key prefix
 * (`<p>r:`); ARGV[2]: owner index prefix (`<p>t`).
 */
const PRELUDE = `
local lru, exp, sizes, total, seq, owners = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local entryPrefix, ownerPrefix = ARGV[1], ARGV[2]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function drop(id)
  local size = redis.call('HGET', sizes, id)
  if size then
    redis.call('DECRBY', total, size)
    redis.call('HDEL', sizes, id)
  end
  local index = redis.call('HGET', owners, id)
  if index then
    redis.call('HDEL', ownerPrefix .. index, id)
    redis.call('HDEL', owners, id)
  end
  redis.call('ZREM', lru, id)
  redis.call('ZREM', exp, id)
  redis.call('DEL', entryPrefix .. id)
  return size
end
local function reclaim(now)
  local gone = redis.call('ZRANGEBYSCORE', exp, '-inf', now)
  for i = 1, #gone do drop(gone[i]) end
end
local function used()
  return tonumber(redis.call('GET', total) or '0')
end
`;

/**
 * Put. KEYS[7]: the new entry. ARGV: 3 id, 4 size, 5 ttlMs, 6 maxBytes, 7 content, 8 metadata,
 * 9 owner index (`''` for the anonymous owner), 10 owner subject. Answers
 * `{ createdAt, expiresAt, bytesAfter, evicted }`, or `{ -1 }` when the id is taken.
 */
export const PUT_SCRIPT = `${PRELUDE}
local now = now_ms()
reclaim(now)
if redis.call('EXISTS', KEYS[7]) == 1 then return {-1} end
local id, size, maxBytes = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[6])
local evicted = 0
while used() + size > maxBytes do
  local victim = redis.call('ZRANGE', lru, 0, 0)[1]
  if not victim then
    -- Nothing is left to evict: nothing is left to count either.
    redis.call('SET', total, 0)
    break
  end
  drop(victim)
  evicted = evicted + 1
end
local expiresAt = now + tonumber(ARGV[5])
redis.call('HSET', KEYS[7], 'c', ARGV[7], 'm', ARGV[8], 't', now, 'e', expiresAt)
redis.call('PEXPIREAT', KEYS[7], expiresAt)
if ARGV[9] ~= '' then
  redis.call('HSET', owners, id, ARGV[9])
  redis.call('HSET', ownerPrefix .. ARGV[9], id, ARGV[10])
end
redis.call('ZADD', lru, redis.call('INCR', seq), id)
redis.call('ZADD', exp, expiresAt, id)
redis.call('HSET', sizes, id, size)
local after = redis.call('INCRBY', total, size)
return {now, expiresAt, after, evicted}
`;

/**
 * Get, making the entry the most recently used. KEYS[7]: the entry. ARGV[3]: id. Answers
 * `{ content, metadata, createdAt, expiresAt }` or nil.
 */
export const GET_SCRIPT = `${PRELUDE}
local found = redis.call('HMGET', KEYS[7], 'c', 'm', 't', 'e')
if not found[1] or tonumber(found[4]) <= now_ms() then
  drop(ARGV[3])
  return false
end
redis.call('ZADD', lru, 'XX', redis.call('INCR', seq), ARGV[3])
return found
`;

/** Delete. ARGV[3]: id. Answers 1 when a live entry was deleted, else 0. */
export const DELETE_SCRIPT = `${PRELUDE}
reclaim(now_ms())
if drop(ARGV[3]) then return 1 end
return 0
`;

/**
 * One page of deleting an owner index's entries: `HSCAN` of the index from a cursor, every entry
 * found (of one subject, or of all) dropped with its bytes and indexes. ARGV: 3 owner index,
 * 4 cursor, 5 page size, 6 `1` to match one subject only, 7 that subject. Answers
 * `{ nextCursor, deleted }`; the caller goes on until the cursor is `0`. Each page is atomic;
 * besides the expired entries every script reclaims, only this index's entries are deleted.
 */
export const DELETE_OWNED_SCRIPT = `${PRELUDE}
reclaim(now_ms())
local page = redis.call('HSCAN', ownerPrefix .. ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local found, deleted = page[2], 0
for i = 1, #found, 2 do
  if ARGV[6] ~= '1' or found[i + 1] == ARGV[7] then
    if drop(found[i]) then deleted = deleted + 1 end
  end
end
return {page[1], deleted}
`;

/** Usage, after reclaiming expired entries. Answers `{ entries, bytes }`. */
export const USAGE_SCRIPT = `${PRELUDE}
reclaim(now_ms())
return {redis.call('ZCARD', lru), used()}
`;
