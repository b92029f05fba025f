/*
 * torture restart: kill -9 of the server's tunnel in the middle of a
 * transfer, and the same command again; one handshake must bring the
 * session back and the transfer must complete.
 */
#include "torture_util.h"
#include "spawn.h"
#include "state.h"
#include "lib/clock.h"
#include "lib/control_proto.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#define RESTART_BYTES 200000000ull

/* recovered: when the new server had a session, and when it first carried data. */
static int restart_server(struct torture *t, double recovered[2], long long *tries)
{
	char buf[4096], *argv[40], log[PATH_MAX];
	unsigned long long start = 0;
	pid_t pid = torture_tunnel_of(&t->lab, torture_server(t), &start);
	long long rx;
	double t0;

	/*
	 * Started again the same way: with the command line the harness saved
	 * when it started the tunnel, never one read from /proc, which the
	 * process itself (or whoever has its PID) could have rewritten.
	 */
	if (!pid || spawn_argv(&t->lab, pid, buf, sizeof(buf), argv, 40) < 1) {
		snprintf(t->err, sizeof(t->err), "no server tunnel recorded in lab %s",
			 t->lab.name);
		return -1;
	}
	/* Only the PID recorded for this lab, and only while it is still that process. */
	if (proc_is(pid, start))
		kill(pid, SIGKILL);
	while (proc_is(pid, start))
		clock_sleep_ms(10);
	lab_file(&t->lab, lab_role(&t->lab, ROLE_SERVER), "log", log, sizeof(log));
	if (state_lock(&t->lab, false, t->err, sizeof(t->err)))
		return -1;
	pid = spawn_in_node(&t->lab, lab_role(&t->lab, ROLE_SERVER), "tunnel", argv, log, t->err,
			    sizeof(t->err));
	/* Let go of the lab at once: down and set take the same lock. */
	close(t->lab.lock_fd);
	t->lab.lock_fd = -1;
	if (pid < 0)
		return -1;
	t0 = clock_seconds();
	recovered[0] = recovered[1] = -1;
	while (clock_seconds() - t0 < 60 && recovered[1] < 0) {
		if (recovered[0] < 0 &&
		    torture_stat(&t->lab, torture_server(t), ctl_counter.sessions) > 0) {
			recovered[0] = clock_seconds() - t0;
			*tries = torture_stat(&t->lab, torture_server(t),
					      ctl_counter.initiations_received);
		}
		rx = torture_stat(&t->lab, torture_server(t), ctl_counter.rx_packets);
		if (rx > 0)
			recovered[1] = clock_seconds() - t0;
		clock_sleep_ms(50);
	}
	return 0;
}

static int restart(struct torture *t, struct torture_result *r)
{
	struct transfer x;
	double rec[2] = {-1, -1};
	long long tries = -1;

	if (torture_up(t, "encrypted", NULL, NULL))
		return -1;
	/*
	 * A transfer long enough to be cut: 200 MB at least, over half a
	 * second at full speed.  --quick's 40 MB could end before the kill at
	 * 0.15 s, and then nothing was left to carry across the restart.
	 */
	if (transfer_start(&x, &t->lab, lab_role(&t->lab, ROLE_CLIENT),
			   lab_role(&t->lab, ROLE_TARGET), t->lab.at.target4, TORTURE_PORT,
			   t->bytes * 4 > RESTART_BYTES ? t->bytes * 4 : RESTART_BYTES)) {
		snprintf(t->err, sizeof(t->err), "%s", x.err);
		return -1;
	}
	clock_sleep_ms(150);
	if (restart_server(t, rec, &tries)) {
		transfer_wait(&x, 0);
		return -1;
	}
	transfer_wait(&x, 120);
	r->lost = x.bytes - x.intact;
	/*
	 * One handshake: the first initiation the new server saw made the
	 * session; and data crossed the new server, so the kill did cut the
	 * transfer.
	 */
	r->survived = x.done && rec[0] >= 0 && tries == 1 && rec[1] >= 0;
	DID(r,
	    "kill -9 of %s's tunnel 0.15 s into a %.0f MB transfer, then the same "
	    "command again",
	    torture_server(t), x.bytes / 1e6);
	if (rec[0] >= 0 && rec[1] < 0)
		KEPT(r,
		     "a new session %.1f s after the restart, from %lld initiation, but no data "
		     "through the new server within 60 s; ",
		     rec[0], tries);
	else if (rec[0] >= 0)
		KEPT(r,
		     "a new session %.1f s after the restart, from %lld initiation (the laptop "
		     "starts one after 15 s without an answer); data again %.1f s after the "
		     "restart (TCP's backoff); ",
		     rec[0], tries, rec[1]);
	else
		KEPT(r, "no new session within 60 s; ");
	KEPT(r, "the transfer %s", x.done ? "completed byte-identical" : "failed");
	torture_down(t);
	return 0;
}

const struct torture_scenario torture_restart = {
    .name = "restart",
    .about = "kill -9 of the server's tunnel mid-transfer, and a restart",
    .run = restart,
    .roles = 1u << ROLE_CLIENT | 1u << ROLE_TARGET | 1u << ROLE_SERVER,
    .tunnel = true,
};
