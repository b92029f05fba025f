/*
 * torture soak: traffic both ways with frequent rekeys; the server's RSS
 * is sampled and must not grow.
 */
#include "torture_util.h"
#include "lib/clock.h"
#include "lib/control_proto.h"

#include <signal.h>

static void sample_rss(struct torture *t, pid_t pid)
{
	double v = torture_rss_of(pid);

	if (v > 0 && t->nrss < TORTURE_RSS_MAX)
		t->rss[t->nrss++] = v;
}

static double max_of(const double *v, int from, int to)
{
	double m = 0;

	for (int i = from; i < to; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static int soak(struct torture *t, struct torture_result *r)
{
	struct transfer a, b;
	double t0, last = 0, early, late;
	int rounds = 0, bad = 0;
	pid_t server;

	if (torture_up(t, "encrypted", "--rekey-after", t->quick ? "5" : "120"))
		return -1;
	server = torture_tunnel_of(&t->lab, torture_server(t), NULL);
	t0 = clock_seconds();
	while (clock_seconds() - t0 < t->soak_s) {
		bool ok = !transfer_start(&a, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
					  lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4,
					  TORTURE_PORT, t->bytes) &&
			  !transfer_start(&b, &t->lab, lab_role(&t->lab, ROLE_TARGET),
					  lab_role(&t->lab, ROLE_CLIENT), t->lab.at.client_vpn4,
					  TORTURE_PORT + 1, t->bytes);

		transfer_wait(&a, 120);
		transfer_wait(&b, 120);
		r->lost += a.bytes - a.intact + b.bytes - b.intact;
		bad += !ok || !a.done || !b.done;
		rounds++;
		if (clock_seconds() - last >= 1) {
			sample_rss(t, server);
			last = clock_seconds();
		}
	}
	sample_rss(t, server);
	/* Growth: the last quarter's peak against the first quarter's, after one sample's warm-up.
	 */
	early = max_of(t->rss, 1, 1 + (t->nrss - 1) / 4 + 1);
	late = max_of(t->rss, t->nrss - (t->nrss - 1) / 4 - 1, t->nrss);
	r->survived = !bad && t->nrss >= 4 && late - early <= 1 * MiB && kill(server, 0) == 0;
	DID(r, "%d s of %.0f MB transfers both ways at once (%d rounds), a new session every %s s",
	    t->soak_s, t->bytes / 1e6, rounds, t->quick ? "5" : "120");
	KEPT(r,
	     "%d of %d rounds byte-identical; %lld sessions; server RSS %.2f MiB early, %.2f "
	     "late (%d samples)",
	     rounds - bad, rounds, torture_stat(&t->lab, torture_server(t), ctl_counter.sessions),
	     early / MiB, late / MiB, t->nrss);
	torture_down(t);
	return 0;
}

const struct torture_scenario torture_soak = {
    .name = "soak",
    .about = "traffic both ways with frequent rekeys; RSS sampled",
    .run = soak,
    .roles = 1u << ROLE_CLIENT | 1u << ROLE_TARGET | 1u << ROLE_SERVER,
    .tunnel = true,
};
