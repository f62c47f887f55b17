// cordon's offline health-code verifier, for the verifier and check pages:
// window.cordonCodes. It loads the public keys from
// /.well-known/cordon/keys, keeps them in localStorage so that a page
// loaded once goes on verifying with no network, and checks a token in
// the browser with WebCrypto's Ed25519. The token layout (internal/
// healthcode): "HC1." + unpadded base64url of
//   version 1 | kid 1 | person ref 16 | colour 1 (0 green, 1 yellow,
//   2 red; +0x80 printed) | issued u32 BE | expires u32 BE | nonce 4 |
//   Ed25519 signature 64 over the first 31 bytes.
// A verdict is one of valid, forged, expired, not_yet, unknown_key,
// invalid, no_keys, unsupported (a browser without Ed25519: it cannot check
// offline).
(function () {
  "use strict";

  var STORE = "cordon.codekeys";
  var COLORS = ["green", "yellow", "red"];
  var BODY = 31, SIG = 64;

  function bytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) {
      s += "=";
    }
    var bin = atob(s), b = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      b[i] = bin.charCodeAt(i);
    }
    return b;
  }

  function cached() {
    try {
      var set = JSON.parse(localStorage.getItem(STORE) || "null");
      return set && Array.isArray(set.keys) ? set : null;
    } catch (e) {
      return null;
    }
  }

  // load fetches the keys and keeps them; without a network it answers
  // the kept ones (null when there are none), marked cached.
  function load(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } }).then(function (res) {
      if (!res.ok) {
        throw new Error(String(res.status));
      }
      return res.json();
    }).then(function (set) {
      set.fetched_at = new Date().toISOString();
      try {
        localStorage.setItem(STORE, JSON.stringify(set));
      } catch (e) { /* private mode: verify with this page's copy */ }
      return set;
    }).catch(function () {
      var set = cached();
      if (set) {
        set.cached = true;
      }
      return set;
    });
  }

  // verify checks a token against a key set at now; it never rejects.
  function verify(set, token, now) {
    var out = { state: "invalid" };
    var text = String(token || "").trim();
    text = text.slice(text.lastIndexOf("/") + 1);
    if (text.indexOf("HC1.") !== 0) {
      return Promise.resolve(out);
    }
    var b;
    try {
      b = bytes(text.slice(4));
    } catch (e) {
      return Promise.resolve(out);
    }
    if (b.length !== BODY + SIG || b[0] !== 1 || (b[18] & 0x7f) >= COLORS.length) {
      return Promise.resolve(out);
    }
    if (!set || !set.keys || !set.keys.length) {
      out.state = "no_keys";
      return Promise.resolve(out);
    }
    var key = null;
    set.keys.forEach(function (k) {
      if (k.kid === b[1]) {
        key = k;
      }
    });
    if (!key) {
      out.state = "unknown_key";
      return Promise.resolve(out);
    }
    var view = new DataView(b.buffer);
    out.kid = b[1];
    out.color = COLORS[b[18] & 0x7f];
    out.printed = (b[18] & 0x80) !== 0;
    out.issued = view.getUint32(19);
    out.expires = view.getUint32(23);
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) {
      out.state = "unsupported";
      return Promise.resolve(out);
    }
    var alg = { name: "Ed25519" };
    return subtle.importKey("raw", bytes(key.x), alg, false, ["verify"]).then(function (k) {
      return subtle.verify(alg, k, b.slice(BODY), b.slice(0, BODY));
    }).then(function (ok) {
      var t = (now || Date.now()) / 1000, skew = set.skew_seconds || 120;
      if (!ok) {
        out.state = "forged";
      } else if (t + skew < out.issued) {
        out.state = "not_yet";
      } else if (t - skew > out.expires) {
        out.state = "expired";
      } else {
        out.state = "valid";
      }
      return out;
    }, function () {
      out.state = "unsupported";
      return out;
    });
  }

  // texts reads the words a page gives as JSON in data-texts.
  function texts(el) {
    try {
      return JSON.parse(el.getAttribute("data-texts") || "{}");
    } catch (e) {
      return {};
    }
  }

  window.cordonCodes = { load: load, cached: cached, verify: verify, texts: texts };
})();
