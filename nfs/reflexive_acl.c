/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ReflexiveAcl — Acl's 5-tuple firewall with `reflect` rules (VPP's
 * permit+reflect): a packet a reflect rule permits is tracked, and the
 * replies of a tracked flow (its reversed 5-tuple) pass whatever the rules
 * say, until the flow is idle for `reflect_timeout`. Other rules and the
 * default act as in Acl. The rule set is compiled on the control thread
 * when the pipeline is built, and shared as Acl's; the tracked flows (an
 * rte_hash with lock-free readers, shared by the workers: a flow and its
 * replies may be on different workers) are state, kept across plan swaps
 * and reloads unless `max_flows` changes. Idle flows are swept by the
 * element's tick and their slots freed after an RCU grace period.
 *
 * Keys: rules, rules_file, default as in Acl (reflect allowed), and
 *   max_flows       (int 1-16777216, default 65536) tracked flows
 *   reflect_timeout (int seconds 1-2000000, default 300) idle timeout
 * Outputs: 0 — permitted (by a rule, the default, or as a reply).
 * Drops: not-ipv4; malformed; denied.
 * Extra counters: flows (tracked now), replies (passed as replies),
 *   untracked (reflect permits the table had no room for), rule<i> for
 *   the first 28 rules, default.
 * Control: stats (hits of every rule).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "adn_acl.h"
#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"

enum { RACL_OUT_PERMIT, RACL_N_OUT };

enum { RACL_DROP_NOT_IPV4, RACL_DROP_MALFORMED, RACL_DROP_DENIED };

static const char *const racl_drops[] = {
	[RACL_DROP_NOT_IPV4] = "not-ipv4",
	[RACL_DROP_MALFORMED] = "malformed",
	[RACL_DROP_DENIED] = "denied",
	NULL,
};

static const char *const racl_defaults[] = { "deny", "permit", NULL };

#define RACL_XSTAT_RULES 28
#define RACL_SWEEP_SCAN 65536
#define RACL_SWEEP_MAX 4096
#define RACL_TIMEOUT_MAX 2000000

struct racl_state {
	struct adn_acl_ct *ct;
	uint64_t replies, untracked;
};

struct racl {
	struct adn_acl *a;
	struct racl_state *st;
	uint64_t tsc_per_ms;
};

static const struct adn_arg_spec racl_args[] = {
	{ .name = "rules", .type = ADN_ARG_LIST,
	  .help = "\"ACTION PROTO SRC[/LEN] SPORTS DST[/LEN] DPORTS\", first match wins" },
	{ .name = "rules_file", .type = ADN_ARG_STRING, .def_str = "",
	  .help = "more rules, one a line" },
	{ .name = "default", .type = ADN_ARG_STRING, .choices = racl_defaults,
	  .def_str = "deny", .help = "action when no rule matches" },
	{ .name = "max_flows", .type = ADN_ARG_INT, .min = 1, .max = 1 << 24,
	  .def_int = 65536, .help = "tracked flows", .shapes_state = true },
	{ .name = "reflect_timeout", .type = ADN_ARG_INT, .min = 1,
	  .max = RACL_TIMEOUT_MAX, .def_int = 300,
	  .help = "idle timeout of a tracked flow, s" },
	{ .name = NULL },
};

static void
racl_state_destroy(void *data)
{
	struct racl_state *st = data;

	adn_acl_ct_free(st->ct);
}

static int
racl_configure(struct adn_elem *e, struct adn_build *b)
{
	struct racl *x = adn_elem_priv(e);
	uint32_t to = (uint32_t)adn_elem_arg_int(e, "reflect_timeout") * 1000u;
	struct adn_state_ref ref;
	char name[24];
	int rc;

	rc = adn_acl_configure(b, e, true, NULL, &x->a);
	if (rc < 0)
		return rc;
	rc = adn_elem_state(e, b, "flows", sizeof(*x->st),
			    racl_state_destroy, 0, &ref);
	if (rc < 0)
		return rc;
	x->st = ref.data;
	if (!ref.reused) {
		snprintf(name, sizeof(name), "%" PRIxPTR, (uintptr_t)x->st);
		rc = adn_acl_ct_create(name,
				       (uint32_t)adn_elem_arg_int(e, "max_flows"),
				       to, (int)rte_socket_id(), &x->st->ct);
		if (rc < 0)
			return adn_build_error(b, e, "max_flows",
					       "cannot allocate the flow table: %s",
					       strerror(-rc));
	}
	adn_acl_ct_set_timeout(x->st->ct, to);
	x->tsc_per_ms = RTE_MAX(rte_get_tsc_hz() / 1000, (uint64_t)1);
	return 0;
}

static inline uint64_t
racl_now_ms(const struct racl *x)
{
	return rte_get_tsc_cycles() / x->tsc_per_ms;
}

static int
racl_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct racl *x = adn_elem_priv(e);
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	struct adn_acl_tuple t;
	enum adn_acl_action act;
	uint64_t now;

	if (ip == NULL)
		return adn_drop(RACL_DROP_NOT_IPV4);
	if (adn_acl_tuple((const uint8_t *)ip,
			  rte_pktmbuf_data_len(m) - m->l2_len, &t) < 0)
		return adn_drop(RACL_DROP_MALFORMED);
	now = racl_now_ms(x);
	if (adn_acl_ct_reply(x->st->ct, &t, now)) {
		__atomic_fetch_add(&x->st->replies, 1, __ATOMIC_RELAXED);
		return RACL_OUT_PERMIT;
	}
	adn_acl_classify(x->a, &t, adn_worker_index(), &act);
	if (act == ADN_ACL_DENY)
		return adn_drop(RACL_DROP_DENIED);
	if (act == ADN_ACL_REFLECT && adn_acl_ct_track(x->st->ct, &t, now) < 0)
		__atomic_fetch_add(&x->st->untracked, 1, __ATOMIC_RELAXED);
	return RACL_OUT_PERMIT;
}

struct racl_swept {
	struct adn_acl_ct *ct;
	unsigned int n;
	int32_t pos[];
};

static void
racl_release(void *p)
{
	struct racl_swept *w = p;

	adn_acl_ct_release(w->ct, w->pos, w->n);
	free(w);
}

static void
racl_tick(struct adn_elem *e)
{
	const struct racl *x = adn_elem_priv(e);
	struct racl_swept *w;

	w = malloc(sizeof(*w) + sizeof(w->pos[0]) * RACL_SWEEP_MAX);
	if (w == NULL)
		return;	/* nothing swept this time */
	w->ct = x->st->ct;
	w->n = adn_acl_ct_sweep(x->st->ct, racl_now_ms(x), RACL_SWEEP_SCAN,
				w->pos, RACL_SWEEP_MAX);
	if (w->n == 0) {
		free(w);
		return;
	}
	adn_elem_defer_free(e, racl_release, w);
}

static unsigned int
racl_xstats(const struct adn_elem *e, struct adn_xstat *out,
	    unsigned int max)
{
	const struct racl *x = adn_elem_priv(e);
	const struct { const char *name; uint64_t v; } v[] = {
		{ "flows", x->st ? adn_acl_ct_count(x->st->ct) : 0 },
		{ "replies", x->st ? x->st->replies : 0 },
		{ "untracked", x->st ? x->st->untracked : 0 },
	};
	unsigned int n = 0;

	if (x->a == NULL)
		return 0;
	for (; n < RTE_DIM(v) && n < max; n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", v[n].name);
		out[n].value = v[n].v;
	}
	return n + adn_acl_xstats(x->a, RACL_XSTAT_RULES, out + n, max - n);
}

static const char *const racl_control_help[] = {
	"stats: hits of every rule, then of the default, one a line",
	NULL,
};

/* Read-only (returns 0). */
static int
racl_control(struct adn_elem *e, const char *cmd, char *reply, size_t len)
{
	const struct racl *x = adn_elem_priv(e);

	cmd += strspn(cmd, " \t");
	if (strcmp(cmd, "stats") != 0) {
		snprintf(reply, len, "unknown command '%s' (stats)", cmd);
		return -EINVAL;
	}
	return adn_acl_format_hits(x->a, reply, len);
}

static const struct adn_elem_desc racl_desc = {
	.name = "ReflexiveAcl",
	.help = "5-tuple firewall on rte_acl with permit+reflect (replies of permitted flows pass)",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct racl),
	.n_outputs = RACL_N_OUT,
	.drop_reasons = racl_drops,
	.args = racl_args,
	.configure = racl_configure,
	ADN_ELEM_EXEC_STAGE(racl),
	.tick = racl_tick,
	.xstats = racl_xstats,
	.control = racl_control,
	.control_help = racl_control_help,
};

ADN_ELEM_REGISTER(racl_desc);
