// cordon staff pages: small progressive enhancements. Every page works
// without this file; it is a file (not inline) so that a strict
// Content-Security-Policy with script-src 'self' holds.
(function () {
  "use strict";

  // The navigation collapses behind a menu button on narrow screens.
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("nav");
  if (toggle && nav) {
    document.documentElement.classList.add("js-nav");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("open", !open);
    });
  }

  // Forms that do something hard to undo ask first (data-confirm).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var message = form && form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  // A select marked data-autosubmit sends its form when a choice is made,
  // saving a tap; its form still has a button for browsers without script.
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });

  // A form rendered again with errors puts the cursor in the first field
  // at fault.
  var invalid = document.querySelector("main [aria-invalid=true]");
  if (invalid && typeof invalid.focus === "function") {
    invalid.focus();
  }
})();
