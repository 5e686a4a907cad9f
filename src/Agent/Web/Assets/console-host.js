// netbootpi web console: the console host's page (/console) — its screen, keyboard and virtual drive. Loaded by that
// page only, after console.js. Plain JavaScript; text from the box goes in with textContent, never as HTML. Changes
// send the session's anti-CSRF token in X-CSRF-Token. Keyboard requests go one at a time, in order (a queue), so a
// chord never overtakes the one typed before it.
"use strict";
(function () {
  if (document.body.getAttribute("data-page") !== "console-host") return;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var head = document.getElementById("console-host");
  var host = head.getAttribute("data-host");
  var may = head.getAttribute("data-may") === "1";

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function ended() { location.assign("/login?ended=1&next=" + encodeURIComponent(location.pathname + location.search)); }

  // The API through the session cookie (as console.js does): a 401 means the session ended.
  function api(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: {} };
    if (method !== "GET") init.headers["X-CSRF-Token"] = csrf;
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      if (r.status === 401) { ended(); throw new Error("session ended"); }
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    });
  }
  function said(r) { return r.body.message || r.body.error || ("the box answered " + r.status); }
  function show(p, ok, text) {
    if (!p) return;
    p.textContent = text;
    p.className = "notice " + (ok ? "ok" : "bad");
    p.hidden = false;
  }
  // The same words as the server's (ConsoleHostPage.Bytes): 4,194,304 bytes (4.0 MiB).
  function bytes(n) {
    var s = Number(n).toLocaleString("en-US") + " bytes";
    return n < 1048576 ? s : s + " (" + (n / 1048576).toFixed(1) + " MiB)";
  }

  // ---- Screen: the capture's state in words (as ConsoleHostPage.CaptureText), the stream while it runs. ----
  function captureText(r) {
    if (r.status !== 200) return "The capture's state cannot be read: " + said(r);
    var c = r.body;
    if (!c.running) return c.failure ? "Not capturing: " + c.failure : "Not capturing (the unit " + c.unit + " is " + c.unit_state + ").";
    var text = "Capturing " + c.device + ", " + c.resolution;
    if (c.ustreamer) text += ": ustreamer sends " + c.ustreamer.resolution + " at " + c.ustreamer.captured_fps + " fps" + (c.ustreamer.online ? "" : ", no signal");
    if (c.signal) text += "; " + c.signal;
    return text + ".";
  }
  function showCapture(r) {
    var state = $("capture-state"), box = $("screen-box");
    if (!state || !box) return;
    var running = r.status === 200 && r.body.running;
    state.textContent = captureText(r);
    state.className = "notice " + (running ? "ok" : r.status === 200 ? "warn" : "bad");
    var img = $("screen");
    if (running && !img) {
      img = el("img");
      img.id = "screen";
      img.alt = box.getAttribute("data-alt");
      img.src = "/api/v1/capture/stream";
      watchScreen(img);
      box.appendChild(img);
    } else if (!running && img) {
      img.removeAttribute("src");
      img.remove();
    }
  }
  function readCapture() {
    if ($("capture-state") && $("screen-box")) api("GET", "/api/v1/capture").then(showCapture, function () {});
  }
  function watchScreen(img) {
    // The stream broke off (the capture stopped, the agent restarted): say why instead of a broken picture.
    img.addEventListener("error", readCapture);
  }
  if ($("screen")) watchScreen($("screen"));
  [["capture-start", "/api/v1/capture/start"], ["capture-stop", "/api/v1/capture/stop"]].forEach(function (b) {
    var button = $(b[0]);
    if (!button) return;
    button.addEventListener("click", function () {
      button.disabled = true;
      $("capture-result").hidden = true;
      api("POST", b[1]).then(function (r) {
        button.disabled = false;
        show($("capture-result"), r.status === 200, said(r));
        if (r.status === 200) showCapture({ status: 200, body: r.body.status });
        else readCapture();
      }, function () { button.disabled = false; });
    });
  });

  // ---- Keyboard: the queue, one request at a time. ----
  var queue = Promise.resolve(), waiting = 0, MaxWaiting = 50;
  var result = $("kvm-result");
  function send(label, url, body) {
    if (waiting >= MaxWaiting) { show(result, false, label + ": not sent, " + MaxWaiting + " requests are still waiting for the box"); return; }
    waiting++;
    queue = queue.then(function () { return api("POST", url, body); }).then(function (r) {
      waiting--;
      show(result, r.status === 200, label + ": " + said(r));
      if (waiting === 0) readKeyboard();
    }, function () { waiting--; show(result, false, label + ": the box did not answer"); });
  }
  // LEDs and held keys as the agent has them now.
  function readKeyboard() {
    if (!$("kvm-leds")) return;
    api("GET", "/api/v1/kvm").then(function (r) {
      if (r.status !== 200) return;
      $("kvm-leds").textContent = r.body.leds.length ? r.body.leds.join(", ") : "none";
      $("kvm-held").textContent = r.body.held.length ? r.body.held.join(", ") : "none";
      if ($("drive")) $("drive").textContent = driveText(r.body.media);
    }, function () {});
  }

  // KeyboardEvent.code (the key's place, whatever the browser's layout) to the agent's key names (KeyChord.cs).
  var names = { Enter: "enter", NumpadEnter: "enter", Escape: "esc", Backspace: "backspace", Tab: "tab", Space: "space",
    Delete: "delete", Insert: "insert", Home: "home", End: "end", PageUp: "pageup", PageDown: "pagedown",
    ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right", Minus: "minus", Equal: "equal",
    BracketLeft: "leftbrace", BracketRight: "rightbrace", Backslash: "backslash", Semicolon: "semicolon", Quote: "apostrophe",
    Backquote: "grave", Comma: "comma", Period: "dot", Slash: "slash", CapsLock: "capslock", NumLock: "numlock",
    ScrollLock: "scrolllock", PrintScreen: "printscreen", Pause: "pause", ContextMenu: "menu" };
  var modifierCodes = ["ControlLeft", "ControlRight", "ShiftLeft", "ShiftRight", "AltLeft", "AltRight", "MetaLeft", "MetaRight", "OSLeft", "OSRight"];
  function keyName(code) {
    var m;
    if ((m = /^Key([A-Z])$/.exec(code))) return m[1].toLowerCase();
    if ((m = /^Digit([0-9])$/.exec(code))) return m[1];
    if ((m = /^F([0-9]{1,2})$/.exec(code)) && +m[1] >= 1 && +m[1] <= 24) return "f" + m[1];
    return names[code] || null;
  }

  var area = $("keys");
  if (area) {
    var mode = $("keys-mode"), last = $("keys-last"), armed = false, rightAlt = false;
    var arm = function (on) {
      armed = on;
      area.classList.toggle("armed", on);
      mode.textContent = on ? "Capturing: keys go to " + host + ". Ctrl+] stops." : "Keyboard capture is off: click here or press Enter.";
    };
    area.addEventListener("click", function () { area.focus(); arm(true); });
    area.addEventListener("blur", function () { arm(false); rightAlt = false; });
    area.addEventListener("keyup", function (ev) {
      if (ev.code === "AltRight") rightAlt = false;
      if (armed) ev.preventDefault();
    });
    area.addEventListener("keydown", function (ev) {
      if (!armed) {
        // Off, the area is a control like any other: Tab passes, Enter or Space turns it on.
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); arm(true); }
        return;
      }
      ev.preventDefault();
      if (ev.code === "AltRight") rightAlt = true;
      if (ev.ctrlKey && ev.code === "BracketRight") { arm(false); return; }
      if (modifierCodes.indexOf(ev.code) >= 0) return;
      var name = keyName(ev.code);
      if (!name) { last.textContent = "not sent: " + (ev.code || ev.key) + " has no key on the console host's keyboard"; return; }
      var parts = [];
      var altGr = rightAlt || (ev.getModifierState && ev.getModifierState("AltGraph"));
      if (ev.ctrlKey) parts.push("ctrl");
      if (ev.shiftKey) parts.push("shift");
      if (ev.altKey && !altGr) parts.push("alt");
      if (altGr) parts.push("ralt");
      if (ev.metaKey) parts.push("meta");
      parts.push(name);
      var chord = parts.join("+");
      last.textContent = "sent: " + chord;
      send(chord, "/api/v1/kvm/keys", { keys: chord, repeat: 1, delay_ms: 0, hold: false });
    });
  }
  document.querySelectorAll("button.chord").forEach(function (b) {
    b.addEventListener("click", function () {
      var keys = b.getAttribute("data-keys"), repeat = parseInt(b.getAttribute("data-repeat"), 10) || 1;
      send(repeat > 1 ? keys + " ×" + repeat : keys, "/api/v1/kvm/keys", { keys: keys, repeat: repeat, delay_ms: 200, hold: false });
    });
  });
  var chordForm = $("chord-form");
  if (chordForm) chordForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var keys = $("chord").value.trim().toLowerCase().replace(/\s+/g, "");
    if (keys) send(keys, "/api/v1/kvm/keys", { keys: keys, repeat: 1, delay_ms: 0, hold: false });
  });
  var release = $("release");
  if (release) release.addEventListener("click", function () { send("release all keys", "/api/v1/kvm/release"); });
  var paste = $("paste-form");
  if (paste) paste.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("paste").value, layout = $("layout");
    if (!text) { show(result, false, "nothing to type: the box above is empty"); return; }
    var body = { text: text };
    // The site's layout is the agent's default; another one is named.
    if (layout.value !== layout.getAttribute("data-site")) body.layout = layout.value;
    send("type " + text.length + " characters", "/api/v1/kvm/type", body);
  });

  // ---- Virtual media drive. ----
  function driveText(m) {
    var file = m.image || m.file;
    if (!file) return "The drive is empty.";
    return "In the drive: " + file + ", as " + (m.mode === "cdrom" ? "a CD-ROM" : "a disk") + ", " + (m.read_only ? "read-only" : "writable") + " (" + bytes(m.bytes) + ").";
  }
  var mediaResult = $("media-result");
  function media(label, url, body) {
    api("POST", url, body).then(function (r) {
      if (r.status === 200) {
        $("drive").textContent = driveText(r.body);
        show(mediaResult, true, label + ": done" + (r.body.forced_eject ? " (the last medium was ejected by force)" : "") + (r.body.message ? "; " + r.body.message : ""));
      } else show(mediaResult, false, label + ": " + said(r));
    }, function () { show(mediaResult, false, label + ": the box did not answer"); });
  }
  var eject = $("eject");
  if (eject) eject.addEventListener("click", function () { media("eject", "/api/v1/kvm/media/eject"); });
  var images = $("images");
  if (images && may) images.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.attach");
    if (!b) return;
    var image = b.getAttribute("data-image"), mode = b.getAttribute("data-mode"), rw = b.getAttribute("data-rw") === "1";
    media("attach " + image + " as " + (mode === "cdrom" ? "CD-ROM" : rw ? "writable disk" : "disk"), "/api/v1/kvm/media/attach", { image: image, mode: mode, rw: rw });
  });

  // The catalog again after an add, in the rows the server renders (ConsoleHostPage.ImageRow).
  function timeEl(iso) {
    var t = el("time", null, new Date(iso).toISOString().slice(0, 19).replace("T", " "));
    t.setAttribute("datetime", iso);
    return t;
  }
  function readCatalog() {
    if (!images) return;
    api("GET", "/api/v1/images").then(function (r) {
      if (r.status !== 200) return;
      var body = images.querySelector("tbody");
      while (body.firstChild) body.removeChild(body.firstChild);
      r.body.forEach(function (i) {
        var tr = el("tr");
        tr.setAttribute("data-name", i.name);
        var th = el("th", "wrap", i.name);
        th.setAttribute("scope", "row");
        tr.appendChild(th);
        tr.appendChild(el("td", "num", bytes(i.size)));
        var added = el("td");
        added.appendChild(timeEl(i.added));
        if (i.added_by) { added.appendChild(document.createTextNode(" ")); added.appendChild(el("span", "hint", "by " + i.added_by)); }
        tr.appendChild(added);
        tr.appendChild(el("td", "wrap", i.source || "copied in"));
        if (may) {
          var td = el("td"), span = el("span", "attach-buttons");
          [["cdrom", false, "CD-ROM"], ["disk", false, "Disk"], ["disk", true, "Disk, writable"]].forEach(function (a) {
            var b = el("button", "attach", a[2]);
            b.type = "button";
            b.setAttribute("data-image", i.name);
            b.setAttribute("data-mode", a[0]);
            b.setAttribute("data-rw", a[1] ? "1" : "0");
            b.setAttribute("aria-label", "Attach " + i.name + " as " + a[2]);
            span.appendChild(b);
          });
          td.appendChild(span);
          tr.appendChild(td);
        }
        body.appendChild(tr);
      });
      $("images-empty").hidden = r.body.length > 0;
    }, function () {});
  }

  // Upload: the file as the request's body, its progress from XMLHttpRequest (fetch has no upload progress).
  var upload = $("upload");
  if (upload) upload.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var file = $("upload-file").files[0], status = $("upload-status"), bar = $("upload-progress"), button = upload.querySelector("button");
    if (!file) return;
    var name = $("upload-name").value.trim() || file.name;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/images/upload?name=" + encodeURIComponent(name));
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    bar.value = 0;
    $("upload-bar").hidden = false;
    status.className = "";
    status.textContent = "Sending " + name + " (" + bytes(file.size) + ")…";
    button.disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      bar.value = Math.floor(100 * e.loaded / e.total);
      status.textContent = "Sending " + name + ": " + bar.value + "% (" + bytes(e.loaded) + " of " + bytes(e.total) + ")";
    });
    xhr.addEventListener("load", function () {
      button.disabled = false;
      if (xhr.status === 401) { ended(); return; }
      var j = {};
      try { j = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: the status says enough */ }
      if (xhr.status === 201) {
        bar.value = 100;
        status.className = "ok";
        status.textContent = "Added " + j.name + " (" + bytes(j.size) + ", SHA-256 " + j.sha256 + ").";
        readCatalog();
      } else {
        status.className = "bad";
        status.textContent = name + " was not added: " + (j.error || ("the box answered " + xhr.status));
      }
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      status.className = "bad";
      status.textContent = name + " was not added: the connection to the box broke off";
    });
    xhr.send(file);
  });

  // Live: what others change shows without a reload. The box's events say when to read again: an image added or
  // removed (the catalog), the console host's capture started or stopped, its drive or keyboard used.
  var events = new EventSource("/api/v1/events/stream");
  events.onopen = function () { head.setAttribute("data-live", "1"); };
  // The stream broke: a session that ended answers 401 (to the login page); otherwise EventSource tries again.
  events.onerror = function () { api("GET", "/api/v1/status").catch(function () {}); };
  events.onmessage = function (m) {
    var e;
    try { e = JSON.parse(m.data); } catch (x) { return; }
    if (e.what === "image") readCatalog();
    else if (e.what === "capture" && e.host === host) readCapture();
    else if (e.what === "kvm" && e.host === host) readKeyboard();
  };

  // Adds by URL (and any add under way when the page was made): followed through the job's long poll.
  var jobs = $("jobs");
  function follow(li, id, version) {
    api("GET", "/api/v1/images/jobs?id=" + encodeURIComponent(id) + "&after=" + version).then(function (r) {
      if (r.status !== 200 || !r.body.length) { li.querySelector(".job-state").textContent = "not followed: " + said(r); return; }
      var j = r.body[0], bar = li.querySelector("progress"), state = li.querySelector(".job-state");
      if (j.total) bar.value = Math.floor(100 * j.bytes / j.total); else bar.removeAttribute("value");
      if (j.state === "done" || j.state === "failed") {
        var cancel = li.querySelector("button.cancel");
        if (cancel) cancel.remove();
      }
      if (j.state === "done") {
        bar.value = 100;
        state.textContent = "added (" + bytes(j.bytes) + ")";
        li.className = "done";
        readCatalog();
        return;
      }
      if (j.state === "failed") {
        state.textContent = "not added: " + j.message;
        li.className = "failed";
        return;
      }
      state.textContent = j.state === "queued" ? "queued" :
        j.total ? bar.value + "% (" + bytes(j.bytes) + " of " + bytes(j.total) + ")" : bytes(j.bytes) + " so far";
      follow(li, id, j.version);
    }, function () { li.querySelector(".job-state").textContent = "not followed: the box did not answer"; });
  }
  function jobItem(j) {
    var li = el("li"), label = el("label", null, j.name), bar = el("progress");
    li.setAttribute("data-job", j.id);
    li.setAttribute("data-name", j.name);
    bar.id = "job-" + j.id;
    bar.max = 100;
    label.htmlFor = bar.id;
    li.appendChild(label);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(bar);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", "job-state", j.state));
    if (j.kind === "fetch") {
      var cancel = el("button", "cancel", "Cancel");
      cancel.type = "button";
      cancel.setAttribute("data-name", j.name);
      cancel.setAttribute("aria-label", "Cancel the download of " + j.name);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(cancel);
    }
    jobs.appendChild(li);
    $("adds").hidden = false;
    return li;
  }
  // Cancel: the agent stops the download and keeps nothing; the job's follower then sees it end.
  if (jobs) jobs.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.cancel");
    if (!b) return;
    var name = b.getAttribute("data-name"), state = b.parentNode.querySelector(".job-state");
    b.disabled = true;
    api("POST", "/api/v1/images/cancel", { name: name }).then(function (r) {
      if (r.status !== 200) { b.disabled = false; state.textContent = "not cancelled: " + said(r); }
    }, function () { b.disabled = false; });
  });
  if (jobs) jobs.querySelectorAll("li[data-job]").forEach(function (li) {
    follow(li, li.getAttribute("data-job"), li.getAttribute("data-version"));
  });
  var fetchForm = $("fetch");
  if (fetchForm) fetchForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var status = $("fetch-status"), button = fetchForm.querySelector("button");
    var body = { url: $("fetch-url").value.trim() };
    var name = $("fetch-name").value.trim(), sha = $("fetch-sha256").value.trim();
    if (name) body.name = name;
    if (sha) body.sha256 = sha;
    button.disabled = true;
    api("POST", "/api/v1/images/fetch", body).then(function (r) {
      button.disabled = false;
      if (r.status !== 202) { status.className = "bad"; status.textContent = "Not added: " + said(r); return; }
      status.className = "ok";
      status.textContent = "Downloading " + r.body.name + " (the box fetches it; its progress is under Adding now).";
      follow(jobItem(r.body), r.body.id, r.body.version);
    }, function () { button.disabled = false; status.className = "bad"; status.textContent = "Not added: the box did not answer"; });
  });
})();
