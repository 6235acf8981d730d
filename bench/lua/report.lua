-- Shared by the bench scripts: one machine-readable line with the run's figures, read by bench/run.py.
-- wrk counts a response with status >= 400 as a status error; socket errors are counted apart.

function bench_report(summary, latency, extra)
  local errors = summary.errors
  local fields = {
    string.format('"requests":%d', summary.requests),
    string.format('"durationUs":%d', summary.duration),
    string.format('"connectErrors":%d', errors.connect),
    string.format('"readErrors":%d', errors.read),
    string.format('"writeErrors":%d', errors.write),
    string.format('"statusErrors":%d', errors.status),
    string.format('"timeouts":%d', errors.timeout),
    string.format('"p50Us":%d', latency:percentile(50)),
    string.format('"p90Us":%d', latency:percentile(90)),
    string.format('"p99Us":%d', latency:percentile(99)),
    string.format('"maxUs":%d', latency.max),
    string.format('"meanUs":%.1f', latency.mean),
  }
  for key, value in pairs(extra or {}) do
    table.insert(fields, string.format('"%s":%d', key, value))
  end
  io.write("BENCH_RESULT {" .. table.concat(fields, ",") .. "}\n")
end

function done(summary, latency, requests)
  bench_report(summary, latency)
end
