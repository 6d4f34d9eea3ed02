/* prebuilt_none.c - no prebuilt snapshots: for the build tools that make
 * them (guests/micropython/mksnapshot.c, guests/cpython/mksnapshot.c), which must boot
 * for real. */
#include <stddef.h>
#include <stdint.h>

const unsigned char airlock_prebuilt_image[1];
const size_t airlock_prebuilt_size = 0;
const unsigned char cpython_prebuilt_image[1];
const uint64_t cpython_prebuilt_size = 0;
