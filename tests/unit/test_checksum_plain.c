/*
 * The checksum tests again, against checksum.c built without its AVX2
 * clones: the code a CPU without AVX2 runs, which test_checksum never
 * reaches on a machine that has it.  This file's definitions stand in for
 * the library's, which the linker then leaves out.
 */
#define CHECKSUM_PLAIN
#include "../../src/lib/checksum.c"

#include "test_checksum.c"
