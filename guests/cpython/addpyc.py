#!/usr/bin/env python3
# addpyc.py - the standard library zip with the guest's .pyc beside each
# module (guests/cpython/compileall.py made them):
#
#   addpyc.py PINNED.zip PYC.txt OUT.zip
#
# Every entry of the pinned zip is copied unchanged, in order; each NAME.pyc
# follows its NAME.py, stored uncompressed (zipimport then reads it without
# zlib). A line that is not "NAME.pyc BASE64" for a module of the zip stops
# the build.
import base64
import os
import sys
import zipfile

pinned, listing, out = sys.argv[1:]
pycs = {}
with open(listing, encoding="ascii") as f:
    lines = f.read().split("\n")
if lines[-2:] != ["end %d" % (len(lines) - 2), ""]:
    sys.exit("addpyc: %s is cut short or malformed" % listing)
for line in lines[:-2]:
    name, data = line.split(" ")
    if not name.endswith(".pyc") or name in pycs:
        sys.exit("addpyc: bad line for %r" % name)
    pycs[name] = base64.b64decode(data, validate=True)
with zipfile.ZipFile(pinned) as src, zipfile.ZipFile(out + ".tmp", "w") as dst:
    names = set(src.namelist())
    stray = [n for n in pycs if n[:-1] not in names]
    if stray or not pycs:
        sys.exit("addpyc: .pyc without a module: %s" % stray[:5])
    for info in src.infolist():
        dst.writestr(info, src.read(info), compress_type=info.compress_type)
        if info.filename + "c" in pycs:
            pyc = zipfile.ZipInfo(info.filename + "c", info.date_time)
            dst.writestr(pyc, pycs[info.filename + "c"], compress_type=zipfile.ZIP_STORED)
os.replace(out + ".tmp", out)
