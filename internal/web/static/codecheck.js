// The part of the three-code check that the venue check (check.js) and the
// checkpoint passage page (pass.js) share: window.cordonCheck.
//   show(box, answer, T)          draws the server's answer: the state, the
//                                 colour, the reasons, the itinerary card
//                                 with its ★, and the scan-in line;
//   showOffline(box, v, queued, T) draws the browser's verdict on a token
//                                 it could not send (codeverify.js);
//   showError(box, err)           draws a refusal;
//   queue(o)                      a queue of checks in IndexedDB
//                                 (idb-keyval) under the key prefix
//                                 o.prefix, posted to o.form's action in
//                                 the order made whenever the network is
//                                 back; a check is dropped only once the
//                                 server answered it (recorded, or refused
//                                 for good). o.body(item) makes the form
//                                 body, o.sent(item, out) hears each answer,
//                                 o.note, o.net and o.sync are the page's
//                                 queue line, trouble line and their box.
(function () {
  "use strict";

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
  function put(box, node, id) {
    node.id = id;
    box.appendChild(node);
    return node;
  }
  function clear(box) {
    box.hidden = false;
    box.textContent = "";
  }

  function show(box, a, T) {
    clear(box);
    var c = a.code;
    put(box, el("p", "check-state " + (c.valid ? "ok" : "bad"), c.state_text), "check-state");
    if (c.valid) {
      put(box, el("p", "code-badge big code-" + c.color, c.color_text), "check-color");
      put(box, el("p", "hint", (c.name ? c.name + " · " : "") + T.online), "check-mode");
      var ul = put(box, el("ul", "code-reasons"), "check-reasons");
      (c.reason_texts || []).forEach(function (r) {
        var li = el("li");
        li.appendChild(el("span", "code", r.code));
        li.appendChild(document.createTextNode(" " + r.text));
        ul.appendChild(li);
      });
    } else {
      put(box, el("p", "hint", c.error_text), "check-mode");
    }
    if (a.card_title) {
      var card = put(box, el("div", "itinerary-card"), "check-card");
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
      put(box, el("p", "notice", a.scan_in_text), "check-scanin");
    }
  }

  function showOffline(box, v, queued, T) {
    clear(box);
    var ok = v.state === "valid";
    put(box, el("p", "check-state " + (ok ? "ok" : "bad"), v.state ? (T[v.state] || v.state) : T.id_offline), "check-state");
    if (v.color && ok) {
      put(box, el("p", "code-badge big code-" + v.color, T[v.color] + (v.printed ? " · " + T.printed : "")), "check-color");
    }
    put(box, el("p", "hint", T.offline + (queued ? " · " + T.queued : "")), "check-mode");
  }

  function showError(box, err) {
    clear(box);
    put(box, el("p", "check-state bad", err.message || err.code), "check-state");
  }

  // keep tells whether a check the server did not answer is worth queuing:
  // an identity number always, a token unless the phone found it bad.
  function keep(token, v) {
    return !token || v.state === "valid" || v.state === "no_keys" || v.state === "unknown_key" || v.state === "unsupported";
  }

  function queue(o) {
    var idb = window.idbKeyval, T = o.T, seq = 0;

    // Keys sort in the order the checks were made.
    function key() {
      seq = (seq + 1) % 1000;
      return o.prefix + String(Date.now()).padStart(15, "0") + "-" + String(seq).padStart(3, "0");
    }
    function queued() {
      return idb.entries().then(function (es) {
        return es.filter(function (e) { return typeof e[0] === "string" && e[0].indexOf(o.prefix) === 0; })
          .sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
      });
    }
    function refresh() {
      return queued().then(function (items) {
        o.note.textContent = items.length ? T.waiting.replace("%d", items.length) : T.all_sent;
        o.sync.classList.toggle("pending", items.length > 0);
        return items.length;
      });
    }

    // post sends one check. Trouble rejects: the network or the server
    // (retry), or the session (the page must be loaded again).
    function post(item) {
      return fetch(o.form.getAttribute("action"), {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Accept": "application/json", "X-CSRF-Token": o.form.getAttribute("data-csrf") },
        body: o.body(item)
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
          var k = items[0][0];
          return post(items[0][1]).then(function (out) {
            if (out.refused) {
              o.net.textContent = out.refused.message || out.refused.code;
            }
            if (o.sent) {
              o.sent(items[0][1], out);
            }
            return idb.del(k);
          }).then(refresh).then(next);
        });
      }
      return next().then(function () {
        o.net.textContent = o.net.textContent === T.unreachable ? "" : o.net.textContent;
        o.sync.classList.remove("trouble");
      }, function (err) {
        o.net.textContent = err.message;
        o.sync.classList.add("trouble");
        timer = setTimeout(send, err.retry ? 10000 : 60000);
      }).then(function () {
        sending = false;
        return refresh();
      });
    }

    // run makes one check: live goes to the server and online shows its
    // answer; when the server cannot be reached, offline draws the verdict
    // and says whether to queue item (live with its scan time).
    function run(item, live, online, offline, failed) {
      var attempt = navigator.onLine === false ? Promise.reject({ retry: true }) : post(live);
      return attempt.then(online, function (err) {
        if (!err.retry) {
          failed(err);
          return null;
        }
        return Promise.resolve(offline()).then(function (queue) {
          return (queue ? idb.set(key(), item) : Promise.resolve()).then(refresh);
        });
      });
    }

    o.sync.hidden = false;
    window.addEventListener("online", send);
    window.addEventListener("offline", function () {
      o.net.textContent = T.unreachable;
      o.sync.classList.add("trouble");
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
    return { run: run, send: send, refresh: refresh };
  }

  window.cordonCheck = { show: show, showOffline: showOffline, showError: showError, keep: keep, queue: queue };
})();
