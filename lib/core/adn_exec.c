/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The executor: runs elements in topological order through the templates
 * and fused chains of its plan, splits each batch by output port, frees
 * drops in bulk, and counts every mbuf exactly once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "adn_fused.h"
#include "adn_jit.h"
#include "adn_pipeline.h"
#include "adn_plan.h"

/* A fused chain inside one executor: the chain, and this worker's stats
 * of each of its elements. */
struct adn_exec_chain {
	struct adn_chain c;
	struct adn_elem_stats *st[ADN_CHAIN_ELEMS];
};

/* Templates and chains of one plan, built before they replace the live
 * ones so a bad plan leaves the executor untouched. */
struct exec_plan {
	struct adn_tpl_run *tpl;
	struct adn_exec_chain **chain;
};

static void
exec_plan_free(const struct adn_pipeline *p, struct exec_plan *ep)
{
	for (unsigned int i = 0; ep->tpl && i < p->n_elems; i++)
		adn_fastpath_free(ep->tpl[i].fp);
	for (unsigned int i = 0; ep->chain && i < p->n_elems; i++) {
		struct adn_chain_fp *fp = ep->chain[i] ? ep->chain[i]->c.fp :
			NULL;

		if (fp != NULL)
			adn_fastpath_free(fp->cache);
		rte_free(fp);
		if (ep->chain[i] != NULL)
			adn_jit_lib_put(ep->chain[i]->c.lib);
		rte_free(ep->chain[i]);
	}
	rte_free(ep->tpl);
	rte_free(ep->chain);
	ep->tpl = NULL;
	ep->chain = NULL;
}

static int
exec_plan_alloc(const struct adn_pipeline *p, struct exec_plan *ep)
{
	ep->tpl = rte_zmalloc("adn_exec_tpl", sizeof(*ep->tpl) * p->n_elems,
			      0);
	ep->chain = rte_zmalloc("adn_exec_chain",
				sizeof(*ep->chain) * p->n_elems, 0);
	if (ep->tpl == NULL || ep->chain == NULL) {
		exec_plan_free(p, ep);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < p->n_elems; i++) {
		struct adn_elem *e = p->elems[i];

		ep->tpl[i].e = e;
		ep->tpl[i].fn = e->desc->process != NULL ? adn_tpl_process :
			adn_tpl_batch;
		ep->tpl[i].tpl = e->desc->process != NULL ? NULL :
			adn_tpl_find("batch");
	}
	return 0;
}

struct adn_exec *
adn_exec_create(const struct adn_pipeline *p, unsigned int worker)
{
	struct adn_exec *x = rte_zmalloc("adn_exec", sizeof(*x),
					 RTE_CACHE_LINE_SIZE);
	struct exec_plan ep = { 0 };

	if (x == NULL)
		return NULL;
	x->p = p;
	x->worker = worker;
	x->in = rte_zmalloc("adn_exec_in", sizeof(*x->in) * p->n_elems, 0);
	x->one = rte_zmalloc("adn_batch", sizeof(struct adn_batch),
			     RTE_CACHE_LINE_SIZE);
	if (x->in == NULL || x->one == NULL || exec_plan_alloc(p, &ep) < 0)
		goto fail;
	x->tpl = ep.tpl;
	x->chain = ep.chain;
	x->mode = ADN_EXEC_BATCH;
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
	struct exec_plan ep;

	if (x == NULL)
		return;
	ep.tpl = x->tpl;
	ep.chain = x->chain;
	exec_plan_free(x->p, &ep);
	for (unsigned int i = 0; x->in && i < x->p->n_elems; i++)
		rte_free(x->in[i]);
	rte_free(x->in);
	rte_free(x->one);
	rte_free(x);
}

/* Send packet `m` with code `o` of element `e` on; a drop is queued in
 * x->drops for one bulk free. */
static inline void
route_pkt(struct adn_exec *x, const struct adn_elem *e,
	  struct adn_elem_stats *st, struct rte_mbuf *m, int o,
	  uint16_t *n_drop)
{
	if (o >= 0) {
		struct adn_batch *d;

		if (o >= e->n_outputs) {
			st->drop[ADN_DROP_BAD_PORT]++;
			x->drops[(*n_drop)++] = m;
			return;
		}
		d = x->in[e->next[o]];
		if (unlikely(d->n == ADN_BATCH_MAX)) {
			st->drop[ADN_DROP_OVERFLOW]++;
			x->drops[(*n_drop)++] = m;
			return;
		}
		d->pkts[d->n++] = m;
		st->out[o]++;
	} else if (o == ADN_CONSUMED) {
		st->consumed++;
	} else {
		unsigned int r = (unsigned int)(ADN_DROP_BASE - o);

		st->drop[r < ADN_MAX_DROP_REASONS ? r : ADN_DROP_BAD_PORT]++;
		x->drops[(*n_drop)++] = m;
	}
}

/* Move the batch in `*slot`, which element `e` has just run, to e's
 * successors per b->out[]. */
static inline void
route(struct adn_exec *x, const struct adn_elem *e,
      struct adn_elem_stats *st, struct adn_batch **slot)
{
	struct adn_batch *b = *slot;
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
		*slot = tmp;
		st->out[first] += n;
		return;
	}

	for (i = 0; i < n; i++)
		route_pkt(x, e, st, b->pkts[i], b->out[i], &n_drop);
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

/* Run a fused chain over its head's batch (in `*slot`) and route every
 * packet from the element it left the chain at. */
static inline void
run_chain(struct adn_exec *x, struct adn_exec_chain *xc,
	  struct adn_batch **slot)
{
	const struct adn_chain *c = &xc->c;
	struct adn_batch *b = *slot;
	uint16_t i, n_drop = 0;

	c->fn(c, b, x->at, xc->st);
	/* Usually every packet leaves at the same element: route the batch
	 * as that element's, which may hand it over whole. */
	for (i = 1; i < b->n && x->at[i] == x->at[0]; i++)
		;
	if (i == b->n) {
		route(x, c->e[x->at[0]], xc->st[x->at[0]], slot);
		return;
	}
	for (i = 0; i < b->n; i++) {
		const unsigned int m = x->at[i];

		route_pkt(x, c->e[m], xc->st[m], b->pkts[i], b->out[i],
			  &n_drop);
	}
	if (n_drop)
		rte_pktmbuf_free_bulk(x->drops, n_drop);
	b->n = 0;
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
		if (x->chain[i] != NULL) {
			run_chain(x, x->chain[i], &x->in[i]);
			continue;
		}
		x->tpl[i].fn(&x->tpl[i], b);
		route(x, e, st, &x->in[i]);
	}
	x->in_flight = 0;
}


static bool
fusable(const struct adn_elem *e)
{
	return e->desc->process == NULL &&
		!(e->desc->flags & ADN_ELEM_SOURCE);
}

/* Outputs of `h` that lead to `s`, when they are all of s's inputs (so a
 * packet can only reach s through h and s never runs on its own); else 0. */
static uint16_t
feeds(const struct adn_elem *h, const struct adn_elem *s)
{
	uint16_t mask = 0;

	for (uint16_t o = 0; o < h->n_outputs; o++)
		if (h->next[o] == s->index)
			mask |= (uint16_t)(1u << o);
	return (unsigned int)__builtin_popcount(mask) == s->n_inputs ?
		mask : 0;
}

static struct adn_exec_chain *
chain_new(const struct adn_tpl_choice *c)
{
	struct adn_exec_chain *xc = rte_zmalloc("adn_exec_chain",
						sizeof(*xc), 0);

	if (xc == NULL)
		return NULL;
	xc->c.tpl = c->tpl;
	xc->c.group = c->param;
	xc->c.fn = adn_fused_run;
	return xc;
}

static void
chain_push(struct adn_exec *x, struct adn_exec_chain *xc, struct adn_elem *e,
	   struct adn_elem **owner)
{
	xc->c.e[xc->c.n] = e;
	xc->st[xc->c.n] = &e->stats[x->worker];
	xc->c.n++;
	owner[e->index] = xc->c.e[0];
}

/* Explicit chains of the plan; errors name the chain's line. */
static void
plan_chains(struct adn_exec *x, const struct adn_plan *plan,
	    struct exec_plan *ep, struct adn_elem **owner,
	    const bool *own_tpl, struct adn_errs *errs)
{
	const struct adn_pipeline *p = x->p;

	for (unsigned int k = 0; k < plan->n_chains; k++) {
		const struct adn_plan_chain *pc = &plan->chains[k];
		struct adn_exec_chain *xc;
		struct adn_elem *prev = NULL;
		unsigned int first_err = errs->n;

		for (unsigned int m = 0; m < pc->n; m++) {
			struct adn_elem *e = adn_pipeline_find(p, pc->elem[m]);

			if (e == NULL)
				adn_errs_add(errs, pc->where, pc->elem[m],
					     "fuse", "no element of this name");
			else if (!fusable(e))
				adn_errs_add(errs, pc->where, pc->elem[m],
					     "fuse",
					     "%s is %s: only stage-form elements fuse",
					     e->desc->name,
					     e->desc->process ? "batch-form" :
					     "a source");
			else if (owner[e->index] != NULL)
				adn_errs_add(errs, pc->where, pc->elem[m],
					     "fuse", "already in another chain");
			else if (own_tpl[e->index])
				adn_errs_add(errs, pc->where, pc->elem[m],
					     "fuse",
					     "has a template of its own; a chained element runs under the chain's");
			else if (prev != NULL && feeds(prev, e) == 0)
				adn_errs_add(errs, pc->where, pc->elem[m],
					     "fuse",
					     "'%s' does not feed it alone: every input of a chained element must come from the element before it",
					     prev->name);
			prev = e;
		}
		if (errs->n != first_err)
			continue;
		xc = chain_new(&pc->c);
		if (xc == NULL) {
			adn_errs_add(errs, pc->where, NULL, "fuse",
				     "out of memory");
			return;
		}
		for (unsigned int m = 0; m < pc->n; m++)
			chain_push(x, xc, adn_pipeline_find(p, pc->elem[m]),
				   owner);
		ep->chain[xc->c.e[0]->index] = xc;
	}
}

/* Under a chain template as default: fuse every maximal chain of elements
 * that have no template of their own, following at each step the
 * successor that takes the most outputs. */
static int
plan_auto_chains(struct adn_exec *x, const struct adn_plan *plan,
		 struct exec_plan *ep, struct adn_elem **owner,
		 const bool *own_tpl)
{
	const struct adn_pipeline *p = x->p;

	for (unsigned int i = 0; i < p->n_elems; i++) {
		struct adn_elem *h = p->elems[i];
		struct adn_exec_chain *xc;

		if (!fusable(h) || owner[i] != NULL || own_tpl[i])
			continue;
		xc = chain_new(&plan->def);
		if (xc == NULL)
			return -ENOMEM;
		chain_push(x, xc, h, owner);
		while (xc->c.n < ADN_CHAIN_ELEMS) {
			struct adn_elem *best = NULL;
			unsigned int best_ports = 0;

			for (uint16_t o = 0; o < h->n_outputs; o++) {
				struct adn_elem *s = p->elems[h->next[o]];
				unsigned int ports = (unsigned int)
					__builtin_popcount(feeds(h, s));

				if (fusable(s) && owner[s->index] == NULL &&
				    !own_tpl[s->index] && ports > best_ports) {
					best = s;
					best_ports = ports;
				}
			}
			if (best == NULL)
				break;
			chain_push(x, xc, best, owner);
			h = best;
		}
		ep->chain[i] = xc;
	}
	return 0;
}

/* Per-element templates of the plan (and the default). */
static void
plan_templates(struct adn_exec *x, const struct adn_plan *plan,
	       struct exec_plan *ep, bool *own_tpl, struct adn_errs *errs)
{
	const struct adn_pipeline *p = x->p;

	if (plan->def.tpl->kind == ADN_TPL_ELEM)
		for (unsigned int i = 0; i < p->n_elems; i++)
			if (p->elems[i]->desc->process == NULL) {
				ep->tpl[i].tpl = plan->def.tpl;
				ep->tpl[i].param = plan->def.param;
			}
	for (unsigned int k = 0; k < plan->n_items; k++) {
		const struct adn_plan_item *it = &plan->items[k];
		struct adn_elem *e = adn_pipeline_find(p, it->elem);

		if (e == NULL) {
			adn_errs_add(errs, it->where, it->elem, "template",
				     "no element of this name");
			continue;
		}
		if (e->desc->process != NULL) {
			adn_errs_add(errs, it->where, it->elem, "template",
				     "%s is batch-form: it runs its own loop, no template applies",
				     e->desc->name);
			continue;
		}
		if ((e->desc->flags & it->c.tpl->needs_flags) !=
		    it->c.tpl->needs_flags) {
			adn_errs_add(errs, it->where, it->elem, "template",
				     "%s needs an element whose output depends only on the flow (PURE_ON_FLOW); %s is not",
				     it->c.tpl->name, e->desc->name);
			continue;
		}
		if (it->c.tpl->kind == ADN_TPL_CHAIN) {
			adn_errs_add(errs, it->where, it->elem, "template",
				     "%s runs chains: fuse elements with A+B=%s (string) or fuse = ( \"A -> B\" ) (config)",
				     it->c.tpl->name, it->c.tpl->name);
			continue;
		}
		/* A fastpath element may still join a chain: it heads
		 * the chain's fastpath segment there. */
		own_tpl[e->index] = it->c.tpl->param != ADN_TPL_PARAM_CACHE;
		ep->tpl[e->index].tpl = it->c.tpl;
		ep->tpl[e->index].param = it->c.param;
	}
}

/* The chain's fastpath segment, if one of its elements is under
 * fastpath<C>: that element, then each next one while it is PURE_ON_FLOW,
 * and one PREP_PURE_ON_FLOW element to end it (adn_fused.h). */
static int
chain_fastpath(struct adn_chain *c, const struct exec_plan *ep,
	       struct adn_errs *errs)
{
	struct adn_chain_fp *fp;
	unsigned int head = c->n;

	for (unsigned int m = 0; m < c->n; m++) {
		const struct adn_tpl *t = ep->tpl[c->e[m]->index].tpl;

		if (t == NULL || t->param != ADN_TPL_PARAM_CACHE)
			continue;
		if (head < c->n) {
			adn_errs_add(errs, NULL, c->e[m]->name, "template",
				     "the chain from '%s' already has a fastpath at '%s': one per chain",
				     c->e[0]->name, c->e[head]->name);
			return -EINVAL;
		}
		head = m;
	}
	if (head == c->n)
		return 0;
	fp = rte_zmalloc("adn_chain_fp", sizeof(*fp), RTE_CACHE_LINE_SIZE);
	if (fp != NULL)
		fp->cache = adn_fastpath_create(ep->tpl[c->e[head]->index].param);
	if (fp == NULL || fp->cache == NULL) {
		rte_free(fp);
		adn_errs_add(errs, NULL, c->e[head]->name, "template",
			     "out of memory for a fastpath cache");
		return -ENOMEM;
	}
	fp->head = head;
	for (unsigned int m = head; m < c->n && fp->n < ADN_FASTPATH_SEG_MAX;
	     m++) {
		const struct adn_elem_desc *d = c->e[m]->desc;

		if (d->flags & ADN_ELEM_PURE_ON_FLOW) {
			c->role[m] = ADN_FP_ROLE(ADN_FP_IN | ADN_FP_OUT, fp->n++);
			continue;
		}
		if ((d->flags & ADN_ELEM_PREP_PURE_ON_FLOW) &&
		    d->prep != NULL && d->prep_ctx_bytes > 0 &&
		    d->prep_ctx_bytes <= ADN_FASTPATH_CTX_BYTES) {
			c->role[m] = ADN_FP_ROLE(ADN_FP_IN | ADN_FP_CTX,
						 d->prep_ctx_bytes);
			fp->n++;
		}
		break;
	}
	c->role[head] |= ADN_FP_HEAD;
	c->role[head + fp->n - 1] |= ADN_FP_LAST;
	c->fp = fp;
	return 0;
}

/* Template functions and fastpath caches for every element outside a
 * chain; links, fastpath segments and compiled code of every chain. */
static int
plan_instantiate(struct adn_exec *x, struct exec_plan *ep,
		 struct adn_elem **owner, struct adn_errs *errs)
{
	for (unsigned int i = 0; i < x->p->n_elems; i++) {
		struct adn_tpl_run *t = &ep->tpl[i];

		if (t->tpl == NULL || owner[i] != NULL)
			continue;
		t->fn = t->tpl->fn(t->param);
		if (t->tpl->param != ADN_TPL_PARAM_CACHE)
			continue;
		t->fp = adn_fastpath_create(t->param);
		if (t->fp == NULL) {
			adn_errs_add(errs, NULL, t->e->name, "template",
				     "out of memory for a %u-entry fastpath cache",
				     t->param);
			return -ENOMEM;
		}
	}
	for (unsigned int i = 0; i < x->p->n_elems; i++) {
		struct adn_chain *c = ep->chain[i] ? &ep->chain[i]->c : NULL;

		if (c == NULL)
			continue;
		for (unsigned int m = 0; m + 1 < c->n; m++)
			c->cont[m] = feeds(c->e[m], c->e[m + 1]);
		if (chain_fastpath(c, ep, errs) < 0)
			return -EINVAL;
		if (strcmp(c->tpl->name, "jit") == 0) {
			adn_chain_fn fn = adn_jit_chain(c, &c->lib, c->status,
							sizeof(c->status));

			if (fn != NULL)
				c->fn = fn;
		}
	}
	return 0;
}

int
adn_exec_apply_plan(struct adn_exec *x, const struct adn_plan *plan,
		    struct adn_errs *errs)
{
	const struct adn_pipeline *p = x->p;
	unsigned int first_err = errs->n;
	struct adn_elem *owner[p->n_elems];
	bool own_tpl[p->n_elems];
	struct exec_plan ep = { 0 };

	if (plan->scalar) {
		x->mode = ADN_EXEC_SCALAR;
		snprintf(x->plan, sizeof(x->plan), "%s", plan->text);
		return 0;
	}
	if (exec_plan_alloc(p, &ep) < 0) {
		adn_errs_add(errs, plan->where, NULL, "plan",
			     "out of memory");
		return -ENOMEM;
	}
	memset(owner, 0, sizeof(owner));
	memset(own_tpl, 0, sizeof(own_tpl));
	plan_templates(x, plan, &ep, own_tpl, errs);
	plan_chains(x, plan, &ep, owner, own_tpl, errs);
	if (errs->n == first_err && plan->def.tpl->kind == ADN_TPL_CHAIN &&
	    plan_auto_chains(x, plan, &ep, owner, own_tpl) < 0)
		adn_errs_add(errs, plan->where, NULL, "plan",
			     "out of memory");
	if (errs->n == first_err)
		plan_instantiate(x, &ep, owner, errs);
	if (errs->n != first_err) {
		exec_plan_free(p, &ep);
		return -EINVAL;
	}
	struct exec_plan old = { .tpl = x->tpl, .chain = x->chain };

	x->tpl = ep.tpl;
	x->chain = ep.chain;
	exec_plan_free(p, &old);
	x->mode = ADN_EXEC_BATCH;
	snprintf(x->plan, sizeof(x->plan), "%s", plan->text);
	return 0;
}

int
adn_exec_set_plan(struct adn_exec *x, const char *plan,
		  struct adn_errs *errs)
{
	struct adn_plan *p = malloc(sizeof(*p));
	int rc;

	if (p == NULL)
		return -ENOMEM;
	rc = adn_plan_parse(plan, p, errs);
	if (rc == 0 && p->n_knobs) {
		adn_errs_add(errs, NULL, p->knobs[0].elem, p->knobs[0].key,
			     "'%s': knobs change how elements are built; give the plan to the runtime or adn-bench, which rebuild",
			     plan);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = adn_exec_apply_plan(x, p, errs);
	free(p);
	return rc;
}

/* ", fastpath1024 over route+count" for an element of a chain's segment. */
static void
describe_segment(const struct adn_chain *c, unsigned int m, char *out,
		 size_t len)
{
	const struct adn_chain_fp *fp = c->fp;
	size_t off;

	out[0] = '\0';
	if (fp == NULL || m < fp->head || m >= fp->head + fp->n)
		return;
	off = (size_t)snprintf(out, len, ", fastpath%u over ",
			       fp->cache->entries);
	for (unsigned int k = fp->head; k < fp->head + fp->n && off < len; k++)
		off += (size_t)snprintf(out + off, len - off, "%s%s",
					k > fp->head ? "+" : "",
					c->e[k]->name);
}

/* The chain `e` is in, and its position there; NULL when in none. */
static const struct adn_chain *
chain_of(const struct adn_exec *x, const struct adn_elem *e, unsigned int *pos)
{
	for (unsigned int i = 0; i < x->p->n_elems; i++) {
		const struct adn_exec_chain *xc = x->chain[i];

		for (unsigned int m = 0; xc && m < xc->c.n; m++)
			if (xc->c.e[m] == e) {
				*pos = m;
				return &xc->c;
			}
	}
	return NULL;
}

void
adn_exec_describe(const struct adn_exec *x, const struct adn_elem *e,
		  char *out, size_t len)
{
	const struct adn_tpl_run *t = &x->tpl[e->index];
	const struct adn_chain *c;
	char name[32], seg[160];
	unsigned int m;

	if (x->mode == ADN_EXEC_SCALAR) {
		snprintf(out, len, "scalar");
		return;
	}
	c = chain_of(x, e, &m);
	if (c != NULL) {
		struct adn_tpl_choice ch = { c->tpl, c->group };

		adn_tpl_choice_name(&ch, name, sizeof(name));
		describe_segment(c, m, seg, sizeof(seg));
		snprintf(out, len, "%s (chain of %u from '%s', position %u%s%s%s)",
			 name, c->n, c->e[0]->name, m, seg,
			 c->status[0] ? ": " : "", c->status);
		return;
	}
	if (t->tpl == NULL) {
		snprintf(out, len, "process (batch-form)");
		return;
	}
	struct adn_tpl_choice ch = { t->tpl, t->param };

	adn_tpl_choice_name(&ch, name, sizeof(name));
	snprintf(out, len, "%s", name);
}

int
adn_exec_fastpath_stats(const struct adn_exec *x, const struct adn_elem *e,
			struct adn_fastpath_stats *st)
{
	const struct adn_fastpath *fp = x->tpl[e->index].fp;
	const struct adn_chain *c;
	unsigned int m;

	if (x->mode != ADN_EXEC_BATCH)
		return -ENOENT;
	c = chain_of(x, e, &m);
	if (c != NULL)
		fp = c->fp != NULL && c->fp->head == m ? c->fp->cache : NULL;
	if (fp == NULL)
		return -ENOENT;
	*st = fp->st;
	return 0;
}
