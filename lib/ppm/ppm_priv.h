/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals of the PPM model shared by its source files. */
#ifndef _ADN_PPM_PRIV_H_
#define _ADN_PPM_PRIV_H_

#include <stdint.h>

#include "adn_ppm.h"
#include "adn_ppm_hash.h"

struct ppm_filter_rule {
	uint8_t valid;
	uint8_t action;
	uint8_t path_mode;
	uint8_t match_host;
	uint16_t method_mask;
	uint32_t path_hash;
	uint32_t host_hash;
};

struct ppm_listener {
	uint8_t valid;
	uint8_t id;
	uint16_t port;
	uint32_t ip;
};

struct ppm_route {
	uint8_t valid;
	uint8_t kind; /* 0 exact, 1 prefix */
	uint8_t listener;
	uint8_t route_id;
	uint8_t cluster;
	uint32_t hash;
};

struct ppm_endpoint {
	uint8_t valid;
	uint8_t cluster;
	uint8_t weight;
	uint8_t tmpl_len;
	uint32_t ip;
	uint16_t port;
	uint8_t tmpl[ADN_PPM_TMPL_MAX];
};

struct ppm_ring_slot {
	uint8_t valid;
	uint8_t endpoint;
};

struct ppm_conn {
	uint8_t valid;
	uint8_t endpoint;
	struct adn_ppm_tuple t;
};

struct adn_ppm_chain {
	uint8_t filter_default;
	uint8_t n_filters;
	uint8_t n_listeners;
	uint8_t n_endpoints;
	struct ppm_filter_rule filter[ADN_PPM_FILTER_RULES];
	struct ppm_listener listeners[ADN_PPM_LISTENERS];
	struct ppm_route routes[ADN_PPM_ROUTES];
	struct ppm_ring_slot ring[ADN_PPM_CLUSTERS][ADN_PPM_RING];
	struct ppm_endpoint endpoints[ADN_PPM_ENDPOINTS];
	struct ppm_conn conns[ADN_PPM_CONNS];
	struct adn_ppm_counters cnt[ADN_PPM_ST_MAX];
	uint8_t out_buf[ADN_PPM_MAX_MSG + ADN_PPM_TMPL_MAX];
};

/* Parser PPM: consumes one request from the segment; fills meta (decision
 * CONTINUE or ERROR) and returns the bytes consumed. */
size_t ppm_http_parse(const uint8_t *data, size_t len, struct adn_ppm_meta *m);

/* Table index functions, mirrored by the RTL router. */
static inline uint32_t
ppm_listener_idx(uint32_t ip, uint16_t port)
{
	return adn_ppm_idx2(ip, port) & (ADN_PPM_LISTENERS - 1);
}

static inline uint32_t
ppm_route_idx(uint32_t hash, uint8_t listener, uint8_t kind)
{
	return adn_ppm_idx2(hash, ((uint32_t)listener << 1) | kind) &
		(ADN_PPM_ROUTES - 1);
}

static inline uint32_t
ppm_conn_hash(const struct adn_ppm_tuple *t)
{
	return adn_ppm_idx2(adn_ppm_idx2(t->sip, t->dip),
			    ((uint32_t)t->sport << 16) | t->dport);
}

/* Bucket from the low bits, load-balancing slot from the high bits, so the
 * two choices are independent. */
static inline uint32_t
ppm_conn_idx(uint32_t h)
{
	return h & (ADN_PPM_CONNS - 1);
}

static inline uint32_t
ppm_ring_slot(uint32_t h)
{
	return (h >> 26) & (ADN_PPM_RING - 1);
}

#endif /* _ADN_PPM_PRIV_H_ */
