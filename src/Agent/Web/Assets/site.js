// netbootpi web console: the site page's editor (src/Agent/Web/SitePage.cs). Plain JavaScript, loaded by that page
// only. Text from the box and from the editor is put in with textContent, never as HTML. Changes send the session's
// anti-CSRF token (meta csrf-token) in X-CSRF-Token, as the API asks; the API checks the role again.
"use strict";
(function () {
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // The API through the session cookie; a 401 means the session ended: to the login page, which says so.
  function api(method, url, text) {
    var init = { method: method, credentials: "same-origin", headers: {} };
    if (method !== "GET") init.headers["X-CSRF-Token"] = csrf;
    if (text !== undefined) { init.headers["Content-Type"] = "application/yaml"; init.body = text; }
    return fetch(url, init).then(function (r) {
      if (r.status === 401) {
        location.assign("/login?ended=1&next=" + encodeURIComponent(location.pathname + location.search));
        throw new Error("session ended");
      }
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    });
  }

  // A pending network change: the time left to its deadline, as the API gave it, every second.
  var pending = $("pending"), countdown = $("countdown"), timer = null;
  function tick() {
    var deadline = Date.parse(pending.getAttribute("data-deadline"));
    var left = Math.round((deadline - Date.now()) / 1000);
    if (left <= 0) {
      countdown.textContent = "The deadline has passed: unless it was confirmed, the agent puts the last confirmed network back.";
      clearInterval(timer);
      timer = null;
      return;
    }
    var m = Math.floor(left / 60), s = left % 60;
    countdown.textContent = m + " min " + (s < 10 ? "0" : "") + s + " s left.";
  }
  function showPending(what, deadline) {
    pending.setAttribute("data-deadline", deadline);
    $("pending-what").textContent = what;
    var t = el("time", null, new Date(deadline).toISOString().slice(0, 19).replace("T", " "));
    t.setAttribute("datetime", deadline);
    var at = $("pending-deadline");
    at.textContent = "";
    at.appendChild(t);
    pending.hidden = false;
    tick();
    if (!timer) timer = setInterval(tick, 1000);
  }
  if (pending && !pending.hidden) { tick(); timer = setInterval(tick, 1000); }
  var confirmButton = $("network-confirm");
  if (confirmButton) confirmButton.addEventListener("click", function () {
    var out = $("confirm-result");
    confirmButton.disabled = true;
    api("POST", "/api/v1/network/confirm").then(function (r) {
      out.textContent = r.body.message || r.body.error || ("the box answered " + r.status);
      out.hidden = false;
      confirmButton.disabled = false;
      if (r.status === 200) { clearInterval(timer); timer = null; countdown.textContent = "Confirmed."; confirmButton.hidden = true; }
    }, function () { out.textContent = "the box did not answer"; out.hidden = false; confirmButton.disabled = false; });
  });

  var form = $("site-form");
  if (!form) return;
  var text = $("site-text"), caret = $("caret"), result = $("site-result"), errors = $("site-errors"), review = $("review");
  var buttons = form.querySelectorAll("button");

  // The caret's line and column (1-based, as the API's errors give them).
  function position(offset) {
    var before = text.value.slice(0, offset);
    var line = before.split("\n").length;
    return { line: line, column: offset - before.lastIndexOf("\n") };
  }
  function showCaret() {
    var p = position(text.selectionStart);
    caret.textContent = "line " + p.line + ", column " + p.column;
  }
  ["keyup", "click", "select", "input", "focus"].forEach(function (e) { text.addEventListener(e, showCaret); });

  // The gutter's line numbers: one per line of the text (wrap is off, so a line is a row), scrolled with it.
  var gutter = $("gutter");
  function numberLines() {
    var n = text.value.split("\n").length;
    if (gutter.getAttribute("data-lines") === String(n)) return;
    var numbers = [];
    for (var i = 1; i <= n; i++) numbers.push(i);
    gutter.textContent = numbers.join("\n");
    gutter.setAttribute("data-lines", n);
    gutter.scrollTop = text.scrollTop;
  }
  text.addEventListener("input", numberLines);
  text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });

  // Selects line (1-based) in the editor and scrolls it into view.
  function selectLine(line, column) {
    var lines = text.value.split("\n");
    line = Math.max(1, Math.min(line, lines.length));
    var start = 0;
    for (var i = 0; i < line - 1; i++) start += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(start, start + lines[line - 1].length);
    var height = parseFloat(getComputedStyle(text).lineHeight) || 18;
    text.scrollTop = Math.max(0, (line - 3) * height);
    gutter.scrollTop = text.scrollTop;
    showCaret();
    caret.textContent += column ? " (the error is at column " + column + ")" : "";
  }

  function say(level, message) {
    result.textContent = message;
    result.className = "notice " + level;
    result.hidden = false;
  }
  function busy(on) { buttons.forEach(function (b) { b.disabled = on; }); }
  function clear() {
    errors.textContent = "";
    errors.hidden = true;
    review.hidden = true;
    result.hidden = true;
  }

  // Errors come as FILE:LINE:COLUMN: key: message; each links to its line in the editor. The file's name is taken
  // off first (a path may hold colons), then the line and column are read.
  var located = /^(\d+):(\d+): (.*)$/;
  function showErrors(list) {
    errors.textContent = "";
    (list || []).forEach(function (e) {
      var t = e.text || "";
      if (e.file && t.indexOf(e.file + ":") === 0) t = t.slice(e.file.length + 1);
      var m = located.exec(t);
      var line = m ? parseInt(m[1], 10) : e.line, column = m ? parseInt(m[2], 10) : e.column;
      var li = el("li");
      var a = el("a", null, "line " + line + ", column " + column);
      a.href = "#site-text";
      a.setAttribute("data-line", line);
      a.addEventListener("click", function (ev) { ev.preventDefault(); selectLine(line, column); });
      li.appendChild(a);
      li.appendChild(document.createTextNode(": " + (m ? m[3] : e.key + ": " + e.message)));
      errors.appendChild(li);
    });
    errors.hidden = errors.children.length === 0;
  }
  function answered(r) { return r.body.message || r.body.error || ("the box answered " + r.status); }

  $("site-validate").addEventListener("click", function () {
    clear();
    busy(true);
    api("POST", "/api/v1/site/validate", text.value).then(function (r) {
      busy(false);
      if (r.status === 200) say("ok", "Valid: site " + r.body.site + ", " + r.body.networks + " networks, " + r.body.hosts + " hosts.");
      else if (r.status === 422) {
        var n = (r.body.errors || []).length;
        say("bad", n + (n === 1 ? " error" : " errors") + "; the site file would be refused. Select one to go to its line.");
        showErrors(r.body.errors);
      } else say("bad", answered(r));
    }, function () { busy(false); say("bad", "the box did not answer"); });
  });

  // A diff's lines, each marked as kept, removed or added (by a class; the mark is also the line's first character).
  function showDiff(pre, diff) {
    pre.textContent = "";
    diff.split("\n").forEach(function (line, i, all) {
      if (i === all.length - 1 && line === "") return;
      var c = line.charAt(0);
      var cls = line.indexOf("@@") === 0 ? "hunk" : (c === "+" && line.indexOf("+++") !== 0) ? "add" : (c === "-" && line.indexOf("---") !== 0) ? "del" : null;
      pre.appendChild(el("span", cls, line + "\n"));
    });
  }

  var reviewed = null;
  $("site-review").addEventListener("click", function () {
    clear();
    busy(true);
    var sent = text.value;
    api("POST", "/api/v1/site/diff?sha256=" + form.getAttribute("data-sha256"), sent).then(function (r) {
      busy(false);
      if (r.status === 422) { say("bad", "The site file would be refused; nothing is applied. Select an error to go to its line."); showErrors(r.body.errors); return; }
      if (r.status !== 200) { say("bad", answered(r)); return; }
      var changes = $("changes");
      changes.textContent = "";
      (r.body.changes || []).forEach(function (c) {
        var li = el("li");
        li.appendChild(el("span", "badge " + (c.change === "removed" ? "bad" : c.change === "added" ? "ok" : "warn"), c.change));
        li.appendChild(document.createTextNode(" " + c.kind + " "));
        li.appendChild(el("strong", null, c.name));
        if (c.details && c.details.length) {
          var ul = el("ul");
          c.details.forEach(function (d) { ul.appendChild(el("li", null, d)); });
          li.appendChild(ul);
        }
        changes.appendChild(li);
      });
      if (!r.body.diff) { say("ok", "The text is the file on disk: there is nothing to apply."); return; }
      if (changes.children.length === 0) changes.appendChild(el("li", null, "No host, network, profile or export changes; the file's text does (below)."));
      $("network-note").hidden = !r.body.network_change;
      $("plan-box").hidden = !r.body.network_change;
      if (r.body.network_plan) $("plan").textContent = r.body.network_plan;
      showDiff($("diff"), r.body.diff);
      reviewed = { text: sent, network: r.body.network_change };
      review.hidden = false;
      $("site-apply").focus();
    }, function () { busy(false); say("bad", "the box did not answer"); });
  });

  $("site-cancel").addEventListener("click", function () { review.hidden = true; reviewed = null; text.focus(); });

  // The running file again, after an apply or a rollback: the view, the editor, the SHA-256 the next edit starts from.
  function refresh() {
    return api("GET", "/api/v1/site").then(function (r) {
      if (r.status !== 200) return;
      form.setAttribute("data-sha256", r.body.sha256);
      $("site-sha").textContent = r.body.sha256;
      text.value = r.body.text;
      numberLines();
      var source = $("source");
      source.textContent = "";
      var lines = r.body.text.replace(/\n$/, "").split("\n");
      lines.forEach(function (l) { var li = el("li"); li.appendChild(el("code", null, l)); source.appendChild(li); });
    });
  }

  // A network change is applied by the agent after the site is swapped in: its pending state and deadline appear
  // on GET /api/v1/network shortly after (looked for every half second, for at most 20 s).
  function watchNetwork(tries) {
    api("GET", "/api/v1/network").then(function (r) {
      if (r.status === 200 && r.body.pending && r.body.deadline) { showPending(r.body.pending, r.body.deadline); return; }
      if (tries > 0) setTimeout(function () { watchNetwork(tries - 1); }, 500);
      else say("warn", result.textContent + " No network change is pending: GET /api/v1/network shows none (the dashboard and systemctl status say why).");
    });
  }

  $("site-apply").addEventListener("click", function () {
    if (!reviewed) return;
    var applying = reviewed;
    busy(true);
    $("site-apply").disabled = true;
    api("PUT", "/api/v1/site?sha256=" + form.getAttribute("data-sha256"), applying.text).then(function (r) {
      busy(false);
      $("site-apply").disabled = false;
      review.hidden = true;
      reviewed = null;
      if (r.status === 200) {
        say("ok", r.body.message + ": site " + r.body.site + ", " + r.body.networks + " networks, " + r.body.hosts + " hosts.");
        if (r.body.outcome === "applied") $("site-rollback").hidden = false;
        refresh();
        if (applying.network) watchNetwork(40);
      } else {
        say("bad", answered(r));
        showErrors(r.body.errors);
      }
    }, function () { busy(false); $("site-apply").disabled = false; say("bad", "the box did not answer"); });
  });

  $("site-rollback").addEventListener("click", function () {
    clear();
    busy(true);
    api("POST", "/api/v1/site/rollback").then(function (r) {
      busy(false);
      if (r.status === 200) { say("ok", r.body.message + ": site " + r.body.site + ", " + r.body.hosts + " hosts."); refresh(); }
      else { say("bad", answered(r)); showErrors(r.body.errors); }
    }, function () { busy(false); say("bad", "the box did not answer"); });
  });
})();
