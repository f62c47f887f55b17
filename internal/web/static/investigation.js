// The investigation form: "add a row" buttons for the household, symptoms,
// tests, itinerary and exposures. Without script the form offers blank rows
// and more after each save; with it, a button copies the list's last row,
// empty, numbered one more ("itinerary.4.place" becomes "itinerary.5.place").
(function () {
  "use strict";

  function renumber(value, list, n) {
    // Names use dots (itinerary.4.from), ids dashes (itinerary-4-from).
    return value.replace(new RegExp("^" + list + "([.-])\\d+([.-])"), list + "$1" + n + "$2");
  }

  function addRow(list) {
    var box = document.querySelector('[data-list="' + list + '"]');
    if (!box) return;
    var rows = box.querySelectorAll("[data-row]");
    if (!rows.length) return;
    var n = rows.length + 1;
    var row = rows[rows.length - 1].cloneNode(true);
    row.querySelectorAll(".field-error, [data-keep]").forEach(function (el) { el.remove(); });
    row.querySelectorAll("[name], [id], label[for], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        if (el.hasAttribute(attr)) el.setAttribute(attr, renumber(el.getAttribute(attr), list, n));
      });
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      if (el.matches("input[type=checkbox]")) {
        el.checked = false;
      } else if (el.matches("select")) {
        el.selectedIndex = 0;
      } else if (el.matches("input, textarea")) {
        el.value = "";
      }
    });
    row.querySelectorAll("[data-n]").forEach(function (el) { el.textContent = String(n); });
    box.appendChild(row);
    var first = row.querySelector("input, select, textarea");
    if (first) first.focus();
  }

  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { addRow(button.getAttribute("data-add-row")); });
  });
})();
