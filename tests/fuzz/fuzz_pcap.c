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
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet_list pts[VERIFY_POINTS] = {0};
	char path[] = "/tmp/fuzz-pcap-XXXXXX", err[256];
	struct capture c;
	struct verdict v;
	const uint8_t *ip;
	size_t len;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
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
	unlink(path);
	return 0;
}
