// The public scan-in page: remembers the identity number and phone on this
// phone, when the person agrees, so that the next scan is one tap. The page
// works without this file; nothing leaves the phone except the form post.
// The values are kept only once a scan-in succeeded with them: a form sent
// back with an error does not overwrite what worked before.
(function () {
  "use strict";

  var KEY = "cordon.scanin";
  var PENDING = "cordon.scanin.pending";
  var store, session;
  try {
    store = window.localStorage;
    session = window.sessionStorage;
    store.getItem(KEY);
  } catch (e) {
    return; // storage disabled (private browsing): the page works as it is
  }

  // The result page: the values sent worked; keep them if asked to.
  if (document.getElementById("scanin-result")) {
    var pending = session.getItem(PENDING);
    if (pending) {
      store.setItem(KEY, pending);
      session.removeItem(PENDING);
    }
    return;
  }

  var form = document.getElementById("scanin");
  var box = document.getElementById("scanin-remember");
  if (!form || !box) {
    return;
  }
  var id = document.getElementById("id_number");
  var phone = document.getElementById("phone");
  var remember = document.getElementById("remember");
  var forget = document.getElementById("forget");
  box.hidden = false;

  var saved = null;
  try {
    saved = JSON.parse(store.getItem(KEY) || "null");
  } catch (e) {
    store.removeItem(KEY);
  }
  // A value typed and sent back with an error is the person's latest
  // word: only empty fields are filled.
  if (saved && typeof saved.id === "string" && typeof saved.phone === "string") {
    if (!id.value) { id.value = saved.id; }
    if (!phone.value) { phone.value = saved.phone; }
    forget.hidden = false;
  }

  forget.addEventListener("click", function () {
    store.removeItem(KEY);
    session.removeItem(PENDING);
    id.value = "";
    phone.value = "";
    remember.checked = false;
    forget.hidden = true;
    id.focus();
  });

  form.addEventListener("submit", function () {
    if (remember.checked) {
      session.setItem(PENDING, JSON.stringify({ id: id.value.trim().toUpperCase(), phone: phone.value.trim() }));
    } else {
      store.removeItem(KEY);
      session.removeItem(PENDING);
    }
  });
})();
