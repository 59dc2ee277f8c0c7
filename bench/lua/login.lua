-- POST /v1/auth/login with BENCH_EMAIL / BENCH_PASSWORD (a wrong password for flood.sh), counting statuses.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end
wrk.method = "POST"
wrk.path = "/v1/auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":' .. json_string(os.getenv("BENCH_EMAIL")) .. ',"password":'
  .. json_string(os.getenv("BENCH_PASSWORD")) .. '}'
function response(status, headers, body)
  count_status(status)
end
