/*
 * torture rebind: the home router forgets its NAT mappings in the middle
 * of a transfer; the server must follow the laptop to its new port.
 */
#include "torture_util.h"
#include "lib/clock.h"
#include "lib/control_proto.h"

#include <stdio.h>
#include <string.h>

/*
 * The server follows once an authenticated datagram comes from the new
 * port.  A transfer that ended before the rebind leaves only the 1 s
 * keepalive to carry it, so wait a few of those for it, and say which.
 */
static double wait_moved(struct torture *t, const char *before, char *after, size_t cap)
{
	double start = clock_seconds();
	char key[32];

	ctl_peer_key(1, CTL_ENDPOINT, key, sizeof(key));
	for (;;) {
		torture_field(&t->lab, torture_server(t), key, after, cap);
		if (strcmp(before, after) || clock_seconds() - start > 3.5)
			return clock_seconds() - start;
		clock_sleep_ms(100);
	}
}

static int rebind(struct torture *t, struct torture_result *r)
{
	struct transfer x;
	char before[64], after[64], key[32];
	double start, moved, late;

	if (torture_up(t, "encrypted", "--keepalive", "1"))
		return -1;
	start = clock_seconds();
	if (transfer_start(&x, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
			   lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, TORTURE_PORT,
			   t->bytes * 32)) {
		snprintf(t->err, sizeof(t->err), "%s", x.err);
		return -1;
	}
	/* 32 times the MB: "set" takes most of a second, a smaller transfer could end first. */
	clock_sleep_ms(100);
	torture_field(&t->lab, torture_server(t), ctl_peer_key(1, CTL_ENDPOINT, key, sizeof(key)),
		      before, sizeof(before));
	int rc = torture_self(NULL, 0, "set", "--lab", t->lab.name, "--nat-rebind", NULL);
	moved = clock_seconds() - start;
	transfer_wait(&x, 120);
	late = wait_moved(t, before, after, sizeof(after));
	r->lost = x.bytes - x.intact;
	r->survived = rc == 0 && x.done && strcmp(before, after);
	DID(r,
	    "%s's conntrack flushed and its mapped ports moved, %.1f s into a %.0f MB "
	    "transfer",
	    lab_name(&t->lab, lab_role(&t->lab, ROLE_NAT)), moved, x.bytes / 1e6);
	KEPT(r, "the server followed the laptop from %s to %s%s; the transfer %s", before, after,
	     !x.done || x.seconds > moved ? ""
	     : late < 0.05		  ? " (the transfer had ended first)"
					  : " by keepalive (the transfer had ended first)",
	     x.done ? "completed byte-identical" : "failed");
	torture_down(t);
	return 0;
}

const struct torture_scenario torture_rebind = {
    .name = "rebind",
    .about = "the home router forgets its NAT mappings mid-transfer",
    .run = rebind,
    .roles = 1u << ROLE_CLIENT | 1u << ROLE_TARGET | 1u << ROLE_SERVER | 1u << ROLE_NAT,
    .tunnel = true,
};
