/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule tables of the PPM chain (control plane) and their export as the
 * register writes that load the same tables into the RTL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ppm_priv.h"

int
adn_ppm_listener_add(struct adn_ppm_chain *c, uint32_t ip, uint16_t port,
		     uint8_t *id)
{
	uint32_t b;
	int free_slot = -1;

	if (c == NULL)
		return -EINVAL;
	b = ppm_listener_idx(ip, port);
	for (int i = 0; i < ADN_PPM_PROBES; i++) {
		uint32_t s = (b + i) & (ADN_PPM_LISTENERS - 1);
		struct ppm_listener *l = &c->listeners[s];

		if (l->valid && l->ip == ip && l->port == port)
			return -EEXIST;
		if (!l->valid && free_slot < 0)
			free_slot = (int)s;
	}
	/* ids are < ADN_PPM_LISTENERS so they never collide with NONE */
	if (free_slot < 0 || c->n_listeners >= ADN_PPM_LISTENERS)
		return -ENOSPC;
	c->listeners[free_slot] = (struct ppm_listener){
		.valid = 1, .id = c->n_listeners, .ip = ip, .port = port,
	};
	if (id != NULL)
		*id = c->n_listeners;
	c->n_listeners++;
	return 0;
}

/* Hash of a rule path as the parser computes it: for PREFIX the whole string
 * must be '/'-terminated, which is what seg_hash[] holds. */
static int
path_rule_hash(enum adn_ppm_path_mode mode, const char *path, uint32_t *h)
{
	size_t len, slashes = 0;

	if (path == NULL || path[0] != '/')
		return -EINVAL;
	len = strlen(path);
	if (len >= ADN_PPM_MAX_HDR)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		uint8_t ch = (uint8_t)path[i];

		/* the parser ends the path at these */
		if (ch <= 0x20 || ch == 0x7f || ch == '?')
			return -EINVAL;
		slashes += ch == '/';
	}
	if (mode == ADN_PPM_PATH_PREFIX &&
	    (path[len - 1] != '/' || slashes > ADN_PPM_MAX_SEGS))
		return -EINVAL;
	*h = adn_ppm_fnv(path, len);
	return 0;
}

int
adn_ppm_route_add(struct adn_ppm_chain *c, uint8_t listener,
		  enum adn_ppm_path_mode mode, const char *path,
		  uint8_t route_id, uint8_t cluster)
{
	uint8_t kind;
	uint32_t h, b;
	int free_slot = -1, rc;

	if (c == NULL || listener >= c->n_listeners ||
	    cluster >= ADN_PPM_CLUSTERS ||
	    (mode != ADN_PPM_PATH_EXACT && mode != ADN_PPM_PATH_PREFIX))
		return -EINVAL;
	rc = path_rule_hash(mode, path, &h);
	if (rc < 0)
		return rc;
	kind = mode == ADN_PPM_PATH_PREFIX;
	b = ppm_route_idx(h, listener, kind);
	for (int i = 0; i < ADN_PPM_PROBES; i++) {
		uint32_t s = (b + i) & (ADN_PPM_ROUTES - 1);
		struct ppm_route *r = &c->routes[s];

		/* same hash = same key for the data plane: a colliding path
		 * would silently shadow this one, so refuse it here */
		if (r->valid && r->hash == h && r->listener == listener &&
		    r->kind == kind)
			return -EEXIST;
		if (!r->valid && free_slot < 0)
			free_slot = (int)s;
	}
	if (free_slot < 0)
		return -ENOSPC;
	c->routes[free_slot] = (struct ppm_route){
		.valid = 1, .kind = kind, .listener = listener,
		.route_id = route_id, .cluster = cluster, .hash = h,
	};
	return 0;
}

/* Fill the cluster's ring by smooth weighted round robin, so every window
 * of the ring is spread in proportion to the weights and the choice for a
 * connection is one table read in hardware. */
static void
ring_rebuild(struct adn_ppm_chain *c, uint8_t cluster)
{
	int32_t cur[ADN_PPM_ENDPOINTS] = { 0 };
	int32_t total = 0;

	for (int e = 0; e < ADN_PPM_ENDPOINTS; e++)
		if (c->endpoints[e].valid && c->endpoints[e].cluster == cluster)
			total += c->endpoints[e].weight;
	for (int s = 0; s < ADN_PPM_RING; s++) {
		int best = -1;

		for (int e = 0; e < ADN_PPM_ENDPOINTS; e++) {
			const struct ppm_endpoint *ep = &c->endpoints[e];

			if (!ep->valid || ep->cluster != cluster)
				continue;
			cur[e] += ep->weight;
			if (best < 0 || cur[e] > cur[best])
				best = e;
		}
		if (best < 0) {
			c->ring[cluster][s].valid = 0;
			continue;
		}
		cur[best] -= total;
		c->ring[cluster][s].valid = 1;
		c->ring[cluster][s].endpoint = (uint8_t)best;
	}
}

int
adn_ppm_endpoint_add(struct adn_ppm_chain *c, uint8_t cluster, uint32_t ip,
		     uint16_t port, uint8_t weight, const char *hdr,
		     uint8_t *id)
{
	struct ppm_endpoint *e;
	char def[ADN_PPM_TMPL_MAX + 1];
	size_t len;

	if (c == NULL || cluster >= ADN_PPM_CLUSTERS || weight == 0)
		return -EINVAL;
	if (c->n_endpoints >= ADN_PPM_ENDPOINTS)
		return -ENOSPC;
	if (hdr == NULL) {
		snprintf(def, sizeof(def),
			 "X-Adn-Upstream: %u.%u.%u.%u:%u\r\n", ip >> 24,
			 (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff,
			 port);
		hdr = def;
	}
	len = strlen(hdr);
	/* it goes before the blank line, so it must be whole header lines */
	if (len > ADN_PPM_TMPL_MAX || len < 4 || hdr[len - 2] != '\r' ||
	    hdr[len - 1] != '\n')
		return -EINVAL;
	e = &c->endpoints[c->n_endpoints];
	e->valid = 1;
	e->cluster = cluster;
	e->weight = weight;
	e->ip = ip;
	e->port = port;
	e->tmpl_len = (uint8_t)len;
	memcpy(e->tmpl, hdr, len);
	if (id != NULL)
		*id = c->n_endpoints;
	c->n_endpoints++;
	ring_rebuild(c, cluster);
	return 0;
}

int
adn_ppm_filter_add(struct adn_ppm_chain *c, uint16_t method_mask,
		   const char *host, enum adn_ppm_path_mode path_mode,
		   const char *path, enum adn_ppm_filter_action action)
{
	struct ppm_filter_rule r = { .valid = 1 };
	int rc;

	if (c == NULL || action > ADN_PPM_TO_CONTROL ||
	    path_mode > ADN_PPM_PATH_PREFIX ||
	    (method_mask & ~((1u << ADN_PPM_M_MAX) - 2)) != 0)
		return -EINVAL;
	if (c->n_filters >= ADN_PPM_FILTER_RULES)
		return -ENOSPC;
	r.method_mask = method_mask ? method_mask :
		(uint16_t)((1u << ADN_PPM_M_MAX) - 2);
	r.action = action;
	r.path_mode = path_mode;
	if (path_mode != ADN_PPM_PATH_ANY) {
		rc = path_rule_hash(path_mode, path, &r.path_hash);
		if (rc < 0)
			return rc;
	}
	if (host != NULL) {
		r.match_host = 1;
		r.host_hash = adn_ppm_host_hash(host, strlen(host));
	}
	c->filter[c->n_filters++] = r;
	return 0;
}

int
adn_ppm_filter_set_default(struct adn_ppm_chain *c,
			   enum adn_ppm_filter_action action)
{
	if (c == NULL || action > ADN_PPM_TO_CONTROL)
		return -EINVAL;
	c->filter_default = action;
	return 0;
}

int
adn_ppm_conn_remove(struct adn_ppm_chain *c, const struct adn_ppm_tuple *t)
{
	uint32_t h;

	if (c == NULL || t == NULL)
		return -EINVAL;
	h = ppm_conn_hash(t);
	for (int i = 0; i < ADN_PPM_PROBES; i++) {
		struct ppm_conn *s = &c->conns[ppm_conn_idx(h + i)];

		if (s->valid && s->t.sip == t->sip && s->t.dip == t->dip &&
		    s->t.sport == t->sport && s->t.dport == t->dport) {
			s->valid = 0;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- register image: addr = table << 16 | index << 4 | word */

enum {
	REG_GLOBAL = 0,
	REG_FILTER,
	REG_LISTENER,
	REG_ROUTE,
	REG_RING,
	REG_EP_LEN,
	REG_EP_TMPL,
	REG_CONN_CLEAR,
};

static inline uint32_t
reg_addr(uint32_t tbl, uint32_t idx, uint32_t word)
{
	return tbl << 16 | idx << 4 | word;
}

/* Sticky-error sink: the image is written in one fixed order, and the first
 * failure of the callback ends it. */
struct reg_sink {
	adn_ppm_reg_fn fn;
	void *arg;
	int n;
	int rc;
};

static void
reg_emit(struct reg_sink *s, uint32_t addr, uint32_t data)
{
	int rc;

	if (s->rc < 0)
		return;
	rc = s->fn(s->arg, addr, data);
	if (rc < 0)
		s->rc = rc;
	else
		s->n++;
}

int
adn_ppm_chain_regs(const struct adn_ppm_chain *c, adn_ppm_reg_fn fn, void *arg)
{
	struct reg_sink s = { .fn = fn, .arg = arg };

	if (c == NULL || fn == NULL)
		return -EINVAL;
	reg_emit(&s, reg_addr(REG_GLOBAL, 0, 0), c->filter_default);
	for (uint32_t i = 0; i < ADN_PPM_FILTER_RULES; i++) {
		const struct ppm_filter_rule *r = &c->filter[i];

		reg_emit(&s, reg_addr(REG_FILTER, i, 0),
			 (uint32_t)r->valid << 31 |
			 (uint32_t)r->path_mode << 24 |
			 (uint32_t)r->match_host << 23 |
			 (uint32_t)r->action << 16 | r->method_mask);
		reg_emit(&s, reg_addr(REG_FILTER, i, 1), r->path_hash);
		reg_emit(&s, reg_addr(REG_FILTER, i, 2), r->host_hash);
	}
	for (uint32_t i = 0; i < ADN_PPM_LISTENERS; i++) {
		const struct ppm_listener *l = &c->listeners[i];

		reg_emit(&s, reg_addr(REG_LISTENER, i, 0), l->ip);
		reg_emit(&s, reg_addr(REG_LISTENER, i, 1),
			 (uint32_t)l->valid << 31 | (uint32_t)l->id << 16 |
			 l->port);
	}
	for (uint32_t i = 0; i < ADN_PPM_ROUTES; i++) {
		const struct ppm_route *r = &c->routes[i];

		reg_emit(&s, reg_addr(REG_ROUTE, i, 0), r->hash);
		reg_emit(&s, reg_addr(REG_ROUTE, i, 1),
			 (uint32_t)r->valid << 31 | (uint32_t)r->kind << 24 |
			 (uint32_t)r->listener << 16 |
			 (uint32_t)r->route_id << 8 | r->cluster);
	}
	for (uint32_t cl = 0; cl < ADN_PPM_CLUSTERS; cl++)
		for (uint32_t slot = 0; slot < ADN_PPM_RING; slot++)
			reg_emit(&s,
				 reg_addr(REG_RING, cl * ADN_PPM_RING + slot, 0),
				 (uint32_t)c->ring[cl][slot].valid << 31 |
				 c->ring[cl][slot].endpoint);
	for (uint32_t e = 0; e < ADN_PPM_ENDPOINTS; e++) {
		const struct ppm_endpoint *ep = &c->endpoints[e];

		reg_emit(&s, reg_addr(REG_EP_LEN, e, 0), ep->tmpl_len);
		for (uint32_t k = 0; k < ADN_PPM_TMPL_MAX / 4; k++)
			reg_emit(&s, reg_addr(REG_EP_TMPL, e * 16 + k, 0),
				 (uint32_t)ep->tmpl[4 * k] |
				 (uint32_t)ep->tmpl[4 * k + 1] << 8 |
				 (uint32_t)ep->tmpl[4 * k + 2] << 16 |
				 (uint32_t)ep->tmpl[4 * k + 3] << 24);
	}
	/* The RTL connection table is only ever cleared from outside; the
	 * data plane fills it. Mirrors a chain whose conns are all empty. */
	for (uint32_t slot = 0; slot < ADN_PPM_CONNS; slot++)
		reg_emit(&s, reg_addr(REG_CONN_CLEAR, slot, 0), 0);
	return s.rc < 0 ? s.rc : s.n;
}
