/*
 * scratch.c - a private, writable, in-memory directory tree.
 *
 * Each sandbox gets its own, empty one (clone makes a fresh tree), and it
 * dies with the sandbox. Everything the guest makes the host allocate here
 * is charged to a byte budget: file contents (allocated capacity, not just
 * size) and a fixed overhead per file or directory plus its name, so that
 * neither one big file nor a million empty ones can exceed it. Past the
 * budget, writes and creations fail with ENOSPC.
 *
 * Nodes are reference counted: one reference for being linked in the tree,
 * one per open file, so a file removed while open stays readable until it
 * is closed, as on POSIX. The tree may grow deeper than any path can
 * address (by renaming deep directories under each other), so nothing here
 * recurses over it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vfs/scratch.h"

#define NODE_OVERHEAD 128u /* charged per node: the struct, its slot in the parent, allocator slack */
#define SMALL_FILE 65536u

typedef struct snode snode;
struct snode {
    snode *parent;      /* NULL for the root and for detached nodes */
    char *name;
    bool dir;
    int refs;
    uint64_t ino;
    int64_t mtime;
    uint32_t perm;
    /* files */
    unsigned char *data;
    size_t size, cap;
    /* directories: children in creation order */
    snode **kids;
    size_t nkids, kcap;
};

struct scratch {
    uint64_t limit;     /* byte budget */
    uint64_t used;      /* bytes charged */
    uint64_t next_ino;
    snode *root;
};

typedef struct scratch_file {
    vfs_file base;
    scratch *s;
    snode *node;
} scratch_file;

static int64_t now(void) { return (int64_t)time(NULL); }

static uint64_t node_cost(const snode *n) { return NODE_OVERHEAD + strlen(n->name) + n->cap; }

/* ---- nodes ---------------------------------------------------------------- */

static snode *node_new(scratch *s, const char *name, size_t len, bool dir, uint32_t perm) {
    uint64_t cost = NODE_OVERHEAD + len;
    if (s->used + cost > s->limit) return NULL;
    snode *n = calloc(1, sizeof *n);
    char *copy = malloc(len + 1);
    if (!n || !copy) {
        free(n);
        free(copy);
        return NULL;
    }
    memcpy(copy, name, len);
    copy[len] = '\0';
    *n = (snode){.name = copy, .dir = dir, .refs = 0, .ino = s->next_ino++, .mtime = now(), .perm = perm & 0777};
    s->used += cost;
    return n;
}

/* Free one node with no children and no references; give its bytes back. */
static void node_free(scratch *s, snode *n) {
    s->used -= node_cost(n);
    free(n->data);
    free(n->kids);
    free(n->name);
    free(n);
}

static void node_unref(scratch *s, snode *n) {
    if (--n->refs == 0) node_free(s, n);
}

static snode *child(const snode *dir, const char *name, size_t len) {
    for (size_t i = 0; i < dir->nkids; i++) {
        snode *k = dir->kids[i];
        if (strncmp(k->name, name, len) == 0 && k->name[len] == '\0') return k;
    }
    return NULL;
}

/* Room for one more child in dir; false on OOM. */
static bool reserve_slot(snode *dir) {
    if (dir->nkids < dir->kcap) return true;
    size_t cap = dir->kcap ? dir->kcap * 2 : 8;
    snode **k = realloc(dir->kids, cap * sizeof *k);
    if (!k) return false;
    dir->kids = k;
    dir->kcap = cap;
    return true;
}

/* Link n under dir, in a slot reserved beforehand. */
static void link_child(snode *dir, snode *n) {
    dir->kids[dir->nkids++] = n;
    n->parent = dir;
    dir->mtime = now();
}

/* Link a new node under dir (taking the tree's reference); false on OOM. */
static bool attach(snode *dir, snode *n) {
    if (!reserve_slot(dir)) return false;
    link_child(dir, n);
    n->refs++;
    return true;
}

/* Unlink n from its parent, keeping the order of the others (so a listing
 * in progress skips as little as possible). The caller drops the ref. */
static void detach(snode *n) {
    snode *dir = n->parent;
    for (size_t i = 0; i < dir->nkids; i++)
        if (dir->kids[i] == n) {
            memmove(dir->kids + i, dir->kids + i + 1, (dir->nkids - i - 1) * sizeof *dir->kids);
            dir->nkids--;
            break;
        }
    n->parent = NULL;
    dir->mtime = now();
}

/* ---- paths ---------------------------------------------------------------- */

/* The node at rel (normalised, "" is the root), or NULL with *err set. */
static snode *lookup(const scratch *s, const char *rel, int *err) {
    snode *n = s->root;
    while (*rel) {
        size_t len = strcspn(rel, "/");
        if (!n->dir) {
            *err = -VFS_ENOTDIR;
            return NULL;
        }
        n = child(n, rel, len);
        if (!n) {
            *err = -VFS_ENOENT;
            return NULL;
        }
        rel += len;
        if (*rel == '/') rel++;
    }
    return n;
}

/* The directory that would hold rel's final component, and that component. */
static snode *lookup_parent(const scratch *s, const char *rel, const char **name, int *err) {
    if (!*rel) {
        *err = -VFS_EACCES; /* the scratch root itself */
        return NULL;
    }
    const char *slash = strrchr(rel, '/');
    *name = slash ? slash + 1 : rel;
    snode *dir = s->root;
    if (slash) {
        char parent[VFS_PATH_MAX];
        size_t n = (size_t)(slash - rel);
        memcpy(parent, rel, n);
        parent[n] = '\0';
        dir = lookup(s, parent, err);
        if (!dir) return NULL;
    }
    if (!dir->dir) {
        *err = -VFS_ENOTDIR;
        return NULL;
    }
    return dir;
}

static void fill_stat(const snode *n, vfs_stat *st) {
    *st = (vfs_stat){
        .mode = (n->dir ? VFS_S_IFDIR : VFS_S_IFREG) | n->perm,
        .size = n->dir ? 0 : n->size,
        .ino = n->ino,
        .mtime_s = n->mtime,
    };
}

/* ---- file contents ---------------------------------------------------------- */

/* Make room for `need` bytes of content in n, within the budget. */
static int reserve(scratch *s, snode *n, size_t need) {
    if (need <= n->cap) return 0;
    uint64_t avail = s->limit - s->used + n->cap; /* what n could hold at most */
    if (need > avail) return -VFS_ENOSPC;
    /* grow with some slack so appends are amortised, but never past the
     * budget; the slack is given back on close */
    size_t cap = need < SMALL_FILE ? (need + 4095) & ~(size_t)4095 : need + need / 8;
    if (cap > avail) cap = (size_t)avail;
    unsigned char *d = realloc(n->data, cap);
    if (!d) return -VFS_ENOMEM;
    s->used += cap - n->cap;
    n->data = d;
    n->cap = cap;
    return 0;
}

/* Extend n's content to size (room reserved), zero-filling any gap. */
static void grow_to(snode *n, size_t size) {
    memset(n->data + n->size, 0, size - n->size);
    n->size = size;
}

/* Give back capacity beyond the content (on close and truncate). */
static void shrink(scratch *s, snode *n) {
    if (n->cap == n->size) return;
    if (n->size == 0) {
        free(n->data);
        n->data = NULL;
    } else {
        unsigned char *d = realloc(n->data, n->size);
        if (!d) return; /* keep the larger block; it is still charged */
        n->data = d;
    }
    s->used -= n->cap - n->size;
    n->cap = n->size;
}

/* ---- open files ------------------------------------------------------------- */

static int64_t sf_pread(vfs_file *vf, void *buf, size_t len, uint64_t off) {
    snode *n = ((scratch_file *)vf)->node;
    if (n->dir) return -VFS_EISDIR;
    if (off >= n->size) return 0;
    size_t avail = n->size - (size_t)off;
    if (len > avail) len = avail;
    memcpy(buf, n->data + off, len);
    return (int64_t)len;
}

static int64_t sf_pwrite(vfs_file *vf, const void *buf, size_t len, uint64_t off) {
    scratch_file *f = (scratch_file *)vf;
    snode *n = f->node;
    if (n->dir) return -VFS_EISDIR;
    if (len == 0) return 0;
    if (off > SIZE_MAX - len) return -VFS_EFBIG;
    size_t end = (size_t)off + len;
    int rc = reserve(f->s, n, end);
    if (rc) return rc;
    if (end > n->size) grow_to(n, end);
    memcpy(n->data + off, buf, len);
    n->mtime = now();
    return (int64_t)len;
}

static int sf_fstat(vfs_file *vf, vfs_stat *st) {
    fill_stat(((scratch_file *)vf)->node, st);
    return 0;
}

static int sf_readdir(vfs_file *vf, uint64_t index, vfs_dirent *out) {
    snode *n = ((scratch_file *)vf)->node;
    if (!n->dir) return -VFS_ENOTDIR;
    if (index >= n->nkids) return 0;
    const snode *k = n->kids[index];
    strcpy(out->name, k->name); /* names are at most VFS_NAME_MAX: they came normalised */
    out->ino = k->ino;
    out->type = k->dir ? 4 : 8;
    return 1;
}

static void sf_close(vfs_file *vf) {
    scratch_file *f = (scratch_file *)vf;
    if (!f->node->dir) shrink(f->s, f->node);
    node_unref(f->s, f->node);
    free(f);
}

static const vfs_file_ops scratch_file_ops = {sf_pread, sf_pwrite, sf_fstat, sf_readdir, sf_close};

/* ---- backend ------------------------------------------------------------------ */

/* Create a regular file for open(O_CREAT); the node or NULL with *err. */
static snode *create_file(scratch *s, const char *rel, uint32_t mode, int *err) {
    const char *name;
    snode *dir = lookup_parent(s, rel, &name, err);
    if (!dir) return NULL;
    snode *n = node_new(s, name, strlen(name), false, mode);
    if (!n) {
        *err = -VFS_ENOSPC;
        return NULL;
    }
    if (!attach(dir, n)) {
        node_free(s, n);
        *err = -VFS_ENOMEM;
        return NULL;
    }
    return n;
}

/* Check the open flags against what exists; 0 or -errno. */
static int open_checks(const snode *n, int flags) {
    bool writing = (flags & VFS_O_ACCMODE) != VFS_O_RDONLY;
    if ((flags & VFS_O_CREAT) && (flags & VFS_O_EXCL)) return -VFS_EEXIST;
    if (n->dir && (writing || (flags & (VFS_O_TRUNC | VFS_O_CREAT)))) return -VFS_EISDIR;
    if (!n->dir && (flags & VFS_O_DIRECTORY)) return -VFS_ENOTDIR;
    return 0;
}

static int sc_open(void *self, const char *rel, int flags, uint32_t mode, vfs_file **out) {
    scratch *s = self;
    int err = 0;
    snode *n = lookup(s, rel, &err);
    if (n) {
        err = open_checks(n, flags);
        if (err) return err;
    } else {
        if (err != -VFS_ENOENT || !(flags & VFS_O_CREAT)) return err;
        if (flags & VFS_O_DIRECTORY) return -VFS_EINVAL;
        n = create_file(s, rel, mode, &err);
        if (!n) return err;
    }
    scratch_file *f = calloc(1, sizeof *f);
    if (!f) return -VFS_ENOMEM;
    if ((flags & VFS_O_TRUNC) && (flags & VFS_O_ACCMODE) != VFS_O_RDONLY && n->size) {
        n->size = 0;
        n->mtime = now();
        shrink(s, n);
    }
    f->base.ops = &scratch_file_ops;
    f->s = s;
    f->node = n;
    n->refs++;
    *out = &f->base;
    return 0;
}

static int sc_stat(void *self, const char *rel, bool follow, vfs_stat *st) {
    (void)follow; /* there are no symlinks here */
    int err = 0;
    snode *n = lookup(self, rel, &err);
    if (!n) return err;
    fill_stat(n, st);
    return 0;
}

static int sc_mkdir(void *self, const char *rel, uint32_t mode) {
    scratch *s = self;
    int err = 0;
    const char *name;
    snode *dir = lookup_parent(s, rel, &name, &err);
    if (!dir) return *rel ? err : -VFS_EEXIST;
    if (child(dir, name, strlen(name))) return -VFS_EEXIST;
    snode *n = node_new(s, name, strlen(name), true, mode);
    if (!n) return -VFS_ENOSPC;
    if (!attach(dir, n)) {
        node_free(s, n);
        return -VFS_ENOMEM;
    }
    return 0;
}

/* Remove rel, which must be a directory (want_dir) or not. */
static int remove_node(scratch *s, const char *rel, bool want_dir) {
    int err = 0;
    snode *n = lookup(s, rel, &err);
    if (!n) return err;
    if (n == s->root) return -VFS_EACCES;
    if (want_dir && !n->dir) return -VFS_ENOTDIR;
    if (!want_dir && n->dir) return -VFS_EISDIR;
    if (n->dir && n->nkids) return -VFS_ENOTEMPTY;
    detach(n);
    node_unref(s, n);
    return 0;
}

static int sc_unlink(void *self, const char *rel) { return remove_node(self, rel, false); }
static int sc_rmdir(void *self, const char *rel) { return remove_node(self, rel, true); }

/* Is `anc` the node d or one of its ancestors? (iterative: depth is unbounded) */
static bool is_ancestor(const snode *anc, const snode *d) {
    for (; d; d = d->parent)
        if (d == anc) return true;
    return false;
}

/* Give n a new name (charging the difference); false if over budget. */
static int rename_node(scratch *s, snode *n, const char *name) {
    size_t len = strlen(name), old = strlen(n->name);
    if (len > old && s->used + (len - old) > s->limit) return -VFS_ENOSPC;
    char *copy = malloc(len + 1);
    if (!copy) return -VFS_ENOMEM;
    memcpy(copy, name, len + 1);
    free(n->name);
    n->name = copy;
    s->used = s->used - old + len;
    return 0;
}

/* POSIX rules for replacing an existing target; 0 if allowed. */
static int replace_checks(const snode *src, const snode *dst) {
    if (src->dir && !dst->dir) return -VFS_ENOTDIR;
    if (!src->dir && dst->dir) return -VFS_EISDIR;
    if (dst->dir && dst->nkids) return -VFS_ENOTEMPTY;
    return 0;
}

static int sc_rename(void *self, const char *from, const char *to) {
    scratch *s = self;
    int err = 0;
    snode *src = lookup(s, from, &err);
    if (!src) return err;
    const char *name;
    snode *dir = lookup_parent(s, to, &name, &err);
    if (!dir) return err;
    if (src == s->root) return -VFS_EACCES;
    if (src->dir && is_ancestor(src, dir)) return -VFS_EINVAL; /* into itself */
    snode *dst = child(dir, name, strlen(name));
    if (dst == src) return 0;
    if (dst && (err = replace_checks(src, dst)) != 0) return err;
    /* everything that can fail comes before the first change */
    if (!reserve_slot(dir)) return -VFS_ENOMEM;
    if ((err = rename_node(s, src, name)) != 0) return err;
    if (dst) {
        detach(dst);
        node_unref(s, dst);
    }
    detach(src);
    link_child(dir, src); /* the tree's reference moves with it */
    return 0;
}

/* ---- lifetime ------------------------------------------------------------------ */

/* Free the whole tree without recursion: descend to a leaf, free it, climb. */
static void free_tree(scratch *s, snode *root) {
    snode *n = root;
    while (n) {
        if (n->nkids) {
            n = n->kids[--n->nkids];
            continue;
        }
        snode *up = n == root ? NULL : n->parent;
        /* open files hold their own references; they outlive the tree only
         * if the vfs freed its mounts first, which it never does */
        n->parent = NULL;
        if (--n->refs <= 0) node_free(s, n);
        n = up;
    }
}

static snode *new_root(scratch *s) {
    snode *r = node_new(s, "", 0, true, 0777);
    if (r) r->refs = 1;
    return r;
}

scratch *vfs_scratch_new(uint64_t limit) {
    scratch *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    if (limit > UINT64_MAX / 4) limit = UINT64_MAX / 4; /* keep the arithmetic below clear of overflow */
    /* the root's own overhead is not the guest's doing: do not charge it */
    s->limit = limit + NODE_OVERHEAD;
    s->next_ino = 1;
    s->root = new_root(s);
    if (!s->root) {
        free(s);
        return NULL;
    }
    return s;
}

uint64_t vfs_scratch_used(const scratch *s) { return s->used - NODE_OVERHEAD; }

/* A clone is a fresh, empty tree with the same budget: never shared. */
static void *sc_clone(void *self) { return vfs_scratch_new(((scratch *)self)->limit - NODE_OVERHEAD); }

static void sc_release(void *self) {
    scratch *s = self;
    free_tree(s, s->root);
    free(s);
}

const vfs_backend_ops vfs_scratch_ops = {sc_open, sc_stat, sc_mkdir, sc_unlink, sc_rmdir, sc_rename, sc_clone, sc_release};
