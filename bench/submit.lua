-- POST new tickets from the portal's form (multipart, as a browser sends it), rotating over the
-- signed-in customers' cookies in BENCH_SESSIONS (one "name=value" per line): each customer may
-- open 30 tickets an hour, so a run needs many of them. A fixed CSRF value rides in cookie and form.
local path = os.getenv("BENCH_PATH")
local department = os.getenv("BENCH_DEPARTMENT")
local csrf = "benchcsrfbenchcsrfbenchcsrfbenchcsrfbenchcs"
local sessions = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do sessions[#sessions + 1] = line end
local boundary = "----benchboundary7MA4YWxkTrZu0gW"
local function field(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end
local n = 0
request = function()
  n = n + 1
  local session = sessions[(n % #sessions) + 1]
  local body = field("csrf", csrf) .. field("department", department)
    .. field("subject", "Printer on floor " .. n .. " does not print")
    .. field("message", "Since this morning the printer shows error 49 and prints nothing. We restarted it twice.")
    .. "--" .. boundary .. "--\r\n"
  local headers = {
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
    ["Cookie"] = "fd_csrf=" .. csrf .. "; " .. session,
  }
  return wrk.format("POST", path, headers, body)
end
