-- wrk script for bench/serve.sh: every request POSTs one KServe V2 infer request (one
-- Fashion-MNIST image) to the URL given to wrk (…/v2/models/NAME/infer).
--
-- Usage: wrk -c C -d D -t T --latency -s bench/serve_infer.lua URL -- BODY_FILE [EXPECTED]
--   BODY_FILE  the JSON request body, read once (bench/serve.sh writes it from the data set)
--   EXPECTED   optional: a string every good answer contains (the predicted label); a 2xx answer
--              without it counts as wrong
--
-- wrk itself counts socket errors and "Non-2xx or 3xx responses"; here any status outside 2xx is
-- an error, counted per wrk thread in response() and summed in done(), which prints one
-- machine-readable line after wrk's own report:
--   SERVE_RESULT {"requests":…,"seconds":…,"rps":…,"p50_ms":…,"p99_ms":…,"non_2xx":…,
--                 "wrong":…,"socket_errors":…,"errors":…}
-- errors = non_2xx + wrong + socket errors (connect, read, write, timeout).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  if path == nil then
    error("serve_infer.lua: no body file; usage: wrk ... -s serve_infer.lua URL -- BODY_FILE [EXPECTED]")
  end
  local file = assert(io.open(path, "rb"), "serve_infer.lua: cannot open body file " .. path)
  local body = file:read("*a")
  file:close()
  expected = args[2]
  non_2xx = 0
  wrong = 0
  -- The request is formatted once per thread and sent as is.
  request_bytes = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function request()
  return request_bytes
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  elseif expected ~= nil and not string.find(body, expected, 1, true) then
    wrong = wrong + 1
  end
end

function done(summary, latency, requests)
  local non_2xx_total, wrong_total = 0, 0
  for _, thread in ipairs(threads) do
    non_2xx_total = non_2xx_total + thread:get("non_2xx")
    wrong_total = wrong_total + thread:get("wrong")
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'SERVE_RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
    '"non_2xx":%d,"wrong":%d,"socket_errors":%d,"errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, non_2xx_total, wrong_total, socket_errors,
    non_2xx_total + wrong_total + socket_errors))
end
