#!/usr/bin/env python3
"""Seeds for the wgmsg fuzz target that the fuzzer cannot make itself.

Genuine handshake initiations need the initiator's private key and a
Diffie-Hellman with the server's public key: a mutation never forges
them.  The target's devices have fixed keys (client 0x11 * 32, server
0x22 * 32), so initiations can be made here, with fixed ephemeral keys
and timestamps, and the files come out the same every time.

    tests/support/wgmsg_seeds.py [DIR]   (default tests/fuzz/corpus/wgmsg)

Needs Python's cryptography package (X25519, ChaCha20-Poly1305).
"""
import hashlib
import hmac
import os
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
CLIENT = bytes([0x11]) * 32
SERVER = bytes([0x22]) * 32
STRANGER = bytes([0x33]) * 32  # a key the server has no peer for
# 2100-01-01 UTC: later than any initiation the target's setup makes.
FUTURE = 4102444800


def public(priv):
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)


def dh(priv, pub):
    return X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(pub))


def h(*parts):
    return hashlib.blake2s(b"".join(parts)).digest()


def hm(key, data):
    return hmac.new(key, data, hashlib.blake2s).digest()


def kdf2(ck, data):
    prk = hm(ck, data)
    t1 = hm(prk, b"\x01")
    return t1, hm(prk, t1 + b"\x02")


def aead(key, plain, ad):
    return ChaCha20Poly1305(key).encrypt(bytes(12), plain, ad)


def tai64n(sec):
    return struct.pack(">QI", 0x400000000000000A + sec, 0)


def initiation(static, ephemeral, sec, sender):
    """A whole initiation from the holder of static to the server, mac1 included, mac2 zero."""
    responder = public(SERVER)
    ck = h(CONSTRUCTION)
    hh = h(h(ck, IDENTIFIER), responder)
    e = public(ephemeral)
    ck = kdf2(ck, e)[0]
    hh = h(hh, e)
    ck, key = kdf2(ck, dh(ephemeral, responder))
    enc_static = aead(key, public(static), hh)
    hh = h(hh, enc_static)
    ck, key = kdf2(ck, dh(static, responder))
    enc_time = aead(key, tai64n(sec), hh)
    body = b"\x01\x00\x00\x00" + struct.pack("<I", sender) + e + enc_static + enc_time
    mac1 = hashlib.blake2s(body, key=h(b"mac1----", responder), digest_size=16).digest()
    return body + mac1 + bytes(16)


def record(mode, msg):
    """One record of the target's mode 6: a mode byte, a 2-byte length, the message."""
    return bytes([mode]) + struct.pack("<H", len(msg)) + msg


def sealed(counter, inner=b""):
    """A mode-3 body: the counter, then the inner packet the target seals."""
    return struct.pack("<Q", counter) + inner


def seeds():
    first = initiation(CLIENT, bytes([0x44]) * 32, FUTURE, 0x01020304)
    second = initiation(CLIENT, bytes([0x45]) * 32, FUTURE + 1, 0x05060708)
    return {
        # The server opens it, but knows no peer with that static key.
        "stranger-initiation": b"\x00" + initiation(STRANGER, bytes([0x46]) * 32, FUTURE, 7),
        # A newer initiation from the client: accepted, a response and a new session.
        "client-initiation-future": b"\x00" + first,
        # A second newer one at the same instant: refused as a flood.
        "seq-initiation-flood": b"\x06" + record(0, first) + record(0, second),
        # Accepted, then data on the session that is still current.
        "seq-initiation-then-data": b"\x06" + record(0, first) + record(3, sealed(5)),
        # The window moved far ahead: counter 0 is too old, 1000 inside it once, then a replay.
        "seq-replay-window": b"\x06" + record(3, sealed(9000)) + record(3, sealed(0)) +
        record(3, sealed(1000)) + record(3, sealed(1000)),
        # A cookie reply that names the live session, but was not sealed for its mac1.
        "cookie-mode2": b"\x02" + b"\x03\x00\x00\x00" + bytes(4) + bytes(range(24)) + bytes(32),
        # To the client waiting for its answer (the target puts in the index and mac1):
        # a response from a real point that does not decrypt,
        "waiting-response": b"\x07" + b"\x02\x00\x00\x00" + struct.pack("<I", 9) + bytes(4) +
        public(bytes([0x47]) * 32) + bytes(16) + bytes(32),
        # a cookie reply not sealed for the client's mac1.
        "waiting-cookie": b"\x07" + b"\x03\x00\x00\x00" + bytes(4) + bytes(range(24)) + bytes(32),
        # Data 200 s after the others: the session is past REJECT_AFTER_TIME.
        "later-expired": b"\x08" + bytes([200, 3]) + sealed(5),
        # Data 100 s after: still accepted.
        "later-keepalive": b"\x08" + bytes([100, 3]) + sealed(6),
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/wgmsg"
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"seed: {out}/{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
