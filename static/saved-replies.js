// Saved replies on an agent's ticket page: a click on one puts its text (already filled for
// the ticket by the server, in data-reply) into the reply box instead of reloading the page.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("message");
  if (!box) return;
  document.querySelectorAll("a[data-reply]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var text = link.getAttribute("data-reply");
      var start = box.selectionStart, end = box.selectionEnd;
      if (typeof start === "number" && document.activeElement === box) {
        box.value = box.value.slice(0, start) + text + box.value.slice(end);
      } else {
        box.value = box.value ? box.value + "\n\n" + text : text;
      }
      box.focus();
    });
  });
});
