// Idle sign-out warning (issue #21). The server signs a session out after the region's idle
// time (accounts.middleware.IdleTimeoutMiddleware). Typing or clicking on the page counts as
// activity and is reported to the server at most once a minute; two minutes before the end
// a dialog offers to stay signed in. No inline script: the settings come from data-*.
(function () {
  "use strict";
  var root = document.getElementById("oa-idle");
  if (!root || !window.fetch) { return; }
  var limit = parseInt(root.getAttribute("data-seconds"), 10) * 1000;
  var url = root.getAttribute("data-url");
  var token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var dialog = document.getElementById("oa-idle-dialog");
  var stay = document.getElementById("oa-idle-stay");
  var warnBefore = 2 * 60 * 1000;
  var lastServer = Date.now();
  var lastActivity = lastServer;
  var timer = null;

  function ping() {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      if (response.status === 200) { lastServer = Date.now(); schedule(); }
      else { window.location.reload(); }
    });
  }

  function schedule() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(check, 5000);
  }

  function check() {
    var now = Date.now();
    if (lastActivity > lastServer && now - lastServer > 60 * 1000) { ping(); return; }
    if (now - lastServer >= limit) { window.location.reload(); return; }
    if (now - lastServer >= limit - warnBefore && !dialog.open) {
      dialog.showModal();
      stay.focus();
    }
    schedule();
  }

  ["keydown", "click", "input", "scroll"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (!dialog.open) { lastActivity = Date.now(); }
    }, { passive: true });
  });
  stay.addEventListener("click", function () { dialog.close(); ping(); });
  schedule();
}());
