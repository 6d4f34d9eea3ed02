# _airlock_link (CPython) - the transport under _airlock_host: the device
# /dev/airlock (src/plugins/device.c), which opens only while the host
# modules are installed (src/plugins/boot.c) and is unmounted afterwards.
# call(request) writes the encoded call (src/plugins/codec.h) in one write
# and reads the tagged answer until a short read.
import os
from json import loads


def _link(fd, write, read, chunk):
    def call(request):
        write(fd, request.encode())
        r = read(fd, chunk)
        if len(r) < chunk:
            return r.decode()
        parts = [r]
        while len(r) == chunk:
            r = read(fd, chunk)
            parts.append(r)
        return b''.join(parts).decode()
    return call


call = _link(os.open('/dev/airlock', os.O_RDWR), os.write, os.read, 8192)
del os, _link
