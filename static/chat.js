// The chat client, for both sides (the customer's chat page, the widget, the agent console).
// It needs an element with:
//   data-socket   the chat socket's address (…/chats/{id}/socket)
//   data-upload   where files are posted (…/chats/{id}/files), or nothing for no files
//   data-csrf     the page's CSRF token (sent as X-CSRF-Token with uploads)
//   data-side     "customer" or "agent": which messages are one's own
//   data-who      who is signed in (their email), or nothing for a visitor
//   data-t-*      texts in the reader's language (see templates/portal_chat.html)
// and inside it #chat-messages (an <ol>), #chat-status, #chat-typing, #chat-offline and a form
// #chat-compose with a <textarea>, optionally #chat-attach / #chat-file. The page works
// without this script (the form posts); with it, messages go over the socket, are kept until the
// server acknowledges them, and are sent again with the same id after a reconnection, which the
// server stores once. Set data-manual to start it yourself: FrontdeskChat.start(root, token).
(function () {
  "use strict";

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (_, k) { return values[k] == null ? "" : values[k]; });
  }

  function start(root, token) {
    if (!root || !window.WebSocket || root.getAttribute("data-started")) return;
    root.setAttribute("data-started", "1");
    var side = root.getAttribute("data-side") || "customer";
    var list = root.querySelector("#chat-messages");
    var statusLine = root.querySelector("#chat-status");
    var typingLine = root.querySelector("#chat-typing");
    var offlineLine = root.querySelector("#chat-offline");
    var form = root.querySelector("#chat-compose");
    var text = form && form.querySelector("textarea");
    var attach = root.querySelector("#chat-attach");
    var fileInput = root.querySelector("#chat-file");
    var t = function (k) { return root.getAttribute("data-t-" + k) || ""; };
    // Kept per person too: after "sign in again" in the same tab, someone else's unsent words
    // are not sent in the name of whoever signed in.
    var storeKey = "frontdesk-chat-pending:" + root.getAttribute("data-socket") + ":" + (root.getAttribute("data-who") || "");
    var lastSeq = 0;
    Array.prototype.forEach.call(list.querySelectorAll("[data-seq]"), function (li) {
      lastSeq = Math.max(lastSeq, Number(li.getAttribute("data-seq")) || 0);
    });
    // Messages not yet acknowledged, oldest first: [{id, body}], kept across reloads.
    var pending = [];
    try { pending = JSON.parse(sessionStorage.getItem(storeKey) || "[]"); } catch (e) { pending = []; }
    var socket = null, backoff = 500, typingSent = 0, typingTimer = null, state = root.getAttribute("data-state") || "";
    // Once the session behind the page has ended, nothing is tried again: the page says so.
    var signedOut = false;

    function save() {
      try { sessionStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
    }

    function scroll() { list.lastElementChild && list.lastElementChild.scrollIntoView({ block: "end" }); }

    function line(author, name, body, when, file) {
      var li = document.createElement("li");
      li.className = "chat-msg from-" + author;
      if (name) {
        var who = document.createElement("span");
        who.className = "chat-who";
        who.textContent = name;
        li.appendChild(who);
        li.appendChild(document.createTextNode(" "));
      }
      var time = document.createElement("time");
      time.className = "muted";
      time.textContent = when;
      li.appendChild(time);
      if (body) {
        var div = document.createElement("div");
        div.className = "chat-body";
        div.textContent = body;
        li.appendChild(div);
      }
      if (file) {
        var f = document.createElement("div");
        f.className = "chat-file";
        var a = document.createElement("a");
        a.href = file.url;
        a.textContent = file.name;
        // In the widget the visitor's token is no cookie: the download sends it explicitly.
        if (token && window.fetch) {
          a.addEventListener("click", function (e) {
            e.preventDefault();
            fetch(file.url, { headers: { "X-Chat-Token": token } })
              .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.blob(); })
              .then(function (blob) {
                var save = document.createElement("a");
                save.href = URL.createObjectURL(blob);
                save.download = file.name;
                document.body.appendChild(save);
                save.click();
                setTimeout(function () { URL.revokeObjectURL(save.href); save.remove(); }, 1000);
              })
              .catch(function () { /* the link stays; nothing else to do */ });
          });
        }
        f.appendChild(a);
        f.appendChild(document.createTextNode(" (" + file.size + ")"));
        li.appendChild(f);
      }
      return li;
    }

    function showPending(p) {
      if (list.querySelector('[data-client-id="' + p.id + '"]')) return;
      var li = line(side, "", p.body || p.name || "", t("sending"), null);
      li.classList.add("pending");
      li.setAttribute("data-client-id", p.id);
      list.appendChild(li);
      scroll();
    }

    function dropPending(id, problem) {
      pending = pending.filter(function (p) { return p.id !== id; });
      save();
      var li = list.querySelector('[data-client-id="' + id + '"]');
      if (li && problem) {
        li.classList.add("failed");
        li.querySelector("time").textContent = problem;
        li.removeAttribute("data-client-id");
      } else if (li) {
        li.parentNode.removeChild(li);
      }
    }

    function send(frame) {
      if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame));
    }

    function sendPending() {
      pending.forEach(function (p) { if (p.body) send({ type: "send", client_id: p.id, body: p.body }); });
    }

    function onMessage(m) {
      if (m.seq <= lastSeq) return;
      lastSeq = m.seq;
      if (m.client_id) dropPending(m.client_id);
      var when = new Date(m.at * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      var li = line(m.author, m.name, m.body, when, m.file);
      li.setAttribute("data-seq", m.seq);
      list.appendChild(li);
      typingLine.hidden = true;
      scroll();
    }

    function onState(s) {
      var words;
      if (s.state === "active") words = fill(t("active"), { agent: s.agent || "" });
      else if (s.state === "ended") words = t("ended");
      else if (s.position) {
        words = fill(t("position"), { position: s.position });
        if (s.wait_secs) words += " " + fill(t("wait"), { minutes: Math.max(1, Math.ceil(s.wait_secs / 60)) });
      } else words = t("waiting");
      if (statusLine) statusLine.textContent = words;
      var wasOpen = state && state !== "ended";
      if (s.state === "ended" && form) form.hidden = true;
      state = s.state;
      root.setAttribute("data-state", s.state);
      // The customer's page shows the rating once the chat ends.
      if (s.state === "ended" && wasOpen && side === "customer" && !root.hasAttribute("data-token")) {
        setTimeout(function () { location.reload(); }, 800);
      }
      root.dispatchEvent(new CustomEvent("chat-state", { detail: s }));
    }

    function onFrame(event) {
      var f;
      try { f = JSON.parse(event.data); } catch (e) { return; }
      if (f.type === "message") onMessage(f);
      else if (f.type === "ack") dropPending(f.client_id);
      else if (f.type === "state") onState(f);
      else if (f.type === "typing") {
        typingLine.textContent = t("typing");
        typingLine.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typingLine.hidden = true; }, 4000);
      } else if (f.type === "signed_out") {
        onSignedOut(f.message);
      } else if (f.type === "error") {
        if (f.client_id) dropPending(f.client_id, f.message);
        else { offlineLine.textContent = f.message; offlineLine.hidden = false; }
      }
    }

    // The session has ended (signed out in another tab, run out, ended by an administrator):
    // reconnecting would only be refused, so the page says what to do instead. Messages not yet
    // acknowledged stay kept for this tab and person, and are sent once they open it signed in.
    function onSignedOut(message) {
      signedOut = true;
      offlineLine.textContent = message || t("signedout");
      offlineLine.hidden = false;
      root.setAttribute("data-signed-out", "1");
      if (form) form.hidden = true;
      if (socket) socket.close();
    }

    function reconnectLater() {
      // Backs off up to 15 s, with jitter so that many clients of a node that died do not
      // all come back at once.
      setTimeout(connect, backoff + Math.random() * backoff);
      backoff = Math.min(backoff * 2, 15000);
    }

    // A socket refused before it opened does not say why; the same address asked as a page
    // answers 401 when the session is gone, 404 marked `X-Chat-Refused: not-yours` when the
    // chat is no longer this reader's (a customer signed out where a visitor's chat cookie
    // remains, a visitor whose newer chat took the cookie, an agent the chat was transferred
    // away from), and 400, not a socket, when all is well. The first two say so and stop;
    // anything else (another 404 may be a proxy's while a node restarts) tries again. The
    // widget's token is never put in an address, so the widget only retries.
    function whyRefused() {
      if (token || !window.fetch) return reconnectLater();
      fetch(root.getAttribute("data-socket"), { credentials: "same-origin", redirect: "manual" })
        .then(function (r) {
          if (r.status === 401) onSignedOut();
          else if (r.status === 404 && r.headers.get("X-Chat-Refused") === "not-yours") onSignedOut(t("gone"));
          else reconnectLater();
        })
        .catch(reconnectLater);
    }

    function connect() {
      if (signedOut) return;
      var url = root.getAttribute("data-socket") + "?after=" + lastSeq;
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      url = url.indexOf("ws") === 0 ? url : scheme + location.host + url;
      // The widget's token travels as a subprotocol, never in the address.
      socket = token ? new WebSocket(url, ["frontdesk-chat", "token." + token]) : new WebSocket(url);
      var opened = false;
      socket.onopen = function () {
        opened = true;
        backoff = 500;
        offlineLine.hidden = true;
        sendPending();
      };
      socket.onmessage = onFrame;
      socket.onclose = function () {
        socket = null;
        if (signedOut) return;
        offlineLine.textContent = t("offline");
        offlineLine.hidden = false;
        if (opened) reconnectLater();
        else whyRefused();
      };
    }

    if (form && text) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var body = text.value.trim();
        if (!body) return;
        var p = { id: uuid(), body: body };
        pending.push(p);
        save();
        showPending(p);
        text.value = "";
        send({ type: "send", client_id: p.id, body: body });
      });
      text.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
      });
      text.addEventListener("input", function () {
        var now = Date.now();
        if (now - typingSent > 2000) { typingSent = now; send({ type: "typing" }); }
      });
    }

    if (attach && fileInput && root.getAttribute("data-upload") && window.fetch) {
      attach.hidden = false;
      fileInput.addEventListener("change", function () {
        var file = fileInput.files && fileInput.files[0];
        if (!file) return;
        var id = uuid();
        var p = { id: id, name: file.name };
        showPending(p);
        var headers = { "Content-Type": "application/octet-stream" };
        if (token) headers["X-Chat-Token"] = token;
        else headers["X-CSRF-Token"] = root.getAttribute("data-csrf") || "";
        var url = root.getAttribute("data-upload") + "?client_id=" + id + "&name=" + encodeURIComponent(file.name);
        fetch(url, { method: "POST", body: file, headers: headers, credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
          .then(function () { /* the message arrives over the socket */ })
          .catch(function () { dropPending(id, t("failed")); });
        fileInput.value = "";
      });
    }

    pending.forEach(showPending);
    // On an agent's page the header may hear of the session's end first (presence.js).
    document.addEventListener("frontdesk:signed-out", function () { if (!signedOut) onSignedOut(); });
    connect();
    setInterval(function () { send({ type: "ping" }); sendPending(); }, 20000);
    return { send: send };
  }

  window.FrontdeskChat = { start: start };
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("chat");
    if (root && !root.hasAttribute("data-manual")) start(root, root.getAttribute("data-token"));
  });
})();

// The widget's page (templates/embed.html, inside another site's iframe): the start form asks
// for a chat with a JSON request, and the visitor's token it returns is kept in this frame's
// session storage (no cookie: a third-party frame may not have them) and sent explicitly.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("chat-embed-start");
    var root = document.getElementById("chat");
    if (!form || !root || !window.fetch) return;
    var key = "frontdesk-widget:" + form.getAttribute("data-slug");
    var errors = document.getElementById("chat-embed-errors");
    var leave = document.getElementById("chat-embed-leave");

    function open(chat) {
      form.hidden = true;
      root.hidden = false;
      root.setAttribute("data-socket", chat.socket);
      root.setAttribute("data-upload", chat.upload);
      root.setAttribute("data-token", chat.token);
      window.FrontdeskChat.start(root, chat.token);
      var end = document.getElementById("chat-embed-end");
      end.addEventListener("click", function () {
        fetch(chat.end, { method: "POST", headers: { "X-Chat-Token": chat.token } }).then(function () {
          try { sessionStorage.removeItem(key); } catch (e) { /* private mode */ }
          end.hidden = true;
        });
      });
      root.addEventListener("chat-state", function (e) {
        if (e.detail.state === "ended") { end.hidden = true; after(chat); }
      });
    }

    // Once the chat has ended: a rating and the transcript by email, with the token.
    function after(chat) {
      var form = document.getElementById("chat-embed-after");
      if (!form || form.getAttribute("data-ready")) return;
      form.setAttribute("data-ready", "1");
      form.hidden = false;
      var done = document.getElementById("chat-embed-done");
      var headers = { "X-Chat-Token": chat.token, "Content-Type": "application/json" };
      function tell(r, what) {
        if (r.ok) { done.textContent = done.getAttribute("data-" + what); done.hidden = false; return; }
        r.json().then(function (j) { done.textContent = (j.errors || []).join(" "); done.hidden = false; });
      }
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var picked = form.querySelector("input[name=rating]:checked");
        var body = JSON.stringify({ rating: picked ? picked.value : "", comment: form.elements.comment.value });
        fetch(chat.rating, { method: "POST", headers: headers, body: body }).then(function (r) {
          tell(r, "rated");
          if (r.ok) form.querySelector("fieldset").disabled = true;
        });
      });
      document.getElementById("chat-embed-transcript").addEventListener("click", function () {
        fetch(chat.transcript, { method: "POST", headers: headers }).then(function (r) { tell(r, "transcript"); });
      });
    }

    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved && saved.token) { open(saved); return; }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = {};
      ["name", "email", "department", "message"].forEach(function (n) { body[n] = form.elements[n].value; });
      fetch(form.getAttribute("data-start"), {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body)
      }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (answer) {
          if (answer.ok) {
            try { sessionStorage.setItem(key, JSON.stringify(answer.body)); } catch (x) { /* private mode */ }
            open(answer.body);
            return;
          }
          errors.textContent = (answer.body.errors || []).join(" ");
          errors.hidden = false;
          if (answer.body.leave_message) {
            leave.querySelector("a").href = answer.body.leave_message;
            leave.hidden = false;
          }
        })
        .catch(function () { errors.hidden = false; });
    });
  });
})();
