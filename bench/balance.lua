-- wrk script: reads one participant's balance at a gentle pace (DELTRAN_PROBE_DELAY_MS
-- between requests, default 10), to measure read latency while another wrk saturates the
-- rail with payments. DELTRAN_BALANCE_PATH and DELTRAN_BALANCE_KEY name what to read.
local path = os.getenv("DELTRAN_BALANCE_PATH")
local auth = "Bearer " .. os.getenv("DELTRAN_BALANCE_KEY")
local pause = tonumber(os.getenv("DELTRAN_PROBE_DELAY_MS") or "10")
local bad = 0

function request()
  return wrk.format("GET", path, { ["Authorization"] = auth })
end

function delay()
  return pause
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("PROBE requests=%d errors=%d\n", summary.requests, bad))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("PROBE p%s_us=%d\n", p, latency:percentile(p)))
  end
end
