-- A day's mix, per connection in turn: the list, one issue, the list sorted by support,
-- one issue, and a write (one in five): a new issue (POST $BODY to $CREATE), or with
-- $TOGGLE set, supporting or withdrawing support for one issue (PUT/DELETE
-- $ONE<id>$TOGGLE), which keeps the database the same size. $IDS lists issue ids, $LIST
-- the list path, $ONE the prefix of one issue's path.
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local list, one, create, body = os.getenv("LIST"), os.getenv("ONE"), os.getenv("CREATE"), os.getenv("BODY")
local sorted = os.getenv("SORTED") or list
local toggle = os.getenv("TOGGLE")
local token = os.getenv("TOKEN")
local headers = { ["Content-Type"] = "application/json" }
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end

local counter = 0
setup = function(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
init = function(args) step = 0 end
request = function()
  step = step + 1
  local kind = step % 5
  local i = (step * 7 + tonumber(offset) * 13) % #ids + 1
  if kind == 0 and toggle and toggle ~= "" then
    local method = (step % 10 == 0) and "DELETE" or "PUT"
    return wrk.format(method, one .. ids[i] .. toggle, headers)
  end
  if kind == 0 then return wrk.format("POST", create, headers, body) end
  if kind == 1 then return wrk.format("GET", list, headers) end
  if kind == 3 then return wrk.format("GET", sorted, headers) end
  return wrk.format("GET", one .. ids[i], headers)
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.3f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(99) / 1000, summary.requests, summary.errors.status))
end
