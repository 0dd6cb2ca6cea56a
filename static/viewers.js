// Collision warnings on an agent's ticket page (src/chat/viewers.rs): a socket held open while
// the page is open lists the other agents on the ticket, live, and tells them when this agent
// has unsent text in the reply box. Reconnects after a drop, waiting longer each time.
document.addEventListener("DOMContentLoaded", function () {
  var panel = document.getElementById("ticket-viewers");
  if (!panel || !window.WebSocket) return;
  var list = document.getElementById("ticket-viewers-list");
  var box = document.getElementById("message");
  var socket = null, delay = 1000, writing = false, signedOut = false;
  // The header found the session ended (presence.js): reconnecting would only be refused.
  document.addEventListener("frontdesk:signed-out", function () { signedOut = true; });

  function isWriting() {
    return !!box && box.value.trim() !== "";
  }

  function report() {
    writing = isWriting();
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "writing", writing: writing }));
    }
  }

  function show(viewers) {
    list.textContent = "";
    viewers.forEach(function (v) {
      var item = document.createElement("li");
      item.className = v.writing ? "viewer writing" : "viewer";
      var name = document.createElement("strong");
      name.textContent = v.name;
      var what = document.createElement("span");
      what.className = v.writing ? "badge warn" : "muted";
      what.textContent = panel.getAttribute(v.writing ? "data-writing" : "data-viewing");
      item.appendChild(name);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(what);
      list.appendChild(item);
    });
    panel.hidden = viewers.length === 0;
  }

  function connect() {
    if (signedOut) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + panel.getAttribute("data-socket"));
    socket.onopen = function () {
      delay = 1000;
      if (isWriting()) report();
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "viewers") show(frame.viewers || []);
    };
    socket.onclose = function () {
      socket = null;
      show([]);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  if (box) {
    box.addEventListener("input", function () {
      if (isWriting() !== writing) report();
    });
  }
  connect();
});
