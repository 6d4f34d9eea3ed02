"""Serve a directory over HTTP on a free loopback port (for the CLI tests).

    python3 tests/cli/serve_dir.py DIRECTORY PORTFILE

Writes the port number to PORTFILE (atomically: the file appears complete)
once the server listens. A test learns the port from that file, never from
the server's output, which Python buffers when it is not a terminal.
"""
import functools
import http.server
import os
import sys

directory, portfile = sys.argv[1], sys.argv[2]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
