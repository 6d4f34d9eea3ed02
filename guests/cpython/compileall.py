# compileall.py - run inside the CPython guest at build time
# (guests/cpython/compileall.c): compile every module of the standard
# library zip with the guest's own compiler (its magic number is 3.14's, not
# the build machine's python3) and print, one line each,
#   NAME.pyc BASE64
# then "end COUNT", for guests/cpython/addpyc.py to add beside NAME.py in
# the zip. The .pyc
# are checked hash-based: at each import zipimport compares the source hash
# they hold with the .py beside them and compiles the source instead if
# they differ. Sources that do not compile (test data) are left alone.
import base64
import importlib._bootstrap_external as external
import importlib.util
import sys
import zipfile

ARCHIVE = "/lib/python314.zip"

archive = zipfile.ZipFile(ARCHIVE)
count = 0
for name in archive.namelist():
    if not name.endswith(".py"):
        continue
    source = archive.read(name)
    try:
        code = compile(source, ARCHIVE + "/" + name, "exec", dont_inherit=True)
    except SyntaxError:
        continue
    data = external._code_to_hash_pyc(code, importlib.util.source_hash(source), checked=True)
    sys.stdout.write(name + "c " + base64.b64encode(data).decode() + "\n")
    count += 1
print("end", count)
