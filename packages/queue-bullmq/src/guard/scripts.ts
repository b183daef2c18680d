/**
 * The Lua scripts of the Redis endpoint guard. Each runs atomically on Redis and reads Redis's own clock
 * (`TIME`), so limits hold across workers on machines whose clocks disagree.
 */
import { lua } from "../script.ts";

/**
 * Takes one request slot for a subscription, or says when to try again.
 *
 * KEYS: circuit hash, slots sorted set, token-bucket hash.
 * ARGV: concurrency (-1 = unlimited), requests per second (-1 = unlimited), slot token, slot TTL ms,
 *       retry delay ms when the concurrency is full, bucket size in seconds of rate.
 * Returns `{1, clean}` (clean = 1 when the circuit has no state: nothing for a success to clear) or
 * `{0, reason, retryAtMs}`.
 *
 * - Circuit: while `openUntil` lies ahead everything is refused; after it one probe is let through
 *   (`probeUntil` = now + slot TTL) and the rest wait for its outcome (`record`), asked back within a second.
 * - Concurrency: one sorted-set member per running request, scored by its expiry, so the slot of a killed
 *   worker frees itself after the TTL.
 * - Rate: a token bucket holding `rate × burst seconds` requests (at least one), refilled continuously.
 * Nothing is written unless every check passes.
 */
export const ACQUIRE = lua(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local circuit = redis.call('HMGET', KEYS[1], 'openUntil', 'probeUntil')
local openUntil = tonumber(circuit[1])
local ttl = tonumber(ARGV[4])
if openUntil then
  if now < openUntil then return {0, 'circuit_open', openUntil} end
  local probeUntil = tonumber(circuit[2])
  if probeUntil and now < probeUntil then return {0, 'circuit_open', math.min(probeUntil, now + 1000)} end
end
local concurrency = tonumber(ARGV[1])
if concurrency >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= concurrency then
    local soonest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    local retryAt = now + tonumber(ARGV[5])
    if soonest[2] and tonumber(soonest[2]) < retryAt then retryAt = tonumber(soonest[2]) end
    return {0, 'concurrency', retryAt}
  end
end
local rate = tonumber(ARGV[2])
if rate > 0 then
  local bucket = redis.call('HMGET', KEYS[3], 'tokens', 'at')
  local capacity = math.max(1, rate * tonumber(ARGV[6]))
  local tokens = tonumber(bucket[1]) or capacity
  local at = tonumber(bucket[2]) or now
  if now > at then tokens = math.min(capacity, tokens + (now - at) * rate / 1000) end
  if tokens < 1 then
    return {0, 'rate', now + math.ceil((1 - tokens) * 1000 / rate)}
  end
  redis.call('HSET', KEYS[3], 'tokens', tostring(tokens - 1), 'at', now)
  redis.call('PEXPIRE', KEYS[3], math.ceil(capacity * 1000 / rate) + 1000)
end
if openUntil then
  redis.call('HSET', KEYS[1], 'probeUntil', now + ttl)
end
if concurrency >= 0 then
  redis.call('ZADD', KEYS[2], now + ttl, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ttl)
end
if openUntil or redis.call('EXISTS', KEYS[1]) == 1 then return {1, 0} end
return {1, 1}
`);

/**
 * Records an attempt's outcome for the circuit breaker.
 *
 * KEYS: circuit hash. ARGV: ok (1/0), consecutive failures that open the circuit, first cool-down ms,
 * longest cool-down ms, TTL of the hash ms, growth of the cool-down after a failed probe.
 * Returns `{opened (1/0), openUntilMs}`.
 *
 * A success closes the circuit and clears the count. A failure counts; at the threshold the circuit opens for
 * first cool-down; a failed probe (after `openUntil`) re-opens it for the previous cool-down times the growth,
 * up to the longest. Failures of requests started before the circuit opened change nothing while it is open.
 */
export const RECORD = lua(`
if ARGV[1] == '1' then
  redis.call('DEL', KEYS[1])
  return {0, 0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local c = redis.call('HMGET', KEYS[1], 'failures', 'openUntil', 'openMs')
local openUntil = tonumber(c[2])
local keep = tonumber(ARGV[5])
if openUntil then
  if now < openUntil then return {0, openUntil} end
  local period = math.min(tonumber(ARGV[4]), (tonumber(c[3]) or tonumber(ARGV[3])) * tonumber(ARGV[6]))
  redis.call('HSET', KEYS[1], 'openUntil', now + period, 'openMs', period)
  redis.call('HDEL', KEYS[1], 'probeUntil')
  redis.call('PEXPIRE', KEYS[1], keep)
  return {1, now + period}
end
local failures = (tonumber(c[1]) or 0) + 1
if failures >= tonumber(ARGV[2]) then
  local period = tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], 'failures', failures, 'openUntil', now + period, 'openMs', period)
  redis.call('PEXPIRE', KEYS[1], keep)
  return {1, now + period}
end
redis.call('HSET', KEYS[1], 'failures', failures)
redis.call('PEXPIRE', KEYS[1], keep)
return {0, 0}
`);
