-- POST like post.lua, and count every answer's status (bench/run.sh, full-queue figure: every
-- answer must be 503; EXPECT_STATUS, default 503: status.other counts the answers that are not). Each wrk thread has its own Lua state: setup() keeps the threads so that
-- done() can add up their counts.
--   BODY_BYTES, CONTENT_TYPE as in post.lua
wrk.method = "POST"
wrk.body = string.rep("x", tonumber(os.getenv("BODY_BYTES") or "100"))
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/octet-stream"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
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
  local other = 0
  for status, n in pairs(total) do
    table.insert(lines, string.format("status.%d=%d", status, n))
    if status ~= tonumber(os.getenv("EXPECT_STATUS") or "503") then other = other + n end
  end
  table.insert(lines, string.format("status.other=%d", other))
  for _, l in ipairs(lines) do io.write("KV " .. l .. "\n") end
end
