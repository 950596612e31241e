/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "adn_parse.h"
#include "adn_plan.h"

void
adn_plan_init(struct adn_plan *p)
{
	memset(p, 0, sizeof(*p));
	adn_tpl_choice_parse(ADN_PLAN_DEFAULT, &p->def);
	snprintf(p->text, sizeof(p->text), "%s", ADN_PLAN_DEFAULT);
}

const char *
adn_tpl_choice_parse(const char *s, struct adn_tpl_choice *c)
{
	char name[32], buf[32];
	size_t n = 0;
	const char *num;
	uint64_t v;
	int rc;

	while (isalpha((unsigned char)s[n]) && n < sizeof(name) - 1) {
		name[n] = s[n];
		n++;
	}
	name[n] = '\0';
	c->tpl = adn_tpl_find(name);
	if (c->tpl == NULL)
		return "unknown template";
	num = s + n;
	c->param = c->tpl->def_param;
	if (*num == '\0')
		return NULL;
	if (c->tpl->param == NULL)
		return "this template takes no parameter";
	if (*num == '<') {
		size_t l = strlen(num);

		if (l < 3 || num[l - 1] != '>')
			return "parameter must be written NAME<N> or NAMEN";
		snprintf(buf, sizeof(buf), "%.*s", (int)(l - 2), num + 1);
		num = buf;
	}
	rc = adn_parse_u64(num, 0, UINT32_MAX, &v);
	if (rc == -ERANGE)
		return "parameter out of range";
	if (rc < 0)
		return "parameter is not a number";
	if (v < c->tpl->min_param || v > c->tpl->max_param ||
	    !rte_is_power_of_2((uint32_t)v))
		return "parameter out of range";
	c->param = (uint32_t)v;
	return NULL;
}

void
adn_tpl_choice_name(const struct adn_tpl_choice *c, char *out, size_t len)
{
	if (c->tpl == NULL)
		snprintf(out, len, "-");
	else if (c->tpl->param == NULL)
		snprintf(out, len, "%s", c->tpl->name);
	else
		snprintf(out, len, "%s%" PRIu32, c->tpl->name, c->param);
}

/* "unknown template 'x' (templates: scalar, batch, ...)" with the domain
 * of the parameter. */
static void
tpl_error(struct adn_errs *errs, const config_setting_t *where,
	  const char *elem, const char *key, const char *spec,
	  const char *why)
{
	char known[512];
	size_t off = 0;

	const struct adn_tpl_ops *t;

	known[0] = '\0';
	for (unsigned int i = 0; (t = adn_tpl_at(i)) != NULL; i++) {
		if (off >= sizeof(known))
			break;
		if (t->param == NULL)
			off += snprintf(known + off, sizeof(known) - off,
					"%s%s", i ? ", " : "", t->name);
		else
			off += snprintf(known + off, sizeof(known) - off,
					"%s%s<%s %u..%u>", i ? ", " : "",
					t->name, t->param, t->min_param,
					t->max_param);
	}
	adn_errs_add(errs, where, elem, key,
		     "'%s': %s (templates: %s; parameters are powers of two)",
		     spec, why, known);
}

static int
add_item(struct adn_plan *p, const char *elem, const char *spec,
	 const config_setting_t *where, struct adn_errs *errs)
{
	struct adn_plan_item *it;
	const char *why;

	if (p->n_items == ADN_PLAN_MAX_ITEMS) {
		adn_errs_add(errs, where, elem, "plan", "too many entries");
		return -ENOSPC;
	}
	it = &p->items[p->n_items];
	snprintf(it->elem, sizeof(it->elem), "%s", elem);
	it->where = where;
	why = adn_tpl_choice_parse(spec, &it->c);
	if (why == NULL && it->c.tpl->scope == ADN_TPL_SCOPE_PIPELINE)
		why = "this template runs the whole pipeline, not one element";
	if (why != NULL) {
		tpl_error(errs, where, elem, "template", spec, why);
		return -EINVAL;
	}
	p->n_items++;
	return 0;
}

static int
add_knob(struct adn_plan *p, const char *elem, const char *key,
	 const char *value, const config_setting_t *where,
	 struct adn_errs *errs)
{
	struct adn_plan_knob *k;

	if (p->n_knobs == ADN_PLAN_MAX_ITEMS) {
		adn_errs_add(errs, where, elem, key, "too many knobs");
		return -ENOSPC;
	}
	k = &p->knobs[p->n_knobs++];
	snprintf(k->elem, sizeof(k->elem), "%s", elem);
	snprintf(k->key, sizeof(k->key), "%s", key);
	snprintf(k->value, sizeof(k->value), "%s", value);
	k->where = where;
	return 0;
}

/* A chain "a+b+c" or "a -> b -> c" (sep '+' or '>'). */
static int
add_chain(struct adn_plan *p, const char *names, const char *spec,
	  const config_setting_t *where, struct adn_errs *errs)
{
	struct adn_plan_chain *c;
	char buf[ADN_PLAN_MAX], *save = NULL, *tok;
	const char *why;

	if (p->n_chains == ADN_PLAN_MAX_CHAINS) {
		adn_errs_add(errs, where, NULL, "fuse", "too many chains");
		return -ENOSPC;
	}
	c = &p->chains[p->n_chains];
	memset(c, 0, sizeof(*c));
	c->where = where;
	snprintf(buf, sizeof(buf), "%s", names);
	for (tok = strtok_r(buf, "+->", &save); tok != NULL;
	     tok = strtok_r(NULL, "+->", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		for (char *e = tok + strlen(tok);
		     e > tok && isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		if (*tok == '\0')
			continue;
		if (c->n == ADN_CHAIN_ELEMS) {
			adn_errs_add(errs, where, NULL, "fuse",
				     "'%s': more than %d elements", names,
				     ADN_CHAIN_ELEMS);
			return -EINVAL;
		}
		snprintf(c->elem[c->n++], ADN_NAME_MAX, "%s", tok);
	}
	if (c->n == 0) {
		adn_errs_add(errs, where, NULL, "fuse",
			     "'%s': names no element", names);
		return -EINVAL;
	}
	why = adn_tpl_choice_parse(spec, &c->c);
	if (why == NULL && c->c.tpl->scope != ADN_TPL_SCOPE_CHAIN)
		why = "a chain runs under a chain template (fused, jit)";
	if (why != NULL) {
		tpl_error(errs, where, NULL, "fuse", spec, why);
		return -EINVAL;
	}
	p->n_chains++;
	return 0;
}

static int
set_default(struct adn_plan *p, const char *spec,
	    const config_setting_t *where, struct adn_errs *errs)
{
	struct adn_tpl_choice c;
	const char *why = adn_tpl_choice_parse(spec, &c);

	if (why != NULL) {
		tpl_error(errs, where, NULL, "template", spec, why);
		return -EINVAL;
	}
	p->def = c;
	return 0;
}

static int
set_burst(struct adn_plan *p, uint64_t v, const char *text,
	  const config_setting_t *where, struct adn_errs *errs)
{
	if (v < 1 || v > ADN_BATCH_MAX) {
		adn_errs_add(errs, where, NULL, "batch",
			     "'%s': must be 1..%d", text, ADN_BATCH_MAX);
		return -EINVAL;
	}
	p->burst = (uint32_t)v;
	return 0;
}

int
adn_plan_parse(const char *s, struct adn_plan *p, struct adn_errs *errs)
{
	unsigned int first_err = errs->n;
	char buf[ADN_PLAN_MAX], *save = NULL, *tok;
	bool have_def = false;

	adn_plan_init(p);
	if (strlen(s) >= sizeof(buf)) {
		adn_errs_add(errs, NULL, NULL, "plan",
			     "longer than %d characters", ADN_PLAN_MAX - 1);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *dot;

		if (eq == NULL) {
			if (have_def)
				adn_errs_add(errs, NULL, NULL, "plan",
					     "'%s': two default templates ('%s' came first)",
					     tok, p->text);
			else
				set_default(p, tok, NULL, errs);
			have_def = true;
			continue;
		}
		*eq = '\0';
		dot = strchr(tok, '.');
		if (strcmp(tok, "batch") == 0) {
			uint64_t v = 0;

			if (adn_parse_u64(eq + 1, 0, UINT32_MAX, &v) < 0)
				v = 0;
			set_burst(p, v, eq + 1, NULL, errs);
		} else if (strchr(tok, '+') != NULL) {
			add_chain(p, tok, eq + 1, NULL, errs);
		} else if (dot != NULL) {
			*dot = '\0';
			add_knob(p, tok, dot + 1, eq + 1, NULL, errs);
		} else {
			add_item(p, tok, eq + 1, NULL, errs);
		}
	}
	snprintf(p->text, sizeof(p->text), "%s", s);
	if (p->def.tpl->scope == ADN_TPL_SCOPE_PIPELINE &&
	    (p->n_items || p->n_chains))
		adn_errs_add(errs, NULL, NULL, "plan",
			     "'%s': %s runs the whole pipeline: no per-element templates or chains",
			     s, p->def.tpl->name);
	return errs->n == first_err ? 0 : -EINVAL;
}

/* Append `fmt` to the plan's text, comma-separated. */
static void __attribute__((format(printf, 2, 3)))
text_add(struct adn_plan *p, const char *fmt, ...)
{
	size_t off = strlen(p->text);
	va_list ap;

	if (off + 2 >= sizeof(p->text))
		return;
	if (off)
		p->text[off++] = ',';
	va_start(ap, fmt);
	vsnprintf(p->text + off, sizeof(p->text) - off, fmt, ap);
	va_end(ap);
}

/* A scalar config value as text, for knobs. */
static int
setting_text(const config_setting_t *s, char *out, size_t len)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(out, len, "%lld", config_setting_get_int64(s));
		return 0;
	case CONFIG_TYPE_FLOAT:
		snprintf(out, len, "%.17g", config_setting_get_float(s));
		return 0;
	case CONFIG_TYPE_BOOL:
		snprintf(out, len, "%s",
			 config_setting_get_bool(s) ? "true" : "false");
		return 0;
	case CONFIG_TYPE_STRING:
		snprintf(out, len, "%s", config_setting_get_string(s));
		return 0;
	default:
		return -EINVAL;
	}
}

static void
from_config_elements(struct adn_plan *p, const config_setting_t *els,
		     struct adn_errs *errs)
{
	if (!config_setting_is_group(els)) {
		adn_errs_add(errs, els, NULL, "elements",
			     "must be a group: elements = { NAME = { template = \"...\"; KNOB = VALUE; }; }");
		return;
	}
	for (int i = 0; i < config_setting_length(els); i++) {
		const config_setting_t *g = config_setting_get_elem(els, i);
		const char *name = config_setting_name(g);

		if (!config_setting_is_group(g)) {
			adn_errs_add(errs, g, name, NULL,
				     "must be a group { template = \"...\"; KNOB = VALUE; }");
			continue;
		}
		for (int k = 0; k < config_setting_length(g); k++) {
			const config_setting_t *s =
				config_setting_get_elem(g, k);
			const char *key = config_setting_name(s);
			char val[128];

			if (setting_text(s, val, sizeof(val)) < 0) {
				adn_errs_add(errs, s, name, key,
					     "must be a number, bool or string");
				continue;
			}
			if (strcmp(key, "template") == 0) {
				if (add_item(p, name, val, s, errs) == 0)
					text_add(p, "%s=%s", name, val);
			} else if (add_knob(p, name, key, val, s, errs) == 0) {
				text_add(p, "%s.%s=%s", name, key, val);
			}
		}
	}
}

static void
from_config_fuse(struct adn_plan *p, const config_setting_t *fuse,
		 const char *fusion, struct adn_errs *errs)
{
	if (!config_setting_is_list(fuse) && !config_setting_is_array(fuse)) {
		adn_errs_add(errs, fuse, NULL, "fuse",
			     "must be a list of chains, e.g. ( \"a -> b -> c\" )");
		return;
	}
	for (int i = 0; i < config_setting_length(fuse); i++) {
		const config_setting_t *c = config_setting_get_elem(fuse, i);
		const char *names = NULL, *spec = fusion;

		if (config_setting_type(c) == CONFIG_TYPE_STRING) {
			names = config_setting_get_string(c);
		} else if (config_setting_is_group(c)) {
			config_setting_lookup_string(c, "chain", &names);
			config_setting_lookup_string(c, "template", &spec);
		}
		if (names == NULL) {
			adn_errs_add(errs, c, NULL, "fuse",
				     "entry %d: a string \"a -> b\" or { chain = \"a -> b\"; template = \"jit\"; }",
				     i);
			continue;
		}
		if (add_chain(p, names, spec, c, errs) == 0) {
			const struct adn_plan_chain *ch =
				&p->chains[p->n_chains - 1];
			char t[32], list[ADN_PLAN_MAX] = "";
			size_t off = 0;

			for (unsigned int k = 0; k < ch->n &&
			     off < sizeof(list); k++)
				off += snprintf(list + off, sizeof(list) - off,
						"%s%s", k ? "+" : "",
						ch->elem[k]);
			adn_tpl_choice_name(&ch->c, t, sizeof(t));
			text_add(p, "%s=%s", list, t);
		}
	}
}

static const char *const plan_keys[] = {
	"template", "batch", "elements", "fuse", "fusion", NULL,
};

int
adn_plan_from_config(const config_t *cfg, struct adn_plan *p,
		     struct adn_errs *errs)
{
	const config_setting_t *g = config_lookup(cfg, "plan"), *s;
	unsigned int first_err = errs->n;
	const char *fusion = "fused";

	adn_plan_init(p);
	if (g == NULL)
		return 0;
	if (config_setting_type(g) == CONFIG_TYPE_STRING) {
		/* The adn-bench -p syntax; its errors carry the line. */
		struct adn_errs sub = { 0 };
		int rc = adn_plan_parse(config_setting_get_string(g), p, &sub);

		for (unsigned int i = 0; i < sub.n; i++)
			adn_errs_add(errs, g, NULL, NULL, "%s",
				     sub.msg[i] ? sub.msg[i] : "?");
		adn_errs_clear(&sub);
		p->where = g;
		return rc;
	}
	p->where = g;
	if (!config_setting_is_group(g)) {
		adn_errs_add(errs, g, NULL, "plan",
			     "must be a group: plan = { template = \"group8\"; batch = 32; ... }, or a string like \"jit8,route=fastpath1024\"");
		return -EINVAL;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		const char *key =
			config_setting_name(config_setting_get_elem(g, i));
		const char *const *k;

		for (k = plan_keys; *k && strcmp(*k, key); k++)
			;
		if (*k == NULL)
			adn_errs_add(errs, config_setting_get_elem(g, i),
				     NULL, key,
				     "unknown plan key (allowed: template, batch, elements, fuse, fusion)");
	}
	p->text[0] = '\0';
	s = config_setting_get_member(g, "template");
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			adn_errs_add(errs, s, NULL, "template",
				     "must be a string, e.g. \"group8\"");
		else if (set_default(p, config_setting_get_string(s), s,
				     errs) == 0)
			text_add(p, "%s", config_setting_get_string(s));
	}
	if (p->text[0] == '\0')
		text_add(p, "batch");
	s = config_setting_get_member(g, "batch");
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			adn_errs_add(errs, s, NULL, "batch",
				     "must be an integer 1..%d",
				     ADN_BATCH_MAX);
		else if (set_burst(p, (uint64_t)config_setting_get_int64(s),
				   "batch", s, errs) == 0)
			text_add(p, "batch=%u", p->burst);
	}
	s = config_setting_get_member(g, "fusion");
	if (s != NULL) {
		struct adn_tpl_choice c;
		const char *why;

		fusion = config_setting_get_string(s);
		why = fusion ? adn_tpl_choice_parse(fusion, &c) :
			"must be a string";
		if (why == NULL && c.tpl->scope != ADN_TPL_SCOPE_CHAIN)
			why = "must be a chain template (fused, jit)";
		if (why != NULL) {
			tpl_error(errs, s, NULL, "fusion",
				  fusion ? fusion : "", why);
			fusion = "fused";
		}
	}
	s = config_setting_get_member(g, "elements");
	if (s != NULL)
		from_config_elements(p, s, errs);
	s = config_setting_get_member(g, "fuse");
	if (s != NULL)
		from_config_fuse(p, s, fusion, errs);
	if (p->def.tpl->scope == ADN_TPL_SCOPE_PIPELINE &&
	    (p->n_items || p->n_chains))
		adn_errs_add(errs, g, NULL, "template",
			     "%s runs the whole pipeline: no per-element templates or chains",
			     p->def.tpl->name);
	return errs->n == first_err ? 0 : -EINVAL;
}

static const config_setting_t *
find_element(const config_t *cfg, const char *name)
{
	const config_setting_t *els = config_lookup(cfg, "elements");

	for (int i = 0; els && i < config_setting_length(els); i++) {
		const config_setting_t *g = config_setting_get_elem(els, i);
		const char *n = NULL;

		if (config_setting_lookup_string(g, "name", &n) &&
		    strcmp(n, name) == 0)
			return g;
	}
	return NULL;
}

/* Check `value` against knob spec `a`; NULL when it fits, else why. */
static const char *
knob_check(const struct adn_arg_spec *a, const char *value, int64_t *iv,
	   double *fv)
{
	uint64_t u;
	int rc;

	switch (a->type) {
	case ADN_ARG_INT:
		rc = adn_parse_u64(value, 0, INT64_MAX, &u);
		if (rc == -ERANGE)
			return "out of the key's range";
		if (rc < 0)
			return "not a non-negative integer";
		*iv = (int64_t)u;
		if ((a->min != 0 || a->max != 0) &&
		    (*iv < a->min || *iv > a->max))
			return "out of the key's range";
		return NULL;
	case ADN_ARG_FLOAT:
		return adn_parse_double(value, -1e308, 1e308, fv) < 0 ? "not a number" : NULL;
	case ADN_ARG_BOOL:
		if (strcmp(value, "true") && strcmp(value, "false"))
			return "must be true or false";
		*iv = strcmp(value, "true") == 0;
		return NULL;
	case ADN_ARG_STRING:
		if (a->choices == NULL)
			return NULL;
		for (const char *const *c = a->choices; *c; c++)
			if (strcmp(*c, value) == 0)
				return NULL;
		return "not one of the key's choices";
	default:
		return "this key cannot be a knob";
	}
}

/* "table (radix|dir24_8), size (16..268435456)" for an error message. */
static void
knob_list(const struct adn_elem_desc *d, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (const struct adn_arg_spec *a = d->args; a && a->name &&
	     off < len; a++) {
		if (!a->knob)
			continue;
		off += snprintf(out + off, len - off, "%s%s", off ? ", " : "",
				a->name);
		if (a->type == ADN_ARG_INT && off < len)
			off += snprintf(out + off, len - off,
					" (%" PRId64 "..%" PRId64 ")",
					a->min, a->max);
		for (const char *const *c = a->choices;
		     a->type == ADN_ARG_STRING && c && *c && off < len; c++)
			off += snprintf(out + off, len - off, "%s%s",
					c == a->choices ? " (" : "|", *c);
		if (a->type == ADN_ARG_STRING && a->choices && off < len)
			off += snprintf(out + off, len - off, ")");
	}
	if (out[0] == '\0')
		snprintf(out, len, "none");
}

const struct adn_plan_knob *
adn_plan_knob(const struct adn_plan *p, const char *elem, const char *key)
{
	for (unsigned int i = 0; p != NULL && i < p->n_knobs; i++)
		if (strcmp(p->knobs[i].elem, elem) == 0 &&
		    strcmp(p->knobs[i].key, key) == 0)
			return &p->knobs[i];
	return NULL;
}

int
adn_plan_check_knobs(const struct adn_plan *p, const config_t *cfg,
		     struct adn_errs *errs)
{
	unsigned int first_err = errs->n;

	for (unsigned int i = 0; i < p->n_knobs; i++) {
		const struct adn_plan_knob *k = &p->knobs[i];
		const config_setting_t *g = find_element(cfg, k->elem);
		const struct adn_elem_desc *d = NULL;
		const struct adn_arg_spec *a = NULL;
		const char *type = NULL, *why;
		char known[512];
		int64_t iv = 0;
		double fv = 0;

		if (g == NULL) {
			adn_errs_add(errs, k->where, k->elem, k->key,
				     "plan knob for an element the config does not have");
			continue;
		}
		if (config_setting_lookup_string(g, "type", &type))
			d = adn_elem_find(type);
		if (d == NULL)
			continue;	/* the build reports the bad type */
		for (a = d->args; a && a->name && strcmp(a->name, k->key); a++)
			;
		if (a == NULL || a->name == NULL || !a->knob) {
			knob_list(d, known, sizeof(known));
			adn_errs_add(errs, k->where, k->elem, k->key,
				     "not a knob of %s (knobs: %s)", d->name,
				     known);
			continue;
		}
		why = knob_check(a, k->value, &iv, &fv);
		if (why != NULL) {
			knob_list(d, known, sizeof(known));
			adn_errs_add(errs, k->where, k->elem, k->key,
				     "'%s': %s (knobs of %s: %s)", k->value,
				     why, d->name, known);
		}
	}
	return errs->n == first_err ? 0 : -EINVAL;
}
