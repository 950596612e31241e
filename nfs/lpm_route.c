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
 *   table  (string, default "radix")
 *          "radix"    binary radix trie (lib/util/adn_radix.h), the
 *                     NFMorph paper's choice
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
 *   add A.B.C.D/LEN HOP   add a route or replace its hop; HOP 1 to
 *                         outputs - 1 (outputs are fixed at build time)
 *   remove A.B.C.D/LEN    remove exactly that prefix
 *   lookup A.B.C.D        the output the data path takes for the address
 * Extra counters: routes (current, after control changes), radix_nodes.
 * Stages: prep() reads the destination into ctx and returns the first
 *         table entry exec() reads (the tbl24 entry, or the trie root).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_errno.h>
#include <rte_lpm.h>

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

struct lpm_route {
	enum lpm_table kind;
	struct adn_radix radix;
	struct rte_lpm *lpm;
	/* rte_lpm takes depths 1-32: a /0 route is the miss result. */
	uint32_t default_hop;
	unsigned int n_routes;
};

static const struct adn_arg_spec lpm_route_args[] = {
	{ .name = "routes", .type = ADN_ARG_STRING, .required = true,
	  .help = "route file, `a.b.c.d/len next_hop` per line" },
	{ .name = "table", .type = ADN_ARG_STRING, .choices = lpm_tables,
	  .def_str = "radix", .help = "lookup structure", .knob = true },
	{ .name = "spare_routes", .type = ADN_ARG_INT, .min = 0,
	  .max = 1 << 20, .def_int = LPM_ROUTE_SPARE_DEFAULT,
	  .help = "dir24_8: room for routes added at run time" },
	{ .name = NULL },
};

static int
lpm_route_configure(struct adn_elem *e, struct adn_build *b)
{
	struct lpm_route *l = adn_elem_priv(e);
	const char *table = adn_elem_arg_str(e, "table");
	struct adn_route_table t;
	char path[PATH_MAX], err[PATH_MAX + 128];
	uint32_t max_hop = 0;
	int rc;

	l->kind = strcmp(table, "dir24_8") == 0 ? LPM_TABLE_DIR24_8 :
		LPM_TABLE_RADIX;
	adn_elem_arg_path(e, "routes", path, sizeof(path));
	rc = adn_route_file_read(path, LPM_ROUTE_OUT_HOP1, LPM_ROUTE_MAX_HOP,
				 &t, err, sizeof(err));
	if (rc < 0)
		return adn_build_error(b, e, "routes", "%s", err);
	for (unsigned int i = 0; i < t.n; i++)
		max_hop = RTE_MAX(max_hop, t.r[i].hop);

	if (l->kind == LPM_TABLE_RADIX) {
		rc = adn_radix_init(&l->radix);
		for (unsigned int i = 0; rc == 0 && i < t.n; i++)
			rc = adn_radix_add(&l->radix, t.r[i].prefix,
					   t.r[i].len, t.r[i].hop);
	} else {
		uint32_t spare = (uint32_t)adn_elem_arg_int(e, "spare_routes");
		struct rte_lpm_config c = {
			.max_rules = t.n + spare,
			/* Every prefix longer than /24 may need its own tbl8
			 * group; enough for any file plus the spare routes. */
			.number_tbl8s = RTE_MAX(t.n, 256u) + spare,
		};
		char name[RTE_MEMZONE_NAMESIZE];

		snprintf(name, sizeof(name), "lpm_%p", (void *)l);
		l->lpm = rte_lpm_create(name, (int)rte_socket_id(), &c);
		rc = l->lpm ? 0 : -rte_errno;
		l->default_hop = LPM_ROUTE_OUT_NO_ROUTE;
		for (unsigned int i = 0; rc == 0 && i < t.n; i++) {
			if (t.r[i].len == 0)
				l->default_hop = t.r[i].hop;
			else
				rc = rte_lpm_add(l->lpm, t.r[i].prefix,
						 t.r[i].len, t.r[i].hop);
		}
	}
	l->n_routes = t.n;
	adn_route_table_free(&t);
	if (rc < 0)
		return adn_build_error(b, e, "routes",
				       "%s: cannot build the %s table: %s",
				       path, table, strerror(-rc));
	e->n_outputs = (uint16_t)(max_hop + 1);
	return 0;
}

static void
lpm_route_destroy(struct adn_elem *e)
{
	struct lpm_route *l = adn_elem_priv(e);

	adn_radix_free(&l->radix);
	rte_lpm_free(l->lpm);
	l->lpm = NULL;
}

static const void *
lpm_route_prep(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct lpm_route *l = adn_elem_priv(e);
	const struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	uint32_t dst;

	ctx->u32[1] = ip != NULL;
	if (ip == NULL)
		return NULL;
	dst = rte_be_to_cpu_32(ip->dst_addr);
	ctx->u32[0] = dst;
	if (l->kind == LPM_TABLE_DIR24_8)
		return &l->lpm->tbl24[dst >> 8];
	return adn_radix_root(&l->radix);
}

/* The output for destination `dst` (host order): the data path and the
 * `lookup` command share it, so lookup answers what packets get. */
static inline int
lpm_route_lookup(const struct lpm_route *l, uint32_t dst)
{
	uint32_t hop;

	if (l->kind == LPM_TABLE_DIR24_8) {
		if (rte_lpm_lookup(l->lpm, dst, &hop) != 0)
			return (int)l->default_hop;
		return (int)hop;
	}
	hop = adn_radix_lookup(&l->radix, dst);
	return hop == ADN_RADIX_NO_HOP ? LPM_ROUTE_OUT_NO_ROUTE : (int)hop;
}

static int
lpm_route_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct lpm_route *l = adn_elem_priv(e);

	if (!ctx->u32[1])
		return adn_drop(LPM_ROUTE_DROP_NOT_IPV4);
	return lpm_route_lookup(l, ctx->u32[0]);
}

/* --- control (main or telemetry thread, workers parked) ---------------- */

static const char *const lpm_route_control_help[] = {
	"add A.B.C.D/LEN HOP: add a route or replace its hop (HOP 1 to outputs - 1)",
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

/* Hop of exactly prefix/len in the table, or 0 when absent. */
static uint32_t
lpm_route_exact(const struct lpm_route *l, uint32_t prefix, uint8_t len)
{
	uint32_t hop;

	if (l->kind == LPM_TABLE_DIR24_8 && len == 0)
		return l->default_hop;
	if (l->kind == LPM_TABLE_DIR24_8)
		return rte_lpm_is_rule_present(l->lpm, prefix, len, &hop) == 1 ?
			hop : 0;
	hop = adn_radix_find(&l->radix, prefix, len);
	return hop == ADN_RADIX_NO_HOP ? 0 : hop;
}

static int
lpm_route_ctl_add(struct adn_elem *e, struct lpm_route *l, const char *args,
		  char *reply, size_t len)
{
	struct adn_route r;
	char why[160], a[16];
	uint32_t old;
	int rc;

	rc = adn_route_parse(args, LPM_ROUTE_OUT_HOP1, LPM_ROUTE_MAX_HOP, &r,
			     why, sizeof(why));
	if (rc < 0) {
		snprintf(reply, len, "add: %s", why);
		return rc;
	}
	fmt_addr(a, sizeof(a), r.prefix);
	/* Output ports are wired when the pipeline is built; a hop past
	 * them has nowhere to go. */
	if (r.hop >= e->n_outputs) {
		snprintf(reply, len,
			 "add: next hop %u out of range: %s has outputs 1-%u (fixed when the pipeline is built)",
			 r.hop, e->name, e->n_outputs - 1u);
		return -ERANGE;
	}
	old = lpm_route_exact(l, r.prefix, r.len);
	if (l->kind == LPM_TABLE_DIR24_8 && r.len == 0) {
		l->default_hop = r.hop;
		rc = 0;
	} else if (l->kind == LPM_TABLE_DIR24_8) {
		rc = rte_lpm_add(l->lpm, r.prefix, r.len, r.hop);
	} else {
		rc = adn_radix_add(&l->radix, r.prefix, r.len, r.hop);
	}
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
	if (old == 0) {
		l->n_routes++;
		snprintf(reply, len, "added %s/%u -> %u", a, r.len, r.hop);
	} else {
		snprintf(reply, len, "replaced %s/%u -> %u (was %u)", a, r.len,
			 r.hop, old);
	}
	return 1;
}

static int
lpm_route_ctl_remove(struct lpm_route *l, const char *args, char *reply,
		     size_t len)
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
	if (l->kind == LPM_TABLE_DIR24_8 && plen == 0) {
		l->default_hop = LPM_ROUTE_OUT_NO_ROUTE;
		rc = 0;
	} else if (l->kind == LPM_TABLE_DIR24_8) {
		rc = rte_lpm_delete(l->lpm, prefix, plen);
	} else {
		rc = adn_radix_del(&l->radix, prefix, plen);
	}
	if (rc < 0) {
		snprintf(reply, len, "remove %s/%u: %s", a, plen,
			 strerror(-rc));
		return rc;
	}
	l->n_routes--;
	snprintf(reply, len, "removed %s/%u (was -> %u)", a, plen, old);
	return 1;
}

static int
lpm_route_ctl_lookup(const struct lpm_route *l, const char *args,
		     char *reply, size_t len)
{
	char why[160], a[16];
	uint32_t addr;
	int rc, out;

	rc = adn_route_parse_addr(args, &addr, why, sizeof(why));
	if (rc < 0) {
		snprintf(reply, len, "lookup: %s", why);
		return rc;
	}
	fmt_addr(a, sizeof(a), addr);
	out = lpm_route_lookup(l, addr);
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
		return lpm_route_ctl_remove(l, cmd + n, reply, len);
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
	out[0].value = l->n_routes;
	snprintf(out[1].name, sizeof(out[1].name), "radix_nodes");
	out[1].value = l->kind == LPM_TABLE_RADIX ?
		adn_radix_live_nodes(&l->radix) : 0;
	return 2;
}

static const struct adn_elem_desc lpm_route_desc = {
	.name = "LpmRoute",
	.help = "IPv4 longest-prefix match (radix trie or DIR-24-8) to one output per next hop",
	.flags = ADN_ELEM_PURE_ON_FLOW,
	.priv_size = sizeof(struct lpm_route),
	.n_outputs = 1,
	.drop_reasons = lpm_route_drops,
	.args = lpm_route_args,
	.configure = lpm_route_configure,
	.destroy = lpm_route_destroy,
	ADN_ELEM_STAGES(lpm_route),
	.xstats = lpm_route_xstats,
	.control = lpm_route_control,
	.control_help = lpm_route_control_help,
};

ADN_ELEM_REGISTER(lpm_route_desc);
