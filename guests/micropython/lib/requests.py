# requests: present only when the host grants network access. With a grant,
# airlock's built-in net plugin installs the real module before this file
# could ever be found (src/plugins/net.c); without one, say how to get it.
raise ImportError("no module named 'requests': this sandbox has no network access; the host grants an origin "
                  "with --allow-net HOST[:PORT] (C API: airlock_runtime_allow_net)")
