-- wrk's summary as one JSON line, for bench/load.py to read.
-- errors.status counts responses with a status of 400 or more; latencies are in
-- microseconds.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, " ..
    "\"connect\": %d, \"read\": %d, \"write\": %d, \"timeout\": %d, " ..
    "\"status\": %d, \"p50_us\": %d, \"p75_us\": %d, \"p90_us\": %d, " ..
    "\"p99_us\": %d, \"max_us\": %d}\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency.max))
end
