/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LpmRoute — IPv4 longest-prefix match on the destination address (Click's
 * RadixIPLookup / DPDK's ip4_lookup node), from a route file.
 *
 * Keys:
 *   routes (string, required)  route file: one `a.b.c.d/len next_hop` per
 *                              line, `#` comments; next_hop is the output
 *                              (1-15). A relative path is taken from the
 *                              config file's directory.
 *   first_hop (int, default 1, 0-1)  the file's lowest next hop, which
 *                              goes to output 1: 0 reads a table written
 *                              for Click's RadixIPLookup (`prefix/len
 *                              port`, ports from 0) as it is, next hop h
 *                              to output h + 1. Control commands take and
 *                              show hops in the file's numbering.
 *   table  (string, default "radix")
 *          "radix"    multi-bit radix trie, strides 16/8/8
 *                     (lib/util/adn_radix.h): Click's RadixIPLookup
 *                     shape, the NFMorph paper's choice
 *          "dir24_8"  DPDK rte_lpm (DIR-24-8: one tbl24 read for /24 and
 *                     shorter, a tbl8 read beyond)
 *   spare_routes (int, default 1024, 0-1048576)  dir24_8 only: room for
 *                              routes `add`ed at run time beyond the
 *                              file's (rte_lpm is sized at creation; the
 *                              radix trie grows as needed)
 * Outputs: 0 — no route covers the destination; h — next hop h. The
 *          element has 1 + (highest next hop in the file) outputs.
 * Drops: not-ipv4 — not an IPv4 frame or shorter than an IPv4 header.
 * Control (adn_runtime_control, telemetry /adn/control):
 *   add A.B.C.D/LEN HOP   add a route or replace its hop; HOP numbered as
 *                         in the file, within the outputs (fixed at
 *                         build time)
 *   remove A.B.C.D/LEN    remove exactly that prefix
 *   lookup A.B.C.D        the output the data path takes for the address
 * Extra counters: routes (current, after control changes), radix_nodes.
 * Stages: prep() reads the destination into ctx and returns the first
 *         table entry the lookup reads (the tbl24 entry, or the trie's
 *         first-level entry); dir24_8: bulk() looks up all its packets
 *         at once (rte_lpm_lookup_bulk) and exec() gives the output it
 *         found; radix has no bulk stage (no batch call to make: the
 *         out-of-order core overlaps the walks of a group's packets
 *         anyway), exec() walks the trie prep read (its entry array
 *         kept in ctx: one table for both stages of a packet).
 * State (kept across plan swaps and reloads): the table and its routes,
 *   control changes included. When `table` or `spare_routes` change the
 *   new table is built from the live routes; a new `routes` file starts
 *   from that file. Control runs while workers route: dir24_8 changes
 *   rte_lpm in place (RCU-safe, tbl8 groups reclaimed through the
 *   workers' QSBR variable); radix keeps a second trie, changes it and
 *   swaps it in, then changes the first after a grace period (twice the
 *   trie's memory; a change costs two changes, not a copy).
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_errno.h>
#include <rte_lpm.h>

#include <rte_rcu_qsbr.h>

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"
#include "adn_radix.h"
#include "adn_route.h"

enum { LPM_ROUTE_OUT_NO_ROUTE, LPM_ROUTE_OUT_HOP1 };

#define LPM_ROUTE_MAX_HOP (ADN_MAX_OUTPUTS - 1)
#define LPM_ROUTE_SPARE_DEFAULT 1024

enum { LPM_ROUTE_DROP_NOT_IPV4 };

static const char *const lpm_route_drops[] = {
	[LPM_ROUTE_DROP_NOT_IPV4] = "not-ipv4",
	NULL,
};

enum lpm_table { LPM_TABLE_RADIX, LPM_TABLE_DIR24_8 };

static const char *const lpm_tables[] = {
	[LPM_TABLE_RADIX] = "radix",
	[LPM_TABLE_DIR24_8] = "dir24_8",
	NULL,
};

/* priv, and state (kept across swaps, priv_is_state). */
struct lpm_route {
	enum lpm_table kind;
	/* radix: the entry array lookups read, published with the trie it
	 * belongs to. Control changes `spare`, a second copy equal to
	 * `radix` between changes, publishes it, and once no worker reads
	 * the old trie changes that one too: it is the next spare. A change
	 * costs two changes and a grace period, not a copy of the trie
	 * (which grows with the table). NULL until the first change, and
	 * after a change failed on the old trie. */
	const uint32_t *tbl;
	struct adn_radix *radix, *spare;
	struct rte_rcu_qsbr *qsbr;	/* the workers' (NULL: none) */
	struct rte_lpm *lpm;
	/* rte_lpm takes depths 1-32: a /0 route is the miss result. */
	uint32_t default_hop;
	uint32_t max_hop;		/* of the file: outputs - 1 */
	uint32_t first_hop;		/* the file's hop for output 1 */
	char path[PATH_MAX];		/* the file the routes came from */
	/* Every route now in the table, to rebuild it in another kind. */
	struct adn_route_table routes;
};

static const struct adn_arg_spec lpm_route_args[] = {
	{ .name = "routes", .type = ADN_ARG_STRING, .required = true,
	  .help = "route file, `a.b.c.d/len next_hop` per line",
	  .shapes_state = true },
	{ .name = "table", .type = ADN_ARG_STRING, .choices = lpm_tables,
	  .def_str = "radix", .help = "lookup structure", .knob = true,
	  .shapes_state = true },
	{ .name = "first_hop", .type = ADN_ARG_INT, .min = 0, .max = 1,
	  .def_int = 1, .help = "the file's lowest next hop (0: Click's)",
	  .shapes_state = true },
	{ .name = "spare_routes", .type = ADN_ARG_INT, .min = 0,
	  .max = 1 << 20, .def_int = LPM_ROUTE_SPARE_DEFAULT,
	  .help = "dir24_8: room for routes added at run time",
	  .shapes_state = true },
	{ .name = NULL },
};

static void
radix_free(void *p)
{
	adn_radix_free(p);
	free(p);
}

static void
lpm_route_free(void *priv)
{
	struct lpm_route *st = priv;

	if (st->radix != NULL)
		radix_free(st->radix);
	if (st->spare != NULL)
		radix_free(st->spare);
	rte_lpm_free(st->lpm);
	adn_route_table_free(&st->routes);
}

/* Build st's table of kind st->kind from st->routes. */
static int
lpm_route_fill(struct lpm_route *st, uint32_t spare,
	       struct rte_rcu_qsbr *qsbr)
{
	const struct adn_route_table *t = &st->routes;
	int rc = 0;

	st->qsbr = qsbr;
	if (st->kind == LPM_TABLE_RADIX) {
		st->radix = calloc(1, sizeof(*st->radix));
		if (st->radix == NULL)
			return -ENOMEM;
		rc = adn_radix_init(st->radix);
		for (unsigned int i = 0; rc == 0 && i < t->n; i++)
			rc = adn_radix_add(st->radix, t->r[i].prefix,
					   t->r[i].len, t->r[i].hop);
		st->tbl = st->radix->tbl;
		return rc;
	}
	struct rte_lpm_config c = {
		.max_rules = t->n + spare,
		/* Every prefix longer than /24 may need its own tbl8 group;
		 * enough for any file plus the spare routes. */
		.number_tbl8s = RTE_MAX(t->n, 256u) + spare,
	};
	char name[RTE_MEMZONE_NAMESIZE];

	snprintf(name, sizeof(name), "lpm_%p", (void *)st);
	st->lpm = rte_lpm_create(name, (int)rte_socket_id(), &c);
	if (st->lpm == NULL)
		return -rte_errno;
	if (qsbr != NULL) {
		/* Deleted tbl8 groups are reused only after the workers'
		 * grace period: lookups run while control changes routes. */
		struct rte_lpm_rcu_config rc_cfg = { .v = qsbr };

		rc = rte_lpm_rcu_qsbr_add(st->lpm, &rc_cfg);
	}
	st->default_hop = LPM_ROUTE_OUT_NO_ROUTE;
	for (unsigned int i = 0; rc == 0 && i < t->n; i++) {
		if (t->r[i].len == 0)
			st->default_hop = t->r[i].hop;
		else
			rc = rte_lpm_add(st->lpm, t->r[i].prefix, t->r[i].len,
					 t->r[i].hop);
	}
	return rc;
}

/* Next hops as the route file and control commands write them, and the
 * outputs the tables hold. */
static uint32_t
hop_max(const struct lpm_route *st)
{
	return LPM_ROUTE_MAX_HOP - LPM_ROUTE_OUT_HOP1 + st->first_hop;
}

static uint32_t
hop_out(const struct lpm_route *st, uint32_t hop)
{
	return hop - st->first_hop + LPM_ROUTE_OUT_HOP1;
}

static uint32_t
out_hop(const struct lpm_route *st, uint32_t out)
{
	return out + st->first_hop - LPM_ROUTE_OUT_HOP1;
}

/* A copy of `t` in `out`; 0 or -ENOMEM. */
static int
routes_copy(struct adn_route_table *out, const struct adn_route_table *t)
{
	out->n = t->n;
	out->r = malloc(sizeof(*t->r) * RTE_MAX(t->n, 1u));
	if (out->r == NULL)
		return -ENOMEM;
	memcpy(out->r, t->r, sizeof(*t->r) * t->n);
	return 0;
}

static int
lpm_route_configure(struct adn_elem *e, struct adn_build *b)
{
	struct lpm_route *st = adn_elem_priv(e);
	const struct lpm_route *prev = adn_elem_priv_prev(e);
	const char *table = adn_elem_arg_str(e, "table");
	char path[PATH_MAX], err[PATH_MAX + 128];
	int rc;

	adn_elem_arg_path(e, "routes", path, sizeof(path));
	if (!adn_elem_priv_reused(e)) {
		st->kind = strcmp(table, "dir24_8") == 0 ? LPM_TABLE_DIR24_8 :
			LPM_TABLE_RADIX;
		snprintf(st->path, sizeof(st->path), "%s", path);
		st->first_hop = (uint32_t)adn_elem_arg_int(e, "first_hop");
		if (prev != NULL && strcmp(prev->path, path) == 0 &&
		    prev->first_hop == st->first_hop) {
			/* Same file, another table: the live routes. */
			rc = routes_copy(&st->routes, &prev->routes);
			st->max_hop = prev->max_hop;
		} else {
			rc = adn_route_file_read(path, st->first_hop,
						 hop_max(st), &st->routes, err,
						 sizeof(err));
			if (rc < 0)
				return adn_build_error(b, e, "routes", "%s",
						       err);
			/* The tables hold outputs. */
			for (unsigned int i = 0; i < st->routes.n; i++) {
				st->routes.r[i].hop = hop_out(st,
						st->routes.r[i].hop);
				st->max_hop = RTE_MAX(st->max_hop,
						      st->routes.r[i].hop);
			}
		}
		if (rc == 0)
			rc = lpm_route_fill(st, (uint32_t)adn_elem_arg_int(e,
					"spare_routes"), adn_build_qsbr(b));
		if (rc < 0)
			return adn_build_error(b, e, "routes",
					       "%s: cannot build the %s table: %s",
					       path, table, strerror(-rc));
	}
	e->n_outputs = (uint16_t)(st->max_hop + 1);
	/* The trie is walked in exec: there is no batch call to make. */
	e->no_bulk = st->kind != LPM_TABLE_DIR24_8;
	return 0;
}

/* The trie's current entry array: acquire pairs with the release of a
 * control change's copy. */
static inline const uint32_t *
radix_tbl(const struct lpm_route *l)
{
	return __atomic_load_n(&l->tbl, __ATOMIC_ACQUIRE);
}

/* The output for `dst` (host order) in trie `tbl`. */
static inline int32_t
radix_out(const uint32_t *tbl, uint32_t dst)
{
	const uint32_t hop = adn_radix_lookup_tbl(tbl, dst);

	return hop == ADN_RADIX_NO_HOP ? LPM_ROUTE_OUT_NO_ROUTE : (int32_t)hop;
}

/* What prep leaves for bulk (dir24_8) or exec (radix), and bulk for
 * exec. */
struct lpm_route_ctx {
	const uint32_t *tbl;	/* radix: the trie prep read; else NULL */
	uint32_t dst;		/* host order */
	int32_t out;		/* not IPv4: its drop; dir24_8: bulk's output */
};

static const void *
lpm_route_prep(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct lpm_route *l = adn_elem_priv(e);
	struct lpm_route_ctx *c = ADN_PKT_CTX(ctx, struct lpm_route_ctx);
	const struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	uint32_t dst;

	if (ip == NULL) {
		c->tbl = NULL;
		c->dst = 0;
		c->out = adn_drop(LPM_ROUTE_DROP_NOT_IPV4);
		return NULL;
	}
	dst = rte_be_to_cpu_32(ip->dst_addr);
	c->dst = dst;
	if (l->kind == LPM_TABLE_DIR24_8) {
		c->tbl = NULL;
		c->out = LPM_ROUTE_OUT_NO_ROUTE;	/* bulk sets it */
		return &l->lpm->tbl24[dst >> 8];
	}
	/* exec walks the trie prep read: one load of the table in a batch's
	 * RCU read section, and no test of the kind. */
	c->tbl = radix_tbl(l);
	return adn_radix_first(c->tbl, dst);
}

/* The outputs for n destinations (host order): the `lookup` command, and
 * dir24_8's bulk stage, so lookup answers what packets get. The lookups
 * are independent, so their loads overlap. */
static inline void
lpm_route_lookup_n(const struct lpm_route *l, const uint32_t *dst,
		   int32_t *out, uint16_t n)
{
	if (l->kind == LPM_TABLE_DIR24_8) {
		const uint32_t def = __atomic_load_n(&l->default_hop,
						     __ATOMIC_RELAXED);
		uint32_t hop[ADN_BATCH_MAX];

		rte_lpm_lookup_bulk(l->lpm, dst, hop, n);
		for (uint16_t k = 0; k < n; k++)
			out[k] = (hop[k] & RTE_LPM_LOOKUP_SUCCESS) ?
				(int32_t)(hop[k] & 0x00ffffff) : (int32_t)def;
		return;
	}
	const uint32_t *tbl = radix_tbl(l);

	for (uint16_t k = 0; k < n; k++)
		out[k] = radix_out(tbl, dst[k]);
}

static void
lpm_route_bulk(struct adn_elem *e, struct rte_mbuf *const *m,
	       union adn_pkt_ctx *const *ctx, uint16_t n)
{
	const struct lpm_route *l = adn_elem_priv(e);
	uint32_t dst[ADN_BATCH_MAX];
	int32_t out[ADN_BATCH_MAX];

	for (uint16_t k = 0; k < n; k++)
		dst[k] = ADN_PKT_CTX(ctx[k], const struct lpm_route_ctx)->dst;
	lpm_route_lookup_n(l, dst, out, n);
	for (uint16_t k = 0; k < n; k++) {
		struct lpm_route_ctx *c = ADN_PKT_CTX(ctx[k],
						      struct lpm_route_ctx);

		/* A frame that is not IPv4 keeps prep's drop. */
		if (c->out != adn_drop(LPM_ROUTE_DROP_NOT_IPV4))
			c->out = out[k];
	}
}

static int
lpm_route_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct lpm_route_ctx *c = ADN_PKT_CTX(ctx,
						    const struct lpm_route_ctx);

	RTE_SET_USED(e);
	RTE_SET_USED(m);
	/* radix: walk the trie, whose root entry prep prefetched; else what
	 * prep (not IPv4) or bulk (dir24_8) decided. */
	return c->tbl != NULL ? radix_out(c->tbl, c->dst) : c->out;
}

/* --- control (one control thread at a time, workers running) ----------- */

static const char *const lpm_route_control_help[] = {
	"add A.B.C.D/LEN HOP: add a route or replace its hop (as the route file numbers hops)",
	"remove A.B.C.D/LEN: remove exactly that prefix",
	"lookup A.B.C.D: the output the data path takes (0: no route)",
	NULL,
};

static void
fmt_addr(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
}

/* Index of exactly prefix/len in the route list, or -1. */
static int
routes_find(const struct adn_route_table *t, uint32_t prefix, uint8_t len)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (t->r[i].prefix == prefix && t->r[i].len == len)
			return (int)i;
	return -1;
}

/* Hop of exactly prefix/len in the table, or 0 when absent. */
static uint32_t
lpm_route_exact(const struct lpm_route *l, uint32_t prefix, uint8_t len)
{
	int i = routes_find(&l->routes, prefix, len);

	return i < 0 ? 0 : l->routes.r[i].hop;
}

static int
radix_apply(struct adn_radix *r, uint32_t prefix, uint8_t len, uint32_t hop)
{
	return hop ? adn_radix_add(r, prefix, len, hop) :
		adn_radix_del(r, prefix, len);
}

/* The radix side of lpm_route_change (see struct lpm_route). A failed
 * change leaves both tries as they were (adn_radix_add and _del change
 * nothing when they fail). */
static int
radix_change(struct lpm_route *l, uint32_t prefix, uint8_t len,
	     uint32_t hop)
{
	struct adn_radix *next = l->spare, *old = l->radix;
	int rc;

	if (next == NULL) {
		next = malloc(sizeof(*next));
		rc = next != NULL ? adn_radix_clone(next, old) : -ENOMEM;
		if (rc < 0) {
			free(next);
			return rc;
		}
	}
	l->spare = next;
	rc = radix_apply(next, prefix, len, hop);
	if (rc < 0)
		return rc;
	l->radix = next;	/* the control thread's alone */
	__atomic_store_n(&l->tbl, next->tbl, __ATOMIC_RELEASE);
	l->spare = NULL;
	if (l->qsbr != NULL)
		rte_rcu_qsbr_synchronize(l->qsbr, RTE_QSBR_THRID_INVALID);
	if (radix_apply(old, prefix, len, hop) < 0)
		radix_free(old);	/* out of memory: copy next time */
	else
		l->spare = old;
	return 0;
}

/*
 * Set prefix/len to `hop` (0: remove it) while workers look up. dir24_8:
 * rte_lpm's writer is safe against concurrent lookups. radix: change the
 * spare trie, publish it with one release store, then bring the old one
 * level after the workers' grace period (radix_change). Then the route
 * list follows.
 */
static int
lpm_route_change(struct lpm_route *l, uint32_t prefix, uint8_t len,
		 uint32_t hop)
{
	struct adn_route_table *t = &l->routes;
	int i = routes_find(t, prefix, len), rc;

	if (l->kind == LPM_TABLE_DIR24_8 && len == 0) {
		__atomic_store_n(&l->default_hop,
				 hop ? hop : LPM_ROUTE_OUT_NO_ROUTE,
				 __ATOMIC_RELAXED);
		rc = 0;
	} else if (l->kind == LPM_TABLE_DIR24_8) {
		rc = hop ? rte_lpm_add(l->lpm, prefix, len, hop) :
			rte_lpm_delete(l->lpm, prefix, len);
	} else {
		rc = radix_change(l, prefix, len, hop);
	}
	if (rc < 0)
		return rc;
	if (hop == 0) {
		t->r[i] = t->r[--t->n];
	} else if (i >= 0) {
		t->r[i].hop = hop;
	} else {
		struct adn_route *r = realloc(t->r, sizeof(*r) * (t->n + 1));

		if (r == NULL)
			return -ENOMEM;	/* the table has it; the list not */
		t->r = r;
		t->r[t->n++] = (struct adn_route){ .prefix = prefix,
						   .len = len, .hop = hop };
	}
	return 0;
}

static int
lpm_route_ctl_add(struct adn_elem *e, struct lpm_route *l, const char *args,
		  char *reply, size_t len)
{
	struct adn_route r;
	char why[160], a[16];
	uint32_t old;
	int rc;

	rc = adn_route_parse(args, l->first_hop, hop_max(l), &r, why,
			     sizeof(why));
	if (rc < 0) {
		snprintf(reply, len, "add: %s", why);
		return rc;
	}
	fmt_addr(a, sizeof(a), r.prefix);
	/* Output ports are wired when the pipeline is built; a hop past
	 * them has nowhere to go. */
	if (hop_out(l, r.hop) >= e->n_outputs) {
		snprintf(reply, len,
			 "add: next hop %u out of range: %s takes hops %u-%u (its outputs are fixed when the pipeline is built)",
			 r.hop, e->name, l->first_hop,
			 out_hop(l, e->n_outputs - 1u));
		return -ERANGE;
	}
	old = lpm_route_exact(l, r.prefix, r.len);
	rc = lpm_route_change(l, r.prefix, r.len, hop_out(l, r.hop));
	if (rc == -ENOSPC) {
		snprintf(reply, len,
			 "add %s/%u: the dir24_8 table is full (raise spare_routes)",
			 a, r.len);
		return rc;
	}
	if (rc < 0) {
		snprintf(reply, len, "add %s/%u: %s", a, r.len, strerror(-rc));
		return rc;
	}
	if (old == 0)
		snprintf(reply, len, "added %s/%u -> %u", a, r.len, r.hop);
	else
		snprintf(reply, len, "replaced %s/%u -> %u (was %u)", a, r.len,
			 r.hop, out_hop(l, old));
	return 1;
}

static int
lpm_route_ctl_remove(struct adn_elem *e, struct lpm_route *l,
		     const char *args, char *reply, size_t len)
{
	char why[160], a[16];
	uint32_t prefix, old;
	uint8_t plen;
	int rc;

	rc = adn_route_parse_prefix(args, &prefix, &plen, why, sizeof(why));
	if (rc < 0) {
		snprintf(reply, len, "remove: %s", why);
		return rc;
	}
	fmt_addr(a, sizeof(a), prefix);
	old = lpm_route_exact(l, prefix, plen);
	if (old == 0) {
		snprintf(reply, len, "remove: no route %s/%u", a, plen);
		return -ENOENT;
	}
	rc = lpm_route_change(l, prefix, plen, 0);
	if (rc < 0) {
		snprintf(reply, len, "remove %s/%u: %s", a, plen,
			 strerror(-rc));
		return rc;
	}
	snprintf(reply, len, "removed %s/%u (was -> %u)", a, plen,
		 out_hop(l, old));
	return 1;
}

static int
lpm_route_ctl_lookup(const struct lpm_route *l, const char *args,
		     char *reply, size_t len)
{
	char why[160], a[16];
	uint32_t addr;
	int32_t out;
	int rc;

	rc = adn_route_parse_addr(args, &addr, why, sizeof(why));
	if (rc < 0) {
		snprintf(reply, len, "lookup: %s", why);
		return rc;
	}
	fmt_addr(a, sizeof(a), addr);
	lpm_route_lookup_n(l, &addr, &out, 1);
	snprintf(reply, len, "%s -> %d%s", a, out,
		 out == LPM_ROUTE_OUT_NO_ROUTE ? " (no route)" : "");
	return 0;
}

static bool
verb_is(const char *cmd, size_t n, const char *verb)
{
	return strlen(verb) == n && strncmp(cmd, verb, n) == 0;
}

static int
lpm_route_control(struct adn_elem *e, const char *cmd, char *reply,
		  size_t len)
{
	struct lpm_route *l = adn_elem_priv(e);
	size_t n;

	cmd += strspn(cmd, " \t");
	n = strcspn(cmd, " \t");
	if (verb_is(cmd, n, "add"))
		return lpm_route_ctl_add(e, l, cmd + n, reply, len);
	if (verb_is(cmd, n, "remove"))
		return lpm_route_ctl_remove(e, l, cmd + n, reply, len);
	if (verb_is(cmd, n, "lookup"))
		return lpm_route_ctl_lookup(l, cmd + n, reply, len);
	snprintf(reply, len, "unknown command '%.*s' (add, remove, lookup)",
		 (int)RTE_MIN(n, (size_t)32), cmd);
	return -EINVAL;
}

static unsigned int
lpm_route_xstats(const struct adn_elem *e, struct adn_xstat *out,
		 unsigned int max)
{
	const struct lpm_route *l = adn_elem_priv(e);

	if (max < 2)
		return 0;
	snprintf(out[0].name, sizeof(out[0].name), "routes");
	out[0].value = l->routes.n;
	snprintf(out[1].name, sizeof(out[1].name), "radix_nodes");
	out[1].value = l->kind == LPM_TABLE_RADIX ?
		adn_radix_live_nodes(l->radix) : 0;
	return 2;
}

static const struct adn_elem_desc lpm_route_desc = {
	.name = "LpmRoute",
	.help = "IPv4 longest-prefix match (radix trie or DIR-24-8) to one output per next hop",
	.flags = ADN_ELEM_PURE_ON_FLOW,
	.priv_size = sizeof(struct lpm_route),
	.priv_is_state = true,
	.priv_free = lpm_route_free,
	.priv_from_prev = true,
	.n_outputs = 1,
	.drop_reasons = lpm_route_drops,
	.args = lpm_route_args,
	.configure = lpm_route_configure,
	ADN_ELEM_BULK_STAGES(lpm_route),
	.xstats = lpm_route_xstats,
	.control = lpm_route_control,
	.control_help = lpm_route_control_help,
};

ADN_ELEM_REGISTER(lpm_route_desc);
