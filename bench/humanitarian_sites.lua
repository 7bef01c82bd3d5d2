-- wrk script: files DC_SITES protected sites (PUT /v1/sites/{id}) with one humanitarian party's
-- token, then stops. Each of the DC_THREADS threads files its share, ids "bench-<thread>-<n>":
-- a point site with a 300 m buffer, centres uniform over the region bench/strategic_put.lua
-- spreads operations over (25-45 N, 20-60 E), valid from an hour ago for 31 days, notified to
-- DC_RECIPIENT. Environment: DC_TOKEN, DC_SITES (default 100000), DC_THREADS (wrk's -t),
-- DC_RECIPIENT (a party id), DC_LAT_MIN (default 25: the operations' region; -45 puts the sites
-- in a region of the same size no operation reaches). Prints how many were filed and refused.
local token = os.getenv("DC_TOKEN")
local total = tonumber(os.getenv("DC_SITES") or "100000")
local nthreads = tonumber(os.getenv("DC_THREADS") or "2")
local recipient = os.getenv("DC_RECIPIENT") or "OTHER"
local lat_min = tonumber(os.getenv("DC_LAT_MIN") or "25")

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("index", #threads)
end

-- Per thread (each wrk thread has its own Lua state; read back in done()).
index = 0
filed, refused, sent = 0, 0, 0
local quota

local function rfc3339(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end
local valid_from = rfc3339(os.time() - 3600)
local valid_to = rfc3339(os.time() + 31 * 24 * 3600)

function init(args)
  quota = math.ceil(total / nthreads)
  math.randomseed(index * 7919 + 17)
end

function request()
  sent = sent + 1
  local lat = lat_min + math.random() * 20
  local lng = 20 + math.random() * 40
  local body = string.format(
    '{"kind": "hospital", "name": "bench site %d-%d", "buffer_m": 300, ' ..
    '"location": {"type": "Point", "coordinates": [%.6f, %.6f]}, ' ..
    '"valid_from": "%s", "valid_to": "%s", "recipients": ["%s"]}',
    index, sent, lng, lat, valid_from, valid_to, recipient)
  return wrk.format("PUT", string.format("/v1/sites/bench-%d-%d", index, sent),
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 201 or status == 200 then filed = filed + 1 else refused = refused + 1 end
  if refused == 1 and status ~= 201 and status ~= 200 then io.stderr:write(body .. "\n") end
  if filed + refused >= quota then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local f, r = 0, 0
  for _, t in ipairs(threads) do
    f = f + t:get("filed")
    r = r + t:get("refused")
  end
  print(string.format("sites filed: %d, refused: %d", f, r))
end
