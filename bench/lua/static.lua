-- healthz, verify, me: one pre-built GET request (wrk's fast path). BENCH_ACCESS_TOKEN, when set, is sent as a
-- bearer token; it comes from the environment so that it never appears on a command line or in the output.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local token = os.getenv("BENCH_ACCESS_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
