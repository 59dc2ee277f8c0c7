//! The two Lua scripts, each one atomic round trip. Both read the Redis server's clock (`TIME`), never the
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

/// Failures of one key in a hash: `count` and the `last` failure's server time (ms). `ARGV[1]` is `fail` (count
/// one, and forget the key a window, `ARGV[2]` ms, after this failure) or `check`.
/// Returns `{count, ms since the last failure}`; `{0, 0}` for a key with none.
const FAILURES: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if ARGV[1] == 'fail' then
  local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
  redis.call('HSET', KEYS[1], 'last', string.format('%.0f', now))
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {count, 0}
end
local state = redis.call('HMGET', KEYS[1], 'count', 'last')
if not state[1] or not state[2] then
  return {0, 0}
end
return {tonumber(state[1]), math.max(0, now - tonumber(state[2]))}
";

/// `redis::Script` sends `EVALSHA` and falls back to loading the script when the server does not know it yet.
pub(super) static GCRA_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(GCRA));
pub(super) static FAILURES_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(FAILURES));
