# sqlite3: present only when the host grants a database. With a grant,
# airlock's built-in sqlite plugin installs the real module before this file
# could ever be found (src/plugins/sqlite.c); without one, say how to get it.
raise ImportError("no module named 'sqlite3': this sandbox has no database; the host grants one with "
                  "--allow-sqlite PATH[:rw] (C API: airlock_runtime_allow_sqlite)")
