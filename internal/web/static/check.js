// The three-code check on a phone (templates/check.html). The venue chosen
// once is remembered in localStorage and reopened on the next visit. Each
// check posts to /check and shows the colour, the reasons, the itinerary
// card and the scan-in. When the server cannot be reached the token's
// signature is checked in the browser (codeverify.js) and its colour shown
// as an "offline check", and the check goes into the queue of codecheck.js
// with its venue and scan time, sent when the network is back. Without
// script the page is two plain forms.
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

  var shared = window.cordonCheck;
  if (!codes || !shared || !window.idbKeyval || !window.indexedDB || !window.fetch || !window.Promise) {
    return; // the plain form posts each check
  }
  var T = codes.texts(form);
  var field = $("code"), days = $("days"), result = $("check-result");
  var keys = codes.cached();
  codes.load(form.getAttribute("data-keys")).then(function (set) { keys = set || keys; });
  var q = shared.queue({
    prefix: "check-", form: form, T: T, note: $("check-queue"), net: $("check-net"), sync: $("check-sync"),
    body: function (item) {
      var body = new URLSearchParams();
      body.set("venue_code", item.venue_code);
      body.set("code", item.code);
      body.set("days", item.days);
      if (item.scanned_at) {
        body.set("scanned_at", item.scanned_at);
      }
      return body;
    }
  });

  // A check: to the server when it answers, else checked here and queued.
  function check() {
    var code = field.value.trim();
    if (!code) {
      return Promise.resolve();
    }
    var item = { venue_code: venue.code, code: code, days: days.value, scanned_at: new Date().toISOString() };
    var token = code.indexOf("HC1.") >= 0;
    return q.run(item, { venue_code: item.venue_code, code: code, days: item.days }, function (out) {
      if (out.refused) {
        shared.showError(result, out.refused);
      } else {
        shared.show(result, out.answer, T);
      }
    }, function () {
      // Degraded mode: the server cannot be reached.
      var verdict = token ? codes.verify(keys, code) : Promise.resolve({});
      return verdict.then(function (v) {
        var keep = shared.keep(token, v);
        shared.showOffline(result, v, keep, T);
        return keep;
      });
    }, function (err) {
      shared.showError(result, err);
    }).then(function () {
      field.value = "";
      field.focus({ preventScroll: true });
      result.scrollIntoView({ block: "nearest" });
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    check().catch(function (err) { $("check-net").textContent = String(err && err.message || err); });
  });
  field.addEventListener("cordon:scanned", function () {
    form.requestSubmit ? form.requestSubmit() : check();
  });
})();
