-- wrk script: PUT /v1/operations/{uuid}, one small circle per operation.
-- Environment: DC_MODE ("spread" or "cell"), DC_TOKENS (bearer tokens, comma-separated: one
-- party each; threads take them in turn).
--   spread: centres uniform over a 20 x 40 degree region, random 1 h windows within 30 days.
--   cell:   the DSS workload. Every circle (radius 50 m) inside one 1 km² cell, windows of
--           DC_WINDOW_MIN minutes (default 10) starting in a random minute of the next
--           DC_SPAN_H hours (default 168), filed by several parties. A write that meets another
--           party's operation is refused (409) with the missing OVNs; the thread retries the same
--           operation with them added to its key, as a DSS client must, until it is accepted
--           (or 50 attempts). Run with one connection per thread (-tN -cN): the script then knows
--           which request each response answers.
local mode = os.getenv("DC_MODE") or "spread"
local window_min = tonumber(os.getenv("DC_WINDOW_MIN") or "10")
local span_h = tonumber(os.getenv("DC_SPAN_H") or "168")
local max_attempts = 50

local tokens = {}
for t in string.gmatch(os.getenv("DC_TOKENS") or "", "[^,]+") do table.insert(tokens, t) end

-- Per thread (each wrk thread has its own Lua state; these globals are read back in done()).
token = nil
accepted, refused, retries, gave_up, errors, key_ovns = 0, 0, 0, 0, 0, 0
local pending = nil  -- the operation being retried: {id, body_prefix, key}

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("token", tokens[(#threads - 1) % #tokens + 1])
end

local function uuid()
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(t, "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

local function rfc3339(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

local function new_operation()
  local lat, lng, radius, start, len
  local now = os.time()
  if mode == "cell" then
    lat = 35.0 + math.random() * 0.008   -- ~0.9 km
    lng = 38.0 + math.random() * 0.010   -- ~0.9 km at 35N
    radius = 50
    start = now + 600 + math.random(0, span_h * 60) * 60
    len = window_min * 60
  else
    lat = 25 + math.random() * 20
    lng = 20 + math.random() * 40
    radius = 500 + math.random() * 4500
    start = now + 600 + math.random(0, 29 * 24) * 3600
    len = 3600
  end
  local prefix = string.format(
    '{"state":"Accepted","extents":[{"volume":{"outline_circle":{"center":{"lat":%.6f,"lng":%.6f},' ..
    '"radius":{"value":%.1f,"units":"M"}},"altitude_lower":{"value":0,"reference":"W84","units":"M"},' ..
    '"altitude_upper":{"value":1000,"reference":"W84","units":"M"}},' ..
    '"time_start":{"value":"%s","format":"RFC3339"},"time_end":{"value":"%s","format":"RFC3339"}}]',
    lat, lng, radius, rfc3339(start), rfc3339(start + len))
  return {id = uuid(), prefix = prefix, key = {}, seen = {}, attempts = 0}
end

local current = nil
function request()
  if pending == nil then current = new_operation() else current = pending end
  current.attempts = current.attempts + 1
  local key = ""
  if #current.key > 0 then key = ',"key":["' .. table.concat(current.key, '","') .. '"]' end
  return wrk.format("PUT", "/v1/operations/" .. current.id,
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"},
    current.prefix .. key .. "}")
end

function response(status, headers, body)
  if status == 200 or status == 201 then
    accepted = accepted + 1
    key_ovns = key_ovns + #current.key
    pending = nil
  elseif status == 409 and mode == "cell" then
    refused = refused + 1
    -- {"error": {...}, "missing": [{"id", "party", "state", "ovn", "overlap", ...}, ...]}
    local missing = string.find(body, '"missing"', 1, true)
    local added = 0
    if missing then
      for ovn in string.gmatch(string.sub(body, missing), '"ovn"%s*:%s*"([^"]+)"') do
        if not current.seen[ovn] then
          current.seen[ovn] = true
          table.insert(current.key, ovn)
          added = added + 1
        end
      end
    end
    if added > 0 and current.attempts < max_attempts then
      retries = retries + 1
      pending = current
    else
      gave_up = gave_up + 1
      pending = nil
    end
  else
    errors = errors + 1
    pending = nil
  end
end

function done(summary, latency, requests)
  local total = {accepted = 0, refused = 0, retries = 0, gave_up = 0, errors = 0, key_ovns = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(total) do total[name] = total[name] + (thread:get(name) or 0) end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms (each request, retries included)\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format(
    "accepted %d writes (%.0f/s), refused 409 %d, retried %d, gave up %d, other errors %d, " ..
    "mean key %.2f OVNs per accepted write, %d parties\n",
    total.accepted, total.accepted / seconds, total.refused, total.retries, total.gave_up,
    total.errors, total.key_ovns / math.max(total.accepted, 1), #tokens))
end
