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
 * Outputs: 0 — no route covers the destination; h — next hop h. The
 *          element has 1 + (highest next hop in the file) outputs.
 * Drops: not-ipv4 — not an IPv4 frame or shorter than an IPv4 header.
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
		struct rte_lpm_config c = {
			.max_rules = t.n,
			/* Every prefix longer than /24 may need its own tbl8
			 * group; enough for any file. */
			.number_tbl8s = RTE_MAX(t.n, 256u),
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

static int
lpm_route_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct lpm_route *l = adn_elem_priv(e);
	uint32_t hop;

	if (!ctx->u32[1])
		return adn_drop(LPM_ROUTE_DROP_NOT_IPV4);
	if (l->kind == LPM_TABLE_DIR24_8) {
		if (rte_lpm_lookup(l->lpm, ctx->u32[0], &hop) != 0)
			return (int)l->default_hop;
		return (int)hop;
	}
	hop = adn_radix_lookup(&l->radix, ctx->u32[0]);
	return hop == ADN_RADIX_NO_HOP ? LPM_ROUTE_OUT_NO_ROUTE : (int)hop;
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
	out[1].value = l->kind == LPM_TABLE_RADIX ? l->radix.n_nodes : 0;
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
};

ADN_ELEM_REGISTER(lpm_route_desc);
