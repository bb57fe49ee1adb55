-- wrk script: POSTs pre-signed WeChat callback requests, one line each ("path?query<TAB>body"),
-- from the file named by MINGBAI_WRK_REQUESTS. Thread k of n takes lines k, k+n, k+2n ...
-- so no two requests share a MsgId or a nonce until the file runs out (then `wrapped` says so).
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(os.getenv("MINGBAI_WRK_THREADS") or "1")
  reqs = {}
  local k = 0
  for line in io.lines(os.getenv("MINGBAI_WRK_REQUESTS")) do
    if k % n == id then
      local tab = string.find(line, "\t", 1, true)
      table.insert(reqs, {string.sub(line, 1, tab - 1), string.sub(line, tab + 1)})
    end
    k = k + 1
  end
  i = 0
  wrapped = 0
end

function request()
  i = i + 1
  if i > #reqs then
    i = 1
    wrapped = wrapped + 1
  end
  local r = reqs[i]
  return wrk.format("POST", r[1], {["Content-Type"] = "text/xml"}, r[2])
end

function done(summary, latency, requests)
  local wraps = 0
  for _, t in ipairs(threads) do
    wraps = wraps + (t:get("wrapped") or 0)
  end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.1f %.1f %d\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99), wraps))
end
