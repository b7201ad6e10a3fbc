#!/usr/bin/env python3
"""tests/appliance/vm.py: talk to a test VM's QEMU (tests/appliance/lib.sh).
  vm.py qmp SOCK COMMAND [JSON-ARGS]   one QMP command; prints its return value as JSON
  vm.py say SOCK LINE                  one line to the guest's ttyS1 (a chardev unix socket)
"""
import json
import socket
import sys


def qmp(path, command, args):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(120)
    s.connect(path)
    f = s.makefile("rw")

    def call(c, a=None):
        f.write(json.dumps({"execute": c, "arguments": a} if a else {"execute": c}) + "\n")
        f.flush()
        while True:
            line = f.readline()
            if not line:
                if c == "quit":
                    return {}
                sys.exit(f"vm.py: qmp {c}: QEMU closed the socket")
            r = json.loads(line)
            if "error" in r:
                sys.exit(f"vm.py: qmp {c}: {r['error'].get('desc', r['error'])}")
            if "return" in r:
                return r["return"]

    json.loads(f.readline())  # the greeting
    call("qmp_capabilities")
    print(json.dumps(call(command, args)))


def say(path, line):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(path)
    s.sendall(line.encode() + b"\n")
    s.close()


if len(sys.argv) >= 4 and sys.argv[1] == "qmp":
    qmp(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]) if len(sys.argv) > 4 else None)
elif len(sys.argv) == 4 and sys.argv[1] == "say":
    say(sys.argv[2], sys.argv[3])
else:
    sys.exit(__doc__)
