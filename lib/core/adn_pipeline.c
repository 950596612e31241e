/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pipeline build: elements from `elements`, links from `links` (Click-like
 * arrow strings), validation that reports every error with file, line,
 * element and key, and a topological order for the executor.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "adn_log.h"
#include "adn_pipeline_priv.h"
#include "adn_plan.h"
#include "adn_state.h"

#define NO_LINK UINT16_MAX

struct node {
	const char *name;	/* set once the entry has a valid, unique name */
	struct adn_elem *e;
	bool configured;
	uint16_t out_to[ADN_MAX_OUTPUTS];	/* config index or NO_LINK */
	const config_setting_t *out_where[ADN_MAX_OUTPUTS];
	const config_setting_t *first_in;	/* a link feeding it */
	/* A link in error feeds it or leaves from an output: neither
	 * "has no input" nor "left unconnected" (follow-on errors). */
	bool fed_by_error;
	uint32_t out_to_error;		/* bit o: output o */
};

int
adn_build_error_at(struct adn_build *b, const struct adn_elem *e,
		   const config_setting_t *where, const char *key,
		   const char *fmt, ...)
{
	va_list ap;

	if (e != NULL && key != NULL && adn_elem_arg_rejected(e, key))
		return -EINVAL;	/* reported by check_args */
	va_start(ap, fmt);
	adn_errs_vadd(b->errs, where, e ? e->name : NULL, key, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int
adn_build_error(struct adn_build *b, const struct adn_elem *e,
		const char *key, const char *fmt, ...)
{
	const config_setting_t *where = e->setting;
	va_list ap;

	if (key != NULL && adn_elem_arg_rejected(e, key))
		return -EINVAL;	/* reported by check_args */
	if (key != NULL && adn_elem_arg(e, key) != NULL)
		where = adn_elem_arg(e, key);
	va_start(ap, fmt);
	adn_errs_vadd(b->errs, where, e->name, key, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int
adn_build_name_or_int(struct adn_build *b, const struct adn_elem *e,
		      const config_setting_t *s, const char *key,
		      const struct adn_name_value *names, int64_t lo,
		      int64_t hi, int64_t *out)
{
	const char *str = config_setting_get_string(s);
	char allowed[256];
	size_t off = 0;
	long long v;

	for (const struct adn_name_value *n = names; n->name; n++)
		off += snprintf(allowed + off,
				off < sizeof(allowed) ? sizeof(allowed) - off : 0,
				"%s, ", n->name);
	if (off >= sizeof(allowed))
		off = 0;
	snprintf(allowed + off, sizeof(allowed) - off,
		 "or a number %" PRId64 "-%" PRId64, lo, hi);
	if (str != NULL) {
		for (const struct adn_name_value *n = names; n->name; n++)
			if (strcmp(n->name, str) == 0) {
				*out = n->value;
				return 0;
			}
		return adn_build_error_at(b, e, s, key,
					  "unknown value '%s' (%s)", str,
					  allowed);
	}
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return adn_build_error_at(b, e, s, key, "must be %s",
					  allowed + off);
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return adn_build_error_at(b, e, s, key,
					  "value %lld out of range [%" PRId64 ", %" PRId64 "]",
					  v, lo, hi);
	*out = v;
	return 0;
}

int
adn_build_add_rx(struct adn_build *b, struct adn_elem *e, uint16_t queue)
{
	if (b->n_rx == ADN_MAX_RX_POINTS) {
		adn_build_error(b, e, NULL, "more than %d rx points in one pipeline",
				ADN_MAX_RX_POINTS);
		return -ENOSPC;
	}
	b->rx[b->n_rx].e = e;
	b->rx[b->n_rx].queue = queue;
	b->n_rx++;
	return 0;
}

struct adn_port *
adn_build_claim_rx(struct adn_build *b, struct adn_elem *e,
		   const char *key, const char *name, int queue)
{
	struct adn_port *port = b->ports ? adn_ports_find(b->ports, name) :
		NULL;
	uint64_t want;

	if (port == NULL) {
		adn_build_error(b, e, key, "no port named '%s' in `ports`",
				name);
		return NULL;
	}
	if (queue >= (int)port->rxq) {
		adn_build_error(b, e, "queue",
				"rx queue %d out of range: port '%s' has %u",
				queue, name, port->rxq);
		return NULL;
	}
	want = queue < 0 ? (port->rxq >= 64 ? UINT64_MAX :
			    (UINT64_C(1) << port->rxq) - 1) :
		UINT64_C(1) << queue;
	if (b->port_rxq_claimed[port - b->ports->port] & want) {
		adn_build_error(b, e, key,
				"rx queue%s of port '%s' already claimed by another element",
				queue < 0 ? "s" : "", name);
		return NULL;
	}
	b->port_rxq_claimed[port - b->ports->port] |= want;
	for (uint16_t q = 0; q < port->rxq; q++)
		if ((want >> q) & 1 && adn_build_add_rx(b, e, q) < 0)
			return NULL;
	return port;
}

struct adn_port *
adn_build_claim_tx(struct adn_build *b, const struct adn_elem *e,
		   const char *key, const char *name)
{
	struct adn_port *port = b->ports ? adn_ports_find(b->ports, name) :
		NULL;

	if (port == NULL) {
		adn_build_error(b, e, key, "no port named '%s' in `ports`",
				name);
		return NULL;
	}
	if (b->port_tx_claimed & (UINT64_C(1) << (port - b->ports->port))) {
		adn_build_error(b, e, key,
				"port '%s' already claimed for tx by another element (link more inputs to one ToPort instead)",
				name);
		return NULL;
	}
	b->port_tx_claimed |= UINT64_C(1) << (port - b->ports->port);
	return port;
}

static const char *
arg_type_name(enum adn_arg_type t)
{
	static const char *const names[] = {
		[ADN_ARG_INT] = "an integer", [ADN_ARG_FLOAT] = "a number",
		[ADN_ARG_BOOL] = "a boolean", [ADN_ARG_STRING] = "a string",
		[ADN_ARG_LIST] = "a list", [ADN_ARG_GROUP] = "a group",
	};
	return names[t];
}

static bool
arg_type_ok(enum adn_arg_type t, int ctype)
{
	switch (t) {
	case ADN_ARG_INT:
		return ctype == CONFIG_TYPE_INT || ctype == CONFIG_TYPE_INT64;
	case ADN_ARG_FLOAT:
		return ctype == CONFIG_TYPE_FLOAT || ctype == CONFIG_TYPE_INT ||
			ctype == CONFIG_TYPE_INT64;
	case ADN_ARG_BOOL:
		return ctype == CONFIG_TYPE_BOOL;
	case ADN_ARG_STRING:
		return ctype == CONFIG_TYPE_STRING;
	case ADN_ARG_LIST:
		return ctype == CONFIG_TYPE_LIST || ctype == CONFIG_TYPE_ARRAY;
	case ADN_ARG_GROUP:
		return ctype == CONFIG_TYPE_GROUP;
	}
	return false;
}

static void
allowed_keys(const struct adn_elem_desc *d, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (const struct adn_arg_spec *a = d->args; a && a->name; a++)
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				off ? ", " : "", a->name);
	if (off == 0)
		snprintf(buf, len, "none");
}

/* Check the element's keys against its declared specs; each rejected key
 * gets its bit in e->bad_args. 0; -EINVAL: errors, but configure() can
 * still run (rejected keys read as absent); -ENOENT: a required key is
 * missing or rejected, so configure() cannot run. */
static int
check_args(struct adn_build *b, struct adn_elem *e)
{
	const struct adn_elem_desc *d = e->desc;
	unsigned int before = b->errs->n;
	bool unusable = false;
	char allowed[512];

	for (int i = 0; i < config_setting_length(e->setting); i++) {
		config_setting_t *s = config_setting_get_elem(e->setting, i);
		const char *key = config_setting_name(s);
		const struct adn_arg_spec *a;

		if (strcmp(key, "name") == 0 || strcmp(key, "type") == 0)
			continue;
		for (a = d->args; a && a->name; a++)
			if (strcmp(a->name, key) == 0)
				break;
		if (a == NULL || a->name == NULL) {
			allowed_keys(d, allowed, sizeof(allowed));
			adn_errs_add(b->errs, s, e->name, key,
				     "unknown key for %s (allowed: %s)",
				     d->name, allowed);
			continue;
		}
		if (!arg_type_ok(a->type, config_setting_type(s))) {
			adn_errs_add(b->errs, s, e->name, key,
				     "wrong type: must be %s",
				     arg_type_name(a->type));
			e->bad_args |= UINT64_C(1) << (a - d->args);
			continue;
		}
		if (a->type == ADN_ARG_INT && (a->min != 0 || a->max != 0)) {
			int64_t v = config_setting_get_int64(s);

			if (v < a->min || v > a->max) {
				adn_errs_add(b->errs, s, e->name, key,
					     "value %" PRId64 " out of range [%" PRId64 ", %" PRId64 "]",
					     v, a->min, a->max);
				e->bad_args |= UINT64_C(1) << (a - d->args);
			}
		}
		if (a->type == ADN_ARG_STRING && a->choices != NULL) {
			const char *v = config_setting_get_string(s);
			const char *const *c;
			size_t off = 0;

			for (c = a->choices; *c; c++)
				if (strcmp(*c, v) == 0)
					break;
			if (*c == NULL) {
				for (c = a->choices; *c; c++)
					off += snprintf(allowed + off,
							off < sizeof(allowed) ?
							sizeof(allowed) - off : 0,
							"%s%s", off ? ", " : "",
							*c);
				adn_errs_add(b->errs, s, e->name, key,
					     "value '%s' not allowed (one of: %s)",
					     v, allowed);
				e->bad_args |= UINT64_C(1) << (a - d->args);
			}
		}
	}
	for (const struct adn_arg_spec *a = d->args; a && a->name; a++) {
		if (!a->required)
			continue;
		if (config_setting_get_member(e->setting, a->name) == NULL)
			adn_errs_add(b->errs, e->setting, e->name, a->name,
				     "missing required key (%s)",
				     a->help ? a->help : arg_type_name(a->type));
		if (adn_elem_arg(e, a->name) == NULL)
			unusable = true;
	}
	if (unusable)
		return -ENOENT;
	return b->errs->n == before ? 0 : -EINVAL;
}

static int
find_node(struct node *nodes, unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (nodes[i].name != NULL && strcmp(nodes[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* One hop of an arrow string: "name" or "name[port]". */
struct hop {
	char name[ADN_NAME_MAX];
	int port;	/* -1: none given */
};

static int
parse_hop(const char *s, size_t len, struct hop *h)
{
	size_t i = 0, j;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	while (len > i && isspace((unsigned char)s[len - 1]))
		len--;
	h->port = -1;
	for (j = i; j < len && s[j] != '['; j++)
		if (!isalnum((unsigned char)s[j]) && s[j] != '_')
			return -EINVAL;
	if (j == i || j - i >= sizeof(h->name))
		return -EINVAL;
	memcpy(h->name, s + i, j - i);
	h->name[j - i] = '\0';
	if (j < len) {
		char *end;
		long p = strtol(s + j + 1, &end, 10);

		if (end == s + j + 1 || *end != ']' || end != s + len - 1 ||
		    p < 0 || p > 255)
			return -EINVAL;
		h->port = (int)p;
	}
	return 0;
}

static void
add_link(struct adn_build *b, struct node *nodes, unsigned int n,
	 const config_setting_t *where, const struct hop *from,
	 const struct hop *to)
{
	int fi = find_node(nodes, n, from->name);
	int ti = find_node(nodes, n, to->name);
	unsigned int port = from->port < 0 ? 0 : (unsigned int)from->port;

	if (fi < 0)
		adn_errs_add(b->errs, where, NULL, "links",
			     "unknown element '%s'", from->name);
	if (ti < 0)
		adn_errs_add(b->errs, where, NULL, "links",
			     "unknown element '%s'", to->name);
	/* A link from an element that failed configuration cannot be
	 * checked (its outputs are unknown); one to such an element still
	 * connects. Either way the error is reported once: the link's ends
	 * are not then also "unconnected" or without input. */
	if (fi < 0 || ti < 0 || !nodes[fi].configured || nodes[ti].e == NULL) {
		if (ti >= 0)
			nodes[ti].fed_by_error = true;
		if (fi >= 0 && port < ADN_MAX_OUTPUTS)
			nodes[fi].out_to_error |= UINT32_C(1) << port;
		return;
	}
	if (port >= nodes[fi].e->n_outputs) {
		adn_errs_add(b->errs, where, from->name, "links",
			     "output port %u out of range: %s has %u output%s",
			     port, nodes[fi].e->desc->name,
			     nodes[fi].e->n_outputs,
			     nodes[fi].e->n_outputs == 1 ? "" : "s");
		nodes[ti].fed_by_error = true;
		return;
	}
	if (nodes[fi].out_to[port] != NO_LINK) {
		adn_errs_add(b->errs, where, from->name, "links",
			     "output port %u already connected (line %u); an output feeds exactly one element",
			     port,
			     config_setting_source_line(nodes[fi].out_where[port]));
		nodes[ti].fed_by_error = true;
		return;
	}
	if (nodes[ti].e->desc->flags & ADN_ELEM_SOURCE) {
		adn_errs_add(b->errs, where, to->name, "links",
			     "%s is a source and takes no input",
			     nodes[ti].e->desc->name);
		nodes[fi].out_to_error |= UINT32_C(1) << port;
		return;
	}
	nodes[fi].out_to[port] = (uint16_t)ti;
	nodes[fi].out_where[port] = where;
	if (nodes[ti].first_in == NULL)
		nodes[ti].first_in = where;
	nodes[ti].e->n_inputs++;
}

static void
parse_links(struct adn_build *b, struct node *nodes, unsigned int n)
{
	const config_setting_t *links = config_lookup(b->cfg, "links");

	if (links == NULL) {
		adn_errs_add(b->errs, NULL, NULL, "links",
			     "missing: the config needs a `links` list of arrow strings");
		return;
	}
	if (!config_setting_is_aggregate(links) ||
	    config_setting_is_group(links)) {
		adn_errs_add(b->errs, links, NULL, "links",
			     "must be a list of strings like \"a -> b[1] -> c\"");
		return;
	}
	for (int i = 0; i < config_setting_length(links); i++) {
		const config_setting_t *l = config_setting_get_elem(links, i);
		const char *s = config_setting_get_string(l);
		struct hop prev, cur;
		bool have_prev = false;

		if (s == NULL) {
			adn_errs_add(b->errs, l, NULL, "links",
				     "entry %d is not a string", i);
			continue;
		}
		for (const char *p = s;;) {
			const char *arrow = strstr(p, "->");
			size_t len = arrow ? (size_t)(arrow - p) : strlen(p);

			if (parse_hop(p, len, &cur) < 0) {
				adn_errs_add(b->errs, l, NULL, "links",
					     "cannot parse '%.*s' in \"%s\" (expected name or name[port])",
					     (int)len, p, s);
				break;
			}
			if (have_prev)
				add_link(b, nodes, n, l, &prev, &cur);
			if (arrow == NULL) {
				if (!have_prev)
					adn_errs_add(b->errs, l, NULL, "links",
						     "\"%s\" has no arrow", s);
				else if (cur.port >= 0)
					adn_errs_add(b->errs, l, cur.name,
						     "links",
						     "\"%s\" ends with an output port that connects to nothing",
						     s);
				break;
			}
			prev = cur;
			have_prev = true;
			p = arrow + 2;
		}
	}
}

/* The first successor of i (lowest output) still in `live`, or -1. */
static int
live_next(const struct node *nodes, unsigned int i, const bool *live)
{
	for (unsigned int o = 0; o < nodes[i].e->n_outputs; o++)
		if (nodes[i].out_to[o] != NO_LINK && live[nodes[i].out_to[o]])
			return nodes[i].out_to[o];
	return -1;
}

/* Kahn's algorithm left the cycles and what they feed unplaced. Name one
 * cycle, in link order ("a -> b -> a"), at the link that closes it: peel
 * off the nodes that feed no unplaced node until only nodes on or between
 * cycles remain; every one of those has a live successor, so walking from
 * the first (config order) must revisit a node, and the walk from that
 * node on is a cycle. */
static void
report_cycle(struct adn_build *b, const struct node *nodes, unsigned int n,
	     const bool *placed)
{
	bool live[n], changed = true;
	int seen_at[n], path[n], cur = -1;
	unsigned int len = 0;
	char names[512];
	size_t off = 0;

	for (unsigned int i = 0; i < n; i++) {
		live[i] = !placed[i];
		seen_at[i] = -1;
	}
	while (changed) {
		changed = false;
		for (unsigned int i = 0; i < n; i++)
			if (live[i] && live_next(nodes, i, live) < 0) {
				live[i] = false;
				changed = true;
			}
	}
	for (unsigned int i = 0; i < n && cur < 0; i++)
		if (live[i])
			cur = (int)i;
	while (seen_at[cur] < 0) {
		seen_at[cur] = (int)len;
		path[len++] = cur;
		cur = live_next(nodes, (unsigned int)cur, live);
	}
	for (unsigned int k = (unsigned int)seen_at[cur]; k < len; k++)
		off += snprintf(names + off,
				off < sizeof(names) ? sizeof(names) - off : 0,
				"%s -> ", nodes[path[k]].e->name);
	if (off < sizeof(names))
		snprintf(names + off, sizeof(names) - off, "%s",
			 nodes[cur].e->name);
	/* The closing link: from the last node of the walk to cur. */
	for (unsigned int o = 0; o < nodes[path[len - 1]].e->n_outputs; o++)
		if (nodes[path[len - 1]].out_to[o] == cur) {
			adn_errs_add(b->errs, nodes[path[len - 1]].out_where[o],
				     NULL, "links",
				     "cycle: %s (a pipeline must be acyclic)",
				     names);
			return;
		}
}

/* Kahn's algorithm, stable in config order; reports a cycle. */
static int
topo_sort(struct adn_build *b, struct node *nodes, unsigned int n,
	  unsigned int *order)
{
	unsigned int indeg[n], done = 0;
	bool placed[n];

	memset(indeg, 0, sizeof(indeg));
	memset(placed, 0, sizeof(placed));
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int o = 0; o < nodes[i].e->n_outputs; o++)
			if (nodes[i].out_to[o] != NO_LINK)
				indeg[nodes[i].out_to[o]]++;
	while (done < n) {
		bool progress = false;

		for (unsigned int i = 0; i < n; i++) {
			if (placed[i] || indeg[i] != 0)
				continue;
			placed[i] = true;
			order[done++] = i;
			progress = true;
			for (unsigned int o = 0; o < nodes[i].e->n_outputs; o++)
				if (nodes[i].out_to[o] != NO_LINK)
					indeg[nodes[i].out_to[o]]--;
		}
		if (!progress)
			break;
	}
	if (done == n)
		return 0;

	report_cycle(b, nodes, n, placed);
	return -EINVAL;
}

static void
elem_free(struct adn_elem *e)
{
	if (e == NULL)
		return;
	if (e->priv != NULL && e->desc->destroy != NULL)
		e->desc->destroy(e);
	for (unsigned int i = 0; i < e->n_state; i++)
		adn_state_release(e->state[i]);
	if (!e->desc->priv_is_state)
		rte_free(e->priv);
	rte_free(e->stats);
	free(e);
}

/* "size=65536;seed=0": the values of the keys that shape e's state, as
 * configure() reads them (plan knobs, config, defaults). */
static void
state_shape(const struct adn_elem *e, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (const struct adn_arg_spec *a = e->desc->args; a && a->name &&
	     off < len; a++) {
		char v[160];

		if (!a->shapes_state)
			continue;
		adn_elem_arg_text(e, a->name, v, sizeof(v));
		off += (size_t)snprintf(out + off, len - off, "%s=%s;",
					a->name, v);
	}
}

/* A priv_is_state element's priv, from the registry. */
static int
priv_state(struct adn_elem *e, struct adn_build *b)
{
	struct adn_state_ref ref;
	int rc;

	if (!e->desc->priv_is_state)
		return 0;
	rc = adn_elem_state(e, b, "priv", e->desc->priv_size,
			    e->desc->priv_free,
			    e->desc->priv_from_prev ? ADN_STATE_FROM_PREV : 0,
			    &ref);
	e->priv = ref.data;
	e->priv_reused = ref.reused;
	e->priv_prev = ref.prev;
	return rc;
}

/* priv (from the registry when it is state), then configure() with the
 * plan's knobs readable; 0 or a negative errno, every error reported. */
static int
configure(struct adn_elem *e, struct adn_build *b)
{
	unsigned int before = b->errs->n;
	int rc;

	e->knobs = b->env->plan;
	rc = priv_state(e, b);
	if (rc == 0 && e->desc->configure != NULL)
		rc = e->desc->configure(e, b);
	e->knobs = NULL;
	/* Silent when it failed over a key reported already. */
	if (rc < 0 && b->errs->n == before && e->bad_args == 0)
		adn_errs_add(b->errs, e->setting, e->name, NULL,
			     "configuration failed: %s", strerror(-rc));
	return rc;
}

int
adn_elem_state(struct adn_elem *e, struct adn_build *b, const char *key,
	       size_t size, void (*destroy)(void *data), unsigned int flags,
	       struct adn_state_ref *ref)
{
	char shape[1024];
	void *data;
	int rc;

	memset(ref, 0, sizeof(*ref));
	if (e->n_state == ADN_ELEM_MAX_STATE) {
		adn_build_error(b, e, NULL,
				"more than %d state objects (element bug)",
				ADN_ELEM_MAX_STATE);
		return -ENOSPC;
	}
	if (flags & ADN_STATE_KEY_SHAPES)
		shape[0] = '\0';
	else
		state_shape(e, shape, sizeof(shape));
	rc = adn_state_get(b->reg, b, e->name, e->desc->name, key, shape,
			   size, destroy, e->desc->migrate,
			   (flags & ADN_STATE_FROM_PREV) != 0,
			   &e->state[e->n_state], &data, &ref->prev,
			   &ref->reused);
	if (rc < 0) {
		adn_build_error(b, e, NULL,
				"out of memory for state '%s' (%zu bytes)",
				key, size);
		return rc;
	}
	e->n_state++;
	ref->data = data;
	return 0;
}

static struct adn_elem *
elem_new(struct adn_build *b, const config_setting_t *s, const char *name,
	 const struct adn_elem_desc *d)
{
	struct adn_elem *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->desc = d;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->setting = s;
	e->n_outputs = d->n_outputs;
	e->n_workers = b->n_workers;
	e->stats = rte_zmalloc("adn_elem_stats",
			       sizeof(*e->stats) * b->n_workers,
			       RTE_CACHE_LINE_SIZE);
	if (d->priv_size && !d->priv_is_state)
		e->priv = rte_zmalloc(name, d->priv_size, RTE_CACHE_LINE_SIZE);
	if (e->stats == NULL ||
	    (d->priv_size && !d->priv_is_state && e->priv == NULL)) {
		elem_free(e);
		return NULL;
	}
	return e;
}

/*
 * Stand-ins of a shadow pipeline (adn_build_env.shadow) for sources and
 * elements with outside effects: the same outputs, flags and form (stage
 * or batch), so a plan fuses and templates the shadow exactly as the live
 * pipeline, but a source passes what is injected on at output 0 and a
 * sink with outside effects drops. They read no keys and keep no state.
 */
static const char *const standin_drops[] = { "shadow", NULL };

static int
standin_configure(struct adn_elem *e, struct adn_build *b)
{
	RTE_SET_USED(e);
	RTE_SET_USED(b);
	return 0;
}

static int
standin_pass(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	RTE_SET_USED(e);
	RTE_SET_USED(m);
	RTE_SET_USED(ctx);
	return 0;
}

static int
standin_drop(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	RTE_SET_USED(e);
	RTE_SET_USED(m);
	RTE_SET_USED(ctx);
	return adn_drop(0);
}

static void
standin_process(struct adn_elem *e, struct adn_batch *b)
{
	const int o = e->desc->flags & ADN_ELEM_SOURCE ? 0 : adn_drop(0);

	for (uint16_t i = 0; i < b->n; i++)
		b->out[i] = (int16_t)o;
}

/* One stand-in type per registered type that needs one, made on first
 * use (control thread) and kept for the process. */
static const struct adn_elem_desc *
standin_of(const struct adn_elem_desc *d)
{
	static struct {
		const struct adn_elem_desc *of;
		struct adn_elem_desc sd;
	} made[32];
	static unsigned int n_made;
	struct adn_elem_desc *sd;

	for (unsigned int i = 0; i < n_made; i++)
		if (made[i].of == d)
			return &made[i].sd;
	if (n_made == RTE_DIM(made))
		return d;	/* more I/O types than any build has */
	sd = &made[n_made].sd;
	made[n_made++].of = d;
	sd->name = d->name;
	sd->help = "shadow stand-in";
	sd->flags = d->flags;
	sd->n_outputs = d->n_outputs;
	sd->drop_reasons = standin_drops;
	sd->configure = standin_configure;
	if (d->process != NULL)
		sd->process = standin_process;
	else
		sd->exec = d->flags & ADN_ELEM_SOURCE ? standin_pass :
			standin_drop;
	return sd;
}

static bool
valid_name(const char *s)
{
	if (*s == '\0' || strlen(s) >= ADN_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Entry i of `elements`: its name checked (and recorded in nodes[i])
 * and its type's descriptor, or NULL after reporting why not. */
static const struct adn_elem_desc *
entry_desc(const config_setting_t *list, struct node *nodes, unsigned int i,
	   struct adn_errs *errs)
{
	const config_setting_t *s = config_setting_get_elem(list, i);
	const char *name = NULL, *type = NULL;
	const struct adn_elem_desc *d;
	int prev;

	memset(nodes[i].out_to, 0xff, sizeof(nodes[i].out_to));
	if (!config_setting_is_group(s)) {
		adn_errs_add(errs, s, NULL, "elements",
			     "entry %u must be a group { name = ...; type = ...; }",
			     i);
		return NULL;
	}
	if (!config_setting_lookup_string(s, "name", &name)) {
		adn_errs_add(errs, s, NULL, "name",
			     "missing (every element needs a string name)");
		return NULL;
	}
	if (!valid_name(name)) {
		adn_errs_add(errs, s, name, "name",
			     "invalid: use letters, digits and '_' (at most %d), so telemetry can name it",
			     ADN_NAME_MAX - 1);
		return NULL;
	}
	prev = find_node(nodes, i, name);
	if (prev >= 0) {
		adn_errs_add(errs, s, name, "name",
			     "duplicate element name (first defined at line %u)",
			     config_setting_source_line(
				     config_setting_get_elem(list, prev)));
		return NULL;
	}
	nodes[i].name = name;
	if (!config_setting_lookup_string(s, "type", &type)) {
		adn_errs_add(errs, s, name, "type",
			     "missing (a string naming an element type)");
		return NULL;
	}
	d = adn_elem_find(type);
	if (d == NULL)
		adn_errs_add(errs, config_setting_get_member(s, "type"),
			     name, "type",
			     "unknown element type '%s' (adn-nf --list-elements shows the types)",
			     type);
	return d;
}

/* `elements` as a non-empty list of at most ADN_MAX_ELEMS entries: their
 * number, or 0 after reporting why not. */
static unsigned int
elements_list(const config_t *cfg, const config_setting_t **out,
	      struct adn_errs *errs)
{
	const config_setting_t *list = config_lookup(cfg, "elements");
	unsigned int n;

	*out = list;
	if (list == NULL || !config_setting_is_list(list) ||
	    config_setting_length(list) == 0) {
		adn_errs_add(errs, list, NULL, "elements",
			     "%s: the config needs `elements = ( { name = ...; type = ...; }, ... )`",
			     list ? "must be a non-empty list of groups" : "missing");
		return 0;
	}
	n = (unsigned int)config_setting_length(list);
	if (n > ADN_MAX_ELEMS) {
		adn_errs_add(errs, list, NULL, "elements",
			     "%u elements, at most %d", n, ADN_MAX_ELEMS);
		return 0;
	}
	return n;
}

int
adn_pipeline_check_keys(const config_t *cfg, struct adn_errs *errs)
{
	struct adn_build_env env = { .cfg = cfg };
	struct adn_build b = { .env = &env, .cfg = cfg, .errs = errs };
	const config_setting_t *list;
	unsigned int n = elements_list(cfg, &list, errs), first_err = errs->n;
	struct node *nodes = calloc(n ? n : 1, sizeof(*nodes));

	if (nodes == NULL) {
		adn_errs_add(errs, NULL, NULL, NULL, "out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct adn_elem_desc *d = entry_desc(list, nodes, i,
							   errs);
		/* A stand-in of the element, enough for check_args. */
		struct adn_elem e = { .desc = d };

		if (d == NULL)
			continue;
		e.setting = config_setting_get_elem(list, i);
		snprintf(e.name, sizeof(e.name), "%s", nodes[i].name);
		check_args(&b, &e);
	}
	free(nodes);
	return errs->n == first_err && n > 0 ? 0 : -EINVAL;
}

int
adn_pipeline_build_env(const struct adn_build_env *env,
		       struct adn_errs *errs, struct adn_pipeline **out)
{
	const config_t *cfg = env->cfg;
	struct adn_ports *ports = env->ports;
	struct adn_build b = {
		.env = env, .cfg = cfg, .ports = ports, .errs = errs,
		.n_workers = env->n_workers ? env->n_workers : 1,
		.reg = env->reg,
	};
	struct adn_state_reg *own_reg = NULL;
	const config_setting_t *list;
	unsigned int first_err = errs->n, n_queues = 0;
	struct node *nodes = NULL;
	unsigned int *order = NULL, *pos = NULL;
	struct adn_pipeline *p = NULL;
	const unsigned int n = elements_list(cfg, &list, errs);

	*out = NULL;
	if (n == 0)
		return -EINVAL;
	if (b.reg == NULL) {
		if (adn_state_reg_create(&own_reg) < 0)
			goto nomem;
		b.reg = own_reg;
	}
	nodes = calloc(n, sizeof(*nodes));
	order = calloc(n, sizeof(*order));
	pos = calloc(n, sizeof(*pos));
	if (nodes == NULL || order == NULL || pos == NULL)
		goto nomem;

	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(list, i);
		const struct adn_elem_desc *d = entry_desc(list, nodes, i,
							   errs);
		const char *name = nodes[i].name;
		int rc;

		if (d == NULL)
			continue;
		if (env->shadow && (d->flags & (ADN_ELEM_SOURCE |
						ADN_ELEM_EXTERNAL)))
			d = standin_of(d);
		nodes[i].e = elem_new(&b, s, name, d);
		if (nodes[i].e == NULL)
			goto nomem;
		nodes[i].e->defer = env->defer;
		/* Errors in some keys still let configure() find those in
		 * the others (a missing file, a bad size); the element is
		 * only usable when both pass. A shadow's stand-in reads no
		 * keys. */
		rc = d->configure == standin_configure ? 0 :
			check_args(&b, nodes[i].e);
		if (rc == -ENOENT)
			continue;
		if ((d->configure != standin_configure &&
		     configure(nodes[i].e, &b) < 0) || rc < 0)
			continue;
		if ((d->flags & ADN_ELEM_QUEUE) &&
		    (d->dequeue == NULL || d->held == NULL ||
		     d->flush == NULL)) {
			adn_errs_add(errs, s, name, NULL,
				     "queue element type %s lacks dequeue, held or flush",
				     d->name);
			continue;
		}
		if ((d->flags & ADN_ELEM_QUEUE) &&
		    ++n_queues > ADN_MAX_QUEUE_ELEMS) {
			adn_errs_add(errs, s, name, NULL,
				     "more than %d queue elements in one pipeline",
				     ADN_MAX_QUEUE_ELEMS);
			continue;
		}
		if (nodes[i].e->n_outputs > ADN_MAX_OUTPUTS) {
			adn_errs_add(errs, s, name, NULL,
				     "%u outputs, at most %d",
				     nodes[i].e->n_outputs, ADN_MAX_OUTPUTS);
			continue;
		}
		nodes[i].configured = true;
	}

	/* A port no element uses is a typo or a leftover: what it receives
	 * would go nowhere, and it would never send. */
	for (unsigned int i = 0; ports && !env->shadow && i < ports->n; i++)
		if (!(b.port_tx_claimed >> i & 1) && !b.port_rxq_claimed[i])
			adn_errs_add(errs, ports->port[i].setting, NULL,
				     "ports",
				     "port '%s' is used by no element (no FromPort or ToPort names it): link it or remove it",
				     ports->port[i].name);

	/* Links are checked even when some elements failed, so one run
	 * reports every error. */
	parse_links(&b, nodes, n);

	for (unsigned int i = 0; i < n; i++) {
		struct adn_elem *e = nodes[i].e;

		if (e == NULL || !nodes[i].configured)
			continue;
		for (unsigned int o = 0; o < e->n_outputs; o++)
			if (nodes[i].out_to[o] == NO_LINK &&
			    !((nodes[i].out_to_error >> o) & 1))
				adn_errs_add(errs, e->setting, e->name, NULL,
					     "output %u left unconnected (link it, e.g. \"%s[%u] -> drop\" with a Discard)",
					     o, e->name, o);
		if (e->n_inputs == 0 && !nodes[i].fed_by_error &&
		    !(e->desc->flags & ADN_ELEM_SOURCE))
			adn_errs_add(errs, e->setting, e->name, NULL,
				     "has no input: no link leads to it");
	}
	if (errs->n != first_err)
		goto fail;
	if (topo_sort(&b, nodes, n, order) < 0)
		goto fail;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		goto nomem;
	p->elems = calloc(n, sizeof(*p->elems));
	if (p->elems == NULL)
		goto nomem;
	p->n_elems = n;
	p->n_workers = b.n_workers;
	p->ports = ports;
	p->reg = b.reg;
	p->own_reg = own_reg != NULL;
	p->n_rx = b.n_rx;
	memcpy(p->rx, b.rx, sizeof(b.rx[0]) * b.n_rx);

	for (unsigned int k = 0; k < n; k++) {
		pos[order[k]] = k;
		p->elems[k] = nodes[order[k]].e;
		p->elems[k]->index = (uint16_t)k;
		p->elems[k]->pipe = p;
		if (p->elems[k]->desc->flags & ADN_ELEM_QUEUE)
			p->queues[p->n_queues++] = p->elems[k];
	}
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int o = 0; o < nodes[i].e->n_outputs; o++)
			nodes[i].e->next[o] = (uint16_t)pos[nodes[i].out_to[o]];
	free(nodes);
	free(order);
	free(pos);
	if (own_reg != NULL)
		adn_state_reg_commit(own_reg, &b);
	/* The build context dies here: its pending objects are the
	 * pipeline's from now on. */
	adn_state_reg_rekey(b.reg, &b, p);
	*out = p;
	return 0;

nomem:
	adn_errs_add(errs, NULL, NULL, NULL, "out of memory building the pipeline");
fail:
	for (unsigned int i = 0; nodes && i < n; i++)
		elem_free(nodes[i].e);
	if (p != NULL)
		free(p->elems);
	free(p);
	free(nodes);
	free(order);
	free(pos);
	adn_state_reg_free(own_reg);
	return -EINVAL;
}

int
adn_pipeline_build(const config_t *cfg, struct adn_ports *ports,
		   unsigned int n_workers, struct adn_errs *errs,
		   struct adn_pipeline **out)
{
	const struct adn_build_env env = {
		.cfg = cfg, .ports = ports, .n_workers = n_workers,
	};

	return adn_pipeline_build_env(&env, errs, out);
}

void
adn_pipeline_commit(struct adn_pipeline *p)
{
	adn_state_reg_commit(p->reg, p);
}

void
adn_pipeline_flush(struct adn_pipeline *p)
{
	for (unsigned int i = 0; i < p->n_queues; i++)
		p->queues[i]->desc->flush(p->queues[i]);
}

void
adn_pipeline_free(struct adn_pipeline *p)
{
	if (p == NULL)
		return;
	adn_pipeline_flush(p);
	for (unsigned int i = 0; i < p->n_elems; i++)
		elem_free(p->elems[i]);
	if (p->own_reg)
		adn_state_reg_free(p->reg);
	free(p->elems);
	free(p);
}

struct adn_elem *
adn_pipeline_find(const struct adn_pipeline *p, const char *name)
{
	for (unsigned int i = 0; i < p->n_elems; i++)
		if (strcmp(p->elems[i]->name, name) == 0)
			return p->elems[i];
	return NULL;
}

unsigned int
adn_pipeline_n_elems(const struct adn_pipeline *p)
{
	return p->n_elems;
}

struct adn_elem *
adn_pipeline_elem(const struct adn_pipeline *p, unsigned int i)
{
	return p->elems[i];
}

struct rte_rcu_qsbr *
adn_build_qsbr(const struct adn_build *b)
{
	return b->env->qsbr;
}

unsigned int
adn_build_n_workers(const struct adn_build *b)
{
	return b->n_workers;
}

void
adn_elem_totals(const struct adn_elem *e, struct adn_elem_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int w = 0; w < e->n_workers; w++) {
		const struct adn_elem_stats *s = &e->stats[w];

		t->in += s->in;
		t->consumed += s->consumed;
		t->cycles += s->cycles;
		t->timed_in += s->timed_in;
		for (unsigned int o = 0; o < ADN_MAX_OUTPUTS; o++)
			t->out[o] += s->out[o];
		for (unsigned int r = 0; r < ADN_N_DROP_SLOTS; r++) {
			t->drop[r] += s->drop[r];
			t->dropped += s->drop[r];
		}
	}
}

void
adn_pipeline_totals(const struct adn_pipeline *p,
		    struct adn_exec *const *execs, unsigned int n_execs,
		    struct adn_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < p->n_elems; i++) {
		struct adn_elem_totals et;

		adn_elem_totals(p->elems[i], &et);
		if (p->elems[i]->desc->flags & ADN_ELEM_SOURCE)
			t->received += et.in;
		if (p->elems[i]->desc->flags & ADN_ELEM_QUEUE)
			t->in_flight += p->elems[i]->desc->held(p->elems[i]);
		t->transmitted += et.consumed;
		t->dropped += et.dropped;
	}
	for (unsigned int w = 0; execs && w < n_execs; w++)
		if (execs[w] != NULL)
			t->in_flight += execs[w]->in_flight;
}
