/*
 * env.c - the built-in plugin behind --allow-env: os.getenv and os.environ
 * show exactly the granted variables of the host's environment.
 *
 * Values are read from the host when the guest asks (like a child process
 * that inherits them, but late), so every read is a host call and shows in
 * the audit log; asking for a variable that is not granted is recorded as
 * denied and reads as unset, exactly like a variable that does not exist,
 * so guest code cannot tell a secret's presence from its absence.
 */
#include <stdlib.h>
#include <string.h>

#include "plugins/host.h"

static bool granted(const host_registry *reg, const char *name) {
    for (size_t i = 0; i < reg->nenv; i++)
        if (strcmp(reg->env_names[i], name) == 0) return true;
    return false;
}

/* get(name) -> str or None */
static int env_get(airlock_call *call) {
    const host_registry *reg = airlock_call_userdata(call);
    const char *name;
    size_t len;
    if (airlock_call_get_str(call, 0, "name", &name, &len)) return AIRLOCK_ERROR;
    if (strlen(name) != len || !granted(reg, name)) {
        airlock_call_note_denied(call, "environment variable not granted");
        return airlock_call_return(call, airlock_value_new_none());
    }
    const char *value = getenv(name);
    if (!value) return airlock_call_return(call, airlock_value_new_none());
    return airlock_call_return(call, airlock_value_new_str(value)); /* ValueError if not UTF-8 */
}

/* names() -> the granted variables that are set */
static int env_names(airlock_call *call) {
    const host_registry *reg = airlock_call_userdata(call);
    airlock_value *list = airlock_value_new_list();
    for (size_t i = 0; i < reg->nenv; i++)
        if (getenv(reg->env_names[i])) airlock_list_append(list, airlock_value_new_str(reg->env_names[i]));
    return airlock_call_return(call, list);
}

static const airlock_function env_functions[] = {
    {"get", env_get, "the value of a granted environment variable, or None"},
    {"names", env_names, "the granted environment variables that are set"},
    {NULL, NULL, NULL},
};

/* A mapping over the host calls; assignments and deletions stay in the
 * sandbox (CPython's os.environ changes only the process's own copy, too). */
static const char env_python[] =
    "import os as _os\n"
    "\n"
    "class _Environ:\n"
    "    def __init__(self):\n"
    "        self._mine = {}\n"
    "        self._gone = set()\n"
    "    def get(self, key, default=None):\n"
    "        if key in self._mine:\n"
    "            return self._mine[key]\n"
    "        if key in self._gone:\n"
    "            return default\n"
    "        v = get(key)\n"
    "        return default if v is None else v\n"
    "    def __getitem__(self, key):\n"
    "        v = self.get(key)\n"
    "        if v is None:\n"
    "            raise KeyError(key)\n"
    "        return v\n"
    "    def __setitem__(self, key, value):\n"
    "        if type(key) is not str or type(value) is not str:\n"
    "            raise TypeError('str expected')\n"
    "        self._mine[key] = value\n"
    "        self._gone.discard(key)\n"
    "    def __delitem__(self, key):\n"
    "        if key not in self:\n"
    "            raise KeyError(key)\n"
    "        self._mine.pop(key, None)\n"
    "        self._gone.add(key)\n"
    "    def __contains__(self, key):\n"
    "        return type(key) is str and self.get(key) is not None\n"
    "    def keys(self):\n"
    "        ks = [k for k in names() if k not in self._gone and k not in self._mine]\n"
    "        return ks + list(self._mine)\n"
    "    def __iter__(self):\n"
    "        return iter(self.keys())\n"
    "    def __len__(self):\n"
    "        return len(self.keys())\n"
    "    def items(self):\n"
    "        return [(k, self[k]) for k in self.keys()]\n"
    "    def values(self):\n"
    "        return [self[k] for k in self.keys()]\n"
    "    def copy(self):\n"
    "        return dict(self.items())\n"
    "    def setdefault(self, key, default=None):\n"
    "        if key not in self:\n"
    "            self[key] = default\n"
    "        return self[key]\n"
    "    def pop(self, key, *default):\n"
    "        if key in self:\n"
    "            v = self[key]\n"
    "            del self[key]\n"
    "            return v\n"
    "        if default:\n"
    "            return default[0]\n"
    "        raise KeyError(key)\n"
    "    def update(self, other=(), **kw):\n"
    "        for k, v in (other.items() if hasattr(other, 'items') else other):\n"
    "            self[k] = v\n"
    "        for k in kw:\n"
    "            self[k] = kw[k]\n"
    "    def __eq__(self, other):\n"
    "        return self.copy() == (other.copy() if isinstance(other, _Environ) else other)\n"
    "    def __repr__(self):\n"
    "        return 'environ(' + repr(self.copy()) + ')'\n"
    "\n"
    "def getenv(key, default=None):\n"
    "    if type(key) is not str:\n"
    "        raise TypeError('str expected, not ' + type(key).__name__)\n"
    "    return _os.environ.get(key, default)\n"
    "\n"
    "_os.environ = _Environ()\n"
    "_os.getenv = getenv\n";

static const airlock_module env_modules[] = {
    {"_airlock_env", env_functions, env_python},
    {NULL, NULL, NULL},
};

/* The grant text lists the names: see host_env_describe. */
const airlock_plugin host_env_plugin = {
    AIRLOCK_PLUGIN_ABI_VERSION,
    "env",
    AIRLOCK_VERSION,
    "read the granted environment variables of the host (os.getenv, os.environ); every other variable reads as unset",
    env_modules,
    NULL,
    NULL,
    NULL,
    NULL,
};

void host_env_describe(const host_registry *reg, char *buf, size_t size) {
    size_t n = 0;
    if (!reg->nenv) {
        snprintf(buf, size, "no environment variable is visible; attempts to read one are audited");
        return;
    }
    n += (size_t)snprintf(buf, size, "read the host environment variable%s ", reg->nenv > 1 ? "s" : "");
    for (size_t i = 0; i < reg->nenv && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? (i + 1 == reg->nenv ? " and " : ", ") : "",
                              reg->env_names[i]);
    if (n < size)
        snprintf(buf + n, size - n, " through os.getenv and os.environ, when the guest asks; every other variable "
                                    "reads as unset");
}
