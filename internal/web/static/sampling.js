// cordon sampler page (templates/sampling.html). Every registration gets a
// client key and goes into a queue in IndexedDB on the phone (idb-keyval,
// vendor/idb-keyval.min.js) before anything is sent; a sender posts the
// queue in order, in batches, to /sampling/samples with the page's CSRF
// token, and drops an item only when the server answered it stored,
// replayed (a resend of a stored key) or rejected. Network trouble is
// retried with backoff and as soon as the browser is online again, so a
// sampling table keeps working through an outage: "nothing acknowledged is
// lost", and the server stores each key once however often it is sent.
//
// The tube in hand fills up to its pool size, then closes and the next
// person needs a new tube; the choice of round, point, table and group and
// the tube in hand are remembered in localStorage. Without idb-keyval (or
// without script) the form posts one registration at a time.
(function () {
  "use strict";

  var form = document.getElementById("sampler");
  if (!form) {
    return;
  }
  var $ = function (id) { return document.getElementById(id); };
  var f = {
    round: $("round"), point: $("point"), table: $("table"), group: $("group"),
    docType: $("doc_type"), id: $("id_number"), name: $("name"), tube: $("tube")
  };
  var hint = $("id-hint");

  function T(name) {
    return form.getAttribute("data-t-" + name) || name;
  }
  // fmt fills %s and %d in a translated message, in order.
  function fmt(msg) {
    var args = arguments, i = 1;
    return msg.replace(/%[sd]/g, function () { return String(args[i++]); });
  }

  // Citizen ID numbers (GB 11643-1999) end in an ISO 7064 MOD 11-2 check
  // character: a quick hint before the server's full check.
  var weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  function citizenIDValid(s) {
    if (!/^\d{17}[\dX]$/.test(s)) {
      return false;
    }
    var sum = 0;
    for (var i = 0; i < 17; i++) {
      sum += (s.charCodeAt(i) - 48) * weights[i];
    }
    return "10X98765432".charAt(sum % 11) === s.charAt(17);
  }
  function normalID(s) {
    return s.replace(/\s+/g, "").toUpperCase();
  }
  function checkID() {
    var v = normalID(f.id.value);
    var msg = "", bad = false;
    if (f.docType.value === "citizen_id" && v) {
      if (v.length > 18 || (v.length === 18 && !/^\d{17}[\dX]$/.test(v))) {
        msg = T("id-length");
        bad = true;
      } else if (v.length === 18) {
        bad = !citizenIDValid(v);
        msg = bad ? T("id-bad") : T("id-ok");
      }
    }
    hint.textContent = msg;
    hint.classList.toggle("bad", bad);
    hint.classList.toggle("ok", !bad && msg !== "");
    f.id.setCustomValidity(bad ? msg : "");
    return !bad;
  }
  f.id.addEventListener("input", checkID);
  f.docType.addEventListener("change", checkID);

  var idb = window.idbKeyval;
  if (!idb || !window.indexedDB || !window.fetch || !window.Promise) {
    return; // the plain form posts, one registration at a time
  }

  // Remembered choices.
  var store = {
    get: function (k) {
      try { return JSON.parse(localStorage.getItem("cordon.sampling." + k)); } catch (e) { return null; }
    },
    set: function (k, v) {
      try {
        if (v === null) {
          localStorage.removeItem("cordon.sampling." + k);
        } else {
          localStorage.setItem("cordon.sampling." + k, JSON.stringify(v));
        }
      } catch (e) { /* private mode: the page still works */ }
    }
  };
  var setupFields = ["round", "point", "table", "group", "docType"];
  function saveSetup() {
    var s = {};
    setupFields.forEach(function (k) { s[k] = f[k].value; });
    store.set("setup", s);
  }
  (function restoreSetup() {
    var s = store.get("setup");
    if (!s || /[?&]round=/.test(location.search)) {
      return;
    }
    setupFields.forEach(function (k) {
      var el = f[k];
      if (s[k] === undefined || s[k] === null) {
        return;
      }
      if (el.tagName === "SELECT" && !el.querySelector('option[value="' + String(s[k]).replace(/"/g, "") + '"]')) {
        return;
      }
      el.value = s[k];
    });
  })();
  setupFields.forEach(function (k) { f[k].addEventListener("change", saveSetup); });

  // The pool size of the chosen group in the chosen round.
  function poolSize() {
    var opt = f.round.options[f.round.selectedIndex];
    var n = opt ? parseInt(opt.getAttribute("data-" + f.group.value), 10) : NaN;
    return n > 0 ? n : 1;
  }

  // The tube in hand: {barcode, pool, filled, round}.
  var tubeStatus = $("tube-status");
  var closeInput = $("close-tube-barcode");
  function tubeInHand() { return store.get("tube"); }
  function showTube(t, full) {
    tubeStatus.classList.toggle("full", !!full);
    if (full) {
      tubeStatus.textContent = fmt(T("tube-full"), full.barcode, full.filled, full.pool);
    } else if (t) {
      tubeStatus.textContent = fmt(T("tube"), t.barcode, t.filled, t.pool);
    } else {
      tubeStatus.textContent = T("tube-none");
    }
    if (closeInput) {
      closeInput.value = t ? t.barcode : "";
    }
  }
  (function restoreTube() {
    var t = tubeInHand();
    if (t && !f.tube.value) {
      f.tube.value = t.barcode;
    }
    if (t && f.tube.value !== t.barcode) {
      t = null;
    }
    showTube(t);
  })();

  // The queue. Keys sort in the order registrations were made.
  var seq = 0;
  function queueKey() {
    seq = (seq + 1) % 1000;
    return "q" + String(Date.now()).padStart(15, "0") + "-" + String(seq).padStart(3, "0");
  }
  function queued() {
    return idb.entries().then(function (es) {
      return es.filter(function (e) { return typeof e[0] === "string" && e[0].charAt(0) === "q"; })
        .sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    });
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function masked(id) {
    return id.length > 8 ? id.slice(0, 4) + "…" + id.slice(-4) : id;
  }

  // What the sampler sees of the queue.
  var sync = $("sync"), waiting = $("waiting"), net = $("net-status");
  var recentBox = $("recent-box"), recentList = $("recent"), recent = [];
  var rejectedBox = $("rejected-box"), rejectedList = $("rejected");
  sync.hidden = false;

  function refresh() {
    return queued().then(function (items) {
      var n = items.filter(function (e) { return e[1].kind === "sample"; }).length;
      waiting.textContent = n ? fmt(T("waiting"), n) : T("all-sent");
      sync.classList.toggle("pending", n > 0);
      return n;
    });
  }
  function setNet(msg, trouble) {
    net.textContent = msg || "";
    sync.classList.toggle("trouble", !!trouble);
  }
  function showRecent() {
    recentBox.hidden = recent.length === 0;
    recentList.textContent = "";
    recent.forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = r.text + " · " + T(r.status);
      li.setAttribute("data-status", r.status);
      recentList.appendChild(li);
    });
  }
  function markRecent(key, status) {
    recent.forEach(function (r) {
      if (r.key === key) {
        r.status = status;
      }
    });
    showRecent();
  }
  function showRejected() {
    var list = store.get("rejected") || [];
    rejectedBox.hidden = list.length === 0;
    rejectedList.textContent = "";
    list.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      rejectedList.appendChild(li);
    });
  }
  function addRejected(text) {
    var list = store.get("rejected") || [];
    list.unshift(text);
    store.set("rejected", list.slice(0, 50));
    showRejected();
  }
  $("rejected-clear").addEventListener("click", function () {
    store.set("rejected", null);
    showRejected();
  });
  showRejected();

  // Registering a person: into the queue first, then the sender.
  function register() {
    if (!checkID() || !form.reportValidity()) {
      return Promise.resolve();
    }
    var barcode = f.tube.value.trim();
    var pool = poolSize();
    var t = tubeInHand();
    if (!t || t.barcode !== barcode || t.round !== f.round.value) {
      t = { barcode: barcode, pool: pool, filled: 0, round: f.round.value };
    } else if (t.pool !== pool) {
      setNet(fmt(T("group-mismatch"), t.pool), true);
      return Promise.resolve();
    }
    var id = f.docType.value === "citizen_id" ? normalID(f.id.value) : f.id.value.trim();
    var sample = {
      key: uuid(),
      round_id: parseInt(f.round.value, 10),
      point_id: parseInt(f.point.value, 10),
      table: parseInt(f.table.value, 10) || 0,
      tube: barcode,
      pool_size: t.pool,
      group: f.group.value,
      doc_type: f.docType.value,
      id_number: id,
      name: f.name.value.trim(),
      collected_at: new Date().toISOString()
    };
    return idb.set(queueKey(), { kind: "sample", sample: sample }).then(function () {
      t.filled++;
      recent.unshift({ key: sample.key, text: masked(id) + " → " + barcode + " " + t.filled + "/" + t.pool, status: "queued" });
      recent = recent.slice(0, 10);
      showRecent();
      if (t.filled >= t.pool) {
        store.set("tube", null);
        showTube(null, t);
        f.tube.value = "";
      } else {
        store.set("tube", t);
        showTube(t);
      }
      f.id.value = "";
      f.name.value = "";
      checkID();
      f.id.focus();
      return refresh();
    }).then(send);
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    register().catch(function (err) { setNet(String(err), true); });
  });
  // Enter (or a scan) in the ID field goes on to the tube when none is in
  // hand, else registers.
  function afterID() {
    if (!f.tube.value.trim()) {
      f.tube.focus();
    } else if (form.requestSubmit) {
      form.requestSubmit();
    }
  }
  f.id.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      afterID();
    }
  });
  f.id.addEventListener("cordon:scanned", afterID);
  f.tube.addEventListener("cordon:scanned", function () {
    if (f.id.value.trim() && form.requestSubmit) {
      form.requestSubmit();
    }
  });

  // Closing a tube by hand goes into the queue behind its registrations.
  var closeForm = $("close-tube");
  closeForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var barcode = closeInput.value.trim();
    if (!barcode) {
      return;
    }
    idb.set(queueKey(), { kind: "close", tube: barcode }).then(function () {
      var t = tubeInHand();
      if (t && t.barcode === barcode) {
        store.set("tube", null);
        f.tube.value = "";
      }
      showTube(tubeInHand());
      setNet(fmt(T("close-queued"), barcode), false);
      send();
    });
  });

  // The queue report is only worth sending now; it is not queued.
  var queueForm = $("report-queue"), queueStatus = $("queue-status");
  queueForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = new URLSearchParams();
    body.set("point", f.point.value);
    body.set("queue", $("queue").value);
    post(form.getAttribute("data-queue"), body, "application/x-www-form-urlencoded").then(function (res) {
      return res.json().then(function (data) {
        queueStatus.textContent = res.ok ? fmt(T("queue-sent"), data.queue) : (data.error && data.error.message) || res.status;
      });
    }).catch(function () {
      queueStatus.textContent = T("offline");
    });
  });

  var csrf = form.getAttribute("data-csrf");
  function post(url, body, type) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual", // a lost session answers with a redirect to the login page
      headers: { "Content-Type": type, "Accept": "application/json", "X-CSRF-Token": csrf },
      body: body
    });
  }

  // Trouble is what stops the sender for a while: the network or the
  // server (retry soon), or a refusal a retry will not mend by itself
  // (signed out, forbidden: retry rarely and say so).
  function Trouble(kind, message) {
    this.kind = kind;
    this.message = message;
  }
  function checked(res) {
    if (res.type === "opaqueredirect" || res.status === 401) {
      throw new Trouble("signed-out");
    }
    if (res.ok) {
      return res.json();
    }
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      throw new Trouble("retry");
    }
    var json = (res.headers.get("Content-Type") || "").indexOf("application/json") === 0;
    if (!json) { // the CSRF check refuses with a page: the token is stale
      throw new Trouble("signed-out");
    }
    return res.json().then(function (data) {
      var e = (data && data.error) || {};
      if (res.status === 403) {
        throw new Trouble("blocked", e.message || res.statusText);
      }
      return { refused: e };
    });
  }

  var batchSize = 50;
  function sendBatch(items) {
    var body = JSON.stringify({ samples: items.map(function (e) { return e[1].sample; }) });
    return post(form.getAttribute("data-batch"), body, "application/json").then(checked).then(function (data) {
      if (data.refused) { // the batch as a whole: keep it and say why
        throw new Trouble("blocked", data.refused.message);
      }
      if (!data.results || data.results.length !== items.length) {
        throw new Trouble("retry");
      }
      var done = [];
      data.results.forEach(function (ack, i) {
        var key = items[i][0], s = items[i][1].sample;
        if (ack.status === "stored" || ack.status === "replayed") {
          done.push(key);
          markRecent(s.key, ack.status);
        } else if (ack.status === "rejected") {
          done.push(key);
          markRecent(s.key, "rejected");
          var err = ack.error || {};
          addRejected(masked(s.id_number) + " · " + s.tube + ": " + (err.Message || err.message || err.Code || ""));
          var t = tubeInHand();
          if (t && t.barcode === s.tube && /^sample\.tube_/.test(err.Code || "")) {
            store.set("tube", null); // that tube cannot take more
            showTube(null);
          }
        }
      });
      return idb.delMany(done);
    });
  }
  function sendClose(item) {
    var body = new URLSearchParams();
    body.set("tube", item[1].tube);
    return post(form.getAttribute("data-close"), body, "application/x-www-form-urlencoded").then(checked).then(function (data) {
      if (data.refused) {
        addRejected(item[1].tube + ": " + (data.refused.message || data.refused.code));
      }
      return idb.del(item[0]);
    });
  }

  var sending = false, delay = 0, timer = 0;
  function send() {
    if (sending) {
      return Promise.resolve();
    }
    if (!navigator.onLine) {
      setNet(T("offline"), true);
      return refresh();
    }
    sending = true;
    clearTimeout(timer);
    timer = 0;
    function next() {
      return queued().then(function (items) {
        if (!items.length) {
          return null;
        }
        if (items[0][1].kind === "close") {
          return sendClose(items[0]).then(next);
        }
        var batch = [];
        for (var i = 0; i < items.length && batch.length < batchSize && items[i][1].kind === "sample"; i++) {
          batch.push(items[i]);
        }
        return sendBatch(batch).then(function () {
          delay = 0;
          setNet("", false);
          return refresh();
        }).then(next);
      });
    }
    return next().then(function () {
      delay = 0;
      setNet("", false);
    }, function (err) {
      var kind = err instanceof Trouble ? err.kind : "retry"; // a TypeError: the network
      if (kind === "retry") {
        delay = Math.min(delay ? delay * 2 : 2, 60);
        setNet(navigator.onLine ? fmt(T("retry"), delay) : T("offline"), true);
      } else {
        delay = 60;
        setNet(kind === "signed-out" ? T("signed-out") : fmt(T("blocked"), err.message), true);
      }
      timer = setTimeout(function () {
        timer = 0;
        send();
      }, delay * 1000);
    }).then(function () {
      sending = false;
      return refresh();
    });
  }

  window.addEventListener("online", function () {
    delay = 0;
    send();
  });
  window.addEventListener("offline", function () {
    setNet(T("offline"), true);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      send();
    }
  });
  $("send-now").addEventListener("click", function () {
    delay = 0;
    send();
  });
  // A safety net for a sender that gave up waiting on a timer.
  setInterval(function () {
    if (!sending && !timer) {
      send();
    }
  }, 30000);

  refresh().then(send);
})();
