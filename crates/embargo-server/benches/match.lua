-- wrk script: POST a yente /match request with one Person and one Company
-- query; names rotate so the server cannot answer from a single hot path.
local names = {
  {"Company", "Hikvision"}, {"Person", "Chen Quanguo"}, {"Company", "Dahua Technology"},
  {"Person", "Zhu Hailun"}, {"Company", "Xinjiang Production and Construction Corps"},
  {"Person", "John Smith"}, {"Company", "Acme Trading Co"}, {"Person", "Wang Junzheng"},
}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i + 1
  local a = names[(i % #names) + 1]
  local b = names[((i + 3) % #names) + 1]
  local body = string.format(
    '{"queries":{"q1":{"schema":"%s","properties":{"name":["%s"]}},"q2":{"schema":"%s","properties":{"name":["%s"]}}}}',
    a[1], a[2], b[1], b[2])
  return wrk.format(nil, "/match/default", nil, body)
end
local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  local p = function(q) return latency:percentile(q) / 1000.0 end
  io.write(string.format("requests %d in %.1f s: %.1f req/s (%.1f queries/s)\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    2 * summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
    p(50), p(90), p(99), latency.max / 1000.0))
  io.write(string.format("errors: connect %d read %d write %d timeout %d non-2xx %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
end
