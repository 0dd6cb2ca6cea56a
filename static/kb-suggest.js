// New-ticket forms: while the subject is typed, list knowledge-base articles that may answer
// it (from the portal's /kb/suggest, which returns only what this reader may read). The form
// works the same without this script.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("kb-suggestions");
  if (!box) return;
  var input = document.getElementById(box.getAttribute("data-subject"));
  var list = box.querySelector("ul");
  if (!input || !list || !window.fetch) return;
  var url = box.getAttribute("data-suggest");
  var timer = null, asked = "", latest = 0;

  function show(articles) {
    list.textContent = "";
    articles.forEach(function (a) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = a.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = a.title;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = articles.length === 0;
  }

  function ask() {
    var q = input.value.trim();
    if (q === asked) return;
    asked = q;
    if (q.length < 3) { show([]); return; }
    var mine = ++latest;
    fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { articles: [] }; })
      .then(function (found) { if (mine === latest) show(found.articles || []); })
      .catch(function () {});
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
  ask();
});
