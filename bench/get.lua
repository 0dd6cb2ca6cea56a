-- GET one page (BENCH_PATH) with a cookie (BENCH_COOKIE, "name=value"; empty for none).
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
wrk.path = os.getenv("BENCH_PATH") or "/"
