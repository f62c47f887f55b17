// A person's own health code (templates/owncode.html): fetches a fresh
// signed token from /me/code.json every minute, and at once on "refresh",
// and redraws the QR code, the colour and the reasons in place. A pass
// that no longer opens the code goes back to /me. Without this file the
// page reloads itself every minute.
(function () {
  "use strict";

  var box = document.getElementById("own-code");
  if (!box || !window.fetch) {
    return;
  }
  var $ = function (id) { return document.getElementById(id); };
  var frame = $("code-frame"), img = $("code-qr"), color = $("code-color"), reasons = $("code-reasons");
  var since = $("code-since"), status = $("code-status"), name = $("code-name");
  var timer = 0;

  function T(key) {
    return box.getAttribute("data-t-" + key) || key;
  }
  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(refresh, ms);
  }

  function show(c) {
    img.src = c.qr;
    frame.setAttribute("data-token", c.token);
    frame.className = "code-frame code-" + c.color;
    color.textContent = c.color_text;
    name.textContent = c.name;
    reasons.textContent = "";
    c.reasons.forEach(function (r) {
      var li = document.createElement("li");
      var code = document.createElement("span");
      code.className = "code";
      code.textContent = r.code;
      li.appendChild(code);
      li.appendChild(document.createTextNode(" " + r.text));
      reasons.appendChild(li);
    });
    since.textContent = c.since;
    status.textContent = c.status;
  }

  function refresh() {
    return fetch(box.getAttribute("data-json"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      cache: "no-store"
    }).then(function (res) {
      if (res.status === 401) {
        window.location.assign("/me");
        return;
      }
      if (!res.ok) {
        throw new Error(String(res.status));
      }
      return res.json().then(function (c) {
        show(c);
        var wait = new Date(c.refresh_at).getTime() - Date.now();
        schedule(Math.min(Math.max(wait, 5000), 60000));
      });
    }).catch(function () {
      status.textContent = T("offline");
      schedule(10000);
    });
  }

  $("code-refresh").addEventListener("click", function (e) {
    e.preventDefault();
    refresh();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      refresh();
    }
  });
  schedule(60000);
})();
