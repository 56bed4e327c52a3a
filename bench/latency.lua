-- wrk prints the 50th, 75th, 90th and 99th percentiles; the targets need the 95th. done()
-- runs once at the end with the whole run's latency histogram (microseconds) and prints one
-- line that bench/benchmark.py reads.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, ' ..
    '"p50_us": %.0f, "p90_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, "max_us": %.0f, ' ..
    '"mean_us": %.1f, "errors_connect": %.0f, "errors_read": %.0f, "errors_write": %.0f, ' ..
    '"errors_status": %.0f, "errors_timeout": %.0f}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
