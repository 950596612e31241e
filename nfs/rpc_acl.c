/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RpcAcl — an access control list over RPC fields (ADN §3: ACL on user
 * and object): rules on the logical fields of a view (lib/rpc/
 * adn_rpc_acl.h: exact, prefix, set membership, numeric range; a rule's
 * conditions ANDed), first match wins, no match: `default`. The view
 * names its fields (an open view: `view = { user = "header:x-user";
 * object = "query:id"; }`), so one rule set serves applications whose
 * RPCs call the fields differently.
 *
 * Rules are compiled on the control thread (configure, or `reload`) and
 * published by one pointer store; the old set is freed after the
 * workers' RCU grace period (adn_elem_defer_free), so workers never
 * park. It reads the RPC record RpcParse left; packets without one and
 * responses pass (they are not requests to judge).
 *
 * Keys:
 *   view       (group, required) logical field = "SELECTOR" (or a list of
 *              selectors, the first present wins), at most 8 fields
 *   rules      (list of strings) "COND [COND]... -> permit|deny", COND
 *              FIELD exact|prefix VALUE, FIELD in {V1,V2}, FIELD range
 *              LO-HI
 *   rules_file (string) more rules, one a line, after the list's,
 *              relative to the config's directory
 *   default    ("deny" default, or "permit") for requests no rule matches
 * Outputs: 0 — permitted, or not a request.
 * Drops: denied.
 * Extra counters: permitted, denied, passed (not a request), default (no
 *   rule matched), rule<i> for the first 30 rules; all rules through
 *   control `stats`. Rule counters start at 0 with each rule set.
 * Control: reload FILE — the `rules` list then FILE's rules, compiled and
 *   swapped in; stats — hits of every rule with its text.
 * State (kept across plan swaps while every key keeps its value, so a
 *   reload survives them): the rule set and counters.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_elem.h"
#include "adn_file.h"
#include "adn_pipeline.h"
#include "adn_rpc_acl.h"
#include "adn_rpc_meta.h"
#include "adn_rpc_view_conf.h"

enum { RPC_ACL_OUT_PERMIT, RPC_ACL_N_OUT };

enum { RPC_ACL_DROP_DENIED };

static const char *const rpc_acl_drops[] = {
	[RPC_ACL_DROP_DENIED] = "denied",
	NULL,
};

static const char *const rpc_acl_defaults[] = { "deny", "permit", NULL };

#define RPC_ACL_XSTAT_RULES 30

struct rpc_acl_ctr {
	uint64_t permitted, denied, passed;
} __rte_cache_aligned;

/* priv, and state (priv_is_state). */
struct rpc_acl {
	struct adn_rpc_acl *acl;	/* published by one pointer store */
	uint8_t def;			/* enum adn_rpc_acl_action */
	struct adn_rpc_view view;
	char *list_text;		/* the `rules` list, one a line */
	struct rpc_acl_ctr ctr[ADN_MAX_WORKERS];
};

static const struct adn_arg_spec rpc_acl_args[] = {
	{ .name = "view", .type = ADN_ARG_GROUP, .required = true,
	  .help = "{ FIELD = \"SELECTOR\"; ... }", .shapes_state = true },
	{ .name = "rules", .type = ADN_ARG_LIST,
	  .help = "\"COND [COND]... -> permit|deny\", first match wins",
	  .shapes_state = true },
	{ .name = "rules_file", .type = ADN_ARG_STRING, .def_str = "",
	  .help = "more rules, one a line", .shapes_state = true },
	{ .name = "default", .type = ADN_ARG_STRING,
	  .choices = rpc_acl_defaults, .def_str = "deny",
	  .help = "the action when no rule matches", .shapes_state = true },
	{ .name = NULL },
};

static void
rpc_acl_free(void *priv)
{
	struct rpc_acl *x = priv;

	adn_rpc_acl_free(x->acl);
	free(x->list_text);
}

static void
rpc_acl_set_free(void *p)
{
	adn_rpc_acl_free(p);
}

/* Append `n` bytes and a newline to the growing text *t (*len). */
static int
text_add(char **t, size_t *len, const char *s, size_t n)
{
	char *p = realloc(*t, *len + n + 2);

	if (p == NULL)
		return -ENOMEM;
	memcpy(p + *len, s, n);
	p[*len + n] = '\n';
	p[*len + n + 1] = '\0';
	*t = p;
	*len += n + 1;
	return 0;
}

/* The text of file `path` appended to *t; 0, or -errno with why. */
static int
text_add_file(char **t, size_t *len, const char *path, char *why,
	      size_t why_len)
{
	char line[ADN_RPC_ACL_MAX_LINE], open_why[128];
	FILE *f = adn_file_open(path, "r", open_why, sizeof(open_why));
	int rc = 0;

	if (f == NULL) {
		rc = -errno;
		snprintf(why, why_len, "cannot open '%s': %s", path,
			 open_why);
		return rc;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL)
		rc = text_add(t, len, line, strcspn(line, "\n"));
	fclose(f);
	if (rc < 0)
		snprintf(why, why_len, "out of memory");
	return rc;
}

static int
rpc_acl_configure(struct adn_elem *e, struct adn_build *b)
{
	struct rpc_acl *x = adn_elem_priv(e);
	const config_setting_t *list = adn_elem_arg(e, "rules");
	char path[PATH_MAX], why[PATH_MAX + 512];
	struct adn_rpc_acl *one;
	unsigned int line, n_list = 0;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (adn_elem_priv_reused(e))
		return 0;
	if (adn_rpc_meta_register() < 0)
		return adn_build_error(b, e, NULL, "cannot register the RPC "
				       "record's mbuf field");
	x->def = strcmp(adn_elem_arg_str(e, "default"), "permit") == 0 ?
		ADN_RPC_ACL_PERMIT : ADN_RPC_ACL_DENY;
	rc = adn_rpc_view_conf(b, e, "view", NULL, &x->view);
	if (rc < 0)
		return rc;
	/* each entry alone first, so every bad one is reported at its line */
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		const config_setting_t *s = config_setting_get_elem(list, i);
		const char *t = config_setting_get_string(s);

		if (t == NULL || strchr(t, '\n') != NULL) {
			rc = adn_build_error_at(b, e, s, "rules", "entry %d: "
						"want a one-line string", i);
			continue;
		}
		if (adn_rpc_acl_build(t, &x->view, 1, &one, &line, why,
				      sizeof(why)) < 0) {
			rc = adn_build_error_at(b, e, s, "rules", "'%s': %s",
						t, why);
			continue;
		}
		adn_rpc_acl_free(one);
		if (text_add(&text, &len, t, strlen(t)) < 0)
			rc = -ENOMEM;
		n_list++;
	}
	x->list_text = text ? strdup(text) : strdup("");
	adn_elem_arg_path(e, "rules_file", path, sizeof(path));
	if (path[0] != '\0' &&
	    text_add_file(&text, &len, path, why, sizeof(why)) < 0)
		rc = adn_build_error(b, e, "rules_file", "%s", why);
	if (rc < 0 || x->list_text == NULL) {
		free(text);
		return rc < 0 ? rc : -ENOMEM;
	}
	rc = adn_rpc_acl_build(text ? text : "", &x->view, ADN_MAX_WORKERS,
			       &x->acl, &line, why, sizeof(why));
	free(text);
	if (rc < 0 && line > n_list)
		return adn_build_error(b, e, "rules_file", "%s:%u: %s", path,
				       line - n_list, why);
	if (rc < 0)
		return adn_build_error(b, e, "rules", "%s", why);
	return 0;
}

/* The verdict on message r: the data path's and the tests' one answer. */
static int
rpc_acl_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	struct rpc_acl *x = adn_elem_priv(e);
	const unsigned int w = adn_worker_index();
	struct rpc_acl_ctr *c = &x->ctr[w];
	const struct adn_rpc_msg *r = adn_rpc_msg(m);
	struct adn_rpc_val vals[ADN_RPC_VIEW_MAX];
	struct adn_rpc_acl *acl;
	uint32_t used, present = 0;
	int rule;
	enum adn_rpc_acl_action act;

	if (r == NULL || r->kind != ADN_RPC_T_REQUEST) {
		c->passed++;
		return RPC_ACL_OUT_PERMIT;
	}
	acl = __atomic_load_n(&x->acl, __ATOMIC_ACQUIRE);
	used = adn_rpc_acl_fields(acl);
	for (unsigned int i = 0; i < x->view.n; i++)
		if ((used & (1u << i)) &&
		    adn_rpc_view_get(r, &x->view, i, &vals[i]))
			present |= 1u << i;
	rule = adn_rpc_acl_match(acl, vals, present);
	adn_rpc_acl_count(acl, w, rule);
	act = rule < 0 ? (enum adn_rpc_acl_action)x->def :
		adn_rpc_acl_action(acl, rule);
	if (act == ADN_RPC_ACL_DENY) {
		c->denied++;
		return adn_drop(RPC_ACL_DROP_DENIED);
	}
	c->permitted++;
	return RPC_ACL_OUT_PERMIT;
}

static int
rpc_acl_reload(struct adn_elem *e, const char *file, char *reply,
	       size_t len)
{
	struct rpc_acl *x = adn_elem_priv(e);
	struct adn_rpc_acl *acl, *old;
	size_t tlen = strlen(x->list_text);
	char *text = strdup(x->list_text), why[PATH_MAX + 512];
	unsigned int line = 0, n_list = 0;
	int rc;

	if (text == NULL) {
		snprintf(reply, len, "out of memory");
		return -ENOMEM;
	}
	for (const char *p = text; *p; p++)
		n_list += *p == '\n';
	rc = text_add_file(&text, &tlen, file, why, sizeof(why));
	if (rc == 0)
		rc = adn_rpc_acl_build(text, &x->view, ADN_MAX_WORKERS, &acl,
				       &line, why, sizeof(why));
	free(text);
	if (rc < 0) {
		if (line > n_list)
			snprintf(reply, len, "%s:%u: %s", file, line - n_list,
				 why);
		else
			snprintf(reply, len, "%s", why);
		return rc;
	}
	old = x->acl;
	/* workers see the whole new set or the old one */
	__atomic_store_n(&x->acl, acl, __ATOMIC_RELEASE);
	adn_elem_defer_free(e, rpc_acl_set_free, old);
	snprintf(reply, len, "loaded %u rules (%u from %s)",
		 adn_rpc_acl_rules(acl), adn_rpc_acl_rules(acl) - n_list,
		 file);
	return 1;
}

static int
rpc_acl_control(struct adn_elem *e, const char *cmd, char *reply, size_t len)
{
	const struct rpc_acl *x = adn_elem_priv(e);
	char file[PATH_MAX];

	cmd += strspn(cmd, " \t");
	if (sscanf(cmd, "reload %4095s", file) == 1)
		return rpc_acl_reload(e, file, reply, len);
	if (strcmp(cmd, "stats") == 0) {
		const unsigned int n = adn_rpc_acl_rules(x->acl);
		size_t o = 0;

		reply[0] = '\0';
		for (unsigned int i = 0; i < n && o + 1 < len; i++) {
			char t[256];

			adn_rpc_acl_rule_str(x->acl, i, t, sizeof(t));
			o += (size_t)snprintf(reply + o, len - o,
					      "rule%u %" PRIu64 " %s\n", i,
					      adn_rpc_acl_hits(x->acl, (int)i),
					      t);
		}
		if (o + 1 < len)
			snprintf(reply + o, len - o, "default %" PRIu64 "\n",
				 adn_rpc_acl_hits(x->acl, -1));
		return 0;
	}
	snprintf(reply, len, "unknown command '%s' (reload FILE, stats)", cmd);
	return -EINVAL;
}

static unsigned int
rpc_acl_xstats(const struct adn_elem *e, struct adn_xstat *out,
	       unsigned int max)
{
	const struct rpc_acl *x = adn_elem_priv(e);
	struct rpc_acl_ctr sum = { 0 };
	unsigned int n = 0;

	if (x->acl == NULL)
		return 0;
	for (unsigned int w = 0; w < ADN_MAX_WORKERS; w++) {
		sum.permitted += x->ctr[w].permitted;
		sum.denied += x->ctr[w].denied;
		sum.passed += x->ctr[w].passed;
	}
	const struct { const char *name; uint64_t v; } v[] = {
		{ "permitted", sum.permitted }, { "denied", sum.denied },
		{ "passed", sum.passed },
		{ "default", adn_rpc_acl_hits(x->acl, -1) },
	};
	for (; n < RTE_DIM(v) && n < max; n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", v[n].name);
		out[n].value = v[n].v;
	}
	for (unsigned int i = 0; i < adn_rpc_acl_rules(x->acl) &&
	     i < RPC_ACL_XSTAT_RULES && n < max; i++, n++) {
		snprintf(out[n].name, sizeof(out[n].name), "rule%u", i);
		out[n].value = adn_rpc_acl_hits(x->acl, (int)i);
	}
	return n;
}

static const char *const rpc_acl_control_help[] = {
	"reload FILE: the rules list then FILE's rules, swapped in",
	"stats: hits of every rule, one a line, then the default's",
	NULL,
};

static const struct adn_elem_desc rpc_acl_desc = {
	.name = "RpcAcl",
	.help = "permit or deny RPC requests by rules on view fields",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct rpc_acl),
	.priv_is_state = true,
	.priv_free = rpc_acl_free,
	.n_outputs = RPC_ACL_N_OUT,
	.drop_reasons = rpc_acl_drops,
	.args = rpc_acl_args,
	.configure = rpc_acl_configure,
	ADN_ELEM_EXEC_STAGE(rpc_acl),
	.xstats = rpc_acl_xstats,
	.control = rpc_acl_control,
	.control_help = rpc_acl_control_help,
};

ADN_ELEM_REGISTER(rpc_acl_desc);
