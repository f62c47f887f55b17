// The verifier page (templates/verify.html). A token, scanned or pasted,
// is checked at once in the browser with the keys codeverify.js keeps
// (signature, validity, colour: "offline check"); when the network is up
// the server is asked too, and its answer (today's colour, the reasons,
// whether the token was shown before) replaces the offline one. Without
// script the form posts the token and the server answers.
(function () {
  "use strict";

  var form = document.getElementById("verifier");
  var codes = window.cordonCodes;
  if (!form || !codes || !window.fetch || !window.Promise) {
    return;
  }
  var $ = function (id) { return document.getElementById(id); };
  var T = codes.texts(form);
  var field = $("token"), result = $("verify-result"), keysNote = $("verify-keys");
  var keys = codes.cached();

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }
  // when shows a token's time in Beijing time, as the pages do.
  function when(secs) {
    return new Date(secs * 1000).toLocaleString(document.documentElement.lang || "zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
  }

  codes.load(form.getAttribute("data-keys")).then(function (set) {
    keys = set;
    keysNote.hidden = false;
    if (!set) {
      keysNote.textContent = T.no_keys;
    } else {
      keysNote.textContent = (set.cached ? T.keys_cached : T.keys).replace("%d", set.keys.length);
    }
  });

  // showOffline draws the browser's own verdict.
  function showOffline(v, note) {
    result.hidden = false;
    result.textContent = "";
    var ok = v.state === "valid";
    var state = el("p", "check-state " + (ok ? "ok" : "bad"), T[v.state] || v.state);
    state.id = "verify-state";
    result.appendChild(state);
    if (v.color && (ok || v.state === "expired")) {
      var color = el("p", "code-badge big code-" + v.color, T[v.color] + (v.printed ? " · " + T.printed : ""));
      color.id = "verify-color";
      result.appendChild(color);
    }
    var mode = el("p", "hint", T.offline + (note ? " · " + note : ""));
    mode.id = "verify-mode";
    result.appendChild(mode);
    if (v.expires && (ok || v.state === "expired")) {
      var dl = el("dl", "facts");
      dl.appendChild(el("dt", "", T.expires));
      dl.appendChild(el("dd", "", when(v.expires)));
      result.appendChild(dl);
    }
  }

  // showServer draws the server's answer.
  function showServer(a) {
    result.hidden = false;
    result.textContent = "";
    var state = el("p", "check-state " + (a.valid ? "ok" : "bad"), a.state_text);
    state.id = "verify-state";
    result.appendChild(state);
    if (a.valid) {
      var color = el("p", "code-badge big code-" + a.color, a.color_text);
      color.id = "verify-color";
      result.appendChild(color);
    }
    var mode = el("p", "hint", a.valid ? T.online : a.error_text);
    mode.id = "verify-mode";
    result.appendChild(mode);
    if (!a.valid) {
      return;
    }
    var dl = el("dl", "facts");
    function row(label, value) {
      if (value) {
        dl.appendChild(el("dt", "", label));
        dl.appendChild(el("dd", "", value));
      }
    }
    row(T.name, a.name);
    row(T.reasons, a.reason_texts.map(function (r) { return r.code + " " + r.text; }).join("；") || "—");
    row(T.since, a.since_text);
    row(T.token_color, a.token_color_text + (a.printed ? " · " + T.printed : ""));
    row(T.expires, a.expires_text);
    result.appendChild(dl);
  }

  function ask(token) {
    var body = new URLSearchParams();
    body.set("token", token);
    return fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Accept": "application/json", "X-CSRF-Token": form.getAttribute("data-csrf") },
      body: body
    }).then(function (res) {
      if (res.type === "opaqueredirect") {
        throw new Error(T.signed_out);
      }
      if (!res.ok) {
        throw new Error(T.unreachable);
      }
      return res.json();
    });
  }

  var busy = false;
  function check() {
    var token = field.value.trim();
    if (!token || busy) {
      return;
    }
    busy = true;
    codes.verify(keys, token).then(function (v) {
      showOffline(v, "");
      if (v.state === "invalid" || v.state === "forged" || navigator.onLine === false) {
        return null; // the server would say the same
      }
      return ask(token).then(showServer, function (err) {
        // A failed fetch is a TypeError with the browser's own words.
        showOffline(v, err instanceof TypeError ? T.unreachable : err.message);
      });
    }).then(function () {
      busy = false;
      field.select();
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    check();
  });
  field.addEventListener("cordon:scanned", check);
})();
