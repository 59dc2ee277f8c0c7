//! The Lua scripts, each one atomic round trip. They read the Redis server's clock (`TIME`), never the
//! caller's: instances' clocks differ, the server's is the one they share. Redis 7 replicates a script's effects,
//! not the script, so reading `TIME` before a write is allowed.

use std::sync::LazyLock;

/// governor's GCRA over one key holding the theoretical arrival time (TAT) in microseconds. `ARGV[1]` is the
/// emission interval T (µs, one request's worth), `ARGV[2]` the burst. As governor: a request passes when
/// `now >= TAT - T*(burst-1)`, and then TAT becomes `max(TAT, now) + T`; an absent key is a full budget.
/// The key expires when its budget is full again (TAT reached), so idle clients cost nothing.
/// Returns `{allowed (1|0), retry-after ms, remaining}`.
const GCRA: &str = r"
local t = tonumber(ARGV[1])
local tau = t * (tonumber(ARGV[2]) - 1)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local earliest = tat - tau
if now < earliest then
  return {0, math.ceil((earliest - now) / 1000), 0}
end
local next = math.max(tat, now) + t
redis.call('SET', KEYS[1], string.format('%.0f', next), 'PX', math.max(1, math.ceil((next - now) / 1000)))
return {1, 0, math.floor(math.min(now + tau + t - next, tau + t) / t)}
";

/// Reserves one attempt of a failure counter (a hash of `count` and the `last` counted time, server ms), checking
/// and counting in one step so parallel attempts cannot all pass a check before any is counted. `ARGV[1]` is the
/// rule: `ceiling` (refused while `count` is at `ARGV[2]` and the last one is within the window, `ARGV[3]` ms) or
/// `backoff` (the first `ARGV[2]` pass, then each must wait 2^(count - ARGV[2]) s after the last, at most the
/// window; `failures::backoff` in Rust). The key is forgotten a window after the last reservation.
/// Returns `{1, the previous last time (0: none), this one}` when reserved, `{0, ms to wait, 0}` when refused.
const RESERVE: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit, window = tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'count', 'last')
local count = tonumber(state[1]) or 0
local since, previous = window, 0
if state[2] then since = math.max(0, now - tonumber(state[2])) end
if since >= window then count = 0 else previous = state[2] or 0 end
if count >= limit then
  local wait = window
  if ARGV[1] == 'backoff' then
    wait = math.min(1000 * 2 ^ math.min(count - limit, 30), window)
  end
  if wait - since > 0 then return {0, wait - since, 0} end
end
redis.call('HSET', KEYS[1], 'count', count + 1, 'last', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], window)
return {1, tonumber(previous), now}
";

/// Gives back one reservation (the attempt succeeded, or another counter refused it): the count goes down by one,
/// never below zero. When no reservation came after this one (`last` is still `ARGV[1]`), the last time goes back
/// to the one before it (`ARGV[2]`, 0: none) and the expiry with it (`ARGV[3]` is the window, ms), so successes
/// never keep earlier failures alive: without that, an owner who signs in every hour would keep them for good.
const RELEASE: &str = r"
local state = redis.call('HMGET', KEYS[1], 'count', 'last')
local count = tonumber(state[1])
if not count then return 0 end
local mine = state[2] == ARGV[1]
if mine and ARGV[2] == '0' and count <= 1 then
  redis.call('DEL', KEYS[1])
  return 0
end
if count > 0 then redis.call('HINCRBY', KEYS[1], 'count', -1) end
if mine and ARGV[2] ~= '0' then
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local left = tonumber(ARGV[2]) + tonumber(ARGV[3]) - now
  if left <= 0 then
    redis.call('DEL', KEYS[1])
    return 0
  end
  redis.call('HSET', KEYS[1], 'last', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], left)
end
return 0
";

/// The device tokens of one account honoured recently: a sorted set of token ids scored by the server time (ms)
/// they were last honoured. `ARGV[1]` is the token id, `ARGV[2]` the window (ms), `ARGV[3]` the cap. A token
/// already in the set within the window, or a new one while fewer than the cap are, is honoured (and its time
/// renewed). Returns 1 when honoured, 0 otherwise.
const DEVICE: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window, cap = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < cap then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], window)
  return 1
end
return 0
";

/// `redis::Script` sends `EVALSHA` and falls back to loading the script when the server does not know it yet.
pub(super) static GCRA_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(GCRA));
pub(super) static RESERVE_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(RESERVE));
pub(super) static DEVICE_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(DEVICE));
pub(super) static RELEASE_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(RELEASE));
