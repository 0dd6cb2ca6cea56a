-- GET the management home with a signed-in administrator's session (BENCH_SESSION).
local session = os.getenv("BENCH_SESSION")
wrk.headers["Cookie"] = "fd_manage=" .. session
wrk.path = "/manage"
