/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_rcu_qsbr.h>

#include "adn_defer.h"

struct adn_defer {
	struct rte_rcu_qsbr *v;
	struct rte_rcu_qsbr_dq *dq;
};

/* One queued free: the queue copies these by value. */
struct defer_item {
	void (*fn)(void *);
	void *p;
};

static void
run_items(void *unused, void *e, unsigned int n)
{
	struct defer_item *it = e;

	for (unsigned int i = 0; i < n; i++)
		it[i].fn(it[i].p);
}

int
adn_defer_create(struct rte_rcu_qsbr *v, unsigned int size,
		 struct adn_defer **out)
{
	static unsigned int seq;
	struct rte_rcu_qsbr_dq_parameters prm = { 0 };
	struct adn_defer *d = calloc(1, sizeof(*d));
	char name[RTE_RCU_QSBR_DQ_NAMESIZE];

	if (d == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "adn_defer%u", seq++);
	prm.name = name;
	/* The runtime's control lock serializes every caller. */
	prm.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE;
	prm.size = size;
	prm.esize = sizeof(struct defer_item);
	prm.trigger_reclaim_limit = 0;	/* reclaim what is due on every add */
	prm.max_reclaim_size = size;
	prm.free_fn = run_items;
	prm.v = v;
	d->v = v;
	d->dq = rte_rcu_qsbr_dq_create(&prm);
	if (d->dq == NULL) {
		free(d);
		return rte_errno ? -rte_errno : -ENOMEM;
	}
	*out = d;
	return 0;
}

void
adn_defer_add(struct adn_defer *d, void (*fn)(void *), void *p)
{
	struct defer_item it = { fn, p };

	if (rte_rcu_qsbr_dq_enqueue(d->dq, &it) == 0)
		return;
	/* Full even after reclaiming what was due: wait for every pending
	 * grace period, then queue again (there is room now). */
	adn_defer_drain(d);
	if (rte_rcu_qsbr_dq_enqueue(d->dq, &it) != 0) {
		rte_rcu_qsbr_synchronize(d->v, RTE_QSBR_THRID_INVALID);
		fn(p);
	}
}

unsigned int
adn_defer_reclaim(struct adn_defer *d)
{
	unsigned int freed = 0, pending = 0, avail = 0;

	rte_rcu_qsbr_dq_reclaim(d->dq, UINT32_MAX, &freed, &pending, &avail);
	return pending;
}

void
adn_defer_drain(struct adn_defer *d)
{
	/* Nothing pending: no grace period to wait for. Otherwise every
	 * token taken so far is older than the wait: after it, all of them
	 * are due. */
	while (adn_defer_reclaim(d) > 0)
		rte_rcu_qsbr_synchronize(d->v, RTE_QSBR_THRID_INVALID);
}

void
adn_defer_destroy(struct adn_defer *d)
{
	if (d == NULL)
		return;
	adn_defer_drain(d);
	rte_rcu_qsbr_dq_delete(d->dq);
	free(d);
}
