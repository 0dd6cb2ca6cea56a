// The chat widget for a company's own site. Paste, before </body>:
//   <script src="https://desk.example.com/static/chat-widget.js" data-portal="SLUG" async></script>
// It adds a button that opens the portal's chat in an iframe served by Frontdesk, which only
// the sites listed in the portal's settings may frame. Nothing here reads or sets cookies; the
// conversation lives in the iframe. Optional: data-label="…" (the button's text).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__frontdeskChatWidget) return;
  window.__frontdeskChatWidget = true;
  var slug = script.getAttribute("data-portal");
  if (!slug || !/^[a-z0-9-]+$/.test(slug)) return;
  var origin = new URL(script.src, location.href).origin;
  var src = origin + "/portal/" + encodeURIComponent(slug) + "/chat/embed";

  function place() {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = script.getAttribute("data-label") || "Chat";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("data-frontdesk-chat", "button");
    var s = button.style;
    s.position = "fixed"; s.right = "16px"; s.bottom = "16px"; s.zIndex = "2147483646";
    s.padding = "12px 18px"; s.borderRadius = "24px"; s.border = "0"; s.cursor = "pointer";
    s.background = "#2f5bd3"; s.color = "#fff"; s.font = "600 15px system-ui, sans-serif";
    s.boxShadow = "0 2px 10px rgba(0,0,0,.25)";
    var frame = null;
    button.addEventListener("click", function () {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.src = src;
        frame.title = button.textContent;
        frame.setAttribute("data-frontdesk-chat", "frame");
        var f = frame.style;
        f.position = "fixed"; f.right = "16px"; f.bottom = "72px"; f.zIndex = "2147483647";
        f.width = "min(380px, calc(100vw - 32px))"; f.height = "min(560px, calc(100vh - 96px))";
        f.border = "1px solid #ccd"; f.borderRadius = "12px"; f.background = "#fff";
        f.boxShadow = "0 4px 24px rgba(0,0,0,.25)";
        document.body.appendChild(frame);
      } else {
        frame.hidden = !frame.hidden;
      }
      button.setAttribute("aria-expanded", frame.hidden ? "false" : "true");
    });
    document.body.appendChild(button);
  }

  if (document.body) place();
  else document.addEventListener("DOMContentLoaded", place);
})();
