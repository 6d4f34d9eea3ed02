/*
 * replay.c - run a fuzz harness over files without libFuzzer.
 *
 * Each harness is also linked with this driver (by plain `make test`, with
 * the normal compiler) and run over its seed corpus and the inputs that once
 * crashed it (fuzz/corpus/<harness>/, fuzz/regressions/<harness>/), so every
 * crash found stays fixed. A crash ends the process: the suite fails.
 *
 *   replay_<harness> FILE|DIR...    prints "N passed, 0 failed"
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static long replayed;

static void replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) exit(1);
    /* A hang is a finding too (libFuzzer reports it as a timeout): an input
     * that runs this long kills the replay (SIGALRM) and fails the suite. */
    /* An exactly sized copy, as libFuzzer passes it, so that a read one
     * byte past the input is caught by AddressSanitizer here too. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) exit(1);
    memcpy(exact, buf, len);
    free(buf);
    alarm(60);
    LLVMFuzzerTestOneInput(exact, len);
    alarm(0);
    free(exact);
    replayed++;
}

static void replay_path(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return; /* an absent directory holds no inputs */
    if (!S_ISDIR(st.st_mode)) {
        replay_file(path);
        return;
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
            replay_path(sub);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv) {
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) replay_path(argv[i]);
    printf("%s: %ld passed, 0 failed\n", argv[0], replayed);
    return 0;
}
