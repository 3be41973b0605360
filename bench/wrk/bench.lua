-- The benchmark's one wrk script (bench/run.py sets the environment):
--   BENCH_REQUESTS  a file of requests, one a line: METHOD <tab> PATH [<tab> urlencoded form body];
--                   wrk sends them in turn (one line: the same request every time)
--   BENCH_COOKIE    sent as the Cookie header (the editor's or the reader's session), if set
--   BENCH_UA        the User-Agent, the same one the session was made with
-- It counts the answers by status and prints one line "BENCH_RESULT {json}" with the latency percentiles.

local requests = {}
local counter = 0
counts = {}

local function header_table(with_body)
   local h = {}
   local cookie = os.getenv("BENCH_COOKIE")
   if cookie and cookie ~= "" then h["Cookie"] = cookie end
   h["User-Agent"] = os.getenv("BENCH_UA") or "corrections-bench"
   if with_body then h["Content-Type"] = "application/x-www-form-urlencoded" end
   return h
end

function init(args)
   for line in io.lines(os.getenv("BENCH_REQUESTS")) do
      local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
      if method then
         if body == "" then body = nil end
         requests[#requests + 1] = wrk.format(method, path, header_table(body ~= nil), body)
      end
   end
   if #requests == 0 then error("no requests in " .. tostring(os.getenv("BENCH_REQUESTS"))) end
end

function request()
   counter = counter % #requests + 1
   return requests[counter]
end

function response(status, headers, body)
   counts[status] = (counts[status] or 0) + 1
end

local threads = {}

function setup(thread)
   threads[#threads + 1] = thread
end

function done(summary, latency, _)
   local total = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("counts") or {}) do
         total[status] = (total[status] or 0) + n
      end
   end
   local statuses = {}
   for status, n in pairs(total) do
      statuses[#statuses + 1] = string.format('"%d":%d', status, n)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"statuses":{%s}}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
      table.concat(statuses, ",")))
end
