#include "default_lab.h"
#include "labfile.h"

/*
 * The assembler includes the file's bytes (the build runs from the
 * repository's top, and the Makefile rebuilds this object when the file
 * changes).
 */
__asm__(".section .rodata\n"
	".balign 16\n"
	"default_lab_begin:\n"
	".incbin \"" DEFAULT_LAB_FILE "\"\n"
	"default_lab_end:\n"
	".byte 0\n"
	".previous\n");

extern const char default_lab_begin[], default_lab_end[];

const char *default_lab_text(size_t *len)
{
	*len = (size_t)(default_lab_end - default_lab_begin);
	return default_lab_begin;
}

int default_lab_load(struct topo *t, struct topo_errors *e)
{
	size_t len;
	const char *text = default_lab_text(&len);

	return labfile_load_text(DEFAULT_LAB_FILE, text, len, t, e);
}
