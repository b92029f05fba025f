/*
 * torture flood: bad datagrams at the server while transfers run; the
 * server must live, keep its memory flat, answer with cookies, rate-limit
 * and keep half its goodput.
 */
#include "torture_util.h"
#include "measure.h"
#include "lib/clock.h"
#include "lib/control_proto.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* flood in a loop, until stopped: random, truncated and forged datagrams, and
 * handshakes with mac2 for the rate limiter. */
static pid_t flood_loop(struct torture *t, const char *count)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;)
		if (torture_self(NULL, 0, "flood", "--lab", t->lab.name, "--kinds",
				 "random,truncated,forged,cookie", "--count", count, NULL) != 0)
			_exit(1);
}

/* Each kind's datagrams a second, as flood --json gave them; 0 for a kind it did not send. */
enum { RANDOM, TRUNCATED, FORGED, REPLAY, COOKIE, KINDS };
static const char *const kind_names[KINDS] = {"random", "truncated", "forged", "replay", "cookie"};

/* From {"sent":{"random":{"datagrams":N,"seconds":S},...},...}, read once. */
static void flood_rates(const char *text, double rate[KINDS])
{
	json_t *root = json_loads(text, 0, NULL);
	json_t *sent = json_object_get(root, "sent");

	for (int k = 0; k < KINDS; k++) {
		json_t *o = json_object_get(sent, kind_names[k]);
		double n = json_number_value(json_object_get(o, "datagrams"));
		double secs = json_number_value(json_object_get(o, "seconds"));

		rate[k] = secs > 0 ? n / secs : 0;
	}
	json_decref(root);
}

/*
 * The median goodput of three transfers in a row.  One transfer of a few
 * hundred MB swings with TCP's start and the other core's load: single
 * samples of the same lab have differed by two to one, which made a
 * ratio of two single samples a coin toss near its bound.  Adds what did
 * not arrive intact to *lost; false if any transfer failed.
 */
static bool median_goodput(struct torture *t, uint64_t size, double *rate, uint64_t *lost)
{
	double v[3];
	bool ok = true;

	for (int i = 0; i < 3; i++) {
		struct transfer x;

		transfer_start(&x, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
			       lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, TORTURE_PORT,
			       size);
		transfer_wait(&x, 120);
		ok = ok && x.done;
		*lost += x.bytes - x.intact;
		v[i] = transfer_rate(&x);
	}
	*rate = quantile(v, 3, 0.5);
	return ok;
}

static int flood(struct torture *t, struct torture_result *r)
{
	static char out[16384];
	struct transfer warm;
	pid_t server, loop;
	double rss0, rss1, ratio, base, hit, rate[KINDS];
	long long cookies, limited;
	uint64_t size = t->bytes * 10, lost = 0;
	bool base_ok, hit_ok;

	if (torture_up(t, "encrypted", NULL, NULL))
		return -1;
	server = torture_tunnel_of(&t->lab, torture_server(t), NULL);
	base_ok = median_goodput(t, size, &base, &lost);
	rss0 = torture_rss_of(server);
	/* Every kind once, for its rate; a transfer meanwhile gives replay real datagrams. */
	transfer_start(&warm, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
		       lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, TORTURE_PORT, size);
	torture_self(out, sizeof(out), "flood", "--lab", t->lab.name, "--json", "--count",
		     t->quick ? "20000" : "200000", NULL);
	transfer_wait(&warm, 120);
	loop = flood_loop(t, "100000");
	clock_sleep_ms(300);
	hit_ok = median_goodput(t, size, &hit, &lost);
	kill(loop, SIGKILL);
	waitpid(loop, NULL, 0);
	rss1 = torture_rss_of(server);
	cookies = torture_stat(&t->lab, torture_server(t), ctl_counter.cookies_sent);
	limited = torture_stat(&t->lab, torture_server(t), ctl_counter.drop_ratelimited);
	ratio = base > 0 ? hit / base : 0;
	r->lost = lost + warm.bytes - warm.intact;
	flood_rates(out, rate);
	r->survived = base_ok && hit_ok && warm.done && rate[REPLAY] > 0 && ratio >= 0.5 &&
		      kill(server, 0) == 0 && rss1 - rss0 < 4 * MiB && cookies > 0 && limited > 0;
	DID(r,
	    "from internet: random %.0fk/s, truncated %.0fk/s, forged %.0fk/s, replay %.0fk/s, "
	    "cookie %.0fk/s; then all but replay in a loop during three %.0f MB transfers",
	    rate[RANDOM] / 1e3, rate[TRUNCATED] / 1e3, rate[FORGED] / 1e3, rate[REPLAY] / 1e3,
	    rate[COOKIE] / 1e3, size / 1e6);
	KEPT(r,
	     "goodput %.0f of %.0f Mbit/s (%.0f%%; medians of 3); server RSS %.1f -> %.1f MiB; "
	     "%lld cookie replies, %lld rate-limited; the server %s",
	     hit / 1e6, base / 1e6, ratio * 100, rss0 / MiB, rss1 / MiB, cookies, limited,
	     kill(server, 0) == 0 ? "runs" : "died");
	torture_down(t);
	return 0;
}

/* The flood comes from the internet node. */
const struct torture_scenario torture_flood = {
    .name = "flood",
    .about = "bad datagrams at the server while a transfer runs",
    .run = flood,
    .roles = 1u << ROLE_CLIENT | 1u << ROLE_TARGET | 1u << ROLE_SERVER | 1u << ROLE_INTERNET,
    .tunnel = true,
};
