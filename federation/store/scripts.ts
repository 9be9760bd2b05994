/**
 * Lua scripts that make each store write atomic: compare the stored resourceVersion, take the next
 * one from the global counter, write the object and its index entry, and append the change event
 * whose stream id *is* the resourceVersion (so "watch from N" is XREAD from N-0).
 *
 * Objects are JSON written by Node; Lua never decodes them (cjson cannot tell [] from {}). The new
 * resourceVersion is spliced into the JSON in place of a per-call random token.
 *
 * KEYS: 1 object hash, 2 type index set, 3 revision counter, 4 event stream, 5 per-cluster status hash,
 *       6 hash of type key -> resourceVersion of the type's latest write
 * ARGV: 1 mode (create|update|delete), 2 expected rv ('' = any), 3 body with token, 4 token,
 *       5 index member (namespace|name), 6 event type, 7 stream max length, 8 subresource ('' or 'status'), 9 type key,
 *       10 key prefix of the type's reference sets ('' when the type keeps none), 11.. the references the
 *       new object holds, as scope:reference (see references.ts)
 * The references an object holds are kept in its hash (field `refs`, one per line), and its index
 * member (namespace|name) is in the set `prefix .. scope:reference` of each: the write moves it
 * between sets.
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
if ARGV[10] ~= '' then
  local member = ARGV[5]
  local old = {}
  local stored = redis.call('HGET', KEYS[1], 'refs')
  if stored then
    for ref in string.gmatch(stored, '[^\\n]+') do old[ref] = true end
  end
  local new = {}
  if mode ~= 'delete' then
    for i = 11, #ARGV do new[ARGV[i]] = true end
  end
  for ref in pairs(old) do
    if not new[ref] then redis.call('SREM', ARGV[10] .. ref, member) end
  end
  for ref in pairs(new) do
    if not old[ref] then redis.call('SADD', ARGV[10] .. ref, member) end
  end
  if mode ~= 'delete' then
    if #ARGV >= 11 then
      redis.call('HSET', KEYS[1], 'refs', table.concat(ARGV, '\\n', 11, #ARGV))
    elseif stored then
      redis.call('HDEL', KEYS[1], 'refs')
    end
  end
end
local body
if mode == 'delete' then
  body = redis.call('HGET', KEYS[1], 'obj')
  redis.call('DEL', KEYS[1], KEYS[5])
  redis.call('SREM', KEYS[2], ARGV[5])
else
  body = string.sub(ARGV[3], 1, s - 1) .. rv .. string.sub(ARGV[3], e + 1)
  redis.call('HSET', KEYS[1], 'obj', body, 'rv', tostring(rv))
  redis.call('SADD', KEYS[2], ARGV[5])
end
redis.call('HSET', KEYS[6], ARGV[9], rv)
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], rv .. '-0', 't', ARGV[6], 'k', ARGV[9], 'm', ARGV[5], 's', ARGV[8], 'o', body)
return {rv, body}
`;

/**
 * Sets one cluster's status of a binding when the binding exists and the value differs; with a
 * condition, only when the stored value is still the one the caller read (compare-and-set).
 * KEYS: 1 object hash, 2 status hash. ARGV: 1 cluster, 2 json ('' deletes), 3 condition ('' none,
 * 'absent', or 'is' with 4 the json read). Returns 1 when changed, 0 when equal, -1 without the
 * binding, -2 when the condition failed.
 */
export const CLUSTER_STATUS_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if ARGV[3] == 'absent' or ARGV[3] == 'is' then
  local current = redis.call('HGET', KEYS[2], ARGV[1])
  if ARGV[3] == 'absent' and current then return -2 end
  if ARGV[3] == 'is' and current ~= ARGV[4] then return -2 end
end
if ARGV[2] == '' then return redis.call('HDEL', KEYS[2], ARGV[1]) end
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then return 0 end
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
 * Indexes the references of an object written before the store kept them (see WRITE_SCRIPT), unless
 * it changed since it was read (a newer write indexed it itself) or is indexed already.
 * KEYS: 1 object hash. ARGV: 1 the resourceVersion read, 2 reference set key prefix, 3 index member
 * (namespace|name), 4.. references (scope:reference).
 * Returns 1 when it indexed the object.
 */
export const INDEX_REFERENCES_SCRIPT = `
if redis.call('HGET', KEYS[1], 'rv') ~= ARGV[1] then return 0 end
if redis.call('HEXISTS', KEYS[1], 'refs') == 1 or #ARGV < 4 then return 0 end
for i = 4, #ARGV do redis.call('SADD', ARGV[2] .. ARGV[i], ARGV[3]) end
redis.call('HSET', KEYS[1], 'refs', table.concat(ARGV, '\\n', 4, #ARGV))
return 1
`;
