#!/usr/bin/python3
"""A burst of UDP datagrams of one flow, and a receiver that checks each.

  udp_burst.py send ADDR PORT COUNT SIZE [BURST [PAUSE_MS]]
  udp_burst.py recv ADDR PORT COUNT SIZE

The sender sends COUNT datagrams of SIZE bytes, BURST (default 40) at a
time with PAUSE_MS (default 0) between, then one of SIZE/2 bytes: runs
the tunnel may glue into UDP super-packets, the last ended by a shorter
one. Each datagram's bytes follow from its number, so the
receiver can tell a damaged, a lost or a reordered one. The receiver
prints "ok N" when all COUNT+1 came whole, and otherwise says which did
not and exits with 1. It gives up 5 seconds after the last it got.
"""
import socket
import sys
import time


def body(i, size):
    seed = bytes([(i * 7 + k) & 0xFF for k in range(251)])
    return (i.to_bytes(4, "big") + seed * (size // 251 + 1))[:size]


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def send(addr, port, count, size, burst=40, pause_ms=0):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    # BURST at a time in one send, cut by the kernel (UDP_SEGMENT): they
    # reach the tunnel together, however slowly this program runs.
    s.setsockopt(17, 103, size)  # SOL_UDP, UDP_SEGMENT
    grams = [body(i, size) for i in range(count)] + [body(count, size // 2)]
    for at in range(0, len(grams), burst):
        s.sendto(b"".join(grams[at:at + burst]), (addr, port))
        time.sleep(pause_ms / 1000)
    return 0


def recv(addr, port, count, size):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    # root in the lab: room for the whole burst however it arrives
    s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE
    s.bind((addr, port))
    print("listening", flush=True)
    s.settimeout(5)
    got = 0
    try:
        while got <= count:
            data = s.recv(65536)
            want = body(got, size if got < count else size // 2)
            if data != want:
                num = int.from_bytes(data[:4], "big") if len(data) >= 4 else -1
                print(f"datagram {got}: got {len(data)} bytes numbered {num}, "
                      f"want {len(want)} numbered {got}")
                return 1
            got += 1
    except socket.timeout:
        print(f"only {got} of {count + 1} datagrams arrived")
        return 1
    print(f"ok {got}")
    return 0


def main(argv):
    if argv[1:2] == ["send"] and 6 <= len(argv) <= 8:
        return send(argv[2], *[int(a) for a in argv[3:]])
    if argv[1:2] == ["recv"] and len(argv) == 6:
        return recv(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    print(__doc__.strip().splitlines()[2], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
