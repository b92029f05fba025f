/* Colour on a terminal only; plain text everywhere else. */
#ifndef TUNLAB_TERM_H
#define TUNLAB_TERM_H

#include <stdbool.h>

enum term_color { C_RESET, C_BOLD, C_DIM, C_RED, C_GREEN, C_YELLOW, C_BLUE, C_MAGENTA, C_CYAN };

struct term {
	bool color;
};

/* Colour when fd is a TTY, NO_COLOR is unset and TERM is not "dumb". */
void term_init(struct term *t, int fd);
const char *term_c(const struct term *t, enum term_color c);

#endif
