# The console host's side of the kernel lab's kvm test (KvmGadgetTests): the same kernel's USB host side (dummy_hcd)
# has enumerated the agent's gadget; this reads what its keyboard and pointer deliver as input events (python3-evdev)
# while it drives the agent through the CLI as a user would, and prints one line per finding for the test to compare.
import fcntl
import json
import os
import select
import subprocess
import sys
import time

import evdev
from evdev import ecodes as e

AGENT, SOCKET = sys.argv[1], sys.argv[2]
# kvmd's paths: the login's auth_token cookie and the API's certificate.
COOKIE, CA = sys.argv[3], sys.argv[4]


def nbp(*args):
    r = subprocess.run([AGENT, *args, "--socket", SOCKET], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        sys.exit(f"netbootpi {' '.join(args)} exited with {r.returncode}: {r.stdout}{r.stderr}")
    return r.stdout


def kvmd(path, body=None):
    """A change on kvmd's paths as its clients send one (the cookie, an X-KVMD- header); the HTTP status."""
    args = ["curl", "-sS", "--cacert", CA, "-b", COOKIE, "-H", "X-KVMD-Client: lab", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
            "https://127.0.0.5:8443" + path]
    if body is not None:
        args += ["-H", "Content-Type: text/plain", "--data-binary", body]
    return subprocess.run(args, capture_output=True, text=True, timeout=60).stdout


def status():
    return json.loads(nbp("kvm", "--json"))


def wait_status(what, check, limit=10):
    deadline = time.time() + limit
    while True:
        s = status()
        if check(s):
            return s
        if time.time() > deadline:
            sys.exit(f"the agent's kvm status never showed {what}: {s}")
        time.sleep(0.1)


def find(kind, limit=20):
    deadline = time.time() + limit
    while time.time() < deadline:
        for path in evdev.list_devices():
            d = evdev.InputDevice(path)
            caps = d.capabilities()
            if "dummy_hcd" in (d.phys or "") and ((kind == "keyboard" and e.EV_LED in caps) or (kind == "pointer" and e.EV_ABS in caps)):
                return d
            d.close()
        time.sleep(0.1)
    sys.exit(f"no {kind} input device of the gadget appeared within {limit} s")


def name(code):
    n = e.bytype[e.EV_KEY][code]
    return n[0] if isinstance(n, list) else n


def events(dev, count, kinds=(e.EV_KEY,), limit=10):
    """The next count key presses/releases (autorepeat left out) and absolute positions, as 'KEY_H+ KEY_H- ABS_X=5'."""
    out = []
    deadline = time.time() + limit
    while len(out) < count:
        left = deadline - time.time()
        if left <= 0:
            sys.exit(f"{dev.name}: only {out} within {limit} s, expected {count} events")
        ready, _, _ = select.select([dev.fd], [], [], left)
        if not ready:
            continue
        for ev in dev.read():
            if ev.type == e.EV_KEY and ev.type in kinds and ev.value in (0, 1):
                out.append(f"{name(ev.code)}{'+' if ev.value else '-'}")
            elif ev.type == e.EV_ABS and ev.type in kinds:
                out.append(f"{e.ABS[ev.code]}={ev.value}")
    return " ".join(out)


def quiet(dev, period=1.0):
    """Every key event until none comes for period seconds."""
    out = []
    while True:
        ready, _, _ = select.select([dev.fd], [], [], period)
        if not ready:
            return out
        for ev in dev.read():
            if ev.type == e.EV_KEY and ev.value in (0, 1):
                out.append((name(ev.code), ev.value))


kb = find("keyboard")
# Grabbed: the VM's own console and systemd-logind see nothing typed at it.
kb.grab()
pointer = find("pointer")
print(f"devices: {kb.name} keyboard, {pointer.name} pointer")

nbp("type", "Hi")
print("type Hi:", events(kb, 6))
print("keys down after:", kb.active_keys())

# A German host: @ is AltGr+Q, ^ a dead key then space, z where a US board has y.
nbp("type", "--layout", "de", "@^z")
print("type --layout de @^z:", events(kb, 10))

nbp("key", "F12", "--repeat", "3", "--delay", "50")
print("key F12 --repeat 3:", events(kb, 6))
nbp("key", "ctrl+shift+a")
print("key ctrl+shift+a:", events(kb, 6))

# The same keyboard through kvmd's paths: its text body, its KeyboardEvent.code key names held and let go.
print("kvmd print Hi:", kvmd("/api/hid/print", "Hi"), events(kb, 6))
codes = [kvmd("/api/hid/events/send_key?key=ControlLeft&state=1"), kvmd("/api/hid/events/send_key?key=KeyA"),
         kvmd("/api/hid/events/send_key?key=ControlLeft&state=0")]
print("kvmd send_key ControlLeft held, KeyA, ControlLeft let go:", " ".join(codes), events(kb, 4), "keys down after:", kb.active_keys())

kb.set_led(e.LED_CAPSL, 1)
print("caps lock on, the agent reads leds:", wait_status("caps_lock", lambda s: s["leds"] == ["caps_lock"])["leds"])
kb.set_led(e.LED_CAPSL, 0)
print("caps lock off, the agent reads leds:", wait_status("no leds", lambda s: s["leds"] == [])["leds"])

x, y = pointer.absinfo(e.ABS_X), pointer.absinfo(e.ABS_Y)
print(f"pointer range: x {x.min}..{x.max}, y {y.min}..{y.max}")
nbp("mouse", "1000", "2000")
print("mouse 1000 2000:", events(pointer, 2, (e.EV_ABS, e.EV_KEY)))
nbp("mouse", "30000", "500", "--click", "left")
print("mouse 30000 500 --click left:", events(pointer, 4, (e.EV_ABS, e.EV_KEY)))

# A client that goes away mid-text: the agent stops typing and leaves no key down.
text = "a" * 2000
typing = subprocess.Popen([AGENT, "type", text, "--socket", SOCKET], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
first = events(kb, 1)
time.sleep(0.5)
typing.kill()
typing.wait()
rest = quiet(kb)
downs = 1 + sum(1 for _, v in rest if v == 1)
print(f"client killed mid-text: typing stopped: {downs < len(text)}; keys down after: {kb.active_keys()}")

# A key held, then the host resets the bus as a rebooting host does (USBDEVFS_RESET = _IO('U', 20),
# include/uapi/linux/usbdevice_fs.h): usbhid keeps its input device across the reset, so the host still has the key
# down until a report says otherwise; the agent has forgotten it, so its next report has it up.
usb = next(d for d in (os.path.join("/sys/bus/usb/devices", n) for n in os.listdir("/sys/bus/usb/devices"))
           if os.path.exists(os.path.join(d, "product")) and open(os.path.join(d, "product")).read().strip() == "NetbootPi console")
nbp("key", "shift", "--hold")
print("key shift --hold:", events(kb, 1), "agent holds:", status()["held"])
node = f"/dev/bus/usb/{int(open(usb + '/busnum').read()):03}/{int(open(usb + '/devnum').read()):03}"
with open(node, "wb") as f:
    fcntl.ioctl(f, 0x5514, 0)
s = wait_status("no key held after the reset", lambda s: s["usb_state"] == "configured" and s["held"] == [])
print(f"host reset the bus: agent usb {s['usb_state']}, holds {s['held']}; host still has down: {[name(k) for k in kb.active_keys()]}")
nbp("type", "a")
print("type a after the reset:", events(kb, 3), "keys down:", kb.active_keys())

# The host side lets go of the device altogether (unbound, as a host that powers off or reboots without a bus
# reset); its input core releases what was down; taken again, the device has nothing down.
nbp("key", "shift", "--hold")
print("key shift --hold:", events(kb, 1), "agent holds:", status()["held"])
with open(os.path.join(usb, "authorized"), "w") as f:
    f.write("0")
gone = False
for _ in range(100):
    if not os.path.exists(kb.path):
        gone = True
        break
    time.sleep(0.1)
print("host unbound the device: its keyboard is gone:", gone)
with open(os.path.join(usb, "authorized"), "w") as f:
    f.write("1")
s = wait_status("the host back and no key held", lambda s: s["usb_state"] == "configured" and s["held"] == [])
kb2 = find("keyboard")
kb2.grab()
print(f"host took the device again: agent usb {s['usb_state']}, holds {s['held']}")
nbp("type", "a")
print("type a:", events(kb2, 2), "keys down:", kb2.active_keys())
