/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RpcAcl's rules (adn_rpc_acl.h): parsed into conditions over a string
 * pool, matched first-to-last.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_file.h"
#include "adn_rpc_acl.h"

/* Hit counters of one worker: their own cache lines. */
#define ACL_LINE_WORDS 8

struct acl_str {
	uint32_t off;	/* into pool */
	uint16_t len;
};

struct acl_cond {
	uint8_t field;	/* view field index */
	uint8_t op;	/* enum adn_rpc_acl_op */
	uint16_t n;	/* strings from `first` (exact, prefix: 1) */
	uint32_t first;
	uint64_t lo, hi;	/* range */
};

struct acl_rule {
	uint8_t n_cond;
	uint8_t action;
	uint32_t text;	/* the line, NUL-terminated in pool */
	struct acl_cond c[ADN_RPC_ACL_MAX_CONDS];
};

struct adn_rpc_acl {
	unsigned int n_rules, n_workers, stride;
	uint32_t fields;
	struct acl_rule *rules;
	struct acl_str *strs;
	unsigned int n_strs, cap_strs;
	char *pool;
	size_t pool_len, pool_cap;
	uint64_t *hits;		/* [n_workers][stride]; [n_rules]: default */
};

/* --- building ------------------------------------------------------------ */

static int
pool_add(struct adn_rpc_acl *a, const char *s, size_t len, uint32_t *off)
{
	if (a->pool_len + len + 1 > a->pool_cap) {
		size_t cap = a->pool_cap ? a->pool_cap * 2 : 4096;
		char *p;

		while (cap < a->pool_len + len + 1)
			cap *= 2;
		if ((p = realloc(a->pool, cap)) == NULL)
			return -ENOMEM;
		a->pool = p;
		a->pool_cap = cap;
	}
	memcpy(a->pool + a->pool_len, s, len);
	a->pool[a->pool_len + len] = '\0';
	*off = (uint32_t)a->pool_len;
	a->pool_len += len + 1;
	return 0;
}

static int
str_add(struct adn_rpc_acl *a, const char *s, size_t len)
{
	uint32_t off;

	if (a->n_strs == a->cap_strs) {
		unsigned int cap = a->cap_strs ? a->cap_strs * 2 : 256;
		struct acl_str *p = realloc(a->strs, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		a->strs = p;
		a->cap_strs = cap;
	}
	if (pool_add(a, s, len, &off) < 0)
		return -ENOMEM;
	a->strs[a->n_strs].off = off;
	a->strs[a->n_strs++].len = (uint16_t)len;
	return 0;
}

/* The next whitespace-separated token of *p: its start and length. */
static size_t
token(const char **p, const char **start)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	*start = s;
	while (s[n] != '\0' && s[n] != ' ' && s[n] != '\t')
		n++;
	*p = s + n;
	return n;
}

static bool
tok_is(const char *t, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(t, word, n) == 0;
}

static bool
parse_u64(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		const unsigned int d = (unsigned int)(s[i] - '0');

		if (d > 9 || *v > (UINT64_MAX - d) / 10)
			return false;
		*v = *v * 10 + d;
	}
	return true;
}

static int
value_add(struct adn_rpc_acl *a, const char *s, size_t n, char *why,
	  size_t why_len)
{
	if (n == 0 || n > ADN_RPC_ACL_MAX_VALUE) {
		snprintf(why, why_len, "a value has 1-%d bytes",
			 ADN_RPC_ACL_MAX_VALUE);
		return -EINVAL;
	}
	return str_add(a, s, n);
}

/* One condition from *p into *c. */
static int
parse_cond(struct adn_rpc_acl *a, const struct adn_rpc_view *v,
	   const char *ft, size_t fn, const char **p, struct acl_cond *c,
	   char *why, size_t why_len)
{
	char name[ADN_RPC_VIEW_NAME];
	const char *ot, *vt;
	size_t on, vn;
	int f, rc;

	if (fn >= sizeof(name)) {
		snprintf(why, why_len, "'%.*s': no such field", (int)fn, ft);
		return -EINVAL;
	}
	memcpy(name, ft, fn);
	name[fn] = '\0';
	f = adn_rpc_view_find(v, name);
	if (f < 0) {
		size_t o = (size_t)snprintf(why, why_len, "'%s': not a field "
					    "of the view (", name);

		for (unsigned int k = 0; k < v->n && o < why_len; k++)
			o += (size_t)snprintf(why + o, why_len - o, "%s%s",
					      k ? " " : "", v->f[k].name);
		if (o < why_len)
			snprintf(why + o, why_len - o, ")");
		return -EINVAL;
	}
	c->field = (uint8_t)f;
	c->first = a->n_strs;
	c->n = 0;
	on = token(p, &ot);
	vn = token(p, &vt);
	if (vn == 0) {
		snprintf(why, why_len, "'%s %.*s': a value must follow", name,
			 (int)on, ot);
		return -EINVAL;
	}
	if (tok_is(ot, on, "exact") || tok_is(ot, on, "prefix")) {
		c->op = tok_is(ot, on, "exact") ? ADN_RPC_ACL_EXACT :
			ADN_RPC_ACL_PREFIX;
		c->n = 1;
		return value_add(a, vt, vn, why, why_len);
	}
	if (tok_is(ot, on, "in")) {
		size_t i = 1, s;

		c->op = ADN_RPC_ACL_IN;
		if (vn < 3 || vt[0] != '{' || vt[vn - 1] != '}') {
			snprintf(why, why_len, "'%.*s': a set is {V1,V2,...} "
				 "without spaces", (int)vn, vt);
			return -EINVAL;
		}
		while (i < vn) {
			for (s = i; vt[i] != ',' && i < vn - 1; i++)
				;
			if (c->n == ADN_RPC_ACL_MAX_SET) {
				snprintf(why, why_len, "a set has at most %d "
					 "values", ADN_RPC_ACL_MAX_SET);
				return -EINVAL;
			}
			rc = value_add(a, vt + s, i - s, why, why_len);
			if (rc < 0)
				return rc;
			c->n++;
			i++;
		}
		return 0;
	}
	if (tok_is(ot, on, "range")) {
		const char *dash = memchr(vt, '-', vn);

		c->op = ADN_RPC_ACL_RANGE;
		if (dash == NULL || !parse_u64(vt, (size_t)(dash - vt), &c->lo) ||
		    !parse_u64(dash + 1, vn - (size_t)(dash - vt) - 1, &c->hi) ||
		    c->lo > c->hi) {
			snprintf(why, why_len, "'%.*s': a range is LO-HI, "
				 "decimal, LO <= HI", (int)vn, vt);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(why, why_len, "'%.*s': unknown operator (exact, prefix, in, "
		 "range)", (int)on, ot);
	return -EINVAL;
}

/* One line: 1 a rule, 0 nothing, or a negative errno. */
static int
parse_line(struct adn_rpc_acl *a, const struct adn_rpc_view *v, char *line,
	   struct acl_rule *r, char *why, size_t why_len)
{
	char *hash = strchr(line, '#');
	const char *p = line, *t;
	size_t n, len;
	int rc;

	if (hash != NULL)
		*hash = '\0';
	len = strlen(line);
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	while (*line == ' ' || *line == '\t')
		line++, len--;
	if (len == 0)
		return 0;
	memset(r, 0, sizeof(*r));
	p = line;
	for (;;) {
		n = token(&p, &t);
		if (n == 0) {
			snprintf(why, why_len, "a rule ends in "
				 "'-> permit' or '-> deny'");
			return -EINVAL;
		}
		if (tok_is(t, n, "->"))
			break;
		if (r->n_cond == ADN_RPC_ACL_MAX_CONDS) {
			snprintf(why, why_len, "a rule has at most %d "
				 "conditions", ADN_RPC_ACL_MAX_CONDS);
			return -EINVAL;
		}
		rc = parse_cond(a, v, t, n, &p, &r->c[r->n_cond], why, why_len);
		if (rc < 0)
			return rc;
		a->fields |= 1u << r->c[r->n_cond].field;
		r->n_cond++;
	}
	if (r->n_cond == 0) {
		snprintf(why, why_len, "a rule needs a condition before '->'");
		return -EINVAL;
	}
	n = token(&p, &t);
	if (tok_is(t, n, "permit"))
		r->action = ADN_RPC_ACL_PERMIT;
	else if (tok_is(t, n, "deny"))
		r->action = ADN_RPC_ACL_DENY;
	else {
		snprintf(why, why_len, "'%.*s': the action is permit or deny",
			 (int)n, t);
		return -EINVAL;
	}
	if (token(&p, &t) != 0) {
		snprintf(why, why_len, "'%s': nothing may follow the action",
			 t);
		return -EINVAL;
	}
	rc = pool_add(a, line, len, &r->text);
	return rc < 0 ? rc : 1;
}

void
adn_rpc_acl_free(struct adn_rpc_acl *a)
{
	if (a == NULL)
		return;
	free(a->rules);
	free(a->strs);
	free(a->pool);
	free(a->hits);
	free(a);
}

int
adn_rpc_acl_build(const char *text, const struct adn_rpc_view *v,
		  unsigned int n_workers, struct adn_rpc_acl **out,
		  unsigned int *err_line, char *why, size_t why_len)
{
	struct adn_rpc_acl *a = calloc(1, sizeof(*a));
	unsigned int cap = 0, lineno = 0;
	char line[ADN_RPC_ACL_MAX_LINE];
	const char *p = text;
	int rc = 0;

	*err_line = 0;
	if (a == NULL || n_workers == 0)
		goto nomem;
	a->n_workers = n_workers;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		const size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct acl_rule r;

		lineno++;
		if (n >= sizeof(line)) {
			snprintf(why, why_len, "line longer than %d bytes",
				 ADN_RPC_ACL_MAX_LINE - 1);
			rc = -EINVAL;
			goto fail;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl != NULL);
		rc = parse_line(a, v, line, &r, why, why_len);
		if (rc < 0)
			goto fail;
		if (rc == 0)
			continue;
		if (a->n_rules == ADN_RPC_ACL_MAX_RULES) {
			snprintf(why, why_len, "more than %d rules",
				 ADN_RPC_ACL_MAX_RULES);
			rc = -E2BIG;
			goto fail;
		}
		if (a->n_rules == cap) {
			struct acl_rule *nr;

			cap = cap ? cap * 2 : 64;
			nr = realloc(a->rules, cap * sizeof(*nr));
			if (nr == NULL)
				goto nomem;
			a->rules = nr;
		}
		a->rules[a->n_rules++] = r;
	}
	/* one row of counters per worker, rounded to whole cache lines */
	a->stride = (a->n_rules + 1 + ACL_LINE_WORDS - 1) / ACL_LINE_WORDS *
		ACL_LINE_WORDS;
	if (posix_memalign((void **)&a->hits, 64, (size_t)n_workers *
			   a->stride * sizeof(uint64_t)) != 0) {
		a->hits = NULL;
		goto nomem;
	}
	memset(a->hits, 0, (size_t)n_workers * a->stride * sizeof(uint64_t));
	*out = a;
	return 0;
nomem:
	snprintf(why, why_len, "out of memory");
	rc = -ENOMEM;
fail:
	if (rc == -EINVAL || rc == -E2BIG)
		*err_line = lineno;
	adn_rpc_acl_free(a);
	return rc;
}

int
adn_rpc_acl_load(const char *path, const struct adn_rpc_view *v,
		 unsigned int n_workers, struct adn_rpc_acl **out, char *why,
		 size_t why_len)
{
	char *text = NULL, r[512];
	FILE *f = adn_file_open(path, "r", r, sizeof(r));
	size_t len = 0;
	unsigned int line;
	int rc;

	if (f == NULL) {
		rc = -errno;
		snprintf(why, why_len, "%s: %s", path, r);
		return rc;
	}
	{
		FILE *m = open_memstream(&text, &len);
		char buf[4096];
		size_t n;

		if (m == NULL) {
			fclose(f);
			snprintf(why, why_len, "out of memory");
			return -ENOMEM;
		}
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, m);
		fclose(m);
	}
	fclose(f);
	if (text == NULL) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	if (strlen(text) != len) {
		free(text);
		snprintf(why, why_len, "%s: a NUL byte in a rules file", path);
		return -EINVAL;
	}
	rc = adn_rpc_acl_build(text, v, n_workers, out, &line, r, sizeof(r));
	free(text);
	if (rc < 0 && line > 0)
		snprintf(why, why_len, "%s:%u: %s", path, line, r);
	else if (rc < 0)
		snprintf(why, why_len, "%s: %s", path, r);
	return rc;
}

/* --- matching ------------------------------------------------------------ */

/* `len` bytes at p equal the pool's at off; an empty value matches
 * without touching the pool, which is NULL when every value is empty. */
static inline bool
pool_eq(const struct adn_rpc_acl *a, const uint8_t *p, uint32_t off,
	uint32_t len)
{
	return len == 0 || memcmp(p, a->pool + off, len) == 0;
}

static bool
cond_holds(const struct adn_rpc_acl *a, const struct acl_cond *c,
	   const struct adn_rpc_val *val)
{
	/* strs is NULL when no rule has a string (ranges only) */
	const struct acl_str *s = a->strs ? &a->strs[c->first] : NULL;
	uint64_t x;

	switch (c->op) {
	case ADN_RPC_ACL_EXACT:
		return val->len == s->len &&
			pool_eq(a, val->p, s->off, s->len);
	case ADN_RPC_ACL_PREFIX:
		return val->len >= s->len &&
			pool_eq(a, val->p, s->off, s->len);
	case ADN_RPC_ACL_IN:
		for (unsigned int i = 0; i < c->n; i++)
			if (val->len == s[i].len &&
			    pool_eq(a, val->p, s[i].off, s[i].len))
				return true;
		return false;
	case ADN_RPC_ACL_RANGE:
		return parse_u64((const char *)val->p, val->len, &x) &&
			x >= c->lo && x <= c->hi;
	}
	return false;
}

int
adn_rpc_acl_match(const struct adn_rpc_acl *a,
		  const struct adn_rpc_val *vals, uint32_t present)
{
	for (unsigned int r = 0; r < a->n_rules; r++) {
		const struct acl_rule *rule = &a->rules[r];
		unsigned int k;

		for (k = 0; k < rule->n_cond; k++) {
			const struct acl_cond *c = &rule->c[k];

			if (!(present & (1u << c->field)) ||
			    !cond_holds(a, c, &vals[c->field]))
				break;
		}
		if (k == rule->n_cond)
			return (int)r;
	}
	return -1;
}

unsigned int
adn_rpc_acl_rules(const struct adn_rpc_acl *a)
{
	return a->n_rules;
}

uint32_t
adn_rpc_acl_fields(const struct adn_rpc_acl *a)
{
	return a->fields;
}

enum adn_rpc_acl_action
adn_rpc_acl_action(const struct adn_rpc_acl *a, int rule)
{
	return (enum adn_rpc_acl_action)a->rules[rule].action;
}

void
adn_rpc_acl_count(struct adn_rpc_acl *a, unsigned int w, int rule)
{
	a->hits[(size_t)w * a->stride +
		(rule < 0 ? a->n_rules : (unsigned int)rule)]++;
}

uint64_t
adn_rpc_acl_hits(const struct adn_rpc_acl *a, int rule)
{
	const unsigned int i = rule < 0 ? a->n_rules : (unsigned int)rule;
	uint64_t sum = 0;

	for (unsigned int w = 0; w < a->n_workers; w++)
		sum += __atomic_load_n(&a->hits[(size_t)w * a->stride + i],
				       __ATOMIC_RELAXED);
	return sum;
}

void
adn_rpc_acl_rule_str(const struct adn_rpc_acl *a, unsigned int rule,
		     char *out, size_t len)
{
	snprintf(out, len, "%s", rule < a->n_rules ?
		 a->pool + a->rules[rule].text : "");
}
