// netbootpi web console: the WireGuard page's and the users and tokens page's changes (src/Agent/Web/WireGuardPage.cs,
// UsersPage.cs). Plain JavaScript, loaded by those pages only. Text from the box and from forms is put in with
// textContent, never as HTML. Changes send the session's anti-CSRF token (meta csrf-token) in X-CSRF-Token, as the
// API asks; the API checks the role again. Every change but a new user, peer or token waits for a confirm.
"use strict";
(function () {
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var page = document.body.getAttribute("data-page");
  function $(id) { return document.getElementById(id); }
  function main() { return document.getElementById("main"); }

  // The API through the session cookie; a 401 means the session ended: to the login page, which says so.
  function api(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: {} };
    if (method !== "GET") init.headers["X-CSRF-Token"] = csrf;
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      if (r.status === 401) {
        location.assign("/login?ended=1&next=" + encodeURIComponent(location.pathname + location.search));
        throw new Error("session ended");
      }
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    });
  }

  var result = $("admin-result");
  if (!result) return; // a viewer's page: nothing to change
  function say(level, message) {
    result.textContent = message;
    result.className = "notice " + level;
    result.hidden = false;
  }
  function answered(r) { return r.body.message || r.body.error || ("the box answered " + r.status); }
  function failed() { say("bad", "the box did not answer"); }

  // After a change, the page's lists as the server renders them now: the same page fetched again, and its boxes put
  // in place of these (the server encoded every text in them; nothing typed here is parsed as HTML).
  var boxes = page === "wireguard" ? ["peers-box"] : ["users-box", "tokens-box"];
  function refresh() {
    return fetch(location.pathname, { credentials: "same-origin" }).then(function (r) {
      if (r.redirected || r.status === 401) { location.assign(r.url); return; }
      return r.text().then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        boxes.forEach(function (id) {
          var now = $(id), then = fresh.getElementById(id);
          if (now && then) now.replaceWith(document.adoptNode(then));
        });
      });
    });
  }

  // The confirm step: the button's question, Yes to go on, Cancel (or Escape) to leave things as they are.
  var confirmBox = $("confirm"), pending = null;
  function ask(button, run) {
    pending = { button: button, run: run };
    $("confirm-what").textContent = button.getAttribute("data-confirm");
    $("confirm-yes").textContent = button.textContent;
    confirmBox.hidden = false;
    $("confirm-yes").focus();
  }
  function closeConfirm(back) {
    confirmBox.hidden = true;
    var p = pending;
    pending = null;
    if (back && p && document.contains(p.button)) p.button.focus();
    return p;
  }
  $("confirm-no").addEventListener("click", function () { closeConfirm(true); });
  confirmBox.addEventListener("keydown", function (e) { if (e.key === "Escape") closeConfirm(true); });
  $("confirm-yes").addEventListener("click", function () {
    var p = closeConfirm(false);
    if (p) p.run();
  });

  // A change the API answers with a sentence; then the lists again.
  function change(url, body) {
    api("POST", url, body).then(function (r) {
      say(r.status === 200 ? "ok" : "bad", answered(r));
      if (r.status !== 200) return;
      refresh();
      if (page === "wireguard") pendingNetwork();
    }, failed);
  }
  // A peer disabled or removed is a network change the agent puts back unless it is confirmed (on the site page).
  function pendingNetwork() {
    api("GET", "/api/v1/network").then(function (r) {
      if (r.status !== 200 || !r.body.pending) return;
      result.className = "notice warn";
      result.appendChild(document.createTextNode(" A network change is pending: confirm it before " + r.body.deadline + " on "));
      var a = document.createElement("a");
      a.href = "/site";
      a.textContent = "the site page";
      result.appendChild(a);
      result.appendChild(document.createTextNode(", or the agent puts the last confirmed network back."));
    });
  }
  var actions = {
    disable: function (n) { change("/api/v1/wireguard/peers/disable", { name: n }); },
    enable: function (n) { change("/api/v1/wireguard/peers/enable", { name: n }); },
    remove: function (n) { change("/api/v1/wireguard/peers/remove", { name: n }); },
    unlock: function (n) { change("/api/v1/users/unlock", { name: n }); },
    "remove-user": function (n) { change("/api/v1/users/remove", { name: n }); },
    revoke: function (id) { change("/api/v1/tokens/revoke", { id: id }); }
  };
  // Delegated: the rows are replaced after each change.
  main().addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("button[data-action]") : null;
    if (!button) return;
    var action = button.getAttribute("data-action"), name = button.getAttribute("data-name");
    if (action === "password") { askPassword(name); return; }
    if (actions[action]) ask(button, function () { actions[action](name); });
  });

  // A user's new password: the form under the users, for the user whose button was pressed.
  function askPassword(name) {
    var form = $("password-form");
    $("password-user").value = name;
    $("password-who").textContent = name;
    $("password-new").value = "";
    form.hidden = false;
    $("password-new").focus();
  }
  main().addEventListener("submit", function (e) {
    var form = e.target;
    if (form.id === "password-form") {
      e.preventDefault();
      var name = $("password-user").value;
      api("POST", "/api/v1/users/password", { name: name, password: $("password-new").value }).then(function (r) {
        say(r.status === 200 ? "ok" : "bad", answered(r));
        if (r.status === 200) { form.hidden = true; $("password-new").value = ""; }
      }, failed);
    }
  });
  main().addEventListener("click", function (e) {
    if (e.target.id === "password-cancel") { $("password-form").hidden = true; $("password-new").value = ""; }
  });

  var userForm = $("user-form");
  if (userForm) userForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = { name: $("user-name").value.trim(), role: $("user-role").value, password: $("user-password").value };
    api("POST", "/api/v1/users", body).then(function (r) {
      say(r.status === 200 ? "ok" : "bad", answered(r));
      if (r.status === 200) { userForm.reset(); refresh(); }
    }, failed);
  });

  var tokenForm = $("token-form");
  if (tokenForm) tokenForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var hosts = $("token-hosts").value.split(/[\s,]+/).filter(function (h) { return h.length > 0; });
    var body = { name: $("token-name").value.trim(), role: $("token-role").value };
    if (hosts.length) body.hosts = hosts;
    api("POST", "/api/v1/tokens", body).then(function (r) {
      if (r.status !== 201) { say("bad", answered(r)); return; }
      say("ok", "created " + r.body.token.name + " (" + r.body.token.id + ", " + r.body.token.role + ")");
      $("token-secret").textContent = r.body.secret;
      $("token-made").hidden = false;
      $("token-secret").focus();
      tokenForm.reset();
      refresh();
    }, failed);
  });

  // A new peer's config, as netbootpi wg peer add writes it (src/Agent/Render/WireGuard/ClientConfig.cs), the same
  // lines in the same order: the API answers its pieces but the secrets. With the private key made in this page it is
  // written in; with a public key the peer made, a comment says where its own private key goes.
  function clientConfig(c, privateKey) {
    var lines = ["# " + c.peer + ": WireGuard access to site " + c.site + " (from the netbootpi web console)", "[Interface]",
      privateKey ? "PrivateKey = " + privateKey : "# PrivateKey = the private key whose public key you gave (wg genkey)", "Address = " + c.address];
    if (c.dns && c.dns.length) lines.push("DNS = " + c.dns.join(", ") + (c.domain ? ", " + c.domain : ""));
    lines.push("", "[Peer]", "PublicKey = " + c.box_public_key, "Endpoint = " + c.endpoint, "AllowedIPs = " + c.allowed_ips.join(", "),
      "PersistentKeepalive = " + c.keepalive);
    return lines.join("\n") + "\n";
  }

  // The peer's key pair made here (WebCrypto's X25519, RFC 7748, which is WireGuard's Curve25519), so that its private
  // key never leaves this page: the box gets the public key only, and the private key goes into the config shown
  // once, nowhere else (not sent, not stored, not logged).
  function base64(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }
  function x25519() {
    return window.crypto && crypto.subtle ? crypto.subtle.generateKey({ name: "X25519" }, true, ["deriveBits"])
      : Promise.reject(new Error("no WebCrypto here (it needs HTTPS)"));
  }
  function makeKeys() {
    return x25519().then(function (pair) {
      return Promise.all([crypto.subtle.exportKey("raw", pair.publicKey), crypto.subtle.exportKey("pkcs8", pair.privateKey)]);
    }).then(function (exported) {
      var pub = new Uint8Array(exported[0]), pkcs8 = new Uint8Array(exported[1]);
      // PKCS #8 of an X25519 key (RFC 8410 §7): a 16-byte header, then the 32 bytes of the private key.
      if (pub.length !== 32 || pkcs8.length !== 48) throw new Error("WebCrypto gave an X25519 key of an unexpected size");
      var secret = pkcs8.slice(16);
      // Clamped as wg genkey writes it (RFC 7748 §5); X25519 clamps anyway, so the public key is the same.
      secret[0] &= 248; secret[31] = (secret[31] & 127) | 64;
      var keys = { publicKey: base64(pub), privateKey: base64(secret) };
      secret.fill(0);
      pkcs8.fill(0);
      return keys;
    });
  }

  // The config as a QR code for the WireGuard app's camera: an SVG drawn here from the vendored qrcode-generator's
  // modules (its own HTML helpers write markup and style attributes the CSP refuses), at level L as the CLI's
  // (QrText.cs), with the 4 modules of quiet zone a reader needs, 4 pixels a module where the page is wide enough.
  var svgNs = "http://www.w3.org/2000/svg";
  function drawQr(box, text) {
    qrcode.stringToBytes = qrcode.stringToBytesFuncs["UTF-8"];
    var qr = qrcode(0, "L");
    qr.addData(text);
    qr.make();
    var n = qr.getModuleCount(), quiet = 4, size = n + 2 * quiet, d = [];
    for (var r = 0; r < n; r++)
      for (var c = 0; c < n; c++)
        if (qr.isDark(r, c)) d.push("M" + (c + quiet) + " " + (r + quiet) + "h1v1h-1z");
    var svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("viewBox", "0 0 " + size + " " + size);
    svg.setAttribute("width", String(size * 4));
    svg.setAttribute("height", String(size * 4));
    svg.setAttribute("shape-rendering", "crispEdges");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "QR code of the config above, with its private key");
    var light = document.createElementNS(svgNs, "rect");
    light.setAttribute("width", String(size));
    light.setAttribute("height", String(size));
    light.setAttribute("fill", "#fff");
    var dark = document.createElementNS(svgNs, "path");
    dark.setAttribute("d", d.join(""));
    dark.setAttribute("fill", "#000");
    svg.appendChild(light);
    svg.appendChild(dark);
    box.replaceChildren(svg);
  }

  var peerForm = $("peer-form");
  function keysHere() { return $("peer-keys-browser").checked; }
  // The public key field only when the peer made its pair.
  function keyChoice() {
    var paste = !keysHere();
    $("peer-key-box").hidden = !paste;
    $("peer-key").required = paste;
    $("peer-keys-browser-hint").hidden = paste;
  }
  function resetPeerForm() {
    peerForm.reset();
    // reset() checks the default again, which a browser without X25519 cannot use.
    if ($("peer-keys-browser").disabled) $("peer-keys-paste").checked = true;
    keyChoice();
  }
  function forget() {
    $("client").hidden = true;
    $("client-config").textContent = "";
    $("client-qr").replaceChildren();
  }
  if (peerForm) {
    peerForm.addEventListener("change", function (e) { if (e.target.name === "keys") keyChoice(); });
    keyChoice();
    // A browser without X25519 in its WebCrypto (or without WebCrypto: plain HTTP) gets a sentence and the paste path.
    x25519().catch(function () {
      $("peer-keys-browser").disabled = true;
      $("peer-keys-paste").checked = true;
      $("peer-keys-none").hidden = false;
      keyChoice();
    });
  }
  if (peerForm) peerForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = { name: $("peer-name").value.trim() };
    var address = $("peer-address").value.trim();
    if (address) body.address = address;
    var made = keysHere();
    forget();
    (made ? makeKeys() : Promise.resolve(null)).then(function (keys) {
      body.public_key = keys ? keys.publicKey : $("peer-key").value.trim();
      return api("POST", "/api/v1/wireguard/peers", body).then(function (r) {
        if (r.status !== 200) {
          var errors = (r.body.errors || []).map(function (x) { return x.text; });
          say("bad", [answered(r)].concat(errors).join("; "));
          return;
        }
        say(r.body.reloaded ? "ok" : "warn", answered(r));
        if (r.body.client) {
          var config = clientConfig(r.body.client, keys && keys.privateKey);
          $("client-config").textContent = config;
          $("client-made").hidden = !keys;
          $("client-paste").hidden = !!keys;
          $("client-qr-box").hidden = !keys;
          if (keys) drawQr($("client-qr"), config);
          $("client").hidden = false;
        }
        resetPeerForm();
        refresh();
      }, failed);
    }, function (error) {
      say("bad", "this browser could not make the key pair (" + error.message + "): paste a public key the peer made");
    });
  });
})();
