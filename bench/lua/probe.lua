-- A paced latency probe (flood.sh): static GET like static.lua, but waits BENCH_DELAY_MS between requests so
-- that the probe itself adds almost no load. wrk starts the latency clock when the request is written, so the
-- delay is not counted in the latency.
dofile(os.getenv("BENCH_LUA_DIR") .. "/static.lua")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "10")
function delay()
  return pause
end
function response(status, headers, body)
  count_status(status)
end
