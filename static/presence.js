// The agent's live channel (GET /manage/presence/socket), loaded by every management page.
// It keeps the agent present while a page is open, shows their state in the header's switch,
// and shows chats offered to them with Accept and Decline, from whatever page they are on.
// Other scripts hear every frame as a `frontdesk:presence` event on `document`.
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

  function connect() {
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
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
