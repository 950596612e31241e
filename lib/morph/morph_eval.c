/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "morph_eval.h"

/* Untimed passes before the timed ones. Tables and caches fill in one;
 * a fastpath cache's admission (a flow must out-count the coldest way)
 * needs a second to settle on the heavy flows as it has live: after one,
 * the replay scored a fast-path plan 1-6 % slower than a plan without,
 * after two 7-10 % faster; live it is 3-5 % faster (docs/benchmarking.md). */
#define WARMUP_PASSES 2

struct bind {
	struct morph_trace *tr;
	int16_t map[ADN_MAX_ELEMS];	/* live index -> src_name slot */
};

static void
bind_elem(const char *name, const char *type, const struct adn_elem *e,
	  const struct adn_elem_totals *t, void *arg)
{
	struct bind *b = arg;
	struct morph_trace *tr = b->tr;

	RTE_SET_USED(type);
	RTE_SET_USED(t);
	if (e == NULL || !(e->desc->flags & ADN_ELEM_SOURCE) ||
	    tr->n_src == MORPH_MAX_SOURCES)
		return;
	snprintf(tr->src_name[tr->n_src], ADN_NAME_MAX, "%s", name);
	b->map[e->index] = (int16_t)tr->n_src++;
}

int
morph_trace_bind(struct adn_runtime *rt, struct morph_trace *tr)
{
	struct bind *b = malloc(sizeof(*b));
	unsigned int k = 0;

	if (b == NULL)
		return -ENOMEM;
	b->tr = tr;
	memset(b->map, 0xff, sizeof(b->map));
	tr->n_src = 0;
	adn_runtime_foreach_elem(rt, bind_elem, b);
	for (unsigned int i = 0; i < tr->n; i++) {
		int16_t m = tr->pkts[i].src < ADN_MAX_ELEMS ?
			b->map[tr->pkts[i].src] : -1;

		if (m < 0)
			continue;
		tr->pkts[k] = tr->pkts[i];
		tr->pkts[k++].src = (uint16_t)m;
	}
	tr->n = k;
	free(b);
	return k > 0 ? 0 : -ENOENT;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One pass over the trace; cycles of every batch into lat[] (NULL: an
 * untimed pass). Returns the total cycles, or 0 when the pool ran dry. */
static uint64_t
pass(struct adn_shadow *sh, struct adn_elem *const *src,
     struct rte_mempool *mp, const struct morph_trace *tr, uint64_t *lat,
     unsigned int *n_lat)
{
	struct adn_exec *x = adn_shadow_exec(sh);
	const unsigned int burst = adn_shadow_burst(sh);
	uint64_t total = 0;
	unsigned int i = 0;

	*n_lat = 0;
	while (i < tr->n) {
		const uint16_t s = tr->pkts[i].src;
		struct adn_batch *b = adn_exec_source_batch(x, src[s]);
		uint16_t n = 0;
		uint64_t t0, c;

		while (i + n < tr->n && n < burst &&
		       tr->pkts[i + n].src == s)
			n++;
		if (rte_pktmbuf_alloc_bulk(mp, b->pkts, n) != 0)
			return 0;
		for (uint16_t k = 0; k < n; k++) {
			const struct morph_sample *p = &tr->pkts[i + k];
			struct rte_mbuf *m = b->pkts[k];

			memcpy(rte_pktmbuf_mtod(m, uint8_t *), p->data,
			       p->cap);
			m->data_len = (uint16_t)RTE_MIN((unsigned int)p->len,
				(unsigned int)rte_pktmbuf_tailroom(m));
			m->pkt_len = m->data_len;
		}
		b->n = n;
		t0 = rte_rdtsc();
		adn_exec_run(x, src[s]->index);
		c = rte_rdtsc() - t0;
		total += c;
		if (lat != NULL)
			lat[(*n_lat)++] = c;
		i += n;
	}
	return total;
}

int
morph_eval(struct adn_runtime *rt, struct rte_mempool *mp,
	   const struct morph_trace *tr, const char *plan,
	   const struct morph_eval_conf *c, struct morph_eval_result *res,
	   struct adn_errs *errs)
{
	struct adn_elem *src[MORPH_MAX_SOURCES];
	struct adn_shadow *sh;
	double cpp[16], p99[16];
	unsigned int reps = RTE_MIN(RTE_MAX(c->reps, 1u), RTE_DIM(cpp));
	uint64_t *lat = malloc(sizeof(*lat) * (tr->n + 1));
	int rc;

	memset(res, 0, sizeof(*res));
	if (lat == NULL)
		return -ENOMEM;
	rc = adn_runtime_shadow(rt, plan, errs, &sh);
	if (rc < 0) {
		free(lat);
		return rc;
	}
	for (unsigned int i = 0; i < tr->n_src; i++) {
		src[i] = adn_pipeline_find(adn_shadow_pipeline(sh),
					   tr->src_name[i]);
		if (src[i] == NULL) {
			adn_errs_add(errs, NULL, tr->src_name[i], NULL,
				     "source of the trace not in the pipeline");
			rc = -ENOENT;
			goto out;
		}
	}
	for (unsigned int r = 0; r < WARMUP_PASSES + reps; r++) {
		const bool timed = r >= WARMUP_PASSES;
		unsigned int n_lat;
		uint64_t cyc = pass(sh, src, mp, tr, timed ? lat : NULL,
				    &n_lat);

		if (cyc == 0) {
			adn_errs_add(errs, NULL, NULL, NULL,
				     "replay pool empty: the plan keeps mbufs");
			rc = -ENOBUFS;
			goto out;
		}
		if (!timed)
			continue;
		qsort(lat, n_lat, sizeof(*lat), cmp_u64);
		cpp[r - WARMUP_PASSES] = (double)cyc / tr->n;
		p99[r - WARMUP_PASSES] = (double)lat[(n_lat * 99) / 100];
	}
	qsort(cpp, reps, sizeof(cpp[0]), cmp_double);
	qsort(p99, reps, sizeof(p99[0]), cmp_double);
	res->cpp = cpp[reps / 2];
	res->p99_batch = p99[reps / 2];
	res->fitness = res->cpp;
	if (c->latency_bound && res->p99_batch > (double)c->latency_bound)
		res->fitness *= res->p99_batch / (double)c->latency_bound;
out:
	adn_runtime_shadow_free(rt, sh);
	free(lat);
	return rc;
}
