-- POST a valid portal sign-in, rotating over the accounts bench/run.sh created
-- (bench0@example.com .. bench{N-1}@example.com). A fixed CSRF value rides in cookie and form.
local accounts = tonumber(os.getenv("BENCH_ACCOUNTS") or "100")
local csrf = "benchcsrfbenchcsrfbenchcsrfbenchcsrfbenchcs"
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = "fd_csrf=" .. csrf,
}
math.randomseed(os.time())

request = function()
  local i = math.random(0, accounts - 1)
  local body = "csrf=" .. csrf .. "&email=bench" .. i .. "%40example.com&password=Bench-Passw0rd-1"
  return wrk.format("POST", "/portal/default/login", headers, body)
end
