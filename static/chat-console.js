// The agents' chat lists and the supervisors' page (src/chat/console.rs, supervise.rs): a socket
// says when the lists changed and they are fetched again; clocks (time left to accept, waits,
// durations) tick every second. Without this script the pages are the same, as loaded.
document.addEventListener("DOMContentLoaded", function () {
  var lists = document.getElementById("chat-lists");
  var offset = 0; // the server's clock minus this browser's, in seconds

  function setOffset() {
    var marked = document.querySelector("[data-now]");
    if (marked) offset = Number(marked.getAttribute("data-now")) - Date.now() / 1000;
  }

  function clock(secs) {
    secs = Math.max(0, Math.floor(secs));
    var h = Math.floor(secs / 3600), m = Math.floor(secs / 60) % 60, s = secs % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h > 0) return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss;
    return m + ":" + ss;
  }

  var refreshing = false, again = false;
  function refresh() {
    if (!lists) return;
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(lists.getAttribute("data-refresh"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("refresh");
        return response.text();
      })
      .then(function (html) {
        lists.innerHTML = html;
        setOffset();
        tick();
      })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  function tick() {
    var now = Date.now() / 1000 + offset, expired = false;
    document.querySelectorAll(".clock[data-until]").forEach(function (el) {
      var left = Number(el.getAttribute("data-until")) - now;
      el.textContent = clock(left);
      if (left <= -1 && !el.hasAttribute("data-gone")) { el.setAttribute("data-gone", ""); expired = true; }
    });
    document.querySelectorAll(".clock[data-since]").forEach(function (el) {
      el.textContent = clock(now - Number(el.getAttribute("data-since")));
    });
    // An offer ran out: it went to someone else, and the lists say so.
    if (expired) refresh();
  }

  var delay = 1000, signedOut = false;
  // The header found the session ended (presence.js): reconnecting would only be refused.
  document.addEventListener("frontdesk:signed-out", function () { signedOut = true; });
  function connect() {
    if (signedOut || !lists || !window.WebSocket) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + lists.getAttribute("data-live"));
    var opened = false;
    socket.onopen = function () {
      // Whatever changed while the socket was down.
      if (opened || delay > 1000) refresh();
      opened = true;
      delay = 1000;
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "chats") refresh();
    };
    socket.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  // A chat's page (chat.js tells its state): when the chat changes hands or ends while the
  // agent looks at it, the page shows what they may do now; a chat that is no longer theirs
  // sends them back to their list.
  var chat = document.getElementById("chat");
  if (chat && chat.getAttribute("data-side") === "agent" && !chat.hasAttribute("data-readonly")) {
    var shown = chat.getAttribute("data-state"), leaving = false;
    // The agent's own action (end, transfer...) is on its way: its answer decides the next page.
    document.addEventListener("submit", function (event) {
      if (event.target.id !== "chat-compose") leaving = true;
    }, true);
    chat.addEventListener("chat-state", function (event) {
      var now = event.detail && event.detail.state;
      if (!now || now === shown || leaving) return;
      if (now === "waiting" || (shown === "active" && now === "offered")) location.href = "/manage/chats";
      else location.reload();
    });
  }

  setOffset();
  tick();
  setInterval(tick, 1000);
  connect();
});
