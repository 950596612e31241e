/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The element API. An element is a static descriptor registered by
 * ADN_ELEM_REGISTER() in one file under nfs/. It is written in one of two
 * forms:
 *
 *  - stage form (per-packet NFs): prep() computes keys into the packet's
 *    scratch context and returns the address exec() will touch (so a
 *    template may prefetch it), exec() does the work and returns an output
 *    port, ADN_CONSUMED, or adn_drop(reason); an optional bulk() between
 *    them takes many packets' contexts at once, for a library's batch
 *    call (rte_lpm_lookup_bulk, rte_hash_lookup_bulk);
 *  - batch form: process() sees the whole batch and fills b->out[].
 *
 * Loops, prefetching, caching and fusion belong to templates/, never to
 * element code.
 */
#ifndef _ADN_ELEM_H_
#define _ADN_ELEM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_per_lcore.h>

#define ADN_BATCH_MAX 256
#define ADN_MAX_OUTPUTS 16
#define ADN_MAX_DROP_REASONS 16
#define ADN_NAME_MAX 64
#define ADN_MAX_WORKERS 64
#define ADN_ELEM_MAX_STATE 4	/* state objects per element */

/* Output codes: >= 0 is an output port. */
#define ADN_CONSUMED (-1)	/* a sink took the mbuf (transmitted) */
#define ADN_DROP_BASE (-2)	/* adn_drop(r) == ADN_DROP_BASE - r */
/* A queue element (ADN_ELEM_QUEUE) kept the mbuf: it leaves later through
 * the element's dequeue(), or as a drop the element counts (below every
 * drop code: ADN_DROP_BASE - ADN_N_DROP_SLOTS > ADN_HELD). */
#define ADN_HELD (-1000)

static inline int
adn_drop(unsigned int reason)
{
	return ADN_DROP_BASE - (int)reason;
}

/*
 * Per-packet scratch for prep -> exec (and bulk), valid within one
 * element's run. Its bytes are the element's alone: an element declares
 * a struct of what its stages pass on and reads the scratch through
 * ADN_PKT_CTX(ctx, struct NAME_ctx), which fails the build when the
 * struct outgrows the slot (rte_graph's RTE_NODE_CTX_SZ rule). Templates
 * and chains move it as bytes.
 */
union adn_pkt_ctx {
	uint64_t align;
	uint8_t bytes[64];
};

#define ADN_PKT_CTX(ctx, type) __extension__ ({				\
	_Static_assert(sizeof(type) <= sizeof(union adn_pkt_ctx),	\
		       #type " outgrows union adn_pkt_ctx");		\
	(type *)(void *)(ctx);						\
})

/* A batch: mbufs, the output code each element assigns, scratch. */
struct adn_batch {
	uint16_t n;
	struct rte_mbuf *pkts[ADN_BATCH_MAX];
	int16_t out[ADN_BATCH_MAX];
	union adn_pkt_ctx ctx[ADN_BATCH_MAX];
};

/* Give every packet of b the output code `code` (a port, ADN_CONSUMED):
 * the process() of a source or a sink that sends everything one way. */
static inline void
adn_batch_out_all(struct adn_batch *b, int code)
{
	for (uint16_t i = 0; i < b->n; i++)
		b->out[i] = (int16_t)code;
}

/*
 * Free n mbufs, none NULL. The rule -- direct, unshared, one-segment
 * mbufs of one pool, as a source allocated them -- goes back in one
 * rte_mempool_put_bulk: DPDK's MBUF_FAST_FREE, checked here instead of
 * promised, without rte_pktmbuf_free_bulk's out-of-line walk of every
 * segment (about 40 instructions a packet). Anything else takes that
 * walk.
 */
static inline void
adn_pkt_free_bulk(struct rte_mbuf **pkts, unsigned int n)
{
	struct rte_mempool *mp;
	uint64_t odd = 0;

	if (n == 0)
		return;
	mp = pkts[0]->pool;
	for (unsigned int i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];

		/* One OR a packet, tested once: no branch per packet. */
		odd |= (m->ol_flags & (RTE_MBUF_F_INDIRECT |
				       RTE_MBUF_F_EXTERNAL)) |
			(uint64_t)(rte_mbuf_refcnt_read(m) ^ 1) |
			(uint64_t)(m->nb_segs ^ 1) | (uintptr_t)m->next |
			((uintptr_t)m->pool ^ (uintptr_t)mp);
	}
	if (likely(odd == 0))
		rte_mempool_put_bulk(mp, (void **)pkts, n);
	else
		rte_pktmbuf_free_bulk(pkts, n);
}

enum adn_elem_flags {
	/* The output code depends only on the IPv4 5-tuple and state that
	 * changes only through control(); exec() writes neither the packet
	 * nor any state. A per-flow result cache (fastpath) is legal. */
	ADN_ELEM_PURE_ON_FLOW = 1u << 0,
	/* Keeps per-lcore state (indexed by adn_worker_index()). */
	ADN_ELEM_STATEFUL_PER_CORE = 1u << 1,
	/* Keeps state shared by all workers (atomics or RCU inside). */
	ADN_ELEM_STATEFUL_SHARED = 1u << 2,
	/* Packets enter the pipeline here (the worker fills its batch). */
	ADN_ELEM_SOURCE = 1u << 3,
	/* What prep() writes to ctx (its first prep_ctx_bytes bytes) depends
	 * only on the 5-tuple, the worker and state that changes only
	 * through control(), and prep() writes nothing else: a fastpath
	 * segment may keep it per flow and run exec() alone (NFMorph's
	 * "cache and reuse hash computations"). */
	ADN_ELEM_PREP_PURE_ON_FLOW = 1u << 4,
	/* Running it has effects outside the process (it transmits on a
	 * port): a shadow pipeline (adn_build_env.shadow) runs a stand-in
	 * that drops instead. */
	ADN_ELEM_EXTERNAL = 1u << 5,
	/* Holds packets across runs (a scheduler, a shaper): exec/process
	 * returns ADN_HELD for what it keeps, and every worker calls its
	 * dequeue() once per poll round, input or not, so it can release at
	 * its own pace. It must have dequeue, held and flush. */
	ADN_ELEM_QUEUE = 1u << 6,
};

enum adn_arg_type {
	ADN_ARG_INT,	/* libconfig int or int64 */
	ADN_ARG_FLOAT,	/* float, or int */
	ADN_ARG_BOOL,
	ADN_ARG_STRING,
	ADN_ARG_LIST,	/* list ( ... ) or array [ ... ] */
	ADN_ARG_GROUP,	/* group { ... } */
};

/* A declared config key. The core checks presence, type, range and
 * choices before configure() runs, so configure() only reads. */
struct adn_arg_spec {
	const char *name;
	enum adn_arg_type type;
	bool required;
	int64_t min, max;		/* ADN_ARG_INT; min == max == 0: any */
	const char *const *choices;	/* ADN_ARG_STRING; NULL-terminated */
	int64_t def_int;		/* defaults when the key is absent */
	double def_float;
	const char *def_str;
	const char *help;
	/* A tunable a plan may set (adn_plan.h): the domain is the type with
	 * min/max or choices. */
	bool knob;
	/* The key shapes the element's state (a table size, a seed): a
	 * rebuild that changes it gets new state objects (adn_state.h). */
	bool shapes_state;
};

/* A name/value pair an element exports beyond the generic counters. */
struct adn_xstat {
	char name[48];
	uint64_t value;
};

struct adn_elem;
struct adn_build;
struct adn_pipeline;
struct adn_plan;
struct adn_state;

struct adn_elem_desc {
	const char *name;		/* config type, CamelCase */
	const char *help;		/* one line for --list-elements */
	uint32_t flags;
	size_t priv_size;		/* zeroed, cache aligned, in elem->priv */
	/* priv is state (adn_state.h): allocated through the registry under
	 * key "priv" and kept by the next version while the element keeps
	 * its name, type and shapes_state keys; configure() then finds it
	 * as it was (adn_elem_priv_reused) and must not rebuild it. Such an
	 * element has no destroy: priv_free frees what priv points to when
	 * its last version is gone. */
	bool priv_is_state;
	void (*priv_free)(void *priv);
	/* priv_is_state: when a rebuild reshapes priv, configure() builds
	 * the new one from the old (adn_elem_priv_prev): nothing is lost,
	 * no reset is counted. */
	bool priv_from_prev;
	uint16_t n_outputs;		/* configure() may change it */
	const char *const *drop_reasons;	/* NULL-terminated */
	const struct adn_arg_spec *args;	/* terminated by .name == NULL */
	uint8_t prep_ctx_bytes;		/* ADN_ELEM_PREP_PURE_ON_FLOW */

	/* Control plane, main lcore. Returns 0 or a negative errno after
	 * reporting through adn_build_error(). State that must outlive this
	 * build comes from adn_elem_state(); priv is this build's alone. */
	int (*configure)(struct adn_elem *e, struct adn_build *b);
	/* Frees what configure() put in priv (not the state objects). */
	void (*destroy)(struct adn_elem *e);
	/* Optional: fill the new object of state `key` from the old one,
	 * after the last version that used the old one was retired (so no
	 * worker writes it any more), when a rebuild changed a key that
	 * shapes state (adn_state.h). The new object may be in use. */
	void (*migrate)(const char *key, void *to, const void *from);

	/* Data plane, worker lcores. */
	const void *(*prep)(struct adn_elem *e, struct rte_mbuf *m,
			    union adn_pkt_ctx *ctx);
	int (*exec)(struct adn_elem *e, struct rte_mbuf *m,
		    union adn_pkt_ctx *ctx);
	/* Optional, stage form: runs over n packets (1 to ADN_BATCH_MAX, any
	 * subset of a batch, in any order) after their prep and before their
	 * exec, and leaves in each ctx what exec reads. When an element has
	 * it, every template calls prep, bulk and exec for each packet in
	 * that order (scalar with n = 1), so exec may rely on it; exec's
	 * result must not depend on how packets were grouped. configure()
	 * may turn it off for its instance (adn_elem.no_bulk: a table kind
	 * without a batch call), and exec then does the work alone. */
	void (*bulk)(struct adn_elem *e, struct rte_mbuf *const *m,
		     union adn_pkt_ctx *const *ctx, uint16_t n);
	void (*process)(struct adn_elem *e, struct adn_batch *b);
	/* Sources: fill up to `max` packets from rx point `queue` (one the
	 * element registered with adn_build_claim_rx / adn_build_add_rx). */
	uint16_t (*rx)(struct adn_elem *e, uint16_t queue,
		       struct rte_mbuf **pkts, uint16_t max);

	/* ADN_ELEM_QUEUE, the calling worker's queues: release up to `max`
	 * held packets into pkts[] with their output ports in out[], return
	 * how many. The core routes them on like a run's output (counted as
	 * the element's out[], not as new input). */
	uint16_t (*dequeue)(struct adn_elem *e, struct rte_mbuf **pkts,
			    int16_t *out, uint16_t max);
	/* ADN_ELEM_QUEUE, any lcore: mbufs held now, over all workers (the
	 * totals count them in flight; a racy read is fine). */
	uint64_t (*held)(const struct adn_elem *e);
	/* ADN_ELEM_QUEUE, control thread, when no worker can run the version
	 * any more (its retirement, or before destroy): free every held mbuf
	 * and count each as a drop of the worker that held it, so the
	 * retired version balances. */
	void (*flush)(struct adn_elem *e);

	/* Any lcore; fills at most `max` entries, returns how many. */
	unsigned int (*xstats)(const struct adn_elem *e, struct adn_xstat *out,
			       unsigned int max);

	/* Control plane write handler (Click's write handlers): `cmd` is a
	 * line such as "add 10.0.0.0/8 2". Called through
	 * adn_elem_control() on a control thread (one at a time) while
	 * workers keep running batches: a change must be safe for
	 * concurrent readers (an RCU-safe structure update, or a rebuilt
	 * structure swapped in by one pointer store and the old one freed
	 * with adn_elem_defer_free). Returns 1 when it changed state, 0 when
	 * it only answered (a lookup), each with a reply in `reply`, or a
	 * negative errno with the reason. */
	int (*control)(struct adn_elem *e, const char *cmd, char *reply,
		       size_t len);
	/* One line per command for `control help`, NULL-terminated. */
	const char *const *control_help;
	/* Optional housekeeping off the data path (expiry sweeps): called
	 * about every ADN_TICK_MS (100 ms) for the live version's elements on
	 * the control thread (adn_runtime_reclaim), one at a time with control()
	 * and while workers keep running, so under control()'s rules: an
	 * RCU-safe change, frees through adn_elem_defer_free. */
	void (*tick)(struct adn_elem *e);

	/* Where the stages live, for the jit template (templates/adn_jit.c)
	 * to inline them: the source file and the PREFIX of PREFIX_prep,
	 * PREFIX_bulk and PREFIX_exec. Set by ADN_ELEM_STAGES /
	 * ADN_ELEM_BULK_STAGES / ADN_ELEM_EXEC_STAGE. */
	const char *stage_file;
	const char *stage_prefix;
};

/* Descriptor initializers for stage-form elements whose stages are named
 * PREFIX_prep / PREFIX_exec (or PREFIX_exec alone), or PREFIX_prep /
 * PREFIX_bulk / PREFIX_exec. */
#define ADN_ELEM_STAGES(prefix) \
	.prep = prefix ## _prep, .exec = prefix ## _exec, \
	.stage_file = __FILE__, .stage_prefix = #prefix
#define ADN_ELEM_BULK_STAGES(prefix) \
	.prep = prefix ## _prep, .bulk = prefix ## _bulk, \
	.exec = prefix ## _exec, \
	.stage_file = __FILE__, .stage_prefix = #prefix
#define ADN_ELEM_EXEC_STAGE(prefix) \
	.exec = prefix ## _exec, \
	.stage_file = __FILE__, .stage_prefix = #prefix

/* Per-worker counters of one element; one cache-line-aligned slot per
 * worker so workers never share a line. */
#define ADN_DROP_BAD_PORT ADN_MAX_DROP_REASONS	/* element returned a bad port */
#define ADN_DROP_OVERFLOW (ADN_MAX_DROP_REASONS + 1) /* downstream batch full */
#define ADN_N_DROP_SLOTS (ADN_MAX_DROP_REASONS + 2)

struct adn_elem_stats {
	uint64_t in;
	uint64_t consumed;
	uint64_t out[ADN_MAX_OUTPUTS];
	uint64_t drop[ADN_N_DROP_SLOTS];
	/* The profiler (adn_exec_run): TSC cycles spent in the element's
	 * runs of timed batches, and the packets those runs took. A chain's
	 * time is its head's. */
	uint64_t cycles, timed_in;
} __rte_cache_aligned;

struct adn_elem {
	const struct adn_elem_desc *desc;
	char name[ADN_NAME_MAX];
	uint16_t index;			/* position in topological order */
	uint16_t n_outputs;
	uint16_t n_inputs;
	uint16_t next[ADN_MAX_OUTPUTS];	/* topo index of each output's target */
	const config_setting_t *setting;
	/* Keys the build rejected (bit i: desc->args[i], a bad type, range
	 * or choice): configure() reads them as absent (their defaults), so
	 * its own errors about the other keys are still found, and the
	 * build does not report them again (adn_build_error). */
	uint64_t bad_args;
	/* While configure() runs: the plan whose knobs override config
	 * values (adn_elem_arg_*). */
	const struct adn_plan *knobs;
	void *priv;
	/* Set by configure(): this instance has no bulk stage
	 * (adn_elem_has_bulk). */
	bool no_bulk;
	bool priv_reused;		/* priv_is_state: kept from a version */
	const void *priv_prev;		/* priv_is_state, reshaped: the old one */
	struct adn_elem_stats *stats;	/* [n_workers] */
	unsigned int n_workers;
	/* Bumped after every successful control(): anything derived from the
	 * element's state (a fastpath cache) is valid only for the
	 * generation it was computed under. */
	uint32_t state_gen;
	/* State objects this build holds (adn_elem_state). */
	unsigned int n_state;
	struct adn_state *state[ADN_ELEM_MAX_STATE];
	/* The pipeline's deferred-free queue (adn_elem_defer_free). */
	struct adn_defer *defer;
	const struct adn_pipeline *pipe;	/* the pipeline it is part of */
};

/* Whether the templates run e's bulk stage. */
static inline bool
adn_elem_has_bulk(const struct adn_elem *e)
{
	return e->desc->bulk != NULL && !e->no_bulk;
}

/* The element's current state generation (data plane, any lcore). */
static inline uint32_t
adn_elem_state_gen(const struct adn_elem *e)
{
	return __atomic_load_n(&e->state_gen, __ATOMIC_ACQUIRE);
}

struct adn_defer;

/* Free `p` with `fn` once no worker can hold a reference taken before
 * this call (after an RCU grace period of the runtime; at once when no
 * worker runs). Control thread; never fails (when the queue cannot grow
 * it waits for the grace period). */
void adn_elem_defer_free(const struct adn_elem *e, void (*fn)(void *),
			 void *p);

/* "PURE_ON_FLOW" (or several, '|'-separated) for messages. */
void adn_elem_flags_name(uint32_t flags, char *out, size_t len);

/* Run control command `cmd` on `e` (one control thread at a time) and
 * bump its state generation when the command changed state.
 * Returns 0, the handler's negative errno, or -ENOTSUP when the element
 * has no control handler. */
int adn_elem_control(struct adn_elem *e, const char *cmd, char *reply,
		     size_t len);

static inline void *
adn_elem_priv(const struct adn_elem *e)
{
	return e->priv;
}

/* In configure() of a priv_is_state element: priv is the previous
 * version's, already built. */
static inline bool
adn_elem_priv_reused(const struct adn_elem *e)
{
	return e->priv_reused;
}

/* In configure() of a priv_is_state element whose keys that shape state
 * changed: the previous version's priv, read-only (NULL when none). */
static inline const void *
adn_elem_priv_prev(const struct adn_elem *e)
{
	return e->priv_prev;
}

/* Index of the calling worker in [0, n_workers); 0 on a non-worker lcore
 * (tests driving a pipeline from the main lcore). */
RTE_DECLARE_PER_LCORE(unsigned int, adn_worker_idx);

static inline unsigned int
adn_worker_index(void)
{
	return RTE_PER_LCORE(adn_worker_idx);
}

void adn_worker_index_set(unsigned int idx);

/* --- registry ---------------------------------------------------------- */

void adn_elem_register(const struct adn_elem_desc *desc);
const struct adn_elem_desc *adn_elem_find(const char *name);
/* Iterate registered types: returns NULL past the end. */
const struct adn_elem_desc *adn_elem_at(unsigned int i);

#ifndef ADN_JIT
#define ADN_ELEM_REGISTER(desc) \
	RTE_INIT(adn_elem_register_ ## desc) \
	{ \
		adn_elem_register(&(desc)); \
	}
#else
/* Compiled into a jit chain for its stages only: the type is registered
 * by the binary already. */
#define ADN_ELEM_REGISTER(desc)
#endif

/* --- reading declared keys (valid in configure) ---------------------- */

/* The key's setting, or NULL when absent or rejected (bad_args). */
const config_setting_t *adn_elem_arg(const struct adn_elem *e,
				     const char *key);
/* Whether the build rejected `key` already (see bad_args). */
bool adn_elem_arg_rejected(const struct adn_elem *e, const char *key);
int64_t adn_elem_arg_int(const struct adn_elem *e, const char *key);
double adn_elem_arg_float(const struct adn_elem *e, const char *key);
bool adn_elem_arg_bool(const struct adn_elem *e, const char *key);
const char *adn_elem_arg_str(const struct adn_elem *e, const char *key);

/* The value configure() reads for `key` as text (for state shapes and
 * messages). */
void adn_elem_arg_text(const struct adn_elem *e, const char *key, char *out,
		       size_t len);

/* The path in string key `key`, resolved against the directory of the
 * config file that names it (absolute paths stay as they are), so a config
 * and its data files travel together. Empty when the key is absent. */
void adn_elem_arg_path(const struct adn_elem *e, const char *key, char *out,
		       size_t len);

/* Name of drop code slot `r` (element reasons, then the core's). */
const char *adn_elem_drop_name(const struct adn_elem *e, unsigned int r);
/* The same for a type (NULL: the core's names only). */
const char *adn_elem_desc_drop_name(const struct adn_elem_desc *d,
				    unsigned int r);

#endif /* _ADN_ELEM_H_ */
