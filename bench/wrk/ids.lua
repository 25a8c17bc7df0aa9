-- GET $PREFIX<id> for ids read from $IDS, or (with $BODY) POST $BODY to $PREFIX<id>$SUFFIX,
-- each id once per thread stride, so a transition is fired on a fresh issue every time.
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local prefix, suffix, body = os.getenv("PREFIX"), os.getenv("SUFFIX") or "", os.getenv("BODY")
local token = os.getenv("TOKEN")
local headers = { ["Content-Type"] = "application/json" }
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end

local counter, threads = 0, {}
setup = function(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
init = function(args) step = 0 end
request = function()
  local i = (step * 2 + tonumber(offset)) % #ids + 1
  step = step + 1
  if body and body ~= "" then return wrk.format("POST", prefix .. ids[i] .. suffix, headers, body) end
  return wrk.format("GET", prefix .. ids[i] .. suffix, headers)
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.3f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(99) / 1000, summary.requests, summary.errors.status))
end
