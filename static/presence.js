// The agent's live channel (GET /manage/presence/socket), loaded by every management page.
// It keeps the agent present while a page is open, shows their state in the header's switch,
// and shows chats offered to them with Accept and Decline, from whatever page they are on.
// Other scripts hear every frame as a `frontdesk:presence` event on `document`, and the session's
// end as `frontdesk:signed-out`.
(function () {
  "use strict";
  var menu = document.getElementById("presence-menu");
  if (!menu || !window.WebSocket) return;
  var offersBox = document.getElementById("presence-offers");
  var badge = document.getElementById("presence-badge");
  var dot = document.getElementById("presence-dot");
  var csrfInput = menu.querySelector("input[name=csrf]");
  var csrf = csrfInput ? csrfInput.value : "";
  var labels = {};
  menu.querySelectorAll(".presence-choice").forEach(function (b) { labels[b.dataset.state] = b.textContent; });
  var acceptText = menu.dataset.accept || "Accept";
  // Set once the session has ended: nothing is tried again, and the page says so.
  var signedOut = false;
  var declineText = menu.dataset.decline || "Decline";
  var socket = null, pinger = null, retry = 1000;

  function showPresence(frame) {
    dot.dataset.state = frame.chat;
    menu.querySelectorAll(".presence-switch").forEach(function (form) {
      var current = frame[form.dataset.channel];
      form.querySelectorAll(".presence-choice").forEach(function (b) {
        b.setAttribute("aria-pressed", b.dataset.state === current ? "true" : "false");
      });
    });
  }

  function form(action, text, secondary) {
    var f = document.createElement("form");
    f.method = "post";
    f.action = action;
    f.className = "inline";
    var c = document.createElement("input");
    c.type = "hidden"; c.name = "csrf"; c.value = csrf;
    var b = document.createElement("button");
    b.type = "submit"; b.textContent = text;
    if (secondary) b.className = "secondary";
    f.appendChild(c); f.appendChild(b);
    return f;
  }

  function countOffers() {
    var n = offersBox.querySelectorAll(".presence-offer").length;
    badge.hidden = n === 0;
    badge.textContent = n ? String(n) : "";
    menu.classList.toggle("has-offer", n > 0);
  }

  function showOffer(frame) {
    if (document.getElementById("presence-offer-" + frame.chat_id)) return;
    var item = document.createElement("div");
    item.className = "presence-offer";
    item.id = "presence-offer-" + frame.chat_id;
    var who = document.createElement("p");
    var name = document.createElement("strong");
    name.textContent = frame.customer;
    who.appendChild(name);
    who.appendChild(document.createTextNode(" · " + frame.department));
    item.appendChild(who);
    item.appendChild(form("/manage/presence/offers/" + frame.chat_id + "/accept", acceptText, false));
    item.appendChild(form("/manage/presence/offers/" + frame.chat_id + "/decline", declineText, true));
    offersBox.appendChild(item);
    countOffers();
    menu.open = true;
  }

  function withdraw(chatId) {
    var item = document.getElementById("presence-offer-" + chatId);
    if (item) item.remove();
    countOffers();
  }

  // The session has ended (signed out in another tab, run out, ended by an administrator): the
  // agent is offline and receives nothing, which a page left open must not hide. A notice at the
  // top of the page says so, with a link to sign in and come back here.
  function showSignedOut() {
    signedOut = true;
    dot.dataset.state = "offline";
    // The page's other live parts (the chat console, the ticket viewers) stop trying too.
    document.dispatchEvent(new CustomEvent("frontdesk:signed-out"));
    if (document.getElementById("signed-out-notice")) return;
    var notice = document.createElement("p");
    notice.id = "signed-out-notice";
    notice.className = "notice errors";
    notice.setAttribute("role", "alert");
    notice.textContent = (menu.dataset.signedOut || "") + " ";
    var link = document.createElement("a");
    link.href = "/manage/login?next=" + encodeURIComponent(location.pathname + location.search);
    link.textContent = menu.dataset.signIn || "Sign in";
    notice.appendChild(link);
    var main = document.querySelector("main") || document.body;
    main.insertBefore(notice, main.firstChild);
  }

  // A socket does not say why it closed or was refused; the same address asked as a page answers
  // 401 when the session is gone, and anything else (a node restarting, the network) is retried.
  function retryOrStop() {
    if (!window.fetch) return setTimeout(connect, retry);
    fetch("/manage/presence/socket", { credentials: "same-origin", redirect: "manual" })
      .then(function (r) { if (r.status === 401) showSignedOut(); else setTimeout(connect, retry); })
      .catch(function () { setTimeout(connect, retry); });
  }

  function connect() {
    if (signedOut) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/manage/presence/socket");
    socket.onopen = function () {
      retry = 1000;
      pinger = setInterval(function () { socket.send('{"type":"ping"}'); }, 15000);
    };
    socket.onmessage = function (e) {
      var frame;
      try { frame = JSON.parse(e.data); } catch (err) { return; }
      if (frame.type === "presence") showPresence(frame);
      else if (frame.type === "offer") showOffer(frame);
      else if (frame.type === "withdrawn") withdraw(frame.chat_id);
      document.dispatchEvent(new CustomEvent("frontdesk:presence", { detail: frame }));
    };
    socket.onclose = function () {
      clearInterval(pinger);
      // Offers shown may be stale; the next connection sends the current ones.
      offersBox.querySelectorAll(".presence-offer").forEach(function (o) { o.remove(); });
      countOffers();
      retryOrStop();
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
