-- wrk script of make bench for member requests: each request carries the JWT of the next member.
--   BENCH_TOKENS  file of "token address_id" lines (bench.py writes them)
--   BENCH_THREADS wrk's -t, so that the threads take turns over the members without sharing one
--   BENCH_METHOD  GET unless set; BENCH_BODY a JSON body where {sku}, {address} and {coupon} are filled in
--   BENCH_SKUS    comma-separated SKU ids for {sku}: the next one after each pass over the members
--   BENCH_COUPONS file of the members' unused coupon ids for {coupon}, a line per member in BENCH_TOKENS' order:
--                 the next one of the member's after each pass, since a coupon pays for one order only
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local thread_number = 0

function setup(thread)
  thread:set("first", thread_number)
  thread_number = thread_number + 1
end

function init(args)
  tokens, addresses, skus, coupons = {}, {}, {}, {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    local token, address = line:match("^(%S+)%s*(%S*)")
    tokens[#tokens + 1] = token
    addresses[#addresses + 1] = address
  end
  for sku in (os.getenv("BENCH_SKUS") or "0"):gmatch("%d+") do
    skus[#skus + 1] = sku
  end
  if os.getenv("BENCH_COUPONS") then
    for line in io.lines(os.getenv("BENCH_COUPONS")) do
      local held = {}
      for coupon in line:gmatch("%d+") do
        held[#held + 1] = coupon
      end
      coupons[#coupons + 1] = held
    end
  end
  method = os.getenv("BENCH_METHOD") or "GET"
  template = os.getenv("BENCH_BODY")
  stride = tonumber(os.getenv("BENCH_THREADS") or "1")
  counter = first
end

function request()
  local member = counter % #tokens + 1
  local pass = math.floor(counter / #tokens)
  local sku = skus[pass % #skus + 1]
  counter = counter + stride
  local headers = { ["Authorization"] = "JWT " .. tokens[member] }
  local body = nil
  if template then
    headers["Content-Type"] = "application/json"
    body = template:gsub("{sku}", sku):gsub("{address}", addresses[member])
    local held = coupons[member]
    if held and #held > 0 then
      body = body:gsub("{coupon}", held[pass % #held + 1])
    end
  end
  return wrk.format(method, nil, headers, body)
end
