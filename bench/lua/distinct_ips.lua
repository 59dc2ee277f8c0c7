-- POST /v1/auth/login (unknown account), each request with its own X-Forwarded-For address and email: 10.0.0.0 + IP_START,
-- counting up. Once IP_COUNT responses have come back (with -t1) it stops sending and creates the file IP_DONE,
-- so the caller can end wrk with SIGINT (wrk itself only ends at -d). Used by .ci/ip-flood.sh.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local next_ip = tonumber(os.getenv("IP_START") or "0")
local wanted = tonumber(os.getenv("IP_COUNT") or "100000")
local answered = 0
local headers = { ["Content-Type"] = "application/json" }

local function address(n)
  local a = math.floor(n / 65536) % 256
  local b = math.floor(n / 256) % 256
  return string.format("10.%d.%d.%d", a, b, n % 256)
end

-- A new (unknown) account per request too: the per-account failure ceiling is then flooded with 100k keys as
-- well, and never answers for the per-address limits under test.
function request()
  headers["X-Forwarded-For"] = address(next_ip)
  local body = string.format('{"email":"nobody%d@example.com","password":"correct horse battery staple"}', next_ip)
  next_ip = next_ip + 1
  return wrk.format("POST", "/v1/auth/login", headers, body)
end

function response(status, headers, body)
  count_status(status)
  answered = answered + 1
  if answered == wanted then
    io.open(os.getenv("IP_DONE"), "w"):close()
    wrk.thread:stop()
  end
end
