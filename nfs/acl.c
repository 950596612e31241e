/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Acl — a stateless 5-tuple firewall on rte_acl: the first matching rule
 * (prefixes, port ranges, protocol) decides permit or deny; no rule: the
 * `default`. The rules are compiled on the control thread when the
 * pipeline is built, never on a worker; a version built from the same
 * rules, default and workers (a plan swap) shares the live set
 * (adn_acl_configure). The verdict depends on the 5-tuple alone
 * (PURE_ON_FLOW): a fastpath may cache it. For `reflect` rules (let
 * replies in) use ReflexiveAcl.
 *
 * Stages: prep reads the 5-tuple; bulk classifies all the packets it is
 * given in one rte_acl call (several at a time with SIMD); exec counts
 * the hit and gives the verdict.
 *
 * Keys:
 *   rules      (list of strings) rules, first match wins (lib/nf/adn_acl.h:
 *              "ACTION PROTO SRC[/LEN] SPORTS DST[/LEN] DPORTS")
 *   rules_file (string) more rules, one a line, after the list's
 *   default    ("deny" default, or "permit") for packets no rule matches
 * Outputs: 0 — permitted.
 * Drops: not-ipv4; malformed (bad IPv4 header, ports cut short); denied.
 * Extra counters: rule<i> hits for the first 30 rules, default; all of
 *   them through control `stats`. Counted since the set was compiled, and
 *   only for packets exec() ran on (a fastpath's cached verdicts are the
 *   template's hits).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "adn_acl.h"
#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"

enum { ACL_OUT_PERMIT, ACL_N_OUT };

enum { ACL_DROP_NOT_IPV4, ACL_DROP_MALFORMED, ACL_DROP_DENIED };

static const char *const acl_drops[] = {
	[ACL_DROP_NOT_IPV4] = "not-ipv4",
	[ACL_DROP_MALFORMED] = "malformed",
	[ACL_DROP_DENIED] = "denied",
	NULL,
};

static const char *const acl_defaults[] = { "deny", "permit", NULL };

#define ACL_XSTAT_RULES 30

struct acl {
	struct adn_acl *a;
};

static const struct adn_arg_spec acl_args[] = {
	{ .name = "rules", .type = ADN_ARG_LIST,
	  .help = "\"ACTION PROTO SRC[/LEN] SPORTS DST[/LEN] DPORTS\", first match wins" },
	{ .name = "rules_file", .type = ADN_ARG_STRING, .def_str = "",
	  .help = "more rules, one a line" },
	{ .name = "default", .type = ADN_ARG_STRING, .choices = acl_defaults,
	  .def_str = "deny", .help = "action when no rule matches" },
	{ .name = NULL },
};

static int
acl_configure(struct adn_elem *e, struct adn_build *b)
{
	struct acl *x = adn_elem_priv(e);

	return adn_acl_configure(b, e, false, "ReflexiveAcl", &x->a);
}

/* What prep leaves for bulk, and bulk for exec. */
struct acl_ctx {
	struct adn_acl_tuple t;
	uint32_t match;		/* bulk: rte_acl's result */
	uint8_t drop;		/* prep: ACL_DROP_* + 1, 0 to classify */
};

static const void *
acl_prep(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	struct acl_ctx *c = ADN_PKT_CTX(ctx, struct acl_ctx);
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);

	RTE_SET_USED(e);
	c->drop = 0;
	if (ip == NULL)
		c->drop = ACL_DROP_NOT_IPV4 + 1;
	else if (adn_acl_tuple((const uint8_t *)ip,
			       rte_pktmbuf_data_len(m) - m->l2_len,
			       &c->t) < 0)
		c->drop = ACL_DROP_MALFORMED + 1;
	return NULL;
}

/* One rte_acl call for all the packets: it matches several tuples at a
 * time with SIMD, and pays its fixed cost once. */
static void
acl_bulk(struct adn_elem *e, struct rte_mbuf *const *m,
	 union adn_pkt_ctx *const *ctx, uint16_t n)
{
	const struct acl *x = adn_elem_priv(e);
	const struct adn_acl_tuple *t[ADN_BATCH_MAX];
	uint32_t match[ADN_BATCH_MAX];
	uint16_t k = 0;

	RTE_SET_USED(m);
	for (uint16_t i = 0; i < n; i++)
		if (ADN_PKT_CTX(ctx[i], struct acl_ctx)->drop == 0)
			t[k++] = &ADN_PKT_CTX(ctx[i], struct acl_ctx)->t;
	if (k == 0)
		return;
	adn_acl_match_bulk(x->a, t, match, k);
	k = 0;
	for (uint16_t i = 0; i < n; i++)
		if (ADN_PKT_CTX(ctx[i], struct acl_ctx)->drop == 0)
			ADN_PKT_CTX(ctx[i], struct acl_ctx)->match = match[k++];
}

static int
acl_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct acl *x = adn_elem_priv(e);
	const struct acl_ctx *c = ADN_PKT_CTX(ctx, const struct acl_ctx);
	enum adn_acl_action act;

	RTE_SET_USED(m);
	if (c->drop)
		return adn_drop(c->drop - 1u);
	adn_acl_verdict(x->a, c->match, adn_worker_index(), &act);
	return act == ADN_ACL_DENY ? adn_drop(ACL_DROP_DENIED) :
		ACL_OUT_PERMIT;
}

static unsigned int
acl_xstats(const struct adn_elem *e, struct adn_xstat *out, unsigned int max)
{
	const struct acl *x = adn_elem_priv(e);

	return x->a ? adn_acl_xstats(x->a, ACL_XSTAT_RULES, out, max) : 0;
}

static const char *const acl_control_help[] = {
	"stats: hits of every rule, then of the default, one a line",
	NULL,
};

/* Read-only (returns 0). */
static int
acl_control(struct adn_elem *e, const char *cmd, char *reply, size_t len)
{
	const struct acl *x = adn_elem_priv(e);

	cmd += strspn(cmd, " \t");
	if (strcmp(cmd, "stats") != 0) {
		snprintf(reply, len, "unknown command '%s' (stats)", cmd);
		return -EINVAL;
	}
	return adn_acl_format_hits(x->a, reply, len);
}

static const struct adn_elem_desc acl_desc = {
	.name = "Acl",
	.help = "stateless 5-tuple firewall on rte_acl (first match wins)",
	.flags = ADN_ELEM_PURE_ON_FLOW,
	.priv_size = sizeof(struct acl),
	.n_outputs = ACL_N_OUT,
	.drop_reasons = acl_drops,
	.args = acl_args,
	.configure = acl_configure,
	ADN_ELEM_BULK_STAGES(acl),
	.xstats = acl_xstats,
	.control = acl_control,
	.control_help = acl_control_help,
};

ADN_ELEM_REGISTER(acl_desc);
