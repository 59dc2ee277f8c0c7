-- POST /v1/auth/refresh, every request with a fresh, valid, distinct refresh token.
-- Each thread keeps a pool of refresh tokens (read from the file BENCH_TOKENS, one per line, split between the
-- threads). request() takes the oldest token out of the pool; response() puts back the new refresh token of
-- the rotated session. A token is therefore never sent twice (a second use would revoke its session). The pool
-- never runs dry while it holds at least as many tokens as the thread has connections; if it does, the request
-- carries an invalid token and is counted as `pool_empty` (and as a 401). At the end, done() writes the unused
-- tokens to BENCH_TOKENS_OUT so the next round can use them.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local pool = {}
empty = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local i = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if line ~= "" then
      if i % nthreads == id - 1 then table.insert(pool, line) end
      i = i + 1
    end
  end
  left = pool
end

function request()
  local token = table.remove(pool, 1)
  if token == nil then
    empty = empty + 1
    token = "pool-empty"
  end
  return wrk.format(nil, "/v1/auth/refresh", nil, '{"refresh_token":"' .. token .. '"}')
end

function response(status, headers, body)
  count_status(status)
  if status == 200 then
    local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if token then table.insert(pool, token) end
  end
end

function pool_report(threads)
  local out = io.open(os.getenv("BENCH_TOKENS_OUT"), "w")
  local kept, dry = 0, 0
  for _, t in ipairs(threads) do
    dry = dry + (t:get("empty") or 0)
    local p = t:get("left")
    if type(p) == "table" then
      for _, token in ipairs(p) do
        out:write(token, "\n")
        kept = kept + 1
      end
    end
  end
  out:close()
  return string.format("pool_left=%d pool_empty=%d", kept, dry)
end
