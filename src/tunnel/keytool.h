/* tunnel genkey, pubkey and genpsk: key tools in the manner of wg. */
#ifndef TUNLAB_TUNNEL_KEYTOOL_H
#define TUNLAB_TUNNEL_KEYTOOL_H

#include <stdio.h>

/* Runs argv[1] if it is a key command and returns its exit status; -1 if it is not one. */
int keytool_main(int argc, char **argv, FILE *in, FILE *out, FILE *err);

#endif
