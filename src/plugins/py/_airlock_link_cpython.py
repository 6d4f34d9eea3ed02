# _airlock_link (CPython) - the transport under _airlock_host: the host-call
# device (src/plugins/device.c), a descriptor the host installs at
# _DEVICE_FD (prepended by src/plugins/boot.c) in every vm; no path leads
# to it. call(request) writes the encoded call (src/plugins/codec.h) in one
# write and reads the tagged answer until a short read; loads decodes the
# answers in JSON, importing json at its first use (not in every boot).
import os


def loads(text, _json=[]):
    if not _json:
        from json import loads as parse
        _json.append(parse)
    return _json[0](text)


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


call = _link(_DEVICE_FD, os.write, os.read, 8192)
del os, _link, _DEVICE_FD
