-- GET BENCH_PATH followed by words that no earlier request of the run asked (so no answer
-- can come from memory): pairs of the help-desk words bench/search_articles.py writes (each in
-- 1 % to 15 % of the articles), the pair changing with every request. With BENCH_COOKIE, as
-- someone signed in.
local words = {}
for w in ([[password reset account sign email invoice billing payment printer network vpn error
update install settings login user access order shipping refund mobile app export report
dashboard browser cache server backup security two factor code team admin permission
configure connection slow crash file upload download license subscription plan customer
support ticket message notification calendar sync device windows mac android iphone]]):gmatch("%S+") do
  words[#words + 1] = w
end
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
local path = os.getenv("BENCH_PATH") or "/"
local n = 0
-- Request n asks words a and b (every pair once in #words^2 requests), then a third word
-- when the pairs have all been asked.
request = function()
  local k = #words
  local a = n % k
  local b = (math.floor(n / k) + a + 1) % k
  local q = words[a + 1] .. "+" .. words[b + 1]
  local round = math.floor(n / (k * k))
  if round > 0 then q = q .. "+" .. words[(round - 1) % k + 1] end
  n = n + 1
  return wrk.format("GET", path .. q)
end
