-- wrk script for the bulk-cancel ceiling: every record id of a file is
-- cancelled exactly once, the ids split between wrk's threads.
--
--   wrk -t2 -c16 -d300s -s bench/cancel.lua URL -- IDS_FILE TOKEN THREADS DONE_DIR
--
-- wrk's main thread sleeps for the whole -d duration whatever the threads do,
-- so its own duration says nothing here. Each thread instead notes the wall
-- time of its first request and of its last cancellation answer, stops, and
-- drops a file in DONE_DIR; run.sh interrupts wrk once every thread has, and
-- done() prints the span from the first request to the last answer:
--
--   cancel_seconds <float> cancel_answers <n> cancel_non_2xx <n> first <t> last <t>
--
-- (first and last are Unix times, so runs of several wrk processes at once
-- can be timed from the earliest first request to the latest last answer.)

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_usec; } bench_timeval;
  int gettimeofday(bench_timeval *tv, void *tz);
]])

local function wall_seconds()
  local tv = ffi.new("bench_timeval")
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6
end

local threads = {}
local threads_made = 0

function setup(thread)
  thread:set("thread_index", threads_made)
  threads_made = threads_made + 1
  table.insert(threads, thread)
end

function init(args)
  local ids_file, token, thread_count = args[1], args[2], tonumber(args[3])
  done_dir = args[4]
  mine = {}
  local line_number = 0
  for line in io.lines(ids_file) do
    if line_number % thread_count == thread_index then
      table.insert(mine, line)
    end
    line_number = line_number + 1
  end
  next_index = 0
  answered = 0
  non_2xx = 0
  started_at = 0
  finished_at = 0
  -- wrk calls request() once on the first thread only to check the script
  -- builds a valid request, and throws that request away: that call must not
  -- use up a record id.
  awaiting_check_call = thread_index == 0
  body = '{"reason":"duplicate"}'
  headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
end

function request()
  if awaiting_check_call then
    awaiting_check_call = false
    return wrk.format("GET", "/healthz")
  end
  if started_at == 0 then
    started_at = wall_seconds()
  end
  next_index = next_index + 1
  if next_index > #mine then
    -- wrk always wants a request; past the share, ask for something cheap
    -- that response() can tell apart from a cancellation answer.
    return wrk.format("GET", "/healthz")
  end
  local id = mine[next_index]
  headers["Idempotency-Key"] = "wrk-" .. id
  return wrk.format("POST", "/v1/records/" .. id .. "/cancellation", headers, body)
end

-- A cancellation answer names the record (200) or is a problem (4xx/5xx);
-- /healthz answers 200 with its status document.
local function is_cancellation_answer(status, body)
  if status ~= 200 then
    return true
  end
  return string.find(body, '"record"', 1, true) ~= nil
end

function response(status, headers, body)
  if finished_at ~= 0 or not is_cancellation_answer(status, body) then
    return
  end
  answered = answered + 1
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
  if answered >= #mine then
    finished_at = wall_seconds()
    local marker = io.open(done_dir .. "/thread-" .. thread_index, "w")
    if marker then
      marker:close()
    end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local first, last, answers, failures = math.huge, 0, 0, 0
  for _, thread in ipairs(threads) do
    first = math.min(first, thread:get("started_at"))
    last = math.max(last, thread:get("finished_at"))
    answers = answers + thread:get("answered")
    failures = failures + thread:get("non_2xx")
  end
  io.write(string.format("cancel_seconds %.6f cancel_answers %d cancel_non_2xx %d first %.6f last %.6f\n",
    last - first, answers, failures, first, last))
end
