// netbootpi web console: the live parts of server-rendered pages. Plain JavaScript, no framework; loaded from this
// box only (the Content-Security-Policy allows nothing else). Text from the box is put in with textContent, never
// as HTML. Changes send the session's anti-CSRF token (meta csrf-token) in X-CSRF-Token, as the API asks.
"use strict";
(function () {
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var page = document.body.getAttribute("data-page");

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function here() { return location.pathname + location.search; }
  function ended() { location.assign("/login?ended=1&next=" + encodeURIComponent(here())); }

  // The API through the session cookie; a 401 means the session ended: to the login page, which says so.
  function api(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: {} };
    if (method !== "GET") init.headers["X-CSRF-Token"] = csrf;
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      if (r.status === 401 && url !== "/api/v1/login") { ended(); throw new Error("session ended"); }
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    });
  }

  // The same words and rules as the server's (src/Agent/Web/BootTimeline.cs, Html.cs).
  var labels = { dhcp: "DHCP lease", script: "iPXE script (HTTP)", kernel: "kernel", initrd: "initrd", modloop: "modloop", overlay: "overlay",
    "overlay-upload": "overlay upload", keys: "SSH keys", file: "file", power: "power", recovery: "recovery", console: "serial console",
    audit: "change through the API", image: "image catalog", alert: "alert", kvm: "console host" };
  function isError(what, status) {
    if (what === "dhcp") return false;
    if (["power", "recovery", "console", "image", "alert", "kvm"].indexOf(what) >= 0) return status !== 0;
    return status >= 400;
  }
  function statusText(what, status) {
    if (isError(what, status)) return status >= 400 ? "error " + status : "failed";
    return status >= 200 && status < 400 ? "ok " + status : "ok";
  }
  function timeEl(iso) {
    var t = el("time", null, new Date(iso).toISOString().slice(0, 19).replace("T", " "));
    t.setAttribute("datetime", iso);
    return t;
  }
  function duration(ms) {
    if (ms < 0) ms = 0;
    var s = ms / 1000;
    if (s < 1) return Math.floor(ms) + " ms";
    if (s < 60) return s.toFixed(1) + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + Math.floor(s % 60) + " s";
    if (s < 86400) return Math.floor(s / 3600) + " h " + Math.floor(s % 3600 / 60) + " min";
    return Math.floor(s / 86400) + " d " + Math.floor(s % 86400 / 3600) + " h";
  }
  function badge(level, text) { return el("span", "badge " + level, text); }
  function cell(row, child, cls) {
    var td = el("td", cls);
    if (typeof child === "string") td.textContent = child; else if (child) td.appendChild(child);
    row.appendChild(td);
    return td;
  }

  // Logout: the API ends the session; the login page says so.
  var logout = $("logout");
  if (logout) logout.addEventListener("click", function () {
    logout.disabled = true;
    api("POST", "/api/v1/logout").then(function () { location.assign("/login?out=1"); }, function () { location.assign("/login?out=1"); });
  });

  // Login: the API's login with the form's fields; the TOTP code only when one was typed.
  var login = $("login");
  if (login) login.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var error = $("login-error"), button = login.querySelector("button");
    var body = { name: $("name").value, password: $("password").value };
    var code = $("totp").value.trim();
    if (code) body.totp = code;
    button.disabled = true;
    error.hidden = true;
    api("POST", "/api/v1/login", body).then(function (r) {
      if (r.status === 200) { location.assign(login.getAttribute("data-next") || "/"); return; }
      error.textContent = r.body.error || ("the box answered " + r.status);
      error.hidden = false;
      button.disabled = false;
      $("password").focus();
    }, function () { error.textContent = "the box did not answer"; error.hidden = false; button.disabled = false; });
  });

  // Hosts: the filter narrows the rows to those whose name, MAC, address or profile contain what is typed.
  var filter = $("filter");
  if (filter) filter.addEventListener("input", function () {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
    var rows = document.querySelectorAll("#hosts tbody tr");
    rows.forEach(function (tr) {
      var text = tr.getAttribute("data-search") || "";
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      tr.hidden = !match;
      if (match) shown++;
    });
    $("shown").textContent = shown + " of " + rows.length + " hosts";
  });

  // Power: states read after the page shows; buttons (only on operators' pages) act and read the state again.
  function readPower(span) {
    var host = span.getAttribute("data-host");
    api("GET", "/api/v1/power?host=" + encodeURIComponent(host)).then(function (r) {
      var b = span.querySelector(".badge");
      var state = r.body.state || "unknown";
      var next = badge(state === "on" ? "ok" : state === "off" ? "idle" : "warn", r.status === 200 ? state : "unknown: " + (r.body.error || r.body.message || r.status));
      span.replaceChild(next, b);
    }, function () {});
  }
  document.querySelectorAll(".power-state").forEach(readPower);
  document.querySelectorAll("button.power").forEach(function (b) {
    b.addEventListener("click", function () {
      var host = b.getAttribute("data-host"), action = b.getAttribute("data-action"), out = $("power-result");
      b.disabled = true;
      api("POST", "/api/v1/power?host=" + encodeURIComponent(host) + "&action=" + action).then(function (r) {
        out.textContent = host + ", " + action + ": " + (r.body.message || r.body.error || ("answered " + r.status));
        out.className = "notice " + (r.status === 200 ? "ok" : "bad");
        out.hidden = false;
        b.disabled = false;
        document.querySelectorAll('.power-state[data-host="' + CSS.escape(host) + '"]').forEach(readPower);
      }, function () { b.disabled = false; });
    });
  });

  // Live events from the API's server-sent events: newest first on the dashboard, appended to a host's timeline.
  function live(url, onEvent) {
    var source = new EventSource(url);
    var status = $("live");
    source.onmessage = function (m) { try { onEvent(JSON.parse(m.data)); } catch (e) { /* not an event */ } };
    source.onopen = function () { if (status) status.setAttribute("data-live", "1"); };
    source.onerror = function () {
      // The stream broke: a session that ended answers 401 (to the login page); otherwise EventSource tries again.
      api("GET", "/api/v1/health").then(function () { return api("GET", "/api/v1/status"); }).catch(function () {});
    };
  }
  function eventCells(row, e) {
    var error = isError(e.what, e.status);
    if (error) row.className = "error";
    cell(row, labels[e.what] || e.what);
    cell(row, e.path, "wrap");
    cell(row, badge(error ? "bad" : "ok", statusText(e.what, e.status)));
  }

  if (page === "dashboard") {
    var body = document.querySelector("#events tbody");
    var max = parseInt(body.getAttribute("data-max"), 10) || 25;
    live("/api/v1/events/stream", function (e) {
      var row = el("tr");
      cell(row, timeEl(e.time));
      if (e.host) { var a = el("a", null, e.host); a.href = "/host?name=" + encodeURIComponent(e.host); cell(row, a); } else cell(row, e.client);
      eventCells(row, e);
      row.className += " fresh";
      body.insertBefore(row, body.firstChild);
      while (body.rows.length > max) body.deleteRow(body.rows.length - 1);
    });
  }

  if (page === "host") {
    var host = $("host").getAttribute("data-host");
    var timeline = document.querySelector("#timeline tbody");
    live("/api/v1/events/stream?host=" + encodeURIComponent(host), function (e) {
      if (e.what === "audit") return;
      var empty = $("timeline-empty");
      if (empty) empty.remove();
      var rows = timeline.querySelectorAll("tr[data-time]");
      var last = rows.length ? rows[rows.length - 1] : null;
      var then = last ? Date.parse(last.getAttribute("data-time")) : 0, now = Date.parse(e.time);
      var startsBoot = !last || now - then > 10 * 60 * 1000 || (e.what === "dhcp" && last.getAttribute("data-what") !== "dhcp");
      if (startsBoot) {
        var boots = timeline.querySelectorAll("tr.boot").length + 1;
        var head = el("tr", "boot"), th = el("th", null, "Boot " + boots + ", from ");
        th.setAttribute("scope", "rowgroup");
        th.colSpan = 6;
        th.appendChild(timeEl(e.time));
        head.appendChild(th);
        timeline.appendChild(head);
      }
      var row = el("tr");
      row.setAttribute("data-time", e.time);
      row.setAttribute("data-what", e.what);
      cell(row, timeEl(e.time));
      cell(row, startsBoot ? "" : "+" + duration(now - then));
      eventCells(row, e);
      cell(row, String(e.bytes), "num");
      row.className += " fresh";
      timeline.appendChild(row);
    });
  }
})();
