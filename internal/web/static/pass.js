// The checkpoint passage page on a phone (templates/pass.html). Each
// passage posts to the page with a key made here, and the answer (colour,
// reasons, itinerary card) is drawn large; the passage joins the recent
// list and today's count for its hour. The direction and the plate stay
// for the next traveller of the same vehicle. When the server cannot be
// reached a scanned token is checked here (codeverify.js) and the passage
// goes into the queue of codecheck.js with its key and scan time: sent
// when the network is back, and stored once however often it is sent.
// Without script the page is a plain form.
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var form = $("pass"), codes = window.cordonCodes, shared = window.cordonCheck;
  if (!form || !codes || !shared || !window.idbKeyval || !window.indexedDB || !window.fetch || !window.Promise) {
    return; // the plain form posts each passage
  }
  var T = codes.texts(form);
  var field = $("code"), plate = $("plate"), name = $("name"), phone = $("phone"), result = $("pass-result");
  var keys = codes.cached();
  codes.load(form.getAttribute("data-keys")).then(function (set) { keys = set || keys; });

  function key() {
    var b = new Uint8Array(12);
    window.crypto.getRandomValues(b);
    return "p" + Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  // counted adds a stored passage to the recent list and today's counts.
  function counted(a) {
    var p = a.passage;
    if (!p || a.again) {
      return;
    }
    var list = $("pass-recent"), none = $("pass-none");
    if (none) {
      none.remove();
    }
    var li = document.createElement("li"), badge = document.createElement("span"), time = document.createElement("span");
    time.className = "mono";
    time.textContent = p.time;
    badge.className = "code-badge" + (p.color ? " code-" + p.color : "");
    badge.textContent = p.color_text;
    li.appendChild(time);
    li.appendChild(document.createTextNode(" " + p.way + " · "));
    li.appendChild(badge);
    li.appendChild(document.createTextNode((p.plate ? " · " + p.plate : "") + " · " + p.who));
    list.insertBefore(li, list.firstChild);
    var row = $("hour-" + p.hour);
    if (p.today && row) {
      var cell = row.querySelector(p.direction === "out" ? ".out" : ".in");
      cell.textContent = String(Number(cell.textContent) + 1);
      row.hidden = false;
      $("pass-total").textContent = String(Number($("pass-total").textContent) + 1);
    }
  }

  function warn(a) {
    var box = $("pass-warnings");
    box.textContent = "";
    (a.warnings || []).forEach(function (w) {
      var p = document.createElement("p");
      p.className = "alert";
      p.setAttribute("role", "status");
      p.textContent = w;
      box.appendChild(p);
    });
  }

  var q = shared.queue({
    prefix: "pass-" + form.getAttribute("data-checkpoint") + "-", form: form, T: T, note: $("pass-queue"), net: $("pass-net"), sync: $("pass-sync"),
    body: function (item) {
      var body = new URLSearchParams();
      Object.keys(item).forEach(function (k) {
        body.set(k, item[k]);
      });
      return body;
    },
    sent: function (item, out) {
      if (out.answer) {
        counted(out.answer);
      }
    }
  });

  function direction() {
    var d = form.querySelector("input[name=direction]:checked");
    return d ? d.value : "";
  }

  // A passage: to the server when it answers, else checked here and queued.
  function pass() {
    var code = field.value.trim();
    var item = { key: key(), direction: direction(), code: code, plate: plate.value.trim(), name: name.value.trim(), phone: phone.value.trim() };
    var live = Object.assign({}, item);
    item.scanned_at = new Date().toISOString();
    var token = code.indexOf("HC1.") >= 0, refused = false;
    return q.run(item, live, function (out) {
      if (out.refused) { // a wrong plate, say: fix it and send again
        refused = true;
        shared.showError(result, out.refused);
        return;
      }
      shared.show(result, out.answer, T);
      warn(out.answer);
      counted(out.answer);
    }, function () {
      // Degraded mode: the server cannot be reached.
      var verdict = token ? codes.verify(keys, code) : Promise.resolve({});
      return verdict.then(function (v) {
        var keep = shared.keep(token, v);
        shared.showOffline(result, v, keep, T);
        if (!code && keep) {
          $("check-state").textContent = form.getAttribute("data-unidentified");
        }
        return keep;
      });
    }, function (err) {
      refused = true;
      shared.showError(result, err);
    }).then(function () {
      if (refused) {
        return;
      }
      // Ready for the next traveller: same direction, same vehicle.
      field.value = "";
      name.value = "";
      phone.value = "";
      field.focus({ preventScroll: true });
      result.scrollIntoView({ block: "nearest" });
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    pass().catch(function (err) { $("pass-net").textContent = String(err && err.message || err); });
  });
  field.addEventListener("cordon:scanned", function () {
    form.requestSubmit ? form.requestSubmit() : pass();
  });
})();
