-- wrk script for the bulk-cancel ceiling: every record id of a file is
-- cancelled exactly once, the ids split between wrk's threads, each thread
-- stopping when its share is answered.
--
-- wrk -t2 -c16 -d60s -s bench/cancel.lua URL -- IDS_FILE TOKEN THREADS

local threads_made = 0

function setup(thread)
  thread:set("thread_index", threads_made)
  threads_made = threads_made + 1
end

function init(args)
  local ids_file, token, thread_count = args[1], args[2], tonumber(args[3])
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
  body = '{"reason":"duplicate"}'
  headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
end

function request()
  next_index = next_index + 1
  if next_index > #mine then
    -- wrk always wants a request; past the share, ask for something cheap.
    return wrk.format("GET", "/healthz")
  end
  local id = mine[next_index]
  headers["Idempotency-Key"] = "wrk-" .. id
  return wrk.format("POST", "/v1/records/" .. id .. "/cancellation", headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if answered >= #mine then
    wrk.thread:stop()
  end
end
