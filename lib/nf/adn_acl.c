/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 5-tuple ACLs on rte_acl, and reflexive connection tracking (adn_acl.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "adn_acl.h"
#include "adn_elem.h"
#include "adn_hash.h"
#include "adn_lines.h"
#include "adn_pipeline.h"

/* --- rule text --------------------------------------------------------- */

static int
acl_prefix(const char *s, uint32_t *ip, uint8_t *len)
{
	char addr[16], tail;
	unsigned int l = 32;
	struct in_addr a;
	int n = sscanf(s, "%15[0-9.]/%u%c", addr, &l, &tail);

	if (n < 1 || n > 2 || (n == 1 && strchr(s, '/')) || l > 32 ||
	    inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	*ip = ntohl(a.s_addr);
	*len = (uint8_t)l;
	if (l < 32 && (*ip & (UINT32_MAX >> l)) != 0)
		return -EINVAL;	/* host bits set */
	return 0;
}

static int
acl_ports(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned int a, b;
	char tail;

	if (strcmp(s, "any") == 0) {
		*lo = 0;
		*hi = 65535;
		return 0;
	}
	if (sscanf(s, "%u-%u%c", &a, &b, &tail) == 2 && a <= b && b <= 65535) {
		*lo = (uint16_t)a;
		*hi = (uint16_t)b;
		return 0;
	}
	if (sscanf(s, "%u%c", &a, &tail) == 1 && a <= 65535 &&
	    strchr(s, '-') == NULL) {
		*lo = *hi = (uint16_t)a;
		return 0;
	}
	return -EINVAL;
}

int
adn_acl_rule_parse(const char *s, struct adn_acl_rule *r, char *why,
		   size_t why_len)
{
	static const struct { const char *name; enum adn_acl_action a; }
	actions[] = {
		{ "permit", ADN_ACL_PERMIT }, { "deny", ADN_ACL_DENY },
		{ "reflect", ADN_ACL_REFLECT },
	};
	static const struct { const char *name; int p; } protos[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "any", -1 },
	};
	char act[16], proto[16], src[32], sp[16], dst[32], dp[16], extra[2];
	unsigned int i, pv;
	char tail;

	memset(r, 0, sizeof(*r));
	if (sscanf(s, "%15s %15s %31s %15s %31s %15s %1s", act, proto, src, sp,
		   dst, dp, extra) != 6) {
		snprintf(why, why_len,
			 "want ACTION PROTO SRC[/LEN] SPORTS DST[/LEN] DPORTS");
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(actions); i++)
		if (strcmp(act, actions[i].name) == 0)
			break;
	if (i == RTE_DIM(actions)) {
		snprintf(why, why_len, "action '%s': permit, deny or reflect",
			 act);
		return -EINVAL;
	}
	r->action = actions[i].a;
	for (i = 0; i < RTE_DIM(protos); i++)
		if (strcmp(proto, protos[i].name) == 0)
			break;
	if (i < RTE_DIM(protos)) {
		r->any_proto = protos[i].p < 0;
		r->proto = r->any_proto ? 0 : (uint8_t)protos[i].p;
	} else if (sscanf(proto, "%u%c", &pv, &tail) == 1 && pv <= 255) {
		r->proto = (uint8_t)pv;
	} else {
		snprintf(why, why_len,
			 "protocol '%s': tcp, udp, icmp, any or 0-255", proto);
		return -EINVAL;
	}
	if (acl_prefix(src, &r->src, &r->src_len) < 0 ||
	    acl_prefix(dst, &r->dst, &r->dst_len) < 0) {
		snprintf(why, why_len,
			 "'%s' or '%s' is not A.B.C.D[/LEN] (no host bits)",
			 src, dst);
		return -EINVAL;
	}
	if (acl_ports(sp, &r->sport_lo, &r->sport_hi) < 0 ||
	    acl_ports(dp, &r->dport_lo, &r->dport_hi) < 0) {
		snprintf(why, why_len, "ports '%s' or '%s': any, N or LO-HI",
			 sp, dp);
		return -EINVAL;
	}
	return 0;
}

/* Append one rule (growing the array); 0 or -ENOMEM. */
/* The rules being loaded; every bad rule is reported, loading goes on. */
struct acl_load {
	struct adn_build *b;
	struct adn_elem *e;
	const char *key, *path;
	struct adn_acl_rule *v;
	unsigned int n, cap;
	int rc;
};

static void
acl_add(struct acl_load *l, const char *t, unsigned int lineno)
{
	struct adn_acl_rule r;
	char why[160];

	if (t == NULL || adn_acl_rule_parse(t, &r, why, sizeof(why)) < 0) {
		const char *what = t ? why : "want a string";

		if (lineno == 0)
			l->rc = adn_build_error(l->b, l->e, l->key, "'%s': %s",
						t ? t : "(not a string)", what);
		else
			l->rc = adn_build_error(l->b, l->e, l->key,
						"%s:%u: '%s': %s", l->path,
						lineno, t, what);
		return;
	}
	switch (adn_array_reserve((void **)&l->v, l->n, &l->cap, sizeof(r),
				  ADN_ACL_MAX_RULES)) {
	case 0:
		l->v[l->n] = r;
		break;
	case -E2BIG:	/* counted only: the caller names the count */
		break;
	default:
		l->rc = -ENOMEM;
		return;
	}
	l->n++;
}

static int
acl_line(char *line, unsigned int lineno, void *arg, char *why, size_t wl)
{
	char *t = line + strspn(line, " \t");

	(void)why;
	(void)wl;
	t[strcspn(t, "#")] = '\0';
	if (t[strspn(t, " \t")] != '\0')
		acl_add(arg, t, lineno);
	return 0;
}

int
adn_acl_rules_load(struct adn_build *b, struct adn_elem *e,
		   const char *list_key, const char *file_key,
		   struct adn_acl_rule **out, unsigned int *n)
{
	const config_setting_t *list = adn_elem_arg(e, list_key);
	struct acl_load l = { .b = b, .e = e, .key = list_key };
	char path[PATH_MAX], why[PATH_MAX + 160];
	unsigned int cnt;

	for (int i = 0; list != NULL && i < config_setting_length(list); i++)
		acl_add(&l, config_setting_get_string(
			config_setting_get_elem(list, i)), 0);
	adn_elem_arg_path(e, file_key, path, sizeof(path));
	if (path[0] != '\0') {
		l.key = file_key;
		l.path = path;
		if (adn_lines_each(path, 510, acl_line, &l, why,
				   sizeof(why)) < 0)
			l.rc = adn_build_error(b, e, file_key, "%s", why);
	}
	cnt = l.n;
	if (l.rc == 0 && cnt > ADN_ACL_MAX_RULES)
		l.rc = adn_build_error(b, e, list_key, "%u rules: at most %d",
				       cnt, ADN_ACL_MAX_RULES);
	if (l.rc == -ENOMEM)
		adn_build_error(b, e, list_key, "out of memory for %u rules",
				cnt);
	if (l.rc < 0) {
		free(l.v);
		return l.rc;
	}
	*out = l.v;
	*n = cnt;
	return 0;
}

/*
 * The compiled set is state (adn_state.h) under a key naming the digest of
 * what it was built from: the rules, the default and the worker count. A
 * version built from the same ones (a plan swap, a reload that leaves
 * them) shares the live set and its hit counters instead of compiling
 * another; any change gives a new key, so a new set, and the old one goes
 * with the last version using it. Other keys that shape the element's
 * state (ReflexiveAcl's max_flows) do not touch it. The inputs are kept
 * as words (no padding) to tell a digest collision from a match, in DPDK
 * memory as the state object is (LeakSanitizer does not scan it).
 */
struct acl_state {
	struct adn_acl *a;
	uint64_t *words;
	unsigned int n_words;
};

#define ACL_RULE_WORDS 3

static void
acl_state_destroy(void *data)
{
	struct acl_state *st = data;

	adn_acl_free(st->a);
	rte_free(st->words);
}

static void
rule_words(const struct adn_acl_rule *r, uint64_t *w)
{
	w[0] = (uint64_t)r->action | (uint64_t)r->proto << 8 |
		(uint64_t)r->any_proto << 16 | (uint64_t)r->src_len << 24 |
		(uint64_t)r->dst_len << 32;
	w[1] = (uint64_t)r->src << 32 | r->dst;
	w[2] = (uint64_t)r->sport_lo | (uint64_t)r->sport_hi << 16 |
		(uint64_t)r->dport_lo << 32 | (uint64_t)r->dport_hi << 48;
}

int
adn_acl_configure(struct adn_build *b, struct adn_elem *e,
		  bool allow_reflect, const char *use_instead,
		  struct adn_acl **out)
{
	const enum adn_acl_action def =
		strcmp(adn_elem_arg_str(e, "default"), "permit") == 0 ?
		ADN_ACL_PERMIT : ADN_ACL_DENY;
	const unsigned int n_workers = adn_build_n_workers(b);
	struct adn_acl_rule *rules;
	struct adn_state_ref ref;
	struct acl_state *st;
	unsigned int n, n_words;
	uint64_t *words, digest = 0;
	char key[32];
	int rc;

	rc = adn_acl_rules_load(b, e, "rules", "rules_file", &rules, &n);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < n && !allow_reflect; i++)
		if (rules[i].action == ADN_ACL_REFLECT) {
			free(rules);
			return adn_build_error(b, e, "rules",
					       "rule %u is 'reflect': %s is stateless, use %s",
					       i, e->desc->name, use_instead);
		}
	n_words = n * ACL_RULE_WORDS + 1;
	words = rte_malloc("adn_acl_words", sizeof(*words) * n_words, 0);
	if (words == NULL) {
		free(rules);
		return adn_build_error(b, e, "rules",
				       "out of memory for %u rules", n);
	}
	for (unsigned int i = 0; i < n; i++)
		rule_words(&rules[i], &words[i * ACL_RULE_WORDS]);
	words[n_words - 1] = (uint64_t)def | (uint64_t)n_workers << 8;
	for (unsigned int i = 0; i < n_words; i++)
		digest = adn_mix64(digest ^ words[i]);
	snprintf(key, sizeof(key), "rules-%016" PRIx64, digest);
	rc = adn_elem_state(e, b, key, sizeof(*st), acl_state_destroy,
			    ADN_STATE_KEY_SHAPES, &ref);
	st = ref.data;
	if (rc == 0 && ref.reused &&
	    (st->n_words != n_words ||
	     memcmp(st->words, words, sizeof(*words) * n_words) != 0))
		rc = adn_build_error(b, e, "rules",
				     "the rules' digest %016" PRIx64 " is the live set's, the rules are not: rename the element",
				     digest);
	if (rc < 0 || ref.reused) {
		free(rules);
		rte_free(words);
		*out = rc < 0 ? NULL : st->a;
		return rc;
	}
	st->words = words;
	st->n_words = n_words;
	rc = adn_acl_build(rules, n, def, n_workers, (int)rte_socket_id(),
			   &st->a);
	free(rules);
	if (rc < 0)
		return adn_build_error(b, e, "rules",
				       "cannot compile %u rules: %s", n,
				       strerror(-rc));
	*out = st->a;
	return 0;
}

/* --- compiled rule set ------------------------------------------------- */

enum { F_PROTO, F_SRC, F_DST, F_SPORT, F_DPORT, F_NUM };

RTE_ACL_RULE_DEF(acl4_rule, F_NUM);

static const struct rte_acl_field_def acl4_defs[F_NUM] = {
	[F_PROTO] = { .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F_PROTO, .input_index = 0,
		.offset = offsetof(struct adn_acl_tuple, proto) },
	[F_SRC] = { .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
		.field_index = F_SRC, .input_index = 1,
		.offset = offsetof(struct adn_acl_tuple, src) },
	[F_DST] = { .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
		.field_index = F_DST, .input_index = 2,
		.offset = offsetof(struct adn_acl_tuple, dst) },
	[F_SPORT] = { .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F_SPORT, .input_index = 3,
		.offset = offsetof(struct adn_acl_tuple, sport) },
	[F_DPORT] = { .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F_DPORT, .input_index = 3,
		.offset = offsetof(struct adn_acl_tuple, dport) },
};

struct adn_acl {
	struct rte_acl_ctx *ctx;
	unsigned int n_rules, n_workers;
	bool reflect;
	uint8_t *actions;	/* [n_rules + 1]: the default last */
	uint64_t *hits;		/* [n_workers][stride] */
	unsigned int stride;	/* n_rules + 1, rounded to a cache line */
};

int
adn_acl_build(const struct adn_acl_rule *rules, unsigned int n,
	      enum adn_acl_action def, unsigned int n_workers, int socket,
	      struct adn_acl **out)
{
	struct rte_acl_config cfg = { .num_categories = 1,
		.num_fields = F_NUM };
	struct rte_acl_param p = { 0 };
	char name[RTE_ACL_NAMESIZE];
	struct adn_acl *a;
	int rc = 0;

	*out = NULL;
	if (n > ADN_ACL_MAX_RULES || n_workers == 0)
		return -EINVAL;
	a = rte_zmalloc_socket("adn_acl", sizeof(*a), RTE_CACHE_LINE_SIZE,
			       socket);
	if (a == NULL)
		return -ENOMEM;
	a->n_rules = n;
	a->n_workers = n_workers;
	a->stride = RTE_ALIGN_CEIL(n + 1, RTE_CACHE_LINE_SIZE /
				   sizeof(uint64_t));
	a->actions = rte_zmalloc_socket("adn_acl_act", n + 1, 0, socket);
	a->hits = rte_zmalloc_socket("adn_acl_hits", sizeof(uint64_t) *
				     a->stride * n_workers,
				     RTE_CACHE_LINE_SIZE, socket);
	if (a->actions == NULL || a->hits == NULL) {
		adn_acl_free(a);
		return -ENOMEM;
	}
	a->actions[n] = (uint8_t)def;
	/* The object's address: unique while it lives, also beside the
	 * set it replaces. */
	snprintf(name, sizeof(name), "acl_%p", (void *)a);
	p.name = name;
	p.socket_id = socket;
	p.rule_size = RTE_ACL_RULE_SZ(F_NUM);
	p.max_rule_num = RTE_MAX(n, 1u);
	a->ctx = rte_acl_create(&p);
	if (a->ctx == NULL) {
		adn_acl_free(a);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n && rc == 0; i++) {
		const struct adn_acl_rule *r = &rules[i];
		struct acl4_rule x = { 0 };

		a->actions[i] = (uint8_t)r->action;
		a->reflect |= r->action == ADN_ACL_REFLECT;
		x.data.category_mask = 1;
		/* First match wins: earlier rules rank higher. */
		x.data.priority = (int32_t)(n - i);
		x.data.userdata = i + 1;	/* 0 is "no match" */
		x.field[F_PROTO].value.u8 = r->proto;
		x.field[F_PROTO].mask_range.u8 = r->any_proto ? 0 : 0xff;
		x.field[F_SRC].value.u32 = r->src;
		x.field[F_SRC].mask_range.u32 = r->src_len;
		x.field[F_DST].value.u32 = r->dst;
		x.field[F_DST].mask_range.u32 = r->dst_len;
		x.field[F_SPORT].value.u16 = r->sport_lo;
		x.field[F_SPORT].mask_range.u16 = r->sport_hi;
		x.field[F_DPORT].value.u16 = r->dport_lo;
		x.field[F_DPORT].mask_range.u16 = r->dport_hi;
		rc = rte_acl_add_rules(a->ctx, (struct rte_acl_rule *)&x, 1);
	}
	memcpy(cfg.defs, acl4_defs, sizeof(acl4_defs));
	if (rc == 0 && n > 0)
		rc = rte_acl_build(a->ctx, &cfg);
	if (rc != 0) {
		adn_acl_free(a);
		return rc < 0 ? rc : -EINVAL;
	}
	*out = a;
	return 0;
}

void
adn_acl_free(void *acl)
{
	struct adn_acl *a = acl;

	if (a == NULL)
		return;
	rte_acl_free(a->ctx);
	rte_free(a->actions);
	rte_free(a->hits);
	rte_free(a);
}

int
adn_acl_tuple(const uint8_t *ip, size_t len, struct adn_acl_tuple *t)
{
	const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)ip;
	size_t ihl;

	if (len < sizeof(*h) || (ip[0] >> 4) != 4)
		return -1;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < sizeof(*h) || ihl > len)
		return -1;
	memset(t, 0, sizeof(*t));
	t->proto = h->next_proto_id;
	t->src = h->src_addr;
	t->dst = h->dst_addr;
	/* Ports of TCP/UDP first fragments; later fragments match port 0. */
	if ((t->proto == 6 || t->proto == 17) &&
	    !(h->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK))) {
		if (len - ihl < 4)
			return -1;
		memcpy(&t->sport, ip + ihl, 2);
		memcpy(&t->dport, ip + ihl + 2, 2);
	}
	return 0;
}

void
adn_acl_match_bulk(const struct adn_acl *a,
		   const struct adn_acl_tuple *const *t, uint32_t *match,
		   unsigned int n)
{
	if (a->n_rules == 0) {
		memset(match, 0, sizeof(*match) * n);
		return;
	}
	rte_acl_classify(a->ctx, (const uint8_t **)(uintptr_t)t, match, n, 1);
}

unsigned int
adn_acl_verdict(const struct adn_acl *a, uint32_t match, unsigned int worker,
		enum adn_acl_action *act)
{
	const unsigned int i = match == 0 ? a->n_rules : match - 1;

	a->hits[(size_t)worker * a->stride + i]++;
	*act = (enum adn_acl_action)a->actions[i];
	return i;
}

unsigned int
adn_acl_classify(const struct adn_acl *a, const struct adn_acl_tuple *t,
		 unsigned int worker, enum adn_acl_action *act)
{
	uint32_t match;

	adn_acl_match_bulk(a, &t, &match, 1);
	return adn_acl_verdict(a, match, worker, act);
}

unsigned int
adn_acl_n_rules(const struct adn_acl *a)
{
	return a->n_rules;
}

bool
adn_acl_has_reflect(const struct adn_acl *a)
{
	return a->reflect;
}

uint64_t
adn_acl_hits(const struct adn_acl *a, unsigned int i)
{
	uint64_t v = 0;

	for (unsigned int w = 0; w < a->n_workers; w++)
		v += __atomic_load_n(&a->hits[(size_t)w * a->stride + i],
				     __ATOMIC_RELAXED);
	return v;
}

unsigned int
adn_acl_xstats(const struct adn_acl *a, unsigned int max_rules,
	       struct adn_xstat *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < a->n_rules && i < max_rules && n < max;
	     i++, n++) {
		snprintf(out[n].name, sizeof(out[n].name), "rule%u", i);
		out[n].value = adn_acl_hits(a, i);
	}
	if (n < max) {
		snprintf(out[n].name, sizeof(out[n].name), "default");
		out[n++].value = adn_acl_hits(a, a->n_rules);
	}
	return n;
}

int
adn_acl_format_hits(const struct adn_acl *a, char *reply, size_t len)
{
	size_t off = 0;

	for (unsigned int i = 0; i <= a->n_rules && off < len; i++) {
		if (i < a->n_rules)
			off += (size_t)snprintf(reply + off, len - off,
						"%srule %u hits %" PRIu64,
						i ? "\n" : "", i,
						adn_acl_hits(a, i));
		else
			off += (size_t)snprintf(reply + off, len - off,
						"%sdefault hits %" PRIu64,
						i ? "\n" : "",
						adn_acl_hits(a, i));
	}
	if (off >= len) {
		snprintf(reply, len, "stats: %u rules do not fit the reply",
			 a->n_rules);
		return -EMSGSIZE;
	}
	return 0;
}

/* --- reflexive connection tracking ------------------------------------- */

/* A tracked flow is keyed by its reply's tuple; the data is the time it
 * was last refreshed (ms). */
struct adn_acl_ct {
	rte_spinlock_t lock;	/* every hash write */
	struct rte_hash *h;
	uint32_t timeout_ms;
	uint32_t iter;		/* where the next sweep goes on */
};

/* Refresh a flow's time at most this often (a refresh is a write). */
#define ACL_CT_REFRESH_MS 1000

int
adn_acl_ct_create(const char *name, uint32_t max, uint32_t timeout_ms,
		  int socket, struct adn_acl_ct **out)
{
	struct rte_hash_parameters hp = { 0 };
	char hname[RTE_HASH_NAMESIZE];
	struct adn_acl_ct *ct;

	*out = NULL;
	if (name == NULL || max == 0)
		return -EINVAL;
	ct = rte_zmalloc_socket("adn_acl_ct", sizeof(*ct),
				RTE_CACHE_LINE_SIZE, socket);
	if (ct == NULL)
		return -ENOMEM;
	rte_spinlock_init(&ct->lock);
	ct->timeout_ms = timeout_ms;
	snprintf(hname, sizeof(hname), "ct_%s", name);
	hp.name = hname;
	hp.entries = RTE_MAX(max, 64u);
	hp.key_len = sizeof(struct adn_acl_tuple);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = socket;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	ct->h = rte_hash_create(&hp);
	if (ct->h == NULL) {
		rte_free(ct);
		return -ENOMEM;
	}
	*out = ct;
	return 0;
}

void
adn_acl_ct_free(struct adn_acl_ct *ct)
{
	if (ct == NULL)
		return;
	rte_hash_free(ct->h);
	rte_free(ct);
}

void
adn_acl_ct_set_timeout(struct adn_acl_ct *ct, uint32_t timeout_ms)
{
	__atomic_store_n(&ct->timeout_ms, timeout_ms, __ATOMIC_RELAXED);
}

static inline struct adn_acl_tuple
ct_reverse(const struct adn_acl_tuple *t)
{
	struct adn_acl_tuple r = { .proto = t->proto, .src = t->dst,
		.dst = t->src, .sport = t->dport, .dport = t->sport };

	return r;
}

/* Set key k's time to now_ms unless it is fresh; 0 or -ENOSPC. */
static int
ct_refresh(struct adn_acl_ct *ct, const struct adn_acl_tuple *k,
	   bool present, uint64_t last, uint64_t now_ms)
{
	int rc;

	if (present && now_ms >= last && now_ms - last < ACL_CT_REFRESH_MS)
		return 0;
	rte_spinlock_lock(&ct->lock);
	/* An existing key's data is replaced atomically for readers. */
	rc = rte_hash_add_key_data(ct->h, k, (void *)(uintptr_t)now_ms);
	rte_spinlock_unlock(&ct->lock);
	return rc < 0 ? -ENOSPC : 0;
}

int
adn_acl_ct_track(struct adn_acl_ct *ct, const struct adn_acl_tuple *t,
		 uint64_t now_ms)
{
	const struct adn_acl_tuple k = ct_reverse(t);
	void *data;
	bool present = rte_hash_lookup_data(ct->h, &k, &data) >= 0;

	return ct_refresh(ct, &k, present, present ? (uintptr_t)data : 0,
			  now_ms);
}

bool
adn_acl_ct_reply(struct adn_acl_ct *ct, const struct adn_acl_tuple *t,
		 uint64_t now_ms)
{
	void *data;

	if (rte_hash_lookup_data(ct->h, t, &data) < 0)
		return false;
	ct_refresh(ct, t, true, (uintptr_t)data, now_ms);
	return true;
}

unsigned int
adn_acl_ct_sweep(struct adn_acl_ct *ct, uint64_t now_ms, uint32_t scan,
		 int32_t *pos, unsigned int max)
{
	const uint32_t to = __atomic_load_n(&ct->timeout_ms, __ATOMIC_RELAXED);
	const void *key;
	void *data;
	unsigned int n = 0;

	/* A bounded stretch under the lock (writers wait on it), from where
	 * the last sweep stopped. */
	rte_spinlock_lock(&ct->lock);
	for (uint32_t j = 0; j < scan && n < max; j++) {
		uint64_t last;
		int32_t p;

		if (rte_hash_iterate(ct->h, &key, &data, &ct->iter) < 0) {
			ct->iter = 0;	/* the end: next sweep starts over */
			break;
		}
		last = (uintptr_t)data;
		if (now_ms < last || now_ms - last < to)
			continue;
		p = rte_hash_del_key(ct->h, key);
		if (p >= 0)
			pos[n++] = p;
	}
	rte_spinlock_unlock(&ct->lock);
	return n;
}

void
adn_acl_ct_release(struct adn_acl_ct *ct, const int32_t *pos, unsigned int n)
{
	rte_spinlock_lock(&ct->lock);
	for (unsigned int i = 0; i < n; i++)
		rte_hash_free_key_with_position(ct->h, pos[i]);
	rte_spinlock_unlock(&ct->lock);
}

uint64_t
adn_acl_ct_count(const struct adn_acl_ct *ct)
{
	return (uint64_t)rte_hash_count(ct->h);
}
