/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT44 sessions: endpoint-independent mapping of an inside endpoint
 * <address, port, protocol> to a public <address, port> from an
 * adn_nat_pool (port-preserving when free), static DNAT mappings, both
 * directions, per-protocol idle timeouts and a session cap. The pool and
 * the rewrite are adn_nat.h's, the ones CLIP's SNAT uses.
 *
 * Each session has two keys in one rte_hash (inside endpoint, public
 * endpoint), created with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF: lookups
 * (adn_nat_process, any number of workers) take no lock. Writers (a
 * worker creating a session, the control thread sweeping, releasing or
 * adding static mappings) serialize on one spinlock, taken only on a
 * miss that creates a session.
 *
 * Expiry is off the per-packet path and in two steps, so no reader ever
 * sees a slot reused under it:
 *   1. adn_nat_sweep (control thread) deletes the keys of sessions idle
 *      past their timeout; a lookup that started before may still use
 *      the session, which stays intact;
 *   2. adn_nat_release, after an RCU grace period of every reader (the
 *      caller's adn_elem_defer_free; at once with no concurrent reader),
 *      frees the keys' slots, the session and its public pair.
 *
 * Time is the caller's, in milliseconds (a virtual clock in tests).
 *
 * Endpoint-independent filtering: any remote may reach a live mapping's
 * public endpoint (full cone). ICMP: echo requests and replies, keyed on
 * the identifier (the "port"); only an inside echo request creates a
 * session.
 */
#ifndef _ADN_NAT_TABLE_H_
#define _ADN_NAT_TABLE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adn_hash_bulk.h"

enum adn_nat_timeout {
	ADN_NAT_TO_UDP,
	ADN_NAT_TO_TCP_EST,	/* seen both ways, no FIN or RST yet */
	ADN_NAT_TO_TCP_TRANS,	/* opening, or closing after FIN/RST */
	ADN_NAT_TO_ICMP,
	ADN_NAT_N_TO,
};

/* VPP nat44-ed's defaults, in seconds. */
#define ADN_NAT_DEF_UDP_S	300
#define ADN_NAT_DEF_TCP_EST_S	7440
#define ADN_NAT_DEF_TCP_TRANS_S	240
#define ADN_NAT_DEF_ICMP_S	60

#define ADN_NAT_STATIC_MAX 256	/* static mappings per table */

struct adn_nat_conf {
	const char *name;	/* unique among live tables (rte_hash name) */
	int socket;		/* NUMA socket of the memory */
	uint32_t ip_base;	/* pool, host order (adn_nat_pool_init) */
	uint32_t n_ips;
	uint16_t port_lo, port_hi;
	uint32_t max_sessions;	/* dynamic sessions at once (the cap) */
	uint32_t timeout_ms[ADN_NAT_N_TO];
};

/* What adn_nat_process did with a packet. */
enum adn_nat_verdict {
	ADN_NAT_IN2OUT,		/* source translated: toward the outside */
	ADN_NAT_OUT2IN,		/* destination translated: toward inside */
	ADN_NAT_MALFORMED,	/* bad IPv4 header, L4 header truncated */
	ADN_NAT_UNSUPPORTED,	/* not TCP, UDP, ICMP echo; a fragment */
	ADN_NAT_POOL_EXHAUSTED,	/* new session: no free public pair */
	ADN_NAT_SESSION_CAP,	/* new session: max_sessions live */
	ADN_NAT_NO_SESSION,	/* to a public address: no mapping */
};

struct adn_nat_stats {
	uint64_t created;	/* dynamic sessions made */
	uint64_t expired;	/* dynamic sessions swept */
	uint64_t active;	/* dynamic sessions live (created - expired) */
	uint64_t slots;		/* dynamic sessions holding memory: active
				 * + swept but not released yet */
	uint64_t statics;	/* static mappings */
	uint64_t pool_used;	/* public pairs taken (static ones too) */
	uint64_t pool_size;
};

struct adn_nat;

/* A new table; 0, -EINVAL (bad pool, no sessions, no name) or -ENOMEM.
 * Control thread. */
int adn_nat_create(const struct adn_nat_conf *c, struct adn_nat **out);
/* No reader may use it any more. */
void adn_nat_free(struct adn_nat *n);

/* Timeouts (ms) the next sweeps apply; control thread. */
void adn_nat_set_timeouts(struct adn_nat *n,
			  const uint32_t timeout_ms[ADN_NAT_N_TO]);

/*
 * Static mapping: packets to ext_ip:ext_port go to in_ip:in_port, and
 * in_ip:in_port's packets leave from ext_ip:ext_port; never expires.
 * Host order; proto 1 (ICMP: ports are identifiers), 6 or 17. A pair of
 * the pool is taken from it. Control thread. Returns 0, -EINVAL (proto),
 * -EEXIST (either endpoint mapped already), -ENOSPC (ADN_NAT_STATIC_MAX).
 */
int adn_nat_static_add(struct adn_nat *n, uint8_t proto, uint32_t ext_ip,
		       uint16_t ext_port, uint32_t in_ip, uint16_t in_port);

/*
 * Translate the IPv4 packet at `ip` (`len` bytes readable from it) in
 * place at time now_ms: to a public address of the table (the pool or a
 * static mapping) it is return traffic, translated by its session's
 * destination; else outbound, translated by its source's session, made
 * on the first packet. Any worker, lock-free unless it creates.
 */
enum adn_nat_verdict adn_nat_process(struct adn_nat *n, uint8_t *ip,
				     size_t len, uint64_t now_ms);

/*
 * adn_nat_process in three steps, for elements that look up many packets
 * at once so their cache misses overlap (a stage-form element's prep,
 * bulk and exec):
 *   adn_nat_classify: parse and key one packet (no shared memory read);
 *   adn_nat_lookup_bulk: find the sessions of many packets with one
 *     rte_hash bulk lookup, and prefetch the sessions found;
 *   adn_nat_apply: translate one packet by what its lookup found (creating
 *     the session on an outbound miss), as adn_nat_process would.
 * The session found stays valid until the caller's next RCU quiescent
 * state (the batch boundary), as for adn_nat_process.
 */
struct adn_nat_pkt {
	/* the hash key: the endpoint looked up, network order */
	uint32_t ip;
	uint16_t port;
	uint8_t proto;
	uint8_t outside;	/* 1: to a public endpoint (return traffic) */
	int32_t sess;		/* session slot found, -1 none */
	uint8_t decided;	/* verdict given by classify: `verdict` */
	uint8_t verdict;	/* enum adn_nat_verdict */
};

/* Fill *p for the IPv4 packet at `ip`; false when that alone decides the
 * packet (p->verdict: malformed, unsupported). */
bool adn_nat_classify(const struct adn_nat *n, const uint8_t *ip, size_t len,
		      struct adn_nat_pkt *p);
/* Set p[i]->sess for each undecided packet of p[0..cnt), cnt at most
 * ADN_NF_BULK_MAX (adn_hash_bulk.h). */
void adn_nat_lookup_bulk(const struct adn_nat *n, struct adn_nat_pkt *const *p,
			 unsigned int cnt);
enum adn_nat_verdict adn_nat_apply(struct adn_nat *n, uint8_t *ip, size_t len,
				   uint64_t now_ms,
				   const struct adn_nat_pkt *p);

/*
 * Control thread: look at up to `scan` session slots from where the last
 * sweep stopped and delete the keys of the dynamic sessions idle for at
 * least their timeout at now_ms; their indices go to idx[] (at most
 * `max`, the sweep stops there). Returns how many. Each must be given to
 * adn_nat_release once no reader can hold it.
 */
unsigned int adn_nat_sweep(struct adn_nat *n, uint64_t now_ms,
			   uint32_t scan, uint32_t *idx, unsigned int max);
/* Free swept sessions idx[0..cnt): their key slots and public pairs. */
void adn_nat_release(struct adn_nat *n, const uint32_t *idx,
		     unsigned int cnt);
/* Session slots a full sweep looks at. */
uint32_t adn_nat_slots(const struct adn_nat *n);

/* Any thread; the counters are read without the lock (each is exact,
 * together they may be a moment apart). */
void adn_nat_stats(const struct adn_nat *n, struct adn_nat_stats *st);

#endif /* _ADN_NAT_TABLE_H_ */
