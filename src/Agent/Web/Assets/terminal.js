// netbootpi web console: the terminal page (src/Agent/Web/TerminalPage.cs). xterm.js (vendored, /assets/xterm.js)
// draws the terminal; this joins it to the WebSocket /api/v1/terminal: binary messages are the terminal's bytes both
// ways, a text message {"cols":N,"rows":M} its size. The box closes the socket with the reason the terminal ended
// (the shell ended, the login session ended), shown in the status line with textContent.
"use strict";
(function () {
  var box = document.getElementById("terminal");
  var status = document.getElementById("terminal-status");
  if (!box || !status || typeof window.Terminal !== "function") return;

  // xterm.js writes its colours and cell sizes into <style> elements; the page's policy lets in only those that carry
  // this answer's nonce, so every style element made from here on gets it.
  var nonceMeta = document.querySelector('meta[name="style-nonce"]');
  if (nonceMeta) {
    var nonce = nonceMeta.getAttribute("content");
    var create = document.createElement.bind(document);
    document.createElement = function (tag, options) {
      var element = create(tag, options);
      if (String(tag).toLowerCase() === "style") element.nonce = nonce;
      return element;
    };
  }

  var fontSize = 14;
  var term = new window.Terminal({ cursorBlink: true, fontSize: fontSize, fontFamily: "monospace", scrollback: 5000 });
  term.open(box);

  // The size that fits the box: a cell's width and height measured in the same font (xterm.js has no public call for it).
  function fit() {
    var probe = document.createElement("span");
    probe.className = "term-measure";
    probe.textContent = "W".repeat(50);
    document.body.appendChild(probe);
    var cellWidth = probe.getBoundingClientRect().width / 50;
    var cellHeight = probe.getBoundingClientRect().height;
    probe.remove();
    var cols = Math.max(20, Math.floor((box.clientWidth - 8) / cellWidth));
    var rows = Math.max(5, Math.floor((box.clientHeight - 8) / cellHeight));
    if (cols !== term.cols || rows !== term.rows) term.resize(cols, rows);
  }
  fit();

  var url = "wss://" + location.host + box.getAttribute("data-socket") + "?cols=" + term.cols + "&rows=" + term.rows;
  var socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  var encoder = new TextEncoder();
  var open = false;

  function say(level, message) {
    status.className = "notice" + (level ? " " + level : "");
    status.textContent = message;
  }

  socket.addEventListener("open", function () {
    open = true;
    say("ok", "Connected.");
    term.focus();
  });
  socket.addEventListener("message", function (e) {
    if (e.data instanceof ArrayBuffer) term.write(new Uint8Array(e.data));
  });
  socket.addEventListener("close", function (e) {
    open = false;
    term.options.disableStdin = true;
    say(e.code === 1000 ? "warn" : "bad", "Closed: " + (e.reason || (e.code === 1000 ? "the terminal ended" : "the connection was lost or refused (is the session still logged in?)")) + ". Reload the page for a new one.");
  });

  term.onData(function (data) { if (open) socket.send(encoder.encode(data)); });
  // Bytes that are not text (some mouse reports): sent as they are.
  term.onBinary(function (data) {
    if (!open) return;
    var bytes = new Uint8Array(data.length);
    for (var i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
    socket.send(bytes);
  });
  term.onResize(function (size) { if (open) socket.send(JSON.stringify({ cols: size.cols, rows: size.rows })); });
  var pending = 0;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(fit, 150);
  });
})();
