-- wrk's summary as one JSON line, for bench/load.py to read.
-- errors.status counts responses with a status of 400 or more, of which
-- status_429 were throttled and status_5xx server errors (counted per wrk
-- thread, each with its own Lua state, and added up in done). Latencies are in
-- microseconds.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  status_429, status_5xx = 0, 0
end

function response(status, headers, body)
  if status == 429 then
    status_429 = status_429 + 1
  elseif status >= 500 then
    status_5xx = status_5xx + 1
  end
end

done = function(summary, latency, requests)
  local throttled, server_errors = 0, 0
  for _, thread in ipairs(threads) do
    throttled = throttled + thread:get("status_429")
    server_errors = server_errors + thread:get("status_5xx")
  end
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, " ..
    "\"connect\": %d, \"read\": %d, \"write\": %d, \"timeout\": %d, " ..
    "\"status\": %d, \"status_429\": %d, \"status_5xx\": %d, " ..
    "\"p50_us\": %d, \"p75_us\": %d, \"p90_us\": %d, " ..
    "\"p99_us\": %d, \"max_us\": %d}\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status, throttled, server_errors,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency.max))
end
