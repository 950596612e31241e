/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include "adn_lines.h"
#include "adn_url_rules.h"

struct adn_url_db {
	hs_database_t *db;
	bool longest;
	unsigned int n, n_workers, max_out;
	uint8_t *field;		/* [n] */
	uint16_t *out;		/* [n] */
	uint32_t *lit_len;	/* [n]: exact/prefix pattern length, 0 regex */
	hs_scratch_t **scratch;	/* [n_workers] */
	uint64_t *hits;		/* [n_workers][n] */
};

int
adn_url_rule_parse(const char *line, struct adn_url_rule *r, char *why,
		   size_t why_len)
{
	char f[16], k[16], pat[ADN_URL_MAX_PATTERN + 1], extra[2];
	unsigned int out;
	int n;

	line += strspn(line, " \t\r\n");
	if (*line == '\0' || *line == '#')
		return 0;
	n = sscanf(line, "%15s %15s %1024s %u %1s", f, k, pat, &out, extra);
	if (n != 4) {
		snprintf(why, why_len, "want `host|path exact|prefix|regex "
			 "PATTERN OUTPUT`");
		return -EINVAL;
	}
	if (strcmp(f, "host") == 0)
		r->field = ADN_URL_HOST;
	else if (strcmp(f, "path") == 0)
		r->field = ADN_URL_PATH;
	else {
		snprintf(why, why_len, "field '%s' (host or path)", f);
		return -EINVAL;
	}
	if (strcmp(k, "exact") == 0)
		r->kind = ADN_URL_EXACT;
	else if (strcmp(k, "prefix") == 0)
		r->kind = ADN_URL_PREFIX;
	else if (strcmp(k, "regex") == 0)
		r->kind = ADN_URL_REGEX;
	else {
		snprintf(why, why_len, "kind '%s' (exact, prefix or regex)", k);
		return -EINVAL;
	}
	if (strlen(pat) >= ADN_URL_MAX_PATTERN) {
		snprintf(why, why_len, "pattern longer than %d bytes",
			 ADN_URL_MAX_PATTERN - 1);
		return -EINVAL;
	}
	if (out < 1 || out > 15) {
		snprintf(why, why_len, "output %u (1-15)", out);
		return -EINVAL;
	}
	snprintf(r->pattern, sizeof(r->pattern), "%s", pat);
	r->out = (uint16_t)out;
	return 1;
}

/* `s` as a Hyperscan expression matching it literally. */
static void
escape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++)
		o += (size_t)snprintf(out + o, len - o, "\\x%02x",
				      (unsigned char)*s);
	out[o] = '\0';
}

void
adn_url_db_free(struct adn_url_db *d)
{
	if (d == NULL)
		return;
	for (unsigned int i = 0; d->scratch != NULL && i < d->n_workers; i++)
		hs_free_scratch(d->scratch[i]);
	hs_free_database(d->db);
	free(d->scratch);
	free(d->field);
	free(d->out);
	free(d->lit_len);
	free(d->hits);
	free(d);
}

int
adn_url_db_build(const struct adn_url_rule *rules, unsigned int n,
		 bool longest, unsigned int n_workers,
		 struct adn_url_db **out, char *why, size_t why_len)
{
	struct adn_url_db *d = calloc(1, sizeof(*d));
	const char **expr = calloc(n + 1, sizeof(*expr));
	unsigned int *flags = calloc(n + 1, sizeof(*flags));
	unsigned int *ids = calloc(n + 1, sizeof(*ids));
	char **bufs = calloc(n + 1, sizeof(*bufs));
	hs_compile_error_t *ce = NULL;
	int rc = -ENOMEM;

	if (n_workers == 0)
		n_workers = 1;
	if (d == NULL || expr == NULL || flags == NULL || ids == NULL ||
	    bufs == NULL)
		goto out;
	d->longest = longest;
	d->n = n;
	d->n_workers = n_workers;
	d->field = calloc(n + 1, 1);
	d->out = calloc(n + 1, sizeof(*d->out));
	d->lit_len = calloc(n + 1, sizeof(*d->lit_len));
	d->scratch = calloc(n_workers, sizeof(*d->scratch));
	d->hits = calloc((size_t)n_workers * (n + 1), sizeof(*d->hits));
	if (d->field == NULL || d->out == NULL || d->lit_len == NULL ||
	    d->scratch == NULL || d->hits == NULL)
		goto out;
	for (unsigned int i = 0; i < n; i++) {
		const struct adn_url_rule *r = &rules[i];
		size_t bl = strlen(r->pattern) * 4 + 8;

		bufs[i] = malloc(bl);
		if (bufs[i] == NULL)
			goto out;
		if (r->kind == ADN_URL_REGEX) {
			snprintf(bufs[i], bl, "%s", r->pattern);
		} else {
			bufs[i][0] = '^';
			escape(r->pattern, bufs[i] + 1, bl - 2);
			if (r->kind == ADN_URL_EXACT)
				strcat(bufs[i], "$");
			d->lit_len[i] = (uint32_t)strlen(r->pattern);
		}
		expr[i] = bufs[i];
		ids[i] = i;
		flags[i] = HS_FLAG_SINGLEMATCH |
			(r->field == ADN_URL_HOST ? HS_FLAG_CASELESS : 0);
		d->field[i] = r->field;
		d->out[i] = r->out;
		if (r->out > d->max_out)
			d->max_out = r->out;
	}
	if (n > 0) {
		if (hs_compile_multi(expr, flags, ids, n, HS_MODE_BLOCK, NULL,
				     &d->db, &ce) != HS_SUCCESS) {
			snprintf(why, why_len, "rule %d: %s",
				 ce->expression >= 0 ? ce->expression + 1 : 0,
				 ce->message);
			hs_free_compile_error(ce);
			rc = -EINVAL;
			goto out;
		}
		for (unsigned int w = 0; w < n_workers; w++)
			if (hs_alloc_scratch(d->db, &d->scratch[w]) !=
			    HS_SUCCESS)
				goto out;
	}
	rc = 0;
out:
	for (unsigned int i = 0; bufs != NULL && i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(expr);
	free(flags);
	free(ids);
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(why, why_len, "out of memory");
		adn_url_db_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

struct url_load {
	struct adn_url_rule *rules;
	unsigned int n, cap;
};

static int
url_line(char *line, unsigned int lineno, void *arg, char *why, size_t wl)
{
	struct url_load *l = arg;
	int k;

	(void)lineno;
	k = adn_array_reserve((void **)&l->rules, l->n, &l->cap,
			      sizeof(*l->rules), ADN_URL_MAX_RULES);
	if (k == -E2BIG)
		snprintf(why, wl, "more than %d rules", ADN_URL_MAX_RULES);
	else if (k < 0)
		snprintf(why, wl, "out of memory");
	if (k < 0)
		return k;
	k = adn_url_rule_parse(line, &l->rules[l->n], why, wl);
	l->n += k > 0;
	return k < 0 ? k : 0;
}

int
adn_url_db_load(const char *path, bool longest, unsigned int n_workers,
		struct adn_url_db **out, char *why, size_t why_len)
{
	struct url_load l = { 0 };
	char b_why[160];
	int rc;

	rc = adn_lines_each(path, ADN_URL_MAX_PATTERN + 128, url_line, &l, why,
			    why_len);
	if (rc == 0) {
		rc = adn_url_db_build(l.rules, l.n, longest, n_workers, out,
				      b_why, sizeof(b_why));
		if (rc < 0)
			snprintf(why, why_len, "%s: %s", path, b_why);
	}
	free(l.rules);
	return rc;
}

unsigned int
adn_url_db_rules(const struct adn_url_db *d)
{
	return d->n;
}

unsigned int
adn_url_db_max_out(const struct adn_url_db *d)
{
	return d->max_out;
}

struct match_ctx {
	const struct adn_url_db *d;
	uint8_t field;
	int best;
	unsigned long long best_len;
};

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
	 unsigned int flags, void *arg)
{
	struct match_ctx *c = arg;
	const struct adn_url_db *d = c->d;
	unsigned long long len;

	(void)from;
	(void)flags;
	if (d->field[id] != c->field)
		return 0;
	len = d->lit_len[id] ? d->lit_len[id] : to;
	if (c->best < 0 ||
	    (d->longest ? (len > c->best_len ||
			   (len == c->best_len && (int)id < c->best)) :
	     (int)id < c->best)) {
		c->best = (int)id;
		c->best_len = len;
	}
	return 0;
}

int
adn_url_db_match(const struct adn_url_db *d, unsigned int worker,
		 const char *host, size_t host_len, const char *path,
		 size_t path_len)
{
	struct match_ctx c = { .d = d, .best = -1 };
	struct match_ctx hc;

	if (d->db == NULL)
		return -1;
	c.field = ADN_URL_HOST;
	hs_scan(d->db, host, (unsigned int)host_len, 0, d->scratch[worker],
		on_match, &c);
	hc = c;
	c.field = ADN_URL_PATH;
	c.best = -1;
	c.best_len = 0;
	hs_scan(d->db, path, (unsigned int)path_len, 0, d->scratch[worker],
		on_match, &c);
	/* the two scans' winners compete under the same rule */
	if (hc.best >= 0 &&
	    (c.best < 0 || (d->longest ? (hc.best_len > c.best_len ||
					  (hc.best_len == c.best_len &&
					   hc.best < c.best)) :
			    hc.best < c.best)))
		c = hc;
	if (c.best >= 0)
		d->hits[(size_t)worker * d->n + (unsigned int)c.best]++;
	return c.best;
}

unsigned int
adn_url_db_out(const struct adn_url_db *d, int rule)
{
	return rule < 0 ? 0 : d->out[rule];
}

uint64_t
adn_url_db_hits(const struct adn_url_db *d, unsigned int rule)
{
	uint64_t s = 0;

	for (unsigned int w = 0; w < d->n_workers; w++)
		s += d->hits[(size_t)w * d->n + rule];
	return s;
}
