-- wrk script: every request a claim by a new user, on the hot coupon or spread over many.
-- COUPON is the hot coupon's name; SPREAD > 0 spreads claims over COUPON-1 .. COUPON-SPREAD.
local coupon = os.getenv("BENCH_COUPON")
local spread = tonumber(os.getenv("BENCH_SPREAD") or "0")
local counter = 0


-- BENCH_RUN is unique per wrk process (several run at once, one per API instance), so
-- every thread of every process has user ids of its own.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("prefix", string.format("%s-%d", os.getenv("BENCH_RUN"), threads))
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 1000003)
end

request = function()
  counter = counter + 1
  local name = coupon
  if spread > 0 then name = string.format("%s-%d", coupon, math.random(1, spread)) end
  local body = string.format('{"user_id":"%s-%d","coupon_name":"%s"}', prefix, counter, name)
  return wrk.format("POST", "/api/coupons/claim", {["Content-Type"] = "application/json"}, body)
end

done = function(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
