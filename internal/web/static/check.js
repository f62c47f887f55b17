// The three-code check on a phone (templates/check.html). The venue chosen
// once is remembered in localStorage and reopened on the next visit. Each
// check posts to /check and shows the colour, the reasons, the itinerary
// card and the scan-in. When the server cannot be reached the token's
// signature is checked in the browser (codeverify.js) and its colour shown
// as an "offline check", and the check goes into a queue in IndexedDB
// (idb-keyval) with its venue and scan time; a sender posts the queue, in
// order, whenever the network is back, and drops a check only once the
// server answered it (recorded, or refused for good). Without script the
// page is two plain forms.
(function () {
  "use strict";

  var VENUE = "cordon.check.venue";
  var codes = window.cordonCodes;
  var $ = function (id) { return document.getElementById(id); };
  var form = $("check");
  var params = new URLSearchParams(window.location.search);

  function remembered() {
    try {
      return JSON.parse(localStorage.getItem(VENUE) || "null");
    } catch (e) {
      return null;
    }
  }
  function remember(v) {
    try {
      if (v) {
        localStorage.setItem(VENUE, JSON.stringify(v));
      } else {
        localStorage.removeItem(VENUE);
      }
    } catch (e) { /* private mode: choose again next time */ }
  }

  // The venue chooser: reopen the remembered venue, or send a scanned one.
  if (!form) {
    var saved = remembered();
    if (params.get("change") || $("check-venue-problem")) {
      remember(null);
    } else if (saved && saved.code && !params.get("venue")) {
      window.location.replace("/check?venue=" + encodeURIComponent(saved.code));
      return;
    }
    var venueField = $("venue");
    if (venueField) {
      venueField.addEventListener("cordon:scanned", function () {
        venueField.form.requestSubmit ? venueField.form.requestSubmit() : venueField.form.submit();
      });
    }
    return;
  }
  var venue = { code: form.getAttribute("data-venue-code"), name: form.getAttribute("data-venue-name") };
  remember(venue);

  var idb = window.idbKeyval;
  if (!codes || !idb || !window.indexedDB || !window.fetch || !window.Promise) {
    return; // the plain form posts each check
  }
  var T = codes.texts(form);
  var field = $("code"), days = $("days"), result = $("check-result");
  var sync = $("check-sync"), queueNote = $("check-queue"), net = $("check-net");
  var keys = codes.cached();
  codes.load(form.getAttribute("data-keys")).then(function (set) { keys = set || keys; });
  sync.hidden = false;

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
  function put(node, id) {
    node.id = id;
    result.appendChild(node);
    return node;
  }

  // show draws the server's answer to a check.
  function show(a) {
    result.hidden = false;
    result.textContent = "";
    var c = a.code;
    put(el("p", "check-state " + (c.valid ? "ok" : "bad"), c.state_text), "check-state");
    if (c.valid) {
      put(el("p", "code-badge big code-" + c.color, c.color_text), "check-color");
      put(el("p", "hint", (c.name ? c.name + " · " : "") + T.online), "check-mode");
      var ul = put(el("ul", "code-reasons"), "check-reasons");
      c.reason_texts.forEach(function (r) {
        var li = el("li");
        li.appendChild(el("span", "code", r.code));
        li.appendChild(document.createTextNode(" " + r.text));
        ul.appendChild(li);
      });
    } else {
      put(el("p", "hint", c.error_text), "check-mode");
    }
    if (a.card_title) {
      var card = put(el("div", "itinerary-card"), "check-card");
      card.appendChild(el("h2", "", a.card_title));
      var places = el("ul");
      places.id = "check-places";
      a.places.forEach(function (p) {
        var li = el("li", p.risk ? "risk" : "", (p.risk ? "★ " : "") + p.name + " ");
        li.appendChild(el("span", "hint", p.dates));
        places.appendChild(li);
      });
      if (!a.places.length) {
        places.appendChild(el("li", "hint", T.no_places));
      }
      card.appendChild(places);
      card.appendChild(el("p", "hint", T.risk));
    }
    if (a.scan_in_text) {
      put(el("p", "notice", a.scan_in_text), "check-scanin");
    }
  }

  // showOffline draws the browser's verdict on a token it could not send.
  function showOffline(v, queued) {
    result.hidden = false;
    result.textContent = "";
    var ok = v.state === "valid";
    put(el("p", "check-state " + (ok ? "ok" : "bad"), v.state ? (T[v.state] || v.state) : T.id_offline), "check-state");
    if (v.color && ok) {
      put(el("p", "code-badge big code-" + v.color, T[v.color] + (v.printed ? " · " + T.printed : "")), "check-color");
    }
    put(el("p", "hint", T.offline + (queued ? " · " + T.queued : "")), "check-mode");
  }

  function showError(err) {
    result.hidden = false;
    result.textContent = "";
    put(el("p", "check-state bad", err.message || err.code), "check-state");
  }

  // The queue. Keys sort in the order the checks were made.
  var seq = 0;
  function queueKey() {
    seq = (seq + 1) % 1000;
    return "check-" + String(Date.now()).padStart(15, "0") + "-" + String(seq).padStart(3, "0");
  }
  function queued() {
    return idb.entries().then(function (es) {
      return es.filter(function (e) { return typeof e[0] === "string" && e[0].indexOf("check-") === 0; })
        .sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    });
  }
  function refresh() {
    return queued().then(function (items) {
      queueNote.textContent = items.length ? T.waiting.replace("%d", items.length) : T.all_sent;
      sync.classList.toggle("pending", items.length > 0);
      return items.length;
    });
  }

  // Trouble stops the sender: the network or the server (retry), or the
  // session (the page must be loaded again).
  function post(item) {
    var body = new URLSearchParams();
    body.set("venue_code", item.venue_code);
    body.set("code", item.code);
    body.set("days", item.days);
    if (item.scanned_at) {
      body.set("scanned_at", item.scanned_at);
    }
    return fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Accept": "application/json", "X-CSRF-Token": form.getAttribute("data-csrf") },
      body: body
    }).then(function (res) {
      if (res.type === "opaqueredirect" || res.status === 401) {
        throw { retry: false, message: T.signed_out };
      }
      var json = (res.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (res.status >= 500 || res.status === 429 || res.status === 408 || !json) {
        throw { retry: res.status >= 500 || res.status === 429 || res.status === 408, message: json ? T.unreachable : T.signed_out };
      }
      return res.json().then(function (data) {
        return res.ok ? { answer: data } : { refused: data.error || {} };
      });
    }, function () {
      throw { retry: true, message: T.unreachable };
    });
  }

  var sending = false, timer = 0;
  function send() {
    if (sending) {
      return Promise.resolve();
    }
    sending = true;
    clearTimeout(timer);
    function next() {
      return queued().then(function (items) {
        if (!items.length) {
          return null;
        }
        var key = items[0][0];
        return post(items[0][1]).then(function (out) {
          if (out.refused) {
            net.textContent = out.refused.message || out.refused.code;
          }
          return idb.del(key);
        }).then(refresh).then(next);
      });
    }
    return next().then(function () {
      net.textContent = net.textContent === T.unreachable ? "" : net.textContent;
      sync.classList.remove("trouble");
    }, function (err) {
      net.textContent = err.message;
      sync.classList.add("trouble");
      timer = setTimeout(send, err.retry ? 10000 : 60000);
    }).then(function () {
      sending = false;
      return refresh();
    });
  }

  // A check: to the server when it answers, else checked here and queued.
  function check() {
    var code = field.value.trim();
    if (!code) {
      return Promise.resolve();
    }
    var item = { venue_code: venue.code, code: code, days: days.value, scanned_at: new Date().toISOString() };
    var token = code.indexOf("HC1.") >= 0;
    var online = navigator.onLine === false ? Promise.reject({ retry: true }) : post({ venue_code: item.venue_code, code: code, days: item.days });
    return online.then(function (out) {
      if (out.refused) {
        showError(out.refused);
      } else {
        show(out.answer);
      }
    }, function (err) {
      if (!err.retry) {
        showError(err);
        return null;
      }
      // Degraded mode: the server cannot be reached.
      var verdict = token ? codes.verify(keys, code) : Promise.resolve({});
      return verdict.then(function (v) {
        var keep = !token || v.state === "valid" || v.state === "no_keys" || v.state === "unknown_key" || v.state === "unsupported";
        return (keep ? idb.set(queueKey(), item) : Promise.resolve()).then(function () {
          showOffline(v, keep);
          return refresh();
        });
      });
    }).then(function () {
      field.value = "";
      field.focus({ preventScroll: true });
      result.scrollIntoView({ block: "nearest" });
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    check().catch(function (err) { net.textContent = String(err && err.message || err); });
  });
  field.addEventListener("cordon:scanned", function () {
    form.requestSubmit ? form.requestSubmit() : check();
  });
  window.addEventListener("online", send);
  window.addEventListener("offline", function () {
    net.textContent = T.unreachable;
    sync.classList.add("trouble");
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      send();
    }
  });
  setInterval(function () {
    if (!sending) {
      send();
    }
  }, 15000);
  refresh().then(send);
})();
