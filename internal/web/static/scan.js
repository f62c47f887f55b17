// cordon camera scanning: a button with data-scan="ID" reads a QR code or a
// 1-D barcode (Code 128 on tubes and boxes) with the camera into the field
// ID, using @zxing/browser (vendor/zxing.min.js, window.ZXingBrowser), which
// is loaded on the first scan. A field with data-scan-append (a textarea)
// gains one line per code and the camera stays open for the next one.
// Without the library or a camera the buttons stay hidden: typing, or a
// scanner in keyboard mode, always works.
(function () {
  "use strict";

  var texts = document.getElementById("scan-texts");
  if (!texts || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  function text(name, fallback) {
    return texts.getAttribute("data-" + name) || fallback;
  }
  // library loads the bundle once, as a same-origin script the policy allows.
  var loading = null;
  function library() {
    if (window.ZXingBrowser) {
      return Promise.resolve(window.ZXingBrowser);
    }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = texts.getAttribute("data-lib");
        s.onload = function () { window.ZXingBrowser ? resolve(window.ZXingBrowser) : reject(new Error("no ZXingBrowser")); };
        s.onerror = function () { loading = null; reject(new Error("cannot load the scanner")); };
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  var buttons = document.querySelectorAll("[data-scan]");
  if (!buttons.length) {
    return;
  }
  var dialog, video, note, controls;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "scan-dialog";
    note = document.createElement("p");
    note.textContent = text("title", "Scan");
    video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.muted = true;
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button";
    cancel.textContent = text("cancel", "Cancel");
    cancel.addEventListener("click", stop);
    dialog.addEventListener("cancel", stop);
    dialog.appendChild(note);
    dialog.appendChild(video);
    dialog.appendChild(cancel);
    document.body.appendChild(dialog);
  }

  function stop() {
    if (controls) {
      controls.stop();
      controls = null;
    }
    if (dialog && dialog.open) {
      dialog.close();
    }
  }

  // put writes a scanned code into the field and tells the page.
  function put(field, code, append) {
    if (append) {
      var lines = field.value.split(/\s+/).filter(Boolean);
      if (lines.indexOf(code) >= 0) {
        return false;
      }
      lines.push(code);
      field.value = lines.join("\n") + "\n";
    } else {
      field.value = code;
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.dispatchEvent(new CustomEvent("cordon:scanned", { bubbles: true, detail: { code: code } }));
    return true;
  }

  function start(button, lib) {
    var field = document.getElementById(button.getAttribute("data-scan"));
    if (!field) {
      return;
    }
    var append = button.hasAttribute("data-scan-append");
    if (!dialog) {
      build();
    }
    note.textContent = text("title", "Scan");
    dialog.showModal();
    var reader = new lib.BrowserMultiFormatReader();
    reader.decodeFromVideoDevice(undefined, video, function (result, err, c) {
      controls = c;
      if (!result) {
        return;
      }
      var code = String(result.getText()).trim();
      if (!append) {
        put(field, code, false);
        stop();
        field.focus();
        return;
      }
      // A box's tubes: one line each, the camera stays open for the next.
      if (put(field, code, true)) {
        note.textContent = code;
        if (navigator.vibrate) {
          navigator.vibrate(60);
        }
      }
    }).then(function (c) {
      // The first code may have closed the overlay before the camera
      // handed over its controls.
      if (dialog.open) {
        controls = c;
      } else {
        c.stop();
      }
    }).catch(function () {
      stop();
      window.alert(text("failed", "The camera cannot be opened."));
    });
  }

  buttons.forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      library().then(function (lib) {
        start(b, lib);
      }, function () {
        window.alert(text("failed", "The camera cannot be opened."));
      });
    });
  });
})();
