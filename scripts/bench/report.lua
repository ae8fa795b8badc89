-- wrk script of make bench for plain GETs: the run's summary as one JSON line that bench.py reads.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "status_errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.connect + errors.read + errors.write + errors.status + errors.timeout,
    errors.status, latency:percentile(50), latency:percentile(99)))
end
