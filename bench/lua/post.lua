-- POST the same small body on every request, for throughput (bench/run.sh).
--   BODY_BYTES   body size in bytes (default 100)
--   CONTENT_TYPE (default application/octet-stream)
-- No response() hook: it makes wrk parse every answer in Lua and costs the client CPU that the
-- server needs on a small machine. Errors still show: summary.errors.status counts answers >= 400.
-- done() prints key=value lines, each prefixed with "KV ", for bench/run.sh.
wrk.method = "POST"
wrk.body = string.rep("x", tonumber(os.getenv("BODY_BYTES") or "100"))
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/octet-stream"

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local lines = {
    string.format("requests=%d", summary.requests),
    string.format("seconds=%.3f", seconds),
    string.format("rps=%.1f", summary.requests / seconds),
    string.format("errors.connect=%d", e.connect),
    string.format("errors.read=%d", e.read),
    string.format("errors.write=%d", e.write),
    string.format("errors.status=%d", e.status),
    string.format("errors.timeout=%d", e.timeout),
    string.format("latency.mean_ms=%.3f", latency.mean / 1000),
    string.format("latency.p50_ms=%.3f", latency:percentile(50) / 1000),
    string.format("latency.p90_ms=%.3f", latency:percentile(90) / 1000),
    string.format("latency.p99_ms=%.3f", latency:percentile(99) / 1000),
    string.format("latency.p999_ms=%.3f", latency:percentile(99.9) / 1000),
    string.format("latency.max_ms=%.3f", latency.max / 1000),
  }
  for _, l in ipairs(lines) do io.write("KV " .. l .. "\n") end
end
