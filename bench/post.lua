-- POST an empty body to BENCH_PATH (the stack floor's /submit).
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH") or "/"
