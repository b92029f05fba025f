/*
 * A self-signed certificate for a lab node, made with libcrypto, for
 * peers that authenticate with certificates pinned by fingerprint.
 */
#ifndef TUNLAB_HARNESS_CERT_H
#define TUNLAB_HARNESS_CERT_H

#include <stddef.h>

/* SHA-256 as 32 colon-separated hex pairs, and its NUL. */
#define CERT_FINGERPRINT_LEN (32 * 3)

/*
 * A P-256 key and a certificate for it with common name cn, valid from a
 * day ago for a year, both PEM, and the certificate's SHA-256 fingerprint.
 * 0, or -1 with err set.
 */
int cert_make(const char *cn, char *key, size_t keycap, char *cert, size_t certcap,
	      char fingerprint[CERT_FINGERPRINT_LEN], char *err, size_t errlen);

#endif
