/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The executor: runs elements in topological order through the template
 * instances of its plan (lib/core/adn_template.h), splits each batch by
 * output port, frees drops in bulk, and counts every mbuf exactly once.
 * It knows templates only through their operations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "adn_capture_priv.h"
#include "adn_pipeline_priv.h"
#include "adn_plan.h"
#include "adn_template.h"

/* A chain inside one executor: the template instance, and this worker's
 * stats of each of its elements. */
struct adn_exec_chain {
	struct adn_tpl_inst t;
	struct adn_elem_stats *st[ADN_CHAIN_ELEMS];
};

/* Template instances of one plan, built before they replace the live ones
 * so that a bad plan leaves the executor untouched. */
struct exec_plan {
	struct adn_tpl_inst *whole;
	struct adn_tpl_inst **elem;	/* [n_elems] */
	struct adn_exec_chain **chain;	/* [n_elems], by chain head */
};

static void
inst_free(struct adn_tpl_inst *t)
{
	if (t == NULL)
		return;
	if (t->ops != NULL && t->ops->free != NULL && t->run != NULL)
		t->ops->free(t);
	rte_free(t);
}

static void
exec_plan_free(const struct adn_pipeline *p, struct exec_plan *ep)
{
	for (unsigned int i = 0; ep->elem && i < p->n_elems; i++)
		inst_free(ep->elem[i]);
	for (unsigned int i = 0; ep->chain && i < p->n_elems; i++)
		if (ep->chain[i] != NULL) {
			struct adn_tpl_inst *t = &ep->chain[i]->t;

			if (t->ops->free != NULL && t->run_chain != NULL)
				t->ops->free(t);
			rte_free(ep->chain[i]);
		}
	inst_free(ep->whole);
	rte_free(ep->elem);
	rte_free(ep->chain);
	memset(ep, 0, sizeof(*ep));
}

static int
exec_plan_alloc(const struct adn_pipeline *p, struct exec_plan *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->elem = rte_zmalloc("adn_exec_tpl", sizeof(*ep->elem) * p->n_elems,
			       0);
	ep->chain = rte_zmalloc("adn_exec_chain",
				sizeof(*ep->chain) * p->n_elems, 0);
	if (ep->elem == NULL || ep->chain == NULL) {
		exec_plan_free(p, ep);
		return -ENOMEM;
	}
	return 0;
}

int
adn_batch_set_reserve(struct adn_batch_set *s, unsigned int n)
{
	struct adn_batch **b;

	if (n <= s->n)
		return 0;
	b = realloc(s->b, sizeof(*b) * n);
	if (b == NULL)
		return -ENOMEM;
	s->b = b;
	for (; s->n < n; s->n++) {
		s->b[s->n] = rte_zmalloc("adn_batch", sizeof(struct adn_batch),
					 RTE_CACHE_LINE_SIZE);
		if (s->b[s->n] == NULL)
			return -ENOMEM;
	}
	return 0;
}

void
adn_batch_set_free(struct adn_batch_set *s)
{
	for (unsigned int i = 0; i < s->n; i++)
		rte_free(s->b[i]);
	free(s->b);
	s->b = NULL;
	s->n = 0;
}

struct adn_exec *
adn_exec_create_on(const struct adn_pipeline *p, unsigned int worker,
		   struct adn_batch_set *set)
{
	struct adn_exec *x = rte_zmalloc("adn_exec", sizeof(*x),
					 RTE_CACHE_LINE_SIZE);
	struct adn_errs errs = { 0 };
	struct adn_plan *plan = malloc(sizeof(*plan));

	if (x == NULL || plan == NULL)
		goto fail;
	x->p = p;
	x->worker = worker;
	if (set == NULL) {
		x->own_set = calloc(1, sizeof(*x->own_set));
		set = x->own_set;
	}
	x->in = rte_zmalloc("adn_exec_in", sizeof(*x->in) * p->n_elems, 0);
	/* One more batch than elements: adn_exec_walk's batch of one. */
	if (set == NULL || x->in == NULL ||
	    adn_batch_set_reserve(set, p->n_elems + 1) < 0)
		goto fail;
	memcpy(x->in, set->b, sizeof(*x->in) * p->n_elems);
	x->prof_mask = ADN_PROF_EVERY - 1;
	x->prof_preempted_cycles = rte_get_tsc_hz() / 1000000 *
		ADN_PROF_PREEMPTED_US;
	x->one = set->b[p->n_elems];
	adn_plan_init(plan);
	if (adn_exec_apply_plan(x, plan, &errs) < 0)
		goto fail;
	free(plan);
	return x;
fail:
	adn_errs_clear(&errs);
	free(plan);
	adn_exec_free(x);
	return NULL;
}

struct adn_exec *
adn_exec_create(const struct adn_pipeline *p, unsigned int worker)
{
	return adn_exec_create_on(p, worker, NULL);
}

void
adn_exec_free(struct adn_exec *x)
{
	struct exec_plan ep;

	if (x == NULL)
		return;
	ep.whole = x->whole;
	ep.elem = x->elem;
	ep.chain = x->chain;
	exec_plan_free(x->p, &ep);
	if (x->own_set != NULL) {
		adn_batch_set_free(x->own_set);
		free(x->own_set);
	}
	rte_free(x->in);
	rte_free(x);
}

struct adn_batch *
adn_exec_source_batch(struct adn_exec *x, const struct adn_elem *e)
{
	return adn_exec_in(x, e);
}

const struct adn_pipeline *
adn_exec_pipeline(const struct adn_exec *x)
{
	return x->p;
}

uint64_t
adn_exec_in_flight(const struct adn_exec *x)
{
	return x->in_flight;
}

const char *
adn_exec_plan(const struct adn_exec *x)
{
	return x->plan;
}

/* The drop counter of drop code `o` (an out-of-range reason counts as a
 * bad port). */
static inline unsigned int
drop_slot(int o)
{
	const unsigned int r = (unsigned int)(ADN_DROP_BASE - o);

	return r < ADN_MAX_DROP_REASONS ? r : ADN_DROP_BAD_PORT;
}

/*
 * The one drop-and-count path: count code `o` that element `e` gave a
 * packet. Returns the topological index of the element the packet goes
 * to, or -1 when it left the pipeline; *drop tells a drop (the caller
 * frees the mbuf) from a sink's consumption.
 */
static inline int
account(const struct adn_elem *e, struct adn_elem_stats *st, int o,
	bool *drop)
{
	*drop = false;
	if (likely(o >= 0)) {
		if (likely(o < e->n_outputs)) {
			st->out[o]++;
			return e->next[o];
		}
		st->drop[ADN_DROP_BAD_PORT]++;
	} else if (o == ADN_CONSUMED) {
		st->consumed++;
		return -1;
	} else if (o == ADN_HELD) {
		/* Counted when it leaves: dequeue() (out) or flush() (drop). */
		return -1;
	} else {
		st->drop[drop_slot(o)]++;
	}
	*drop = true;
	return -1;
}

/* Send packet `m` with code `o` of element `e` on; a drop is queued in
 * x->drops for one bulk free. */
static inline void
route_pkt(struct adn_exec *x, const struct adn_elem *e,
	  struct adn_elem_stats *st, struct rte_mbuf *m, int o,
	  uint16_t *n_drop)
{
	bool drop;
	int next = account(e, st, o, &drop);
	struct adn_batch *d;

	if (next < 0) {
		if (drop)
			x->drops[(*n_drop)++] = m;
		return;
	}
	d = x->in[next];
	if (unlikely(d->n == ADN_BATCH_MAX)) {
		/* Counted as sent on o, then as this drop: in = out + drops
		 * still holds for e, and the packet is accounted once. */
		st->out[o]--;
		st->drop[ADN_DROP_OVERFLOW]++;
		x->drops[(*n_drop)++] = m;
		return;
	}
	d->pkts[d->n++] = m;
}

/* Whether the n elements of `size` bytes (1, 2, 4 or 8) at `a` all equal
 * the first (false for none). Branch-free, sixteen bytes per compare:
 * every batch an element or a chain hands on is asked, and a loop that
 * stops at the first difference costs a compare and a branch per packet
 * on the uniform batches that are the rule. (Left to itself, the compiler
 * keeps an eight-byte loop: 3.4 instructions a packet more over a router
 * pipeline's four questions.) */
static inline bool
all_same(const void *a, uint16_t n, size_t size)
{
	typedef uint64_t v2u64 __attribute__((vector_size(16)));
	const uint8_t *p = a;
	const size_t len = n * size;
	uint64_t pat = 0, d = 0;
	v2u64 pat2, diff = { 0, 0 };
	size_t i = 0;

	if (n == 0)
		return false;
	for (size_t k = 0; k < sizeof(pat); k += size)
		memcpy((uint8_t *)&pat + k, p, size);
	pat2 = (v2u64){ pat, pat };
	for (; i + sizeof(pat2) <= len; i += sizeof(pat2)) {
		v2u64 w;

		memcpy(&w, p + i, sizeof(w));
		diff |= w ^ pat2;
	}
	d = diff[0] | diff[1];
	for (; i < len; i++)
		d |= p[i] ^ p[i % size];
	return d == 0;
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
	const struct adn_exec_tap *tap = adn_exec_tap(x);
	uint16_t i, n_drop = 0;
	bool uniform;

	if (unlikely(tap != NULL))
		adn_capture_pkts(tap, e, b->pkts, b->out, n);
	uniform = all_same(b->out, n, sizeof(b->out[0]));

	/* All one way to an idle successor: hand over the whole batch by
	 * swapping batch pointers, no per-packet copy. */
	if (uniform && first >= 0 && first < e->n_outputs &&
	    x->in[e->next[first]]->n == 0) {
		struct adn_batch *tmp = x->in[e->next[first]];

		x->in[e->next[first]] = b;
		*slot = tmp;
		st->out[first] += n;
		return;
	}
	/* All taken by a sink (a transmitted batch): one count. */
	if (uniform && first == ADN_CONSUMED) {
		st->consumed += n;
		b->n = 0;
		return;
	}
	/* All dropped for one reason (a Discard, a deny branch): one count,
	 * one bulk free. */
	if (uniform && first <= ADN_DROP_BASE && first != ADN_HELD) {
		st->drop[drop_slot(first)] += n;
		adn_pkt_free_bulk(b->pkts, n);
		b->n = 0;
		return;
	}

	for (i = 0; i < n; i++)
		route_pkt(x, e, st, b->pkts[i], b->out[i], &n_drop);
	if (n_drop)
		adn_pkt_free_bulk(x->drops, n_drop);
	b->n = 0;
}

void
adn_exec_walk(struct adn_exec *x, struct adn_elem *e, struct rte_mbuf *m)
{
	const struct adn_pipeline *p = x->p;
	struct adn_batch *one = x->one;

	while (e != NULL) {
		const struct adn_elem_desc *d = e->desc;
		struct adn_elem_stats *st = &e->stats[x->worker];
		const struct adn_exec_tap *tap;
		bool drop;
		int o, next;

		st->in++;
		if (d->process != NULL) {
			one->n = 1;
			one->pkts[0] = m;
			d->process(e, one);
			m = one->pkts[0];
			o = one->out[0];
			one->n = 0;
		} else {
			union adn_pkt_ctx ctx, *cp = &ctx;

			if (d->prep != NULL)
				d->prep(e, m, &ctx);
			if (adn_elem_has_bulk(e))
				d->bulk(e, &m, &cp, 1);
			o = d->exec(e, m, &ctx);
		}
		tap = adn_exec_tap(x);
		if (unlikely(tap != NULL)) {
			const int16_t code = (int16_t)o;

			adn_capture_pkts(tap, e, &m, &code, 1);
		}
		next = account(e, st, o, &drop);
		if (drop)
			rte_pktmbuf_free(m);
		e = next < 0 ? NULL : p->elems[next];
	}
}

/* Run a chain over its head's batch (in `*slot`) and route every packet
 * from the element it left the chain at. */
static inline void
run_chain(struct adn_exec *x, struct adn_exec_chain *xc,
	  struct adn_batch **slot)
{
	struct adn_tpl_inst *t = &xc->t;
	struct adn_batch *b = *slot;
	const struct adn_exec_tap *tap;
	uint16_t i, n_drop = 0;

	t->run_chain(t, b, x->at, xc->st);
	/* Usually every packet leaves at the same element: route the batch
	 * as that element's, which may hand it over whole. */
	if (all_same(x->at, b->n, sizeof(x->at[0]))) {
		route(x, t->e[x->at[0]], xc->st[x->at[0]], slot);
		return;
	}
	tap = adn_exec_tap(x);
	if (unlikely(tap != NULL))
		adn_capture_exits(tap, t->e, x->at, b);
	for (i = 0; i < b->n; i++) {
		const unsigned int m = x->at[i];

		route_pkt(x, t->e[m], xc->st[m], b->pkts[i], b->out[i],
			  &n_drop);
	}
	if (n_drop)
		adn_pkt_free_bulk(x->drops, n_drop);
	b->n = 0;
}

/* One run; `timed` (a constant in each caller) adds the profiler's clock
 * reads around every element. */
static __rte_always_inline void
exec_run(struct adn_exec *x, unsigned int from, const bool timed)
{
	const struct adn_pipeline *p = x->p;
	unsigned int w = x->worker;

	if (x->whole != NULL) {
		x->whole->run_pipeline(x->whole, x, from);
		return;
	}
	for (unsigned int i = from; i < p->n_elems; i++) {
		struct adn_batch *b = x->in[i];
		struct adn_elem *e;
		struct adn_elem_stats *st;
		uint64_t t0 = 0;

		if (b->n == 0)
			continue;
		e = p->elems[i];
		st = &e->stats[w];
		st->in += b->n;
		if (timed) {
			st->timed_in += b->n;
			t0 = rte_rdtsc();
		}
		if (x->chain[i] != NULL)
			run_chain(x, x->chain[i], &x->in[i]);
		else {
			if (x->elem[i] != NULL)
				x->elem[i]->run(x->elem[i], b);
			else
				e->desc->process(e, b);
			route(x, e, st, &x->in[i]);
		}
		if (timed)
			st->cycles += rte_rdtsc() - t0;
	}
}

void
adn_exec_release(struct adn_exec *x, struct adn_elem *e)
{
	struct adn_batch *b = x->in[e->index];	/* empty between runs */
	const uint16_t n = e->desc->dequeue(e, b->pkts, b->out,
					    ADN_BATCH_MAX);

	if (n == 0)
		return;
	b->n = n;
	x->in_flight = n;
	route(x, e, &e->stats[x->worker], &x->in[e->index]);
	exec_run(x, e->index + 1, false);
	x->in_flight = 0;
}

void
adn_exec_release_all(struct adn_exec *x)
{
	for (unsigned int i = 0; i < x->p->n_queues; i++)
		adn_exec_release(x, x->p->queues[i]);
}

void
adn_exec_run(struct adn_exec *x, unsigned int from)
{
	struct adn_exec_prof *pf = &x->prof;
	const uint16_t n = x->in[from]->n;

	x->in_flight = n;
	pf->batches++;
	pf->pkts += n;
	if (unlikely((pf->batches & x->prof_mask) == 0)) {
		const uint64_t t0 = rte_rdtsc();
		uint64_t c;

		exec_run(x, from, true);
		c = rte_rdtsc() - t0;
		if (likely(c < x->prof_preempted_cycles)) {
			pf->timed_batches++;
			pf->timed_pkts += n;
			pf->timed_cycles += c;
		} else {
			pf->preempted++;
		}
		pf->lat[RTE_MIN(63 - __builtin_clzll(c | 1),
				ADN_LAT_BUCKETS - 1)]++;
	} else {
		exec_run(x, from, false);
	}
	x->in_flight = 0;
}

/* --- plans ------------------------------------------------------------- */

static bool
fusable(const struct adn_elem *e)
{
	return e->desc->process == NULL &&
		!(e->desc->flags & (ADN_ELEM_SOURCE | ADN_ELEM_QUEUE));
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

/* What the plan chose per element before chains are formed. */
struct choices {
	struct adn_tpl_choice c[ADN_MAX_ELEMS];
	bool explicit[ADN_MAX_ELEMS];	/* named by the plan for this element */
	struct adn_elem *owner[ADN_MAX_ELEMS];	/* head of its chain */
};

/* Keeps a chained element's template out of the chain unless it rides in
 * chains (fastpath heads a segment there). */
static bool
chain_excludes(const struct choices *ch, unsigned int i)
{
	return ch->explicit[i] && !ch->c[i].tpl->in_chain;
}

static struct adn_exec_chain *
chain_new(const struct adn_exec *x, const struct adn_tpl_choice *c)
{
	struct adn_exec_chain *xc = rte_zmalloc("adn_exec_chain",
						sizeof(*xc), 0);

	if (xc == NULL)
		return NULL;
	xc->t.ops = c->tpl;
	xc->t.param = c->param;
	xc->t.worker = x->worker;
	return xc;
}

static void
chain_push(struct adn_exec *x, struct adn_exec_chain *xc, struct adn_elem *e,
	   struct choices *ch)
{
	struct adn_tpl_inst *t = &xc->t;

	t->e[t->n] = e;
	xc->st[t->n] = &e->stats[x->worker];
	if (ch->explicit[e->index])
		t->member[t->n] = ch->c[e->index];
	t->n++;
	ch->owner[e->index] = t->e[0];
}

/* Explicit chains of the plan; errors name the chain's line. */
static void
plan_chains(struct adn_exec *x, const struct adn_plan *plan,
	    struct exec_plan *ep, struct choices *ch, struct adn_errs *errs)
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
			else if (ch->owner[e->index] != NULL)
				adn_errs_add(errs, pc->where, pc->elem[m],
					     "fuse", "already in another chain");
			else if (chain_excludes(ch, e->index))
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
		xc = chain_new(x, &pc->c);
		if (xc == NULL) {
			adn_errs_add(errs, pc->where, NULL, "fuse",
				     "out of memory");
			return;
		}
		for (unsigned int m = 0; m < pc->n; m++)
			chain_push(x, xc, adn_pipeline_find(p, pc->elem[m]),
				   ch);
		ep->chain[xc->t.e[0]->index] = xc;
	}
}

/* Under a chain template as default: fuse every maximal chain of elements
 * that have no template of their own, following at each step the
 * successor that takes the most outputs. */
static int
plan_auto_chains(struct adn_exec *x, const struct adn_plan *plan,
		 struct exec_plan *ep, struct choices *ch)
{
	const struct adn_pipeline *p = x->p;

	for (unsigned int i = 0; i < p->n_elems; i++) {
		struct adn_elem *h = p->elems[i];
		struct adn_exec_chain *xc;

		if (!fusable(h) || ch->owner[i] != NULL ||
		    chain_excludes(ch, i))
			continue;
		xc = chain_new(x, &plan->def);
		if (xc == NULL)
			return -ENOMEM;
		chain_push(x, xc, h, ch);
		while (xc->t.n < ADN_CHAIN_ELEMS) {
			struct adn_elem *best = NULL;
			unsigned int best_ports = 0;

			for (uint16_t o = 0; o < h->n_outputs; o++) {
				struct adn_elem *s = p->elems[h->next[o]];
				unsigned int ports = (unsigned int)
					__builtin_popcount(feeds(h, s));

				if (fusable(s) && ch->owner[s->index] == NULL &&
				    !chain_excludes(ch, s->index) &&
				    ports > best_ports) {
					best = s;
					best_ports = ports;
				}
			}
			if (best == NULL)
				break;
			chain_push(x, xc, best, ch);
			h = best;
		}
		ep->chain[i] = xc;
	}
	return 0;
}

/*
 * Per-element templates: the plan's default for every stage-form element
 * that can take it (an element template whose needs the element lacks is
 * not applied to it: fastpath caches only PURE_ON_FLOW results), the base
 * template otherwise, then the plan's per-element choices, each checked.
 */
static void
plan_templates(struct adn_exec *x, const struct adn_plan *plan,
	       struct choices *ch, struct adn_errs *errs)
{
	const struct adn_pipeline *p = x->p;
	const struct adn_tpl_ops *base = adn_tpl_find(ADN_PLAN_BASE_TEMPLATE);

	unsigned int fit = 0, stage = 0;

	for (unsigned int i = 0; i < p->n_elems; i++) {
		const struct adn_elem *e = p->elems[i];

		if (e->desc->process != NULL)
			continue;
		stage++;
		if (plan->def.tpl->scope == ADN_TPL_SCOPE_ELEM &&
		    adn_tpl_fits(plan->def.tpl, e)) {
			ch->c[i] = plan->def;
			fit++;
		} else {
			ch->c[i] = (struct adn_tpl_choice){ base,
							    base->def_param };
		}
	}
	if (plan->def.tpl->scope == ADN_TPL_SCOPE_ELEM && stage > 0 &&
	    fit == 0) {
		char need[96];

		adn_elem_flags_name(plan->def.tpl->needs_flags, need,
				    sizeof(need));
		adn_errs_add(errs, plan->where, NULL, "template",
			     "default template %s fits no element of this pipeline (it needs elements that are %s)",
			     plan->def.tpl->name, need);
	}
	for (unsigned int k = 0; k < plan->n_items; k++) {
		const struct adn_plan_item *it = &plan->items[k];
		const struct adn_tpl_ops *t = it->c.tpl;
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
		if (!adn_tpl_fits(t, e)) {
			char need[96];

			adn_elem_flags_name(t->needs_flags &
					    ~e->desc->flags, need,
					    sizeof(need));
			adn_errs_add(errs, it->where, it->elem, "template",
				     "%s needs an element that is %s; %s is not",
				     t->name, need, e->desc->name);
			continue;
		}
		if (t->scope != ADN_TPL_SCOPE_ELEM) {
			adn_errs_add(errs, it->where, it->elem, "template",
				     "%s runs chains: fuse elements with A+B=%s (string) or fuse = ( \"A -> B\" ) (config)",
				     t->name, t->name);
			continue;
		}
		ch->c[e->index] = it->c;
		ch->explicit[e->index] = true;
	}
}

static int
inst_run(struct adn_tpl_inst *t, struct adn_errs *errs)
{
	int rc = t->ops->instantiate(t, errs);

	/* run / run_chain / run_pipeline share storage: non-NULL marks an
	 * instance that free() must see. */
	if (rc < 0)
		t->run = NULL;
	return rc;
}

/* Instances for every element outside a chain and for every chain. */
static int
plan_instantiate(struct adn_exec *x, struct exec_plan *ep,
		 const struct choices *ch, struct adn_errs *errs)
{
	for (unsigned int i = 0; i < x->p->n_elems; i++) {
		struct adn_tpl_inst *t;

		if (ch->c[i].tpl == NULL || ch->owner[i] != NULL)
			continue;
		t = rte_zmalloc("adn_tpl_inst", sizeof(*t),
				RTE_CACHE_LINE_SIZE);
		if (t == NULL) {
			adn_errs_add(errs, NULL, x->p->elems[i]->name,
				     "template", "out of memory");
			return -ENOMEM;
		}
		t->ops = ch->c[i].tpl;
		t->param = ch->c[i].param;
		t->worker = x->worker;
		t->n = 1;
		t->e[0] = x->p->elems[i];
		ep->elem[i] = t;
		if (inst_run(t, errs) < 0)
			return -EINVAL;
	}
	for (unsigned int i = 0; i < x->p->n_elems; i++) {
		struct adn_tpl_inst *t = ep->chain[i] ? &ep->chain[i]->t :
			NULL;

		if (t == NULL)
			continue;
		for (unsigned int m = 0; m + 1 < t->n; m++)
			t->cont[m] = feeds(t->e[m], t->e[m + 1]);
		if (inst_run(t, errs) < 0)
			return -EINVAL;
	}
	return 0;
}

static int
plan_whole(struct adn_exec *x, const struct adn_plan *plan,
	   struct exec_plan *ep, struct adn_errs *errs)
{
	struct adn_tpl_inst *t = rte_zmalloc("adn_tpl_inst", sizeof(*t),
					     RTE_CACHE_LINE_SIZE);

	if (t == NULL) {
		adn_errs_add(errs, plan->where, NULL, "plan", "out of memory");
		return -ENOMEM;
	}
	t->ops = plan->def.tpl;
	t->param = plan->def.param;
	t->worker = x->worker;
	ep->whole = t;
	return inst_run(t, errs);
}

int
adn_exec_apply_plan(struct adn_exec *x, const struct adn_plan *plan,
		    struct adn_errs *errs)
{
	const struct adn_pipeline *p = x->p;
	unsigned int first_err = errs->n;
	struct exec_plan ep, old;
	struct choices *ch;

	if (p->n_elems > ADN_MAX_ELEMS)
		return -E2BIG;
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL || exec_plan_alloc(p, &ep) < 0) {
		free(ch);
		adn_errs_add(errs, plan->where, NULL, "plan",
			     "out of memory");
		return -ENOMEM;
	}
	if (plan->def.tpl->scope == ADN_TPL_SCOPE_PIPELINE) {
		plan_whole(x, plan, &ep, errs);
	} else {
		plan_templates(x, plan, ch, errs);
		plan_chains(x, plan, &ep, ch, errs);
		if (errs->n == first_err &&
		    plan->def.tpl->scope == ADN_TPL_SCOPE_CHAIN &&
		    plan_auto_chains(x, plan, &ep, ch) < 0)
			adn_errs_add(errs, plan->where, NULL, "plan",
				     "out of memory");
		if (errs->n == first_err)
			plan_instantiate(x, &ep, ch, errs);
	}
	free(ch);
	if (errs->n != first_err) {
		exec_plan_free(p, &ep);
		return -EINVAL;
	}
	old = (struct exec_plan){ x->whole, x->elem, x->chain };
	x->whole = ep.whole;
	x->elem = ep.elem;
	x->chain = ep.chain;
	exec_plan_free(p, &old);
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

/* The instance that runs `e`, and e's position in it; NULL when e runs
 * its own loop (batch-form) or the whole pipeline has one instance. */
static const struct adn_tpl_inst *
inst_of(const struct adn_exec *x, const struct adn_elem *e, unsigned int *pos)
{
	*pos = 0;
	if (x->whole != NULL)
		return x->whole;
	if (x->elem[e->index] != NULL)
		return x->elem[e->index];
	for (unsigned int i = 0; i < x->p->n_elems; i++) {
		const struct adn_exec_chain *xc = x->chain[i];

		for (unsigned int m = 0; xc && m < xc->t.n; m++)
			if (xc->t.e[m] == e) {
				*pos = m;
				return &xc->t;
			}
	}
	return NULL;
}

void
adn_exec_describe(const struct adn_exec *x, const struct adn_elem *e,
		  char *out, size_t len)
{
	unsigned int pos;
	const struct adn_tpl_inst *t = inst_of(x, e, &pos);
	struct adn_tpl_choice c;
	char name[32], detail[200] = "";

	if (t == NULL) {
		snprintf(out, len, "process (batch-form)");
		return;
	}
	c = (struct adn_tpl_choice){ t->ops, t->param };
	adn_tpl_choice_name(&c, name, sizeof(name));
	if (t->ops->describe != NULL)
		t->ops->describe(t, pos, detail, sizeof(detail));
	snprintf(out, len, "%s%s", name, detail);
}

const struct adn_elem *
adn_exec_chain_head(const struct adn_exec *x, const struct adn_elem *e)
{
	unsigned int pos;
	const struct adn_tpl_inst *t = inst_of(x, e, &pos);

	return t != NULL && t->ops->scope == ADN_TPL_SCOPE_CHAIN ? t->e[0] :
		NULL;
}

int
adn_exec_tpl_stats(const struct adn_exec *x, const struct adn_elem *e,
		   const char **tpl_name, struct adn_xstat *out,
		   unsigned int max)
{
	unsigned int pos;
	const struct adn_tpl_inst *t = inst_of(x, e, &pos);

	if (t == NULL || t->ops->stats == NULL)
		return 0;
	*tpl_name = t->ops->name;
	return (int)t->ops->stats(t, pos, out, max);
}

const struct adn_elem *
adn_exec_fused_edge(const struct adn_exec *x, const struct adn_elem *e,
		    uint16_t o)
{
	unsigned int pos;
	const struct adn_tpl_inst *t = inst_of(x, e, &pos);

	if (t == NULL || t->ops->scope != ADN_TPL_SCOPE_CHAIN ||
	    pos + 1 >= t->n || !(t->cont[pos] & (1u << o)))
		return NULL;
	return t->e[0];
}
