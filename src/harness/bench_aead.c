/*
 * harness bench --aead: the transport AEAD's two backends (lib/aead.h) on
 * one core, with no lab: MB/s of plaintext sealed and opened in packets of
 * 1424 bytes (a full one) and 64.  OpenSSL's runs the tunnel's data,
 * libsodium's is the one it replaced.  The backends take turns, as the
 * paths of the full bench do, and each figure is the median of the rounds.
 */
#include "bench.h"
#include "lib/aead.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "json_out.h"
#include "lib/keys.h"

#include <stdio.h>
#include <string.h>

enum { SEAL_1424, OPEN_1424, SEAL_64, OPEN_64, CASES };

static const struct aead_case {
	const char *name; /* in --json */
	const char *head; /* in the table */
	size_t len;
	bool open;
} cases[CASES] = {
    [SEAL_1424] = {"seal_1424", "seal 1424", 1424, false},
    [OPEN_1424] = {"open_1424", "open 1424", 1424, true},
    [SEAL_64] = {"seal_64", "seal 64", 64, false},
    [OPEN_64] = {"open_64", "open 64", 64, true},
};

static const enum aead_backend backends[] = {AEAD_OPENSSL, AEAD_SODIUM};
#define NBACKENDS 2

/* Seals (or opens) len-byte packets for about secs; bytes per second, -1 if one failed. */
static double rate(struct aead_key *k, const struct aead_case *c, double secs)
{
	static uint8_t in[1424 + AEAD_TAG_LEN], out[1424 + AEAD_TAG_LEN];
	double t0, t;
	uint64_t n = 0;

	memset(in, 'x', sizeof(in));
	/* Opening needs a sealed packet; the same one, each time, is as much work. */
	if (c->open && !aead_key_seal(k, in, in, c->len, 0, NULL, 0))
		return -1;
	t0 = clock_seconds();
	do {
		/* The clock is read once in 64 packets, so that it costs next to nothing. */
		for (int i = 0; i < 64; i++, n++) {
			bool ok = c->open ? aead_key_open(k, out, in, c->len + AEAD_TAG_LEN, 0,
							  NULL, 0) == AEAD_OK
					  : aead_key_seal(k, out, in, c->len, n, NULL, 0);

			if (!ok)
				return -1;
		}
		t = clock_seconds() - t0;
	} while (t < secs);
	return (double)n * (double)c->len / t;
}

static void table(const struct bench *b, double fig[NBACKENDS][CASES], double secs)
{
	const struct term *t = &b->term;

	printf("ChaCha20-Poly1305 on one core, MB/s of plaintext: medians of %d round%s of %.2f s "
	       "each\n\n",
	       b->rounds, b->rounds == 1 ? "" : "s", secs);
	printf("%s%-10s", term_c(t, C_BOLD), "backend");
	for (int c = 0; c < CASES; c++)
		printf(" %10s", cases[c].head);
	printf("%s\n", term_c(t, C_RESET));
	for (int i = 0; i < NBACKENDS; i++) {
		printf("%-10s", aead_backend_name(backends[i]));
		for (int c = 0; c < CASES; c++)
			printf(" %10.1f", fig[i][c] / 1e6);
		putchar('\n');
	}
	printf("%-10s", "ratio");
	for (int c = 0; c < CASES; c++)
		printf(" %9.2f×", fig[1][c] > 0 ? fig[0][c] / fig[1][c] : 0);
	printf("\n\nratio: openssl's over libsodium's. The tunnel seals and opens its data with "
	       "openssl.\n");
}

static void json(const struct bench *b, double fig[NBACKENDS][CASES], double secs)
{
	json_t *root = json_object(), *list = json_array(), *ratio = json_object();

	json_object_set_new(root, "rounds", json_integer(b->rounds));
	json_object_set_new(root, "seconds_each", jout_fixed(secs, 2));
	for (int i = 0; i < NBACKENDS; i++) {
		json_t *one = json_object();
		char key[64];

		json_object_set_new(one, "backend", jout_text(aead_backend_name(backends[i])));
		for (int c = 0; c < CASES; c++) {
			snprintf(key, sizeof(key), "%s_mb_per_s", cases[c].name);
			json_object_set_new(one, key, jout_fixed(fig[i][c] / 1e6, 1));
		}
		json_array_append_new(list, one);
	}
	json_object_set_new(root, "backends", list);
	for (int c = 0; c < CASES; c++)
		json_object_set_new(ratio, cases[c].name,
				    jout_fixed(fig[1][c] > 0 ? fig[0][c] / fig[1][c] : 0, 3));
	json_object_set_new(root, "openssl_over_libsodium", ratio);
	jout_print(root, stdout);
}

int bench_aead(struct bench *b)
{
	double runs[NBACKENDS][CASES][ROUNDS_MAX], fig[NBACKENDS][CASES];
	double secs = b->quick ? 0.05 : 0.25;
	struct aead_key k[NBACKENDS];
	uint8_t key[32];
	int rc = 0;

	random_bytes(key, sizeof(key));
	for (int i = 0; i < NBACKENDS; i++)
		if (aead_key_init(&k[i], backends[i], key)) {
			snprintf(b->err, sizeof(b->err), "cannot key OpenSSL's ChaCha20-Poly1305");
			rc = -1;
		}
	/*
	 * A pass that is not counted: in --quick runs the first measurement
	 * often came out at half of the next one's, which does the same work
	 * with the buffers, the code and the caches warm.
	 */
	for (int i = 0; !rc && i < NBACKENDS; i++)
		if (rate(&k[i], &cases[SEAL_1424], secs / 2) < 0) {
			snprintf(b->err, sizeof(b->err), "%s failed to seal",
				 aead_backend_name(backends[i]));
			rc = -1;
		}
	for (int r = 0; !rc && r < b->rounds; r++)
		for (int c = 0; !rc && c < CASES; c++)
			for (int i = 0; !rc && i < NBACKENDS; i++) {
				progress(b, "round %d/%d  %-9s %s", r + 1, b->rounds,
					 aead_backend_name(backends[i]), cases[c].head);
				runs[i][c][r] = rate(&k[i], &cases[c], secs);
				if (runs[i][c][r] < 0) {
					snprintf(b->err, sizeof(b->err), "%s failed to %s",
						 aead_backend_name(backends[i]), cases[c].head);
					rc = -1;
				}
			}
	progress_done(b);
	for (int i = 0; i < NBACKENDS; i++)
		aead_key_wipe(&k[i]);
	key_wipe(key, sizeof(key));
	if (rc)
		return -1;
	for (int i = 0; i < NBACKENDS; i++)
		for (int c = 0; c < CASES; c++)
			fig[i][c] = quantile(runs[i][c], b->rounds, 0.5);
	if (b->json)
		json(b, fig, secs);
	else
		table(b, fig, secs);
	return 0;
}
