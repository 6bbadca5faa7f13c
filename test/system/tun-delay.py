#!/usr/bin/env python3
"""Userspace delay line between two TUN devices, for tests on a kernel without `tc netem`.

    tun-delay.py --delay-ms MS TUN_A TUN_B   create both devices, print `ready TUN_A TUN_B`, then
                                             forward every IP packet read from one to the other,
                                             each held MS milliseconds (both directions)
    tun-delay.py --check NAME                create one device and exit 0 (a prerequisite check)

Both devices are created here in the current (root) namespace, without IFF_PERSIST: they vanish
when this process exits, however it exits. The caller moves one of them into another namespace
(`ip link set TUN_B netns NS`) and configures addresses and routes; an open TUN file descriptor
keeps working across the move.

The delay is a fixed FIFO per direction, so packet order is kept and nothing leaves early. Every
packet takes the same path, TCP handshake included: this is a delayed link, not a TCP relay.

stdin is a control channel: the line `stats` is answered on stdout with
`stats a2b=N b2a=N late_max_ms=X` (how late, at worst, a packet left after its due time), and end
of file on stdin (the test process went away) ends the program.
"""

import collections
import fcntl
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_QUEUED = 10_000  # per direction; beyond it packets are dropped, as a full queue would


def open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--check":
        os.close(open_tun(argv[1]))
        return 0
    if len(argv) != 4 or argv[0] != "--delay-ms":
        print(__doc__, file=sys.stderr)
        return 2
    delay = float(argv[1]) / 1000
    name_a, name_b = argv[2], argv[3]
    fd_a, fd_b = open_tun(name_a), open_tun(name_b)
    # Each queue holds (due time, packet) for the device the packets are written to.
    queues = {fd_b: collections.deque(), fd_a: collections.deque()}
    peer = {fd_a: fd_b, fd_b: fd_a}
    counts = {fd_b: 0, fd_a: 0}
    late_max = 0.0
    stdin = sys.stdin.fileno()
    control = b""
    print(f"ready {name_a} {name_b}", flush=True)

    while True:
        now = time.monotonic()
        dues = [q[0][0] for q in queues.values() if q]
        timeout = max(0.0, min(dues) - now) if dues else None
        readable, _, _ = select.select([fd_a, fd_b, stdin], [], [], timeout)
        now = time.monotonic()
        for fd in readable:
            if fd == stdin:
                chunk = os.read(stdin, 4096)
                if not chunk:
                    return 0
                control += chunk
                while b"\n" in control:
                    line, control = control.split(b"\n", 1)
                    if line.strip() == b"stats":
                        print(
                            f"stats a2b={counts[fd_b]} b2a={counts[fd_a]} "
                            f"late_max_ms={late_max * 1000:.1f}",
                            flush=True,
                        )
                continue
            queue = queues[peer[fd]]
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if len(queue) < MAX_QUEUED:
                    queue.append((time.monotonic() + delay, packet))
        now = time.monotonic()
        for fd, queue in queues.items():
            while queue and queue[0][0] <= now:
                due, packet = queue.popleft()
                late_max = max(late_max, now - due)
                try:
                    os.write(fd, packet)
                    counts[fd] += 1
                except OSError:
                    pass  # the device is down or gone: the packet is lost, as on a real link


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(0)
