/*
 * A capture file as "check" reads it: libpcap parses the file, and our
 * code takes the frames apart and runs every property over them.
 */
#include "harness/verify.h"
#include "lib/capture.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * One in-memory file for the whole run, rewritten for each input, instead
 * of a file made in /tmp and removed again for every input.
 */
static int file_of(const uint8_t *data, size_t size, char *path, size_t cap)
{
	static int fd = -1;

	if (fd < 0)
		fd = memfd_create("fuzz.pcap", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return -1;
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet_list pts[VERIFY_POINTS] = {0};
	char path[64], err[256];
	struct capture c;
	struct verdict v;
	const uint8_t *ip;
	size_t len;

	if (file_of(data, size, path, sizeof(path)))
		__builtin_trap(); /* no file to read: nothing below would be tested */
	if (capture_open_file(&c, path, err, sizeof(err)) == 0) {
		/* The same packets at every point: the properties must cope with anything. */
		while (capture_next(&c, &ip, &len, NULL) == 1)
			for (int i = 0; i < VERIFY_POINTS; i++)
				packets_add(&pts[i], ip, len);
		capture_close(&c);
		verify(pts, size & 1, 1472, &v);
	}
	for (int i = 0; i < VERIFY_POINTS; i++)
		packets_free(&pts[i]);
	return 0;
}
