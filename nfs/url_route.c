/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UrlRoute — routes HTTP requests by host and path (exact, prefix and
 * regex rules, lib/l7/adn_url_rules.h) compiled into one Hyperscan
 * database (block mode) on the control thread. Reads the L7 record
 * HttpParse left in the packet (lib/l7/adn_l7_meta.h); never parses.
 *
 * A packet that completes a request head is routed by that request (the
 * first one when several are pipelined in it) and its stream remembers
 * the output (the record's ADN_L7_ANNO_ROUTE word), so the stream's later
 * segments (bodies) follow it. Packets with no decision yet — no record,
 * the handshake, the first segments of a head split over several,
 * responses — take output 0.
 *
 * Keys:
 *   rules (string, required)  rules file (`host|path exact|prefix|regex
 *                             PATTERN OUTPUT`), relative to the config
 *   match ("first" default, or "longest")  which matching rule wins
 * Outputs: 0 — no rule, or no request to route; N — rules naming output
 *          N. The element has 1 + (highest output in the file) outputs.
 * Control: `reload FILE` compiles FILE on the control thread and swaps
 *          it in (the old database is freed after the workers' grace
 *          period; its outputs must exist); `stats` — hits per rule.
 * Extra counters: routed, unrouted (requests no rule matched), rules,
 *   rule<i> for the first 30 rules (since the database was loaded).
 * State (kept across plan swaps while `rules` and `match` keep their
 *   values, so a reload survives them): the database.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "adn_elem.h"
#include "adn_l7_meta.h"
#include "adn_pipeline.h"
#include "adn_url_rules.h"

enum { UR_OUT_DEFAULT };

#define UR_XSTAT_RULES 30

static const char *const ur_matches[] = { "first", "longest", NULL };

/* priv, and state (priv_is_state). */
struct url_route {
	struct adn_url_db *db;		/* published by one pointer store */
	bool longest;
	unsigned int n_workers;
	unsigned int n_outputs;
	uint64_t routed[ADN_MAX_WORKERS], unrouted[ADN_MAX_WORKERS];
};

static const struct adn_arg_spec ur_args[] = {
	{ .name = "rules", .type = ADN_ARG_STRING, .required = true,
	  .help = "rules file: `host|path exact|prefix|regex PATTERN OUTPUT`",
	  .shapes_state = true },
	{ .name = "match", .type = ADN_ARG_STRING, .choices = ur_matches,
	  .def_str = "first", .help = "which matching rule wins",
	  .shapes_state = true },
	{ .name = NULL },
};

static void
ur_free(void *priv)
{
	struct url_route *x = priv;

	adn_url_db_free(x->db);
}

static int
ur_configure(struct adn_elem *e, struct adn_build *b)
{
	struct url_route *x = adn_elem_priv(e);
	char path[PATH_MAX], why[PATH_MAX + 256];
	int rc;

	if (adn_elem_priv_reused(e)) {
		e->n_outputs = (uint16_t)x->n_outputs;
		return 0;
	}
	adn_elem_arg_path(e, "rules", path, sizeof(path));
	x->longest = strcmp(adn_elem_arg_str(e, "match"), "longest") == 0;
	/* scratch for every worker a later version may have */
	x->n_workers = ADN_MAX_WORKERS;
	rc = adn_url_db_load(path, x->longest, x->n_workers, &x->db, why,
			     sizeof(why));
	if (rc < 0)
		return adn_build_error(b, e, "rules", "%s", why);
	x->n_outputs = 1 + adn_url_db_max_out(x->db);
	e->n_outputs = (uint16_t)x->n_outputs;
	return 0;
}

static int
ur_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	struct url_route *x = adn_elem_priv(e);
	struct adn_l7_rec *r = adn_l7_rec(m);
	const struct adn_url_db *db;
	unsigned int w = adn_worker_index();
	int rule;

	if (r == NULL)
		return UR_OUT_DEFAULT;
	if (r->kind != ADN_L7_REQUEST)
		return r->anno[ADN_L7_ANNO_ROUTE] ?
			(int)r->anno[ADN_L7_ANNO_ROUTE] - 1 : UR_OUT_DEFAULT;
	db = __atomic_load_n(&x->db, __ATOMIC_ACQUIRE);
	rule = adn_url_db_match(db, w, r->host, r->host_len, r->path,
				r->path_len);
	if (rule < 0) {
		x->unrouted[w]++;
		r->anno[ADN_L7_ANNO_ROUTE] = 0;
		return UR_OUT_DEFAULT;
	}
	x->routed[w]++;
	r->anno[ADN_L7_ANNO_ROUTE] = adn_url_db_out(db, rule) + 1;
	return (int)adn_url_db_out(db, rule);
}

static void
db_free(void *p)
{
	adn_url_db_free(p);
}

static int
ur_reload(struct adn_elem *e, const char *file, char *reply, size_t len)
{
	struct url_route *x = adn_elem_priv(e);
	struct adn_url_db *db, *old;
	char why[PATH_MAX + 256];
	int rc;

	rc = adn_url_db_load(file, x->longest, x->n_workers, &db, why,
			     sizeof(why));
	if (rc < 0) {
		snprintf(reply, len, "%s", why);
		return rc;
	}
	if (adn_url_db_max_out(db) >= x->n_outputs) {
		snprintf(reply, len, "%s names output %u; the element has "
			 "outputs 0-%u (outputs are fixed at build time)",
			 file, adn_url_db_max_out(db), x->n_outputs - 1);
		adn_url_db_free(db);
		return -EINVAL;
	}
	old = x->db;
	/* workers see the whole new database or the old one */
	__atomic_store_n(&x->db, db, __ATOMIC_RELEASE);
	adn_elem_defer_free(e, db_free, old);
	snprintf(reply, len, "loaded %u rules from %s", adn_url_db_rules(db),
		 file);
	return 1;
}

static int
ur_control(struct adn_elem *e, const char *cmd, char *reply, size_t len)
{
	struct url_route *x = adn_elem_priv(e);
	char file[PATH_MAX];

	cmd += strspn(cmd, " \t");
	if (sscanf(cmd, "reload %4095s", file) == 1)
		return ur_reload(e, file, reply, len);
	if (strcmp(cmd, "stats") == 0) {
		size_t o = 0;

		reply[0] = '\0';
		for (unsigned int i = 0; i < adn_url_db_rules(x->db) &&
		     o + 1 < len; i++)
			o += (size_t)snprintf(reply + o, len - o,
					      "rule%u %" PRIu64 "\n", i,
					      adn_url_db_hits(x->db, i));
		return 0;
	}
	snprintf(reply, len, "unknown command '%s' (reload FILE, stats)", cmd);
	return -EINVAL;
}

static unsigned int
ur_xstats(const struct adn_elem *e, struct adn_xstat *out, unsigned int max)
{
	const struct url_route *x = adn_elem_priv(e);
	uint64_t routed = 0, unrouted = 0;
	unsigned int n = 0;

	if (x->db == NULL)
		return 0;
	for (unsigned int w = 0; w < ADN_MAX_WORKERS; w++) {
		routed += x->routed[w];
		unrouted += x->unrouted[w];
	}
	const struct { const char *name; uint64_t v; } v[] = {
		{ "routed", routed }, { "unrouted", unrouted },
		{ "rules", adn_url_db_rules(x->db) },
	};
	for (; n < RTE_DIM(v) && n < max; n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", v[n].name);
		out[n].value = v[n].v;
	}
	for (unsigned int i = 0; i < adn_url_db_rules(x->db) &&
	     i < UR_XSTAT_RULES && n < max; i++, n++) {
		snprintf(out[n].name, sizeof(out[n].name), "rule%u", i);
		out[n].value = adn_url_db_hits(x->db, i);
	}
	return n;
}

static const char *const ur_control_help[] = {
	"reload FILE: compile FILE's rules and swap them in",
	"stats: hits of every rule, one a line",
	NULL,
};

static const struct adn_elem_desc ur_desc = {
	.name = "UrlRoute",
	.help = "route HTTP requests by host/path rules (Hyperscan)",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct url_route),
	.priv_is_state = true,
	.priv_free = ur_free,
	.n_outputs = 1,
	.args = ur_args,
	.configure = ur_configure,
	ADN_ELEM_EXEC_STAGE(ur),
	.xstats = ur_xstats,
	.control = ur_control,
	.control_help = ur_control_help,
};

ADN_ELEM_REGISTER(ur_desc);
