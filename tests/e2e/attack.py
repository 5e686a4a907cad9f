#!/usr/bin/env python3
"""A hostile client on the boot network, for tests/e2e/boot.sh --attack (docs/reliability.md).

Usage: attack.py KIND SERVER    (KIND: http, tftp or inform; runs until SIGTERM, then prints one line)
  http    slow loris: keeps 256 connections to SERVER:80, each sending a header line a second and never ending
          its request; a connection the server closes is opened again.
  tftp    half-open transfers: 256 UDP ports each asking SERVER:69 for snponly.efi twice a second and never
          acknowledging a block.
  inform  DHCPINFORMs from this address to SERVER:67 as fast as one core sends them.
The last line: "ATTACK KIND: ..." with what the server did (connections it closed, busy errors, replies).
"""
import errno, os, selectors, signal, socket, struct, sys, time

kind, server = sys.argv[1], sys.argv[2]
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)


def http():
    sel = selectors.DefaultSelector()
    held, started, opened, closed = set(), set(), 0, 0
    def connect():
        nonlocal opened
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect((server, 80))
        except BlockingIOError:
            pass
        sel.register(s, selectors.EVENT_READ)
        held.add(s)
        opened += 1
        return s
    for _ in range(256):
        connect()
    last = 0.0
    while not stop:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                closed += 1
                sel.unregister(s); held.discard(s); started.discard(s); s.close()
                connect()
        if time.monotonic() - last >= 1:
            last = time.monotonic()
            for s in list(held):
                try:
                    s.send(b"X-Slow: loris\r\n" if s in started else b"GET /boot/x HTTP/1.1\r\nHost: box\r\n")
                    started.add(s)
                except (BlockingIOError, OSError):
                    pass
    print(f"ATTACK http: {opened} connections opened, {closed} closed by the server", flush=True)


def tftp():
    ports = []
    for _ in range(256):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        s.bind(("0.0.0.0", 0))
        ports.append(s)
    rrq = b"\x00\x01snponly.efi\x00octet\x00"
    sent = busy = mine = data = 0
    while not stop:
        for s in ports:
            try:
                s.sendto(rrq, (server, 69))
                sent += 1
            except OSError:
                pass
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline and not stop:
            for s in ports:
                while True:
                    try:
                        packet = s.recv(2048)
                    except (BlockingIOError, OSError):
                        break
                    if packet[:2] == b"\x00\x05":
                        busy += 1
                        mine += b"to this address" in packet
                    elif packet[:2] in (b"\x00\x03", b"\x00\x06"):
                        data += 1
            time.sleep(0.05)
    print(f"ATTACK tftp: {sent} read requests sent, {busy} busy errors ({mine} for this address), {data} DATA/OACK packets never acknowledged", flush=True)


def inform():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.bind(("0.0.0.0", 68))
    s.setblocking(False)
    me = socket.inet_aton(s.getsockname()[0]) if s.getsockname()[0] != "0.0.0.0" else socket.inet_aton(os.environ.get("ATTACK_ADDRESS", "0.0.0.0"))
    mac = bytes.fromhex("02a77ac00001")
    sent = replies = 0
    xid = 1
    while not stop:
        for _ in range(1000):
            head = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0, me, bytes(4), bytes(4), bytes(4), mac + bytes(10), bytes(64), bytes(128))
            try:
                s.sendto(head + b"\x63\x82\x53\x63\x35\x01\x08\x37\x03\x01\x03\x06\xff", (server, 67))
                sent += 1
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.ENOBUFS):
                    raise
            xid += 1
        while True:
            try:
                s.recv(2048)
                replies += 1
            except (BlockingIOError, OSError):
                break
    print(f"ATTACK inform: {sent} INFORMs sent, {replies} replies read", flush=True)


{"http": http, "tftp": tftp, "inform": inform}[kind]()
