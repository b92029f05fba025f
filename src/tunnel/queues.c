#include "queues.h"
#include "device.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int queues_wanted(const struct config *c)
{
	long cores;

	if (c->queues)
		return c->queues;
	if (config_encrypted(c))
		return 1;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		return 1;
	return cores > QUEUES_MAX ? QUEUES_MAX : (int)cores;
}

/* Copies under the lock, so a queue never sees half an endpoint. */
static void copy_shared(struct queue *t)
{
	t->peer = t->sh->peer;
	t->pmtu = t->sh->pmtu;
	t->seen = t->sh->gen;
}

void queues_sync(struct queue *t)
{
	struct shared *sh = t->sh;
	int fault = __atomic_load_n(&sh->fault, __ATOMIC_RELAXED);

	if (fault != (int)t->fault) {
		t->fault = (enum fault)fault;
		t->faults = 0;
	}
	t->udp.gso = t->udp.gso_ok && !__atomic_load_n(&sh->gso_off, __ATOMIC_RELAXED);
	if (__atomic_load_n(&sh->gen, __ATOMIC_ACQUIRE) == t->seen)
		return;
	pthread_mutex_lock(&sh->lock);
	copy_shared(t);
	pthread_mutex_unlock(&sh->lock);
}

enum endpoint_verdict queues_learn(struct queue *t, const struct sockaddr_storage *from,
				   const struct source *local)
{
	struct shared *sh = t->sh;
	enum endpoint_verdict v;

	queues_sync(t);
	v = endpoint_receive(&t->peer, from, local);
	if (v == ENDPOINT_SAME || v == ENDPOINT_STRANGER)
		return v;
	/* New to this queue: ask again where it counts, since another queue may have
	 * learned it a moment ago. */
	pthread_mutex_lock(&sh->lock);
	v = endpoint_receive(&sh->peer, from, local);
	if (v == ENDPOINT_LEARNED || v == ENDPOINT_MOVED)
		sh->pmtu.mtu = pmtu_route_mtu(sh->nl, &sh->peer.endpoint);
	if (v != ENDPOINT_SAME && v != ENDPOINT_STRANGER)
		__atomic_store_n(&sh->gen, sh->gen + 1, __ATOMIC_RELEASE);
	copy_shared(t);
	pthread_mutex_unlock(&sh->lock);
	return v;
}

bool queues_pmtu(struct queue *t, const struct pmtu_report *r)
{
	struct shared *sh = t->sh;
	bool changed;

	pthread_mutex_lock(&sh->lock);
	changed = pmtu_apply(&sh->pmtu, r);
	if (changed)
		__atomic_store_n(&sh->gen, sh->gen + 1, __ATOMIC_RELEASE);
	copy_shared(t);
	pthread_mutex_unlock(&sh->lock);
	return changed;
}

void queues_set_fault(struct queue *first, int fault)
{
	if (first->sh)
		__atomic_store_n(&first->sh->fault, fault, __ATOMIC_RELAXED);
}

void queues_forget_pmtu(struct queue *first)
{
	struct shared *sh = first->sh;

	pthread_mutex_lock(&sh->lock);
	memset(&sh->pmtu, 0, sizeof(sh->pmtu));
	if (sh->peer.has_endpoint)
		sh->pmtu.mtu = pmtu_route_mtu(sh->nl, &sh->peer.endpoint);
	__atomic_store_n(&sh->gen, sh->gen + 1, __ATOMIC_RELEASE);
	copy_shared(first);
	pthread_mutex_unlock(&sh->lock);
}

void queues_set_gso(struct queue *first, bool on)
{
	if (first->sh)
		__atomic_store_n(&first->sh->gso_off, !on, __ATOMIC_RELAXED);
}

void queues_each(const struct queue *first, const struct queues *qs,
		 void (*fn)(const struct queue *q, void *arg), void *arg)
{
	fn(first, arg);
	for (int i = 0; qs && i < qs->n; i++)
		fn(&qs->q[i], arg);
}

uint64_t queues_read(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void queues_add_stats(struct stats *sum, const struct stats *one)
{
#define ADD(name, what) sum->name += queues_read(&one->name);
	CTL_TRAFFIC(ADD)
	CTL_PMTU_COUNTERS(ADD)
#undef ADD
	for (int i = 0; i < DROP_MAX; i++)
		sum->drops[i] += queues_read(&one->drops[i]);
}

/* ---- the threads ---- */

static void *run_queue(void *arg)
{
	struct queue *q = arg;
	struct epoll_event ev[4];

	for (;;) {
		int n = epoll_wait(q->epfd, ev, 4, -1);

		if (n < 0 && errno != EINTR)
			return NULL;
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd != q->dev.fd)
				return NULL; /* the stop eventfd: nothing else is watched */
			datapath_event(q, ev[i].data.fd, ev[i].events);
		}
		if (q->dev.gone)
			return NULL; /* the first queue's loop sees it too, and stops the tunnel */
		fflush(q->log);
	}
}

/* Another queue: the first's settings, with a device queue and a socket of its own. */
static int open_queue(const struct queue *first, struct shared *sh, struct queue *q, int stopfd,
		      char *err, size_t errlen)
{
	datapath_init(q, first->cfg, first->ops);
	q->ctx = first->ctx;
	q->log = first->log;
	q->term = first->term;
	q->started = first->started;
	q->sh = sh;
	copy_shared(q);
	if (device_add_queue(&first->dev, &q->dev, err, errlen) ||
	    udp_open_twin(&first->udp, &q->udp, err, errlen))
		return -1;
	/* It only sends on the shared socket: the first queue receives, and reads its errors. */
	if (datapath_open(q, false, err, errlen))
		return -1;
	if (datapath_watch(q, stopfd)) {
		snprintf(err, errlen, "cannot set up a queue's event loop: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void close_queue(struct queue *q)
{
	device_close_queue(&q->dev);
	udp_close(&q->udp);
	datapath_close(q);
}

static int start_threads(struct queues *qs, char *err, size_t errlen)
{
	for (int i = 0; i < qs->n; i++) {
		int rc = pthread_create(&qs->thread[i], NULL, run_queue, &qs->q[i]);

		if (rc) {
			snprintf(err, errlen, "cannot start a queue's thread: %s", strerror(rc));
			return -1;
		}
		qs->started[i] = true;
	}
	return 0;
}

int queues_start(struct queues **out, struct queue *first, int n, char *err, size_t errlen)
{
	struct queues *qs = calloc(1, sizeof(*qs));

	if (!qs) {
		snprintf(err, errlen, "out of memory for the queues");
		return -1;
	}
	*out = qs;
	qs->stopfd = -1;
	pthread_mutex_init(&qs->sh.lock, NULL);
	qs->sh.peer = first->peer;
	qs->sh.pmtu = first->pmtu;
	qs->sh.nl = &first->dev.nl;
	first->sh = &qs->sh;
	first->seen = 0;
	qs->q = calloc((size_t)n - 1, sizeof(*qs->q));
	qs->thread = calloc((size_t)n - 1, sizeof(*qs->thread));
	qs->started = calloc((size_t)n - 1, sizeof(*qs->started));
	qs->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!qs->q || !qs->thread || !qs->started || qs->stopfd < 0) {
		snprintf(err, errlen, "out of memory for the queues");
		goto fail;
	}
	for (int i = 0; i < n - 1; i++) {
		qs->n = i + 1; /* so that a failure closes what opened */
		if (open_queue(first, &qs->sh, &qs->q[i], qs->stopfd, err, errlen))
			goto fail;
	}
	return 0;
fail:
	queues_stop(out, first);
	return -1;
}

int queues_run(struct queues **qs, struct queue *first, char *err, size_t errlen)
{
	if (!*qs || !start_threads(*qs, err, errlen))
		return 0;
	queues_stop(qs, first);
	return -1;
}

void queues_stop(struct queues **out, struct queue *first)
{
	struct queues *qs = *out;
	uint64_t one = 1;

	if (!qs)
		return;
	if (qs->stopfd >= 0 && write(qs->stopfd, &one, sizeof(one)) < 0) {
		/* An eventfd write only fails on overflow, which one write cannot cause. */
	}
	for (int i = 0; i < qs->n; i++) {
		if (qs->started && qs->started[i])
			pthread_join(qs->thread[i], NULL);
		if (qs->q)
			close_queue(&qs->q[i]);
	}
	if (qs->stopfd >= 0)
		close(qs->stopfd);
	pthread_mutex_destroy(&qs->sh.lock);
	free(qs->q);
	free(qs->thread);
	free(qs->started);
	free(qs);
	*out = NULL;
	first->sh = NULL;
}
