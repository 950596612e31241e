/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L4 load balancer state (VPP's lb plugin, Katran): virtual services
 * (VIPs: protocol, address, port) with weighted backends chosen by Maglev
 * (adn_maglev.h), and connection tracking so an established flow keeps its
 * backend while the set changes (add, drain, weight); only `remove` moves
 * the flows of the backend removed.
 *
 * Flows live in one rte_hash with lock-free readers
 * (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF), shared by the workers; a new
 * flow is inserted under one lock. In DNAT mode a flow has a second key,
 * its reply (backend -> client), whose source is translated back to the
 * VIP. Control changes rebuild a VIP's Maglev table beside the live one
 * and publish it with one pointer store; the caller frees the old table
 * after an RCU grace period. Idle flows are swept and released in two
 * steps as in adn_nat_table.h.
 *
 * Time is the caller's, in milliseconds. Addresses and ports in host
 * order unless said otherwise.
 */
#ifndef _ADN_LB_H_
#define _ADN_LB_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adn_hash_bulk.h"

#define ADN_LB_MAX_VIPS 16
#define ADN_LB_MAX_BACKENDS 64	/* per VIP, removed ones included */

enum adn_lb_mode {
	ADN_LB_DNAT,	/* rewrite the destination; replies rewritten back */
	ADN_LB_IPIP,	/* the caller encapsulates toward the backend */
};

struct adn_lb_conf {
	const char *name;	/* unique among live tables (rte_hash name) */
	int socket;
	enum adn_lb_mode mode;
	uint32_t table_size;	/* Maglev M, prime */
	uint32_t max_flows;
	uint32_t timeout_ms;	/* idle flow timeout */
};

enum adn_lb_verdict {
	ADN_LB_FORWARD,		/* to a backend (*backend_ip) */
	ADN_LB_REPLY,		/* DNAT: a reply, source set back to the VIP */
	ADN_LB_MISS,		/* for no VIP: untouched */
	ADN_LB_MALFORMED,	/* bad IPv4 header, L4 header truncated */
	ADN_LB_UNSUPPORTED,	/* to a VIP address: not TCP/UDP, fragment */
	ADN_LB_NO_BACKEND,	/* the VIP has no backend taking flows */
};

/* Backend states. */
enum adn_lb_be_state {
	ADN_LB_BE_FREE,		/* no backend in this slot */
	ADN_LB_BE_ACTIVE,
	ADN_LB_BE_DRAINING,	/* keeps its flows, takes no new one */
};

struct adn_lb_be_stats {
	uint32_t ip;
	uint16_t port;		/* 0: the packet's port */
	uint32_t weight;
	enum adn_lb_be_state state;
	uint64_t packets;
	uint64_t new_flows;
	uint64_t flows;		/* tracked now */
};

struct adn_lb_vip_stats {
	uint8_t proto;
	uint32_t ip;
	uint16_t port;
	uint64_t packets;
	uint64_t new_flows;
	uint64_t no_backend;
	unsigned int n_backends;	/* slots in use or once used */
};

struct adn_lb_stats {
	uint64_t flows;		/* tracked now */
	uint64_t created, expired;
	uint64_t untracked;	/* forwarded by Maglev alone: table full */
	uint64_t slots;		/* flow slots holding memory */
};

struct adn_lb;

/* 0, -EINVAL (table size not prime, no flows, no name) or -ENOMEM. */
int adn_lb_create(const struct adn_lb_conf *c, struct adn_lb **out);
/* No reader may use it any more. */
void adn_lb_free(struct adn_lb *lb);
void adn_lb_set_timeout(struct adn_lb *lb, uint32_t timeout_ms);

/* Config time (before packets): a VIP (port 0: every port, VPP's
 * all-port VIP); its index >= 0, -EEXIST, -ENOSPC, -EINVAL (proto not 6
 * or 17). A packet matches the first VIP of its protocol, address and
 * port or 0. */
int adn_lb_vip_add(struct adn_lb *lb, uint8_t proto, uint32_t ip,
		   uint16_t port);
/* The VIP's index, or -ENOENT. */
int adn_lb_vip_find(const struct adn_lb *lb, uint8_t proto, uint32_t ip,
		    uint16_t port);

/*
 * Backend changes of VIP `vip` (control thread, workers running). Each
 * publishes a rebuilt table and hands the replaced one back in *old (NULL
 * when none) for the caller to free with adn_lb_table_free after a grace
 * period. Returns 0, or -ENOENT (no such VIP/backend), -EEXIST (add of a
 * present backend), -ENOSPC (no slot), -EINVAL (weight 0 on add), -ENOMEM.
 *   add:    a new backend of weight >= 1 (a draining one: active again);
 *   remove: out of the table, and its flows' keys are deleted: their slots
 *           are put in swept[] (room for max_flows) for adn_lb_release
 *           after the grace period, *n_swept set;
 *   drain:  out of the table, its flows stay;
 *   weight: a new weight (>= 1) of an active backend.
 */
int adn_lb_backend_add(struct adn_lb *lb, int vip, uint32_t ip,
		       uint16_t port, uint32_t weight, void **old);
int adn_lb_backend_remove(struct adn_lb *lb, int vip, uint32_t ip,
			  uint16_t port, void **old, uint32_t *swept,
			  unsigned int *n_swept);
int adn_lb_backend_drain(struct adn_lb *lb, int vip, uint32_t ip,
			 uint16_t port, void **old);
int adn_lb_backend_weight(struct adn_lb *lb, int vip, uint32_t ip,
			  uint16_t port, uint32_t weight, void **old);
void adn_lb_table_free(void *table);

/*
 * Balance the IPv4 packet at `ip` (`len` bytes readable) at now_ms. For
 * FORWARD, *backend_ip is the chosen backend (network order); in DNAT mode
 * the destination is rewritten to it already. Any worker.
 */
enum adn_lb_verdict adn_lb_process(struct adn_lb *lb, uint8_t *ip,
				   size_t len, uint64_t now_ms,
				   uint32_t *backend_ip);

/*
 * adn_lb_process in three steps, for elements that look up many packets
 * at once so their cache misses overlap (as adn_nat_classify,
 * adn_nat_lookup_bulk and adn_nat_apply): classify parses, keys the
 * packet and finds its VIP; lookup_bulk finds the flows of many packets
 * with one rte_hash bulk lookup and prefetches them; apply balances one
 * packet by what was found, as adn_lb_process would.
 */
struct adn_lb_pkt {
	/* the hash key (forward, or reply in DNAT mode), network order */
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t reply;
	uint16_t pad;
	int32_t flow;		/* flow slot found, -1 none */
	int8_t vip;		/* its VIP, -1 for a reply */
	uint8_t decided;	/* verdict given by classify: `verdict` */
	uint8_t verdict;	/* enum adn_lb_verdict */
};

/* Fill *p for the IPv4 packet at `ip`; false when that alone decides it. */
bool adn_lb_classify(const struct adn_lb *lb, const uint8_t *ip, size_t len,
		     struct adn_lb_pkt *p);
/* Set p[i]->flow for each undecided packet of p[0..cnt), cnt at most
 * ADN_NF_BULK_MAX (adn_hash_bulk.h). */
void adn_lb_lookup_bulk(const struct adn_lb *lb, struct adn_lb_pkt *const *p,
			unsigned int cnt);
enum adn_lb_verdict adn_lb_apply(struct adn_lb *lb, uint8_t *ip, size_t len,
				 uint64_t now_ms, const struct adn_lb_pkt *p,
				 uint32_t *backend_ip);

/* Sweep and release idle flows, as adn_nat_sweep / adn_nat_release. */
unsigned int adn_lb_sweep(struct adn_lb *lb, uint64_t now_ms, uint32_t scan,
			  uint32_t *idx, unsigned int max);
void adn_lb_release(struct adn_lb *lb, const uint32_t *idx,
		    unsigned int cnt);
uint32_t adn_lb_slots(const struct adn_lb *lb);

/* Backend index `be` of VIP `vip` a new flow with this 5-tuple (network
 * order) would get now, ADN_MAGLEV_NONE with no backend (tests, the
 * control `lookup`). */
unsigned int adn_lb_choose(const struct adn_lb *lb, int vip, uint32_t src,
			   uint32_t dst, uint16_t sport, uint16_t dport);

unsigned int adn_lb_n_vips(const struct adn_lb *lb);
void adn_lb_stats(const struct adn_lb *lb, struct adn_lb_stats *st);
void adn_lb_vip_stats(const struct adn_lb *lb, int vip,
		      struct adn_lb_vip_stats *st);
/* Backend slot `be` of VIP `vip`; state FREE past the used slots. */
void adn_lb_be_stats(const struct adn_lb *lb, int vip, unsigned int be,
		     struct adn_lb_be_stats *st);

#endif /* _ADN_LB_H_ */
