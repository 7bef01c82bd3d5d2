-- wrk script: PUT /v1/operations/{uuid} with a fresh UUID and a small circle each request.
-- Environment: DC_TOKEN (bearer token), DC_MODE ("spread" or "cell").
--   spread: centres uniform over a 20 x 40 degree region, random 1 h windows within 30 days.
--   cell:   every circle (radius 50 m) inside one 1 km² cell; windows random 1 min slots
--           within 30 days, so all writes meet in the index and are checked, few conflict.
local token = os.getenv("DC_TOKEN")
local mode = os.getenv("DC_MODE") or "spread"
local counter = 0

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

function request()
  counter = counter + 1
  local lat, lng, radius, start, len
  local now = os.time()
  if mode == "cell" then
    lat = 35.0 + math.random() * 0.008   -- ~0.9 km
    lng = 38.0 + math.random() * 0.010   -- ~0.9 km at 35N
    radius = 50
    start = now + 600 + math.random(0, 29 * 24 * 60) * 60
    len = 60
  else
    lat = 25 + math.random() * 20
    lng = 20 + math.random() * 40
    radius = 500 + math.random() * 4500
    start = now + 600 + math.random(0, 29 * 24) * 3600
    len = 3600
  end
  local body = string.format(
    '{"state":"Accepted","extents":[{"volume":{"outline_circle":{"center":{"lat":%.6f,"lng":%.6f},' ..
    '"radius":{"value":%.1f,"units":"M"}},"altitude_lower":{"value":0,"reference":"W84","units":"M"},' ..
    '"altitude_upper":{"value":1000,"reference":"W84","units":"M"}},' ..
    '"time_start":{"value":"%s","format":"RFC3339"},"time_end":{"value":"%s","format":"RFC3339"}}]}',
    lat, lng, radius, rfc3339(start), rfc3339(start + len))
  return wrk.format("PUT", "/v1/operations/" .. uuid(),
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

local codes = {}
function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
