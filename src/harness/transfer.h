/*
 * A TCP transfer between two lab nodes that knows exactly what arrived.
 * The sender writes a stream that both ends can compute, so the receiver
 * checks every byte without a copy of the data: what it reports as intact
 * arrived in order and unchanged.  Both ends are children of the harness,
 * each inside its node's namespace, and die with it.
 */
#ifndef TUNLAB_HARNESS_TRANSFER_H
#define TUNLAB_HARNESS_TRANSFER_H

#include "lab.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct transfer {
	uint64_t bytes;	 /* to send */
	uint64_t intact; /* received in order and unchanged, up to the first difference */
	uint64_t received;
	double seconds; /* from connect to the receiver's end of file */
	bool done;	/* the receiver saw the whole stream, unchanged */
	pid_t sender, receiver;
	int result_fd; /* the receiver's report */
	char err[160];
};

/*
 * Starts bytes from node from to addr:port, where node to listens.  Returns
 * at once once the receiver listens; 0, or -1 with t->err.
 */
int transfer_start(struct transfer *t, const struct lab *lab, int from, int to, const char *addr,
		   int port, uint64_t bytes);
/* Waits for the end, at most timeout_s; a transfer not done by then is stopped. */
void transfer_wait(struct transfer *t, double timeout_s);
/* Goodput in bit/s of a finished transfer. */
double transfer_rate(const struct transfer *t);

#endif
