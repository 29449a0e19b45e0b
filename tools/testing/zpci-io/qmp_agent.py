#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host side of the hypervisor hot-unplug test.

Follows the guest console log; when a guest program prints
"zpci-io-host: device_del <id>", sends QMP device_del for that QEMU device
id, as a hypervisor's management layer would.  Runs until killed.
Usage: qmp_agent.py CONSOLE_LOG QMP_SOCKET
"""
import json
import re
import socket
import sys
import time

REQUEST = re.compile(r'zpci-io-host: device_del ([A-Za-z0-9_.-]+)\s*$')


def say(msg):
    print('[harness] qmp: %s' % msg, file=sys.stderr, flush=True)


def qmp(path, command, arguments):
    """One QMP command on a fresh connection; returns the reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(path)
        f = s.makefile('rw')
        json.loads(f.readline())                      # greeting
        for cmd in ({'execute': 'qmp_capabilities'},
                    {'execute': command, 'arguments': arguments}):
            f.write(json.dumps(cmd) + '\n')
            f.flush()
            while True:
                reply = json.loads(f.readline())
                if 'return' in reply or 'error' in reply:
                    break                             # skip events
        return reply


def main():
    log, sock = sys.argv[1], sys.argv[2]
    while True:
        try:
            f = open(log, errors='replace')
            break
        except FileNotFoundError:
            time.sleep(0.1)
    pending = ''
    while True:
        chunk = f.readline()
        if not chunk:
            time.sleep(0.1)
            continue
        pending += chunk
        if not pending.endswith('\n'):
            continue
        line, pending = pending, ''
        m = REQUEST.search(line)
        if not m:
            continue
        try:
            reply = qmp(sock, 'device_del', {'id': m.group(1)})
        except (OSError, ValueError) as e:
            reply = {'error': str(e)}
        say('device_del %s -> %s' % (m.group(1), json.dumps(reply)))


if __name__ == '__main__':
    main()
