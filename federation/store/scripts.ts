import type { ChainableCommander, Redis } from 'ioredis';

/**
 * Lua scripts that make each store write atomic: compare the stored resourceVersion, take the next
 * one from the global counter, write the object, its type-index entry and its secondary-index
 * entries, and append the change event whose stream id *is* the resourceVersion (so "watch from N"
 * is XREAD from N-0).
 *
 * Objects are JSON written by Node; Lua never decodes them (cjson cannot tell [] from {}). The new
 * resourceVersion is spliced into the JSON in place of a per-call random token.
 *
 * KEYS: 1 object hash, 2 type index set, 3 revision counter, 4 event stream, 5 member-status hash,
 *       6 hash of type key -> resourceVersion of the type's latest write
 * ARGV: 1 mode (create|update|delete), 2 expected rv ('' = any), 3 body with token, 4 token,
 *       5 index member (namespace|name), 6 event type, 7 stream max length, 8 subresource ('' or 'status'), 9 type key,
 *       10 number of secondary indexes of the type, then per index: its set key prefix, the object-hash
 *       field listing the object's values, the number n of values the new object has, and those n values
 * The values an object is indexed under are kept in its hash (the index's field, one per line), and its
 * member (namespace|name) is in the set `prefix .. value` of each: the write moves it between sets.
 * Those set keys are computed here, not declared: they share the store's hash tag, so its slot.
 * Returns {rv, body} or an error reply 'NotFound' / 'AlreadyExists' / 'Conflict <current rv>'.
 */
export const WRITE_SCRIPT = `
local mode = ARGV[1]
local current = redis.call('HGET', KEYS[1], 'rv')
if mode == 'create' then
  if current then return redis.error_reply('AlreadyExists') end
else
  if not current then return redis.error_reply('NotFound') end
  if ARGV[2] ~= '' and ARGV[2] ~= current then return redis.error_reply('Conflict ' .. current) end
end
-- Every check before the first write: an error reply does not undo what a script wrote.
local s, e
if mode ~= 'delete' then
  s, e = string.find(ARGV[3], ARGV[4], 1, true)
  if not s then return redis.error_reply('ERR token missing') end
end
local rv = redis.call('INCR', KEYS[3])
local member = ARGV[5]
local at = 11
for _ = 1, tonumber(ARGV[10]) do
  local prefix, field, n = ARGV[at], ARGV[at + 1], tonumber(ARGV[at + 2])
  local first, last = at + 3, at + 2 + n
  at = last + 1
  local old = {}
  local stored = redis.call('HGET', KEYS[1], field)
  if stored then
    for v in string.gmatch(stored, '[^\\n]+') do old[v] = true end
  end
  local new = {}
  if mode ~= 'delete' then
    for i = first, last do new[ARGV[i]] = true end
  end
  for v in pairs(old) do
    if not new[v] then redis.call('SREM', prefix .. v, member) end
  end
  for v in pairs(new) do
    if not old[v] then redis.call('SADD', prefix .. v, member) end
  end
  if mode ~= 'delete' then
    if n > 0 then
      redis.call('HSET', KEYS[1], field, table.concat(ARGV, '\\n', first, last))
    elseif stored then
      redis.call('HDEL', KEYS[1], field)
    end
  end
end
local body
if mode == 'delete' then
  body = redis.call('HGET', KEYS[1], 'obj')
  redis.call('DEL', KEYS[1], KEYS[5])
  redis.call('SREM', KEYS[2], member)
else
  body = string.sub(ARGV[3], 1, s - 1) .. rv .. string.sub(ARGV[3], e + 1)
  redis.call('HSET', KEYS[1], 'obj', body, 'rv', tostring(rv))
  redis.call('SADD', KEYS[2], member)
end
redis.call('HSET', KEYS[6], ARGV[9], rv)
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], rv .. '-0', 't', ARGV[6], 'k', ARGV[9], 'm', member, 's', ARGV[8], 'o', body)
return {rv, body}
`;

/**
 * Sets one member's status of an object when the object exists and the value differs; with a
 * condition, only when the stored value is still the one the caller read (compare-and-set).
 * KEYS: 1 object hash, 2 status hash. ARGV: 1 member, 2 json ('' deletes), 3 condition ('' none,
 * 'absent', or 'is' with 4 the json read). Returns 1 when changed, 0 when equal, -1 without the
 * object, or {-2, the stored json (absent when none)} when the condition failed: the caller
 * recomputes from that without reading again.
 */
export const MEMBER_STATUS_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if ARGV[2] == '' and ARGV[3] == '' then return redis.call('HDEL', KEYS[2], ARGV[1]) end
local current = redis.call('HGET', KEYS[2], ARGV[1])
if (ARGV[3] == 'absent' and current) or (ARGV[3] == 'is' and current ~= ARGV[4]) then
  if current then return {-2, current} end
  return {-2}
end
if ARGV[2] == '' then return redis.call('HDEL', KEYS[2], ARGV[1]) end
if current == ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`;

/**
 * Reads what a reconcile pass needs in one command (a pipeline would cost the client more than
 * the reads): objects, one cluster's status or every cluster's, and the versions of some types.
 * KEYS: the object hashes, then the status hash (when ARGV[2] is 'one' or 'all'), then the type
 * versions hash (when ARGV has types).
 * ARGV: 1 number of objects, 2 '' | 'one' | 'all', 3 cluster (for 'one'), 4.. type keys.
 * Returns {{obj, rv} per object, [status or flat {cluster, status, ...}], [{version per type}]}.
 */
export const READ_SCRIPT = `
local n = tonumber(ARGV[1])
local out = {}
for i = 1, n do out[i] = redis.call('HMGET', KEYS[i], 'obj', 'rv') end
local k = n + 1
if ARGV[2] == 'one' then
  out[#out + 1] = redis.call('HGET', KEYS[k], ARGV[3])
  k = k + 1
elseif ARGV[2] == 'all' then
  out[#out + 1] = redis.call('HGETALL', KEYS[k])
  k = k + 1
end
if #ARGV > 3 then
  out[#out + 1] = redis.call('HMGET', KEYS[k], unpack(ARGV, 4))
end
return out
`;

/**
 * Indexes an object written before its index existed (see WRITE_SCRIPT), unless it changed since it
 * was read (a newer write indexed it itself) or is indexed already.
 * KEYS: 1 object hash. ARGV: 1 the resourceVersion read, 2 the index's set key prefix, 3 its
 * object-hash field, 4 index member (namespace|name), 5.. values.
 * Returns 1 when it indexed the object.
 */
export const INDEX_BACKFILL_SCRIPT = `
if redis.call('HGET', KEYS[1], 'rv') ~= ARGV[1] then return 0 end
if redis.call('HEXISTS', KEYS[1], ARGV[3]) == 1 or #ARGV < 5 then return 0 end
for i = 5, #ARGV do redis.call('SADD', ARGV[2] .. ARGV[i], ARGV[4]) end
redis.call('HSET', KEYS[1], ARGV[3], table.concat(ARGV, '\\n', 5, #ARGV))
return 1
`;

/** The store's scripts as commands of `redis` (fgWrite, fgMemberStatus, fgRead, fgIndexBackfill); idempotent. */
export function defineStoreCommands(redis: Redis): void {
  redis.defineCommand('fgWrite', { numberOfKeys: 6, lua: WRITE_SCRIPT });
  redis.defineCommand('fgMemberStatus', { numberOfKeys: 2, lua: MEMBER_STATUS_SCRIPT });
  redis.defineCommand('fgRead', { lua: READ_SCRIPT });
  redis.defineCommand('fgIndexBackfill', { numberOfKeys: 1, lua: INDEX_BACKFILL_SCRIPT });
}

/** Calls a command defined by `defineStoreCommands`. */
export function callScript<T>(redis: Redis, command: string, args: readonly string[]): Promise<T> {
  const fn = (redis as unknown as Record<string, (...a: string[]) => Promise<T>>)[command];
  if (!fn) throw new Error(`store command ${command} is not defined on this connection`);
  return fn.apply(redis, args as string[]);
}

/** Queues a command defined by `defineStoreCommands` on a pipeline (its reply comes with the pipeline's). */
export function queueScript(pipeline: ChainableCommander, command: string, args: readonly string[]): void {
  const fn = (pipeline as unknown as Record<string, (...a: string[]) => unknown>)[command];
  if (!fn) throw new Error(`store command ${command} is not defined on this connection`);
  fn.apply(pipeline, args as string[]);
}
