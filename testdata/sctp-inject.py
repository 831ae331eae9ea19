#!/usr/bin/env python3
"""Provokes usrsctp's error paths for testdata/usrsctp-errors.pcap.

Run by capture-usrsctp.sh inside its own network namespace against a usrsctp
echo_server (port 7). Uses a raw IPv4 socket (SOCK_RAW, IPPROTO_SCTP) only --
no kernel SCTP. Sends a handful of hand-made packets; usrsctp's answers
(INIT ACK with Unrecognized Parameter, ABORT, ERROR, ...) are what the capture
is for. Usage: sctp-inject.py DST_IPV4
"""
import os
import socket
import struct
import sys
import time

DST = sys.argv[1]
DPORT = 7


def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


TABLE = _table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def tlv(t, value, last=False):
    """A parameter or cause; the last one in a chunk goes unpadded, as the
    chunk length excludes its padding (RFC 9260 section 3.2)."""
    b = struct.pack("!HH", t, 4 + len(value)) + value
    return b if last else pad4(b)


def chunk(t, flags, value):
    return pad4(struct.pack("!BBH", t, flags, 4 + len(value)) + value)


def packet(sport, vtag, *chunks):
    body = b"".join(chunks)
    hdr = struct.pack("!HHII", sport, DPORT, vtag, 0)
    crc = crc32c(hdr + body)
    return struct.pack("!HHI", sport, DPORT, vtag) + struct.pack("<I", crc) + body


def init(tag, ostreams=10, istreams=10, tsn=1000, params=b""):
    return chunk(1, 0, struct.pack("!IIHHI", tag, 65536, ostreams, istreams, tsn) + params)


sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_SCTP)
sock.settimeout(0.5)


def send(p):
    sock.sendto(p, (DST, 0))
    time.sleep(0.2)


def recv_from(sport, want_type, tries=10):
    """Returns the first chunk-list of an SCTP packet to `sport` whose first chunk is `want_type`."""
    for _ in range(tries):
        try:
            data, _ = sock.recvfrom(65535)
        except socket.timeout:
            continue
        ihl = (data[0] & 0x0F) * 4
        sctp = data[ihl:]
        if len(sctp) < 16 or struct.unpack("!H", sctp[2:4])[0] != sport:
            continue
        if sctp[12] == want_type:
            return sctp
    return None


# 1. INIT with an unrecognized parameter, "skip and report" (0xC000 bits):
#    INIT ACK carries an Unrecognized Parameter (RFC 9260 3.3.3.1).
send(packet(40001, 0, init(0x11111111, params=tlv(0xC123, b"\xde\xad\xbe\xef", True))))
# 2. INIT with an unrecognized parameter, "stop and report" (0x4000 bits).
send(packet(40002, 0, init(0x22222222, params=tlv(0x4123, b"\xde\xad\xbe\xef", True))))
# 3. INIT with initiate tag 0: ABORT (RFC 9260 3.3.2, Invalid Mandatory Parameter).
send(packet(40003, 0, init(0)))
# 4. INIT with zero outbound streams: ABORT.
send(packet(40004, 0, init(0x44444444, ostreams=0)))
# 5. INIT with a Host Name Address: usrsctp refuses it (Unresolvable Address).
send(packet(40005, 0, init(0x55555555, params=tlv(11, b"peer.example.invalid\0", True))))

# 6. A full association, then DATA on a stream that does not exist, a chunk of
#    unknown type with the "stop and report" bits, and an ABORT of our own.
SPORT = 40006
MYTAG = 0x66666666
# ECN Capable (0x8000), so usrsctp answers a CE mark with ECNE (RFC 9260 appendix A).
send(packet(SPORT, 0, init(MYTAG, ostreams=2, istreams=2, tsn=5000, params=tlv(0x8000, b"", True))))
ack = recv_from(SPORT, 2)
if ack is None:
    sys.exit("no INIT ACK for the association")
peer_tag, = struct.unpack("!I", ack[16:20])
pos = 12 + 4 + 16
ack_len, = struct.unpack("!H", ack[14:16])
cookie = None
while pos + 4 <= 12 + ack_len:
    ptype, plen = struct.unpack("!HH", ack[pos:pos + 4])
    if ptype == 7:
        cookie = ack[pos + 4:pos + plen]
    pos += plen + (-plen % 4)
if cookie is None:
    sys.exit("INIT ACK without State Cookie")
send(packet(SPORT, peer_tag, chunk(10, 0, cookie)))
recv_from(SPORT, 11)


def has_chunk(sport, want_type):
    """Receives one packet; whether it is to `sport` and carries a chunk of `want_type`."""
    try:
        pkt, _ = sock.recvfrom(65535)
    except socket.timeout:
        return False
    sctp = pkt[(pkt[0] & 0x0F) * 4:]
    if len(sctp) < 16 or struct.unpack("!H", sctp[2:4])[0] != sport:
        return False
    pos = 12
    while pos + 4 <= len(sctp):
        ctype, clen = sctp[pos], struct.unpack("!H", sctp[pos + 2:pos + 4])[0]
        if ctype == want_type:
            return True
        if clen < 4:
            return False
        pos += clen + (-clen % 4)
    return False


def data(tsn, sid, ssn, payload):
    return chunk(0, 0x03, struct.pack("!IHHI", tsn, sid, ssn, 0) + payload)


send(packet(SPORT, peer_tag, data(5000, 0, 0, b"hello usrsctp\n")))
send(packet(SPORT, peer_tag, data(5001, 1000, 0, b"no such stream\n")))
# DATA marked Congestion Experienced (ECN bits 11): usrsctp reports it with ECNE.
sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x03)
send(packet(SPORT, peer_tag, data(5002, 0, 1, b"congested\n")))
sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x00)
# The ECNE may ride on a delayed SACK: wait for it before answering with CWR.
deadline = time.time() + 2
while time.time() < deadline and not has_chunk(SPORT, 12):
    pass
# CWR back (RFC 9260 appendix A), then a HEARTBEAT of ours (usrsctp echoes the info).
send(packet(SPORT, peer_tag, chunk(13, 0, struct.pack("!I", 5002))))
send(packet(SPORT, peer_tag, chunk(4, 0, tlv(1, b"heartbeat info from sctp-inject", True))))
send(packet(SPORT, peer_tag, chunk(0x4F, 0, b"\x01\x02\x03\x04")))
send(packet(SPORT, peer_tag, chunk(0xEF, 0, b"skip and report")))
# Cause 12, User-Initiated Abort (RFC 9260 3.3.10.12).
send(packet(SPORT, peer_tag, chunk(6, 0, tlv(12, b"test over", True))))
time.sleep(1)
os._exit(0)
