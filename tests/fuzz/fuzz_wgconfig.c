/*
 * The wg configuration file, on anything a file could hold: the input is
 * written to an in-memory file and read back by wg_config_load, as the
 * tunnel reads its --config FILE, so the file reading is fuzzed with the
 * parser behind it; and it must come to what the parser makes of the same
 * bytes handed over in memory.
 */
#include "tunnel/wgconfig.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
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
		fd = memfd_create("fuzz.conf", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return -1;
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return 0;
}

/* The same configuration, however it was come by. */
static bool same(const struct wg_config *a, const struct wg_config *b)
{
	return a->has_private_key == b->has_private_key &&
	       !memcmp(a->private_key, b->private_key, KEY_LEN) &&
	       a->listen_port == b->listen_port && a->naddrs == b->naddrs &&
	       !memcmp(a->addrs, b->addrs, sizeof(a->addrs)) && a->mtu == b->mtu &&
	       a->npeers == b->npeers &&
	       (!a->npeers || !memcmp(a->peers, b->peers, (size_t)a->npeers * sizeof(*a->peers)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_config c, direct;
	char path[64], err[256], direct_err[256];
	int rc, direct_rc;

	if (file_of(data, size, path, sizeof(path)))
		__builtin_trap(); /* no file to read: nothing below would be tested */
	rc = wg_config_load(path, &c, err, sizeof(err));
	/* Read from the file or handed over in memory, the bytes mean the same. */
	direct_rc = wg_config_parse((const char *)data, size, path, &direct, direct_err,
				    sizeof(direct_err));
	if (rc != direct_rc)
		__builtin_trap();
	if (rc == 0) {
		if (!c.has_private_key || c.npeers < 0 || !same(&c, &direct))
			__builtin_trap();
		wg_config_free(&c);
		wg_config_free(&direct);
	} else if (strcmp(err, direct_err) || strncmp(err, path, strlen(path)) ||
		   err[strlen(path)] != ':') {
		__builtin_trap(); /* every refusal names the file, and the line */
	}
	return 0;
}

/*
 * Each input is read through a FILE and a buffer of its own, as the
 * tunnel reads it; under ASan's default quarantine of 256 MB nearly every
 * such allocation lands on a page never touched before, and a fresh page
 * costs more than the parse.  16 MB still holds what some thousands of
 * inputs freed: a use after free within an input, or in the next ones, is
 * still caught.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}
