// An agent's reply form: find a knowledge-base article (from /manage/kb/find, the agent's
// portal only) and insert "Title: link" into the reply where the cursor is.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("kb-find");
  if (!box || !window.fetch) return;
  var target = document.getElementById(box.getAttribute("data-target"));
  var input = box.querySelector("input");
  var list = box.querySelector("ul");
  var none = box.querySelector("[data-none]");
  if (!target || !input || !list) return;
  var url = box.getAttribute("data-find");
  var timer = null, asked = "", latest = 0;
  box.hidden = false;

  function insert(article) {
    var text = article.title + ": " + article.url;
    var start = target.selectionStart, end = target.selectionEnd;
    if (typeof start !== "number" || (start === 0 && end === 0 && target.value)) {
      // Never placed a cursor in the reply: the link goes after what is written.
      target.value = target.value ? target.value + "\n" + text : text;
    } else {
      target.value = target.value.slice(0, start) + text + target.value.slice(end);
      target.selectionStart = target.selectionEnd = start + text.length;
    }
    target.focus();
  }

  function show(articles) {
    list.textContent = "";
    articles.forEach(function (a) {
      var item = document.createElement("li");
      var title = document.createElement("span");
      title.textContent = a.title;
      item.appendChild(title);
      if (a.visibility === "internal") {
        var mark = document.createElement("span");
        mark.className = "badge warn";
        mark.textContent = box.getAttribute("data-internal");
        item.appendChild(document.createTextNode(" "));
        item.appendChild(mark);
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = box.getAttribute("data-insert");
      button.addEventListener("click", function () { insert(a); });
      item.appendChild(button);
      list.appendChild(item);
    });
    if (none) none.hidden = !(articles.length === 0 && asked.length >= 2);
  }

  function ask() {
    var q = input.value.trim();
    if (q === asked) return;
    asked = q;
    if (q.length < 2) { show([]); return; }
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
  // Enter searches at once; it must not send the reply this box sits in.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); ask(); }
  });
});
