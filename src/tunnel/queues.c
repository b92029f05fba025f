#include "queues.h"
#include "device.h"
#include "tunnel.h"

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
static void copy_shared(struct tunnel *t)
{
	t->peer = t->sh->peer;
	t->pmtu = t->sh->pmtu;
	t->seen = t->sh->gen;
}

void queues_sync(struct tunnel *t)
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

enum endpoint_verdict queues_learn(struct tunnel *t, const struct sockaddr_storage *from,
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

bool queues_pmtu(struct tunnel *t, const struct pmtu_report *r)
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

void queues_set_fault(struct tunnel *first, int fault)
{
	if (first->sh)
		__atomic_store_n(&first->sh->fault, fault, __ATOMIC_RELAXED);
}

void queues_forget_pmtu(struct tunnel *first)
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

void queues_set_gso(struct tunnel *first, bool on)
{
	if (first->sh)
		__atomic_store_n(&first->sh->gso_off, !on, __ATOMIC_RELAXED);
}

void queues_each(const struct tunnel *first, void (*fn)(const struct tunnel *q, void *arg),
		 void *arg)
{
	fn(first, arg);
	for (int i = 0; first->q && i < first->q->n; i++)
		fn(&first->q->t[i], arg);
}

uint64_t queues_read(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void queues_add_stats(struct stats *sum, const struct stats *one)
{
	sum->tx_packets += queues_read(&one->tx_packets);
	sum->tx_bytes += queues_read(&one->tx_bytes);
	sum->rx_packets += queues_read(&one->rx_packets);
	sum->rx_bytes += queues_read(&one->rx_bytes);
	sum->icmp_too_big += queues_read(&one->icmp_too_big);
	for (int i = 0; i < DROP_MAX; i++)
		sum->drops[i] += queues_read(&one->drops[i]);
}

/* ---- the threads ---- */

static void *run_queue(void *arg)
{
	struct tunnel *t = arg;
	struct epoll_event ev[4];

	for (;;) {
		int n = epoll_wait(t->epfd, ev, 4, -1);

		if (n < 0 && errno != EINTR)
			return NULL;
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd == t->q_stopfd)
				return NULL;
			tunnel_event(t, ev[i].data.fd, ev[i].events);
		}
		if (t->dev.gone)
			return NULL; /* the first queue's loop sees it too, and stops the tunnel */
		fflush(t->log);
	}
}

/* Queue i's tunnel: the first's settings, with a device queue and a socket of its own. */
static int open_queue(struct tunnel *first, struct tunnel *t, int stopfd, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->dev.fd = t->udp.fd = t->ctl.fd = t->epfd = t->sigfd = -1;
	t->timerfd = t->uapi.fd = -1;
	t->cfg = first->cfg;
	t->mode = first->mode;
	t->log = first->log;
	t->term = first->term;
	t->started = first->started;
	t->sh = first->sh;
	t->q_stopfd = stopfd;
	copy_shared(t);
	if (batch_init(&t->out) || batch_init(&t->in)) {
		snprintf(err, errlen, "out of memory for a queue's packet buffers");
		return -1;
	}
	tunnel_set_batch(t);
	if (device_add_queue(&first->dev, &t->dev, err, errlen) ||
	    udp_open_twin(&first->udp, &t->udp, err, errlen))
		return -1;
	/* It only sends on the shared socket: the first queue receives, and reads its errors. */
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (t->epfd < 0 || tunnel_watch(t, t->dev.fd) || tunnel_watch(t, stopfd)) {
		snprintf(err, errlen, "cannot set up a queue's event loop: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void close_queue(struct tunnel *t)
{
	device_close_queue(&t->dev);
	udp_close(&t->udp);
	if (t->epfd >= 0)
		close(t->epfd);
	t->epfd = -1;
	batch_free(&t->out);
	batch_free(&t->in);
}

static int start_threads(struct queues *q, char *err, size_t errlen)
{
	for (int i = 0; i < q->n; i++) {
		int rc = pthread_create(&q->thread[i], NULL, run_queue, &q->t[i]);

		if (rc) {
			snprintf(err, errlen, "cannot start a queue's thread: %s", strerror(rc));
			return -1;
		}
		q->started[i] = true;
	}
	return 0;
}

int queues_start(struct tunnel *first, int n, char *err, size_t errlen)
{
	struct queues *q = calloc(1, sizeof(*q));

	if (!q) {
		snprintf(err, errlen, "out of memory for the queues");
		return -1;
	}
	first->q = q;
	q->stopfd = -1;
	pthread_mutex_init(&q->sh.lock, NULL);
	q->sh.peer = first->peer;
	q->sh.pmtu = first->pmtu;
	q->sh.nl = &first->dev.nl;
	first->sh = &q->sh;
	first->seen = 0;
	q->t = calloc((size_t)n - 1, sizeof(*q->t));
	q->thread = calloc((size_t)n - 1, sizeof(*q->thread));
	q->started = calloc((size_t)n - 1, sizeof(*q->started));
	q->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!q->t || !q->thread || !q->started || q->stopfd < 0) {
		snprintf(err, errlen, "out of memory for the queues");
		goto fail;
	}
	for (int i = 0; i < n - 1; i++) {
		q->n = i + 1; /* so that a failure closes what opened */
		if (open_queue(first, &q->t[i], q->stopfd, err, errlen))
			goto fail;
	}
	return 0;
fail:
	queues_stop(first);
	return -1;
}

int queues_run(struct tunnel *first, char *err, size_t errlen)
{
	if (!first->q || !start_threads(first->q, err, errlen))
		return 0;
	queues_stop(first);
	return -1;
}

void queues_stop(struct tunnel *first)
{
	struct queues *q = first->q;
	uint64_t one = 1;

	if (!q)
		return;
	if (q->stopfd >= 0 && write(q->stopfd, &one, sizeof(one)) < 0) {
		/* An eventfd write only fails on overflow, which one write cannot cause. */
	}
	for (int i = 0; i < q->n; i++) {
		if (q->started && q->started[i])
			pthread_join(q->thread[i], NULL);
		if (q->t)
			close_queue(&q->t[i]);
	}
	if (q->stopfd >= 0)
		close(q->stopfd);
	pthread_mutex_destroy(&q->sh.lock);
	free(q->t);
	free(q->thread);
	free(q->started);
	free(q);
	first->q = NULL;
	first->sh = NULL;
}
