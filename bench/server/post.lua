-- SPDX-License-Identifier: MIT
-- bench/server/post.lua - wrk script: POST a skill run with the bearer
-- token (env BNITY_TOKEN) and print latency percentiles at the end.
wrk.method = "POST"
wrk.body = '{"input": {"text": "hello, load test"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BNITY_TOKEN")

function done(summary, latency, requests)
  io.write(string.format("requests: %d, errors: connect %d read %d write %d "
    .. "status %d timeout %d\n", summary.requests, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
  io.write(string.format("requests/s: %.1f\n",
    summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("latency p%s: %.2f ms\n", p,
      latency:percentile(p) / 1000))
  end
end
