/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The executor: runs elements in topological order, splits each batch by
 * output port, frees drops in bulk, and counts every mbuf exactly once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "adn_pipeline.h"
#include "adn_tpl.h"

struct adn_exec *
adn_exec_create(const struct adn_pipeline *p, unsigned int worker)
{
	struct adn_exec *x = rte_zmalloc("adn_exec", sizeof(*x),
					 RTE_CACHE_LINE_SIZE);

	if (x == NULL)
		return NULL;
	x->p = p;
	x->worker = worker;
	x->in = rte_zmalloc("adn_exec_in", sizeof(*x->in) * p->n_elems, 0);
	x->tpl = rte_zmalloc("adn_exec_tpl", sizeof(*x->tpl) * p->n_elems, 0);
	x->one = rte_zmalloc("adn_batch", sizeof(struct adn_batch),
			     RTE_CACHE_LINE_SIZE);
	if (x->in == NULL || x->tpl == NULL || x->one == NULL)
		goto fail;
	x->mode = ADN_EXEC_BATCH;
	for (unsigned int i = 0; i < p->n_elems; i++)
		x->tpl[i] = adn_tpl_default(p->elems[i]);
	snprintf(x->plan, sizeof(x->plan), "batch");
	for (unsigned int i = 0; i < p->n_elems; i++) {
		x->in[i] = rte_zmalloc("adn_batch", sizeof(struct adn_batch),
				       RTE_CACHE_LINE_SIZE);
		if (x->in[i] == NULL)
			goto fail;
	}
	return x;
fail:
	adn_exec_free(x);
	return NULL;
}

void
adn_exec_free(struct adn_exec *x)
{
	if (x == NULL)
		return;
	for (unsigned int i = 0; x->in && i < x->p->n_elems; i++)
		rte_free(x->in[i]);
	rte_free(x->in);
	rte_free(x->tpl);
	rte_free(x->one);
	rte_free(x);
}

/* Move the batch of element `e` to its successors per b->out[]. */
static inline void
route(struct adn_exec *x, const struct adn_elem *e,
      struct adn_elem_stats *st)
{
	struct adn_batch *b = x->in[e->index];
	const uint16_t n = b->n;
	const int16_t first = b->out[0];
	uint16_t i, n_drop = 0;

	for (i = 1; i < n; i++)
		if (b->out[i] != first)
			break;

	/* All one way to an idle successor: hand over the whole batch by
	 * swapping batch pointers, no per-packet copy. */
	if (i == n && first >= 0 && first < e->n_outputs &&
	    x->in[e->next[first]]->n == 0) {
		struct adn_batch *tmp = x->in[e->next[first]];

		x->in[e->next[first]] = b;
		x->in[e->index] = tmp;
		st->out[first] += n;
		return;
	}

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		int o = b->out[i];

		if (o >= 0) {
			struct adn_batch *d;

			if (o >= e->n_outputs) {
				st->drop[ADN_DROP_BAD_PORT]++;
				x->drops[n_drop++] = m;
				continue;
			}
			d = x->in[e->next[o]];
			if (unlikely(d->n == ADN_BATCH_MAX)) {
				st->drop[ADN_DROP_OVERFLOW]++;
				x->drops[n_drop++] = m;
				continue;
			}
			d->pkts[d->n++] = m;
			st->out[o]++;
		} else if (o == ADN_CONSUMED) {
			st->consumed++;
		} else {
			unsigned int r = (unsigned int)(ADN_DROP_BASE - o);

			st->drop[r < ADN_MAX_DROP_REASONS ? r :
				 ADN_DROP_BAD_PORT]++;
			x->drops[n_drop++] = m;
		}
	}
	if (n_drop)
		rte_pktmbuf_free_bulk(x->drops, n_drop);
	b->n = 0;
}

/* Count code `o` of element `e` for one packet; the next element, or
 * NULL when the packet left the pipeline (consumed, or dropped and freed). */
static inline struct adn_elem *
scalar_step(const struct adn_pipeline *p, struct adn_elem *e,
	    struct adn_elem_stats *st, struct rte_mbuf *m, int o)
{
	if (o >= 0) {
		if (o < e->n_outputs) {
			st->out[o]++;
			return p->elems[e->next[o]];
		}
		st->drop[ADN_DROP_BAD_PORT]++;
	} else if (o == ADN_CONSUMED) {
		st->consumed++;
		return NULL;
	} else {
		unsigned int r = (unsigned int)(ADN_DROP_BASE - o);

		st->drop[r < ADN_MAX_DROP_REASONS ? r : ADN_DROP_BAD_PORT]++;
	}
	rte_pktmbuf_free(m);
	return NULL;
}

/* The `scalar` plan: each packet walks the graph alone, element after
 * element, before the next packet starts. Stage-form elements get prep and
 * exec called directly; batch-form ones see a batch of one. */
static void
run_scalar(struct adn_exec *x, unsigned int from)
{
	const struct adn_pipeline *p = x->p;
	const unsigned int w = x->worker;
	struct adn_batch *one = x->one;

	for (unsigned int i = from; i < p->n_elems; i++) {
		struct adn_batch *b = x->in[i];
		const uint16_t n = b->n;

		b->n = 0;
		for (uint16_t k = 0; k < n; k++) {
			struct rte_mbuf *m = b->pkts[k];
			struct adn_elem *e = p->elems[i];

			while (e != NULL) {
				const struct adn_elem_desc *d = e->desc;
				struct adn_elem_stats *st = &e->stats[w];
				int o;

				st->in++;
				if (d->process != NULL) {
					one->n = 1;
					one->pkts[0] = m;
					d->process(e, one);
					m = one->pkts[0];
					o = one->out[0];
					one->n = 0;
				} else {
					union adn_pkt_ctx ctx;

					if (d->prep != NULL)
						d->prep(e, m, &ctx);
					o = d->exec(e, m, &ctx);
				}
				e = scalar_step(p, e, st, m, o);
			}
		}
	}
}

void
adn_exec_run(struct adn_exec *x, unsigned int from)
{
	const struct adn_pipeline *p = x->p;
	unsigned int w = x->worker;

	x->in_flight = x->in[from]->n;
	if (x->mode == ADN_EXEC_SCALAR) {
		run_scalar(x, from);
		x->in_flight = 0;
		return;
	}
	for (unsigned int i = from; i < p->n_elems; i++) {
		struct adn_batch *b = x->in[i];
		struct adn_elem *e;
		struct adn_elem_stats *st;

		if (b->n == 0)
			continue;
		e = p->elems[i];
		st = &e->stats[w];
		st->in += b->n;
		x->tpl[i](e, b);
		route(x, e, st);
	}
	x->in_flight = 0;
}

static void
plan_error(struct adn_errs *errs, const char *plan, const char *fmt,
	   const char *what)
{
	char known[256];
	size_t off = 0;

	for (unsigned int i = 0; i < RTE_DIM(adn_tpls); i++)
		off += snprintf(known + off, off < sizeof(known) ?
				sizeof(known) - off : 0, "%s%s",
				i ? ", " : "", adn_tpls[i].name);
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, what);
	adn_errs_add(errs, NULL, NULL, "plan",
		     "'%s': %s (plans: scalar, or TEMPLATE[,ELEMENT=TEMPLATE...] with templates: %s)",
		     plan, msg, known);
}

int
adn_exec_set_plan(struct adn_exec *x, const char *plan,
		  struct adn_errs *errs)
{
	const struct adn_pipeline *p = x->p;
	unsigned int first_err = errs->n;
	adn_tpl_fn tpl[p->n_elems];
	char buf[ADN_PLAN_MAX], *save = NULL, *tok;
	const struct adn_tpl *t;

	if (strlen(plan) >= sizeof(buf)) {
		adn_errs_add(errs, NULL, NULL, "plan",
			     "longer than %d characters", ADN_PLAN_MAX - 1);
		return -EINVAL;
	}
	if (strcmp(plan, "scalar") == 0) {
		x->mode = ADN_EXEC_SCALAR;
		snprintf(x->plan, sizeof(x->plan), "%s", plan);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", plan);
	tok = strtok_r(buf, ",", &save);
	t = tok ? adn_tpl_find(tok) : NULL;
	if (t == NULL) {
		plan_error(errs, plan, "unknown template '%s'",
			   tok ? tok : "");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < p->n_elems; i++)
		tpl[i] = p->elems[i]->desc->process != NULL ?
			adn_tpl_process : t->fn;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		char *eq = strchr(tok, '=');
		struct adn_elem *e;

		if (eq == NULL) {
			plan_error(errs, plan, "'%s' is not ELEMENT=TEMPLATE",
				   tok);
			continue;
		}
		*eq = '\0';
		e = adn_pipeline_find(p, tok);
		t = adn_tpl_find(eq + 1);
		if (e == NULL)
			plan_error(errs, plan, "no element named '%s'", tok);
		else if (e->desc->process != NULL)
			plan_error(errs, plan,
				   "element '%s' is batch-form: it runs its own loop, no template applies",
				   tok);
		else if (t == NULL)
			plan_error(errs, plan, "unknown template '%s'", eq + 1);
		else
			tpl[e->index] = t->fn;
	}
	if (errs->n != first_err)
		return -EINVAL;
	memcpy(x->tpl, tpl, sizeof(tpl[0]) * p->n_elems);
	x->mode = ADN_EXEC_BATCH;
	snprintf(x->plan, sizeof(x->plan), "%s", plan);
	return 0;
}
