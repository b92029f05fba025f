#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void term_init(struct term *t, int fd)
{
	const char *term = getenv("TERM");

	t->color = isatty(fd) && !getenv("NO_COLOR") && term && strcmp(term, "dumb") != 0;
}

const char *term_c(const struct term *t, enum term_color c)
{
	static const char *const codes[] = {
	    [C_RESET] = "\033[0m", [C_BOLD] = "\033[1m",     [C_DIM] = "\033[2m",
	    [C_RED] = "\033[31m",  [C_GREEN] = "\033[32m",   [C_YELLOW] = "\033[33m",
	    [C_BLUE] = "\033[34m", [C_MAGENTA] = "\033[35m", [C_CYAN] = "\033[36m",
	};

	return t->color ? codes[c] : "";
}
