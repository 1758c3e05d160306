-- wrk script: posts distinct payments among funded banks, each signed with the debtor's
-- own API key and a unique Idempotency-Key. Banks come from the file named by
-- DELTRAN_BANKS_FILE, one "BIC API_KEY" per line; DELTRAN_RUN_ID keeps keys unique across runs.
local banks = {}
local run_id = os.getenv("DELTRAN_RUN_ID") or tostring(os.time())
local currency = os.getenv("DELTRAN_CURRENCY") or "USD"
local threads = {}
local next_id = 1


function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("DELTRAN_BANKS_FILE")) do
    local bic, key = line:match("^(%S+)%s+(%S+)$")
    if bic then table.insert(banks, { bic = bic, auth = "Bearer " .. key }) end
  end
  math.randomseed(tid * 7919 + os.time())
  counter = 0
  non202 = 0
end

function request()
  counter = counter + 1
  local i = math.random(#banks)
  local j = math.random(#banks - 1)
  if j >= i then j = j + 1 end
  local debtor, creditor = banks[i], banks[j]
  local body = string.format(
    '{"amount":"%d.%02d","currency":"%s","debtor_agent":"%s","creditor_agent":"%s",' ..
    '"debtor":{"name":"Load Debtor %d","account":"ACC%d"},"creditor":{"name":"Load Creditor","account":"BEN%d"},' ..
    '"end_to_end_id":"L%s-%d-%d","remittance_info":"load test"}',
    math.random(1, 5000), math.random(0, 99), currency, debtor.bic, creditor.bic, counter, counter, counter,
    run_id, tid, counter)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = debtor.auth,
    ["Idempotency-Key"] = string.format("%s-%d-%d", run_id, tid, counter),
  }
  return wrk.format("POST", "/api/v1/transfer", headers, body)
end

function response(status, headers, body)
  if status ~= 202 then non202 = non202 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non202") or 0) end
  io.write(string.format("LOAD non202=%d requests=%d\n", bad, summary.requests))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("LOAD p%s_us=%d\n", p, latency:percentile(p)))
  end
end
