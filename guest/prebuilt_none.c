/* prebuilt_none.c - no prebuilt snapshot: for guest/mksnapshot.c itself,
 * which must boot for real to produce one. */
#include <stddef.h>

const unsigned char airlock_prebuilt_image[1];
const size_t airlock_prebuilt_size = 0;
