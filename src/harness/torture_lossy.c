/*
 * torture lossy: the internet drops, duplicates, corrupts and reorders
 * packets; a transfer in each mode must still arrive byte for byte.
 */
#include "torture_util.h"
#include "firewall.h"
#include "reorder.h"

#include <stdio.h>

static int lossy(struct torture *t, struct torture_result *r)
{
	static const char *const modes[] = {"plaintext", "pi", "encrypted"};
	const struct impair im = {.loss = 5, .dup = 5, .corrupt = 1};
	unsigned long long n[4] = {0}, sum[4] = {0}, held = 0;
	struct transfer x;

	r->survived = true;
	for (int m = 0; m < 3; m++) {
		if (torture_up(t, modes[m], NULL, NULL))
			return -1;
		if (firewall_impair(&t->lab, &im, t->err, sizeof(t->err)))
			return -1;
		/* Reordering comes from a delay line (see delay_line.c), through "set". */
		if (torture_self(NULL, 0, "set", "--lab", t->lab.name, "--reorder", "25", NULL)) {
			snprintf(t->err, sizeof(t->err), "harness set --reorder 25 failed");
			return -1;
		}
		bool ok = torture_move(t, r, 300, &x);
		unsigned long long h = reorder_count(&t->lab);

		firewall_impaired(&t->lab, n, t->err, sizeof(t->err));
		for (int i = 0; i < 4; i++)
			sum[i] += n[i];
		held += h;
		/* No packet held back would mean no reordering was tested. */
		r->survived &= ok && h > 0;
		KEPT(r, "%s%s: %s, %.0f Mbit/s", m ? "; " : "", modes[m],
		     ok		? "byte-identical"
		     : x.err[0] ? x.err
				: "damaged",
		     transfer_rate(&x) / 1e6);
		torture_down(t);
	}
	DID(r,
	    "%.0f MB up in each mode while the internet node dropped 5%% (%llu packets), "
	    "duplicated 5%% (%llu) and corrupted 1%% (%llu) of what it forwarded (nftables), and "
	    "held back 25%% (%llu) for %.0f ms so that later packets overtook them (a delay line)",
	    t->bytes / 1e6, sum[1], sum[2] + sum[3], sum[0], held, REORDER_DEFAULT_HOLD / 1e6);
	return 0;
}

/* The internet's links toward the NAT and the server are impaired. */
const struct torture_scenario torture_lossy = {
    .name = "lossy",
    .about = "the internet drops, duplicates, corrupts and reorders packets; a transfer in each "
	     "mode",
    .run = lossy,
    .roles = 1u << ROLE_CLIENT | 1u << ROLE_TARGET | 1u << ROLE_SERVER | 1u << ROLE_INTERNET |
	     1u << ROLE_NAT,
    .tunnel = true,
    .every_mode = true,
};
