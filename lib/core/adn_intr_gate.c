/* SPDX-License-Identifier: BSD-3-Clause */
/* The rte_intr_instance_* accessors are experimental in 22.11, and the
 * handle is opaque: there is no other way to register a callback. */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_interrupts.h>

#include "adn_intr_gate.h"
#include "adn_log.h"

struct adn_intr_gate {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	uint64_t parks;		/* times the thread parked */
	uint64_t released;	/* park number let go last */
	bool closing;
	int fd;
	struct rte_intr_handle *ih;
};

static void
drain(int fd)
{
	uint64_t v;

	/* Non-blocking: makes the eventfd unready so the thread does not
	 * spin on it once the gate is closing. */
	while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

/* On the interrupt thread. */
static void
gate_park(void *arg)
{
	struct adn_intr_gate *g = arg;
	uint64_t me;

	pthread_mutex_lock(&g->lock);
	if (!g->closing) {
		me = ++g->parks;
		pthread_cond_broadcast(&g->cv);
		while (g->released < me && !g->closing)
			pthread_cond_wait(&g->cv, &g->lock);
	}
	if (g->closing)
		drain(g->fd);
	pthread_mutex_unlock(&g->lock);
}

static void
deadline_in(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* With the lock held: wait until parks > after, or the deadline. */
static int
wait_parked(struct adn_intr_gate *g, uint64_t after, unsigned int timeout_ms)
{
	struct timespec ts;

	deadline_in(&ts, timeout_ms);
	while (g->parks <= after)
		if (pthread_cond_timedwait(&g->cv, &g->lock, &ts) == ETIMEDOUT)
			return g->parks > after ? 0 : -ETIMEDOUT;
	return 0;
}

int
adn_intr_gate_create(unsigned int timeout_ms, struct adn_intr_gate **out)
{
	struct adn_intr_gate *g;
	int rc;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);	/* ready for good */
	if (g->fd < 0) {
		rc = -errno;
		goto fail;
	}
	g->ih = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (g->ih == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if (rte_intr_fd_set(g->ih, g->fd) < 0 ||
	    rte_intr_type_set(g->ih, RTE_INTR_HANDLE_EXT) < 0) {
		rc = -EINVAL;
		goto fail;
	}
	rc = rte_intr_callback_register(g->ih, gate_park, g);
	if (rc < 0)
		goto fail;
	pthread_mutex_lock(&g->lock);
	rc = wait_parked(g, 0, timeout_ms);
	pthread_mutex_unlock(&g->lock);
	if (rc < 0) {
		ADN_LOG(ERR, "EAL interrupt thread did not park within %u ms\n",
			timeout_ms);
		adn_intr_gate_free(g);
		return rc;
	}
	*out = g;
	return 0;
fail:
	if (g->ih != NULL)
		rte_intr_instance_free(g->ih);
	if (g->fd >= 0)
		close(g->fd);
	free(g);
	return rc;
}

int
adn_intr_gate_window(struct adn_intr_gate *g, unsigned int timeout_ms)
{
	uint64_t target;
	int rc;

	pthread_mutex_lock(&g->lock);
	/* released == parks: the last round let go has not parked again
	 * yet (an earlier call timed out); wait for it, release nothing. */
	if (g->released != g->parks) {
		g->released = g->parks;
		pthread_cond_broadcast(&g->cv);
	}
	target = g->released;
	rc = wait_parked(g, target, timeout_ms);
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void
adn_intr_gate_free(struct adn_intr_gate *g)
{
	int rc;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->closing = true;
	drain(g->fd);
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->lock);
	/* Waits while the callback is running (it returns at once now). */
	rc = rte_intr_callback_unregister_sync(g->ih, gate_park, g);
	if (rc < 0)
		ADN_LOG(WARNING, "interrupt gate: unregister failed: %d\n", rc);
	rte_intr_instance_free(g->ih);
	close(g->fd);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
