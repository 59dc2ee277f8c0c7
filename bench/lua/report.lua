-- Shared by every scenario script (loaded with dofile). Counts statuses per thread when a script calls
-- count_status() from its response(); done() prints one machine-readable line that bench/lib.sh parses:
--   BENCH requests=N duration_us=N p50_us=N p99_us=N non2xx=N sockerr=N timeouts=N s200=N s401=N ...
-- Scripts that define no request()/response() keep wrk's fast path (one pre-built request), so the
-- load generator costs as little as possible on the healthz/verify/me scenarios.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

statuses = {}

function count_status(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    if type(s) == "table" then
      for k, v in pairs(s) do counts[k] = (counts[k] or 0) + v end
    end
  end
  local e = summary.errors
  local parts = {
    string.format("BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d sockerr=%d timeouts=%d",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      e.status, e.connect + e.read + e.write, e.timeout)
  }
  for k, v in pairs(counts) do table.insert(parts, string.format("s%d=%d", k, v)) end
  if pool_report then table.insert(parts, pool_report(threads)) end
  io.write(table.concat(parts, " ") .. "\n")
end
