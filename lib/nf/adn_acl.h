/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 5-tuple access control lists on rte_acl: rules (prefixes, port ranges,
 * protocol, action), compiled into an rte_acl context on the control
 * thread and classified on the workers; the first matching rule wins.
 * Reflexive ACLs add connection tracking (adn_acl_ct): return traffic of
 * a flow a `reflect` rule let out passes too.
 *
 * Rule text, one rule a line or a config string:
 *   ACTION PROTO SRC[/LEN] SPORTS DST[/LEN] DPORTS
 *   ACTION: permit, deny or reflect (permit + let the replies in)
 *   PROTO:  tcp, udp, icmp, any or 0-255
 *   SPORTS, DPORTS: any, N or LO-HI (other protocols than TCP/UDP match
 *           port 0)
 * e.g. "reflect tcp 10.0.0.0/8 any 0.0.0.0/0 80-443". A rules file holds
 * one rule a line; blank lines and '#' comments are skipped.
 */
#ifndef _ADN_ACL_H_
#define _ADN_ACL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#define ADN_ACL_MAX_RULES 65536

enum adn_acl_action {
	ADN_ACL_DENY,
	ADN_ACL_PERMIT,
	ADN_ACL_REFLECT,	/* permit, and track the flow for its replies */
};

/* Host order. */
struct adn_acl_rule {
	enum adn_acl_action action;
	uint8_t proto;
	bool any_proto;
	uint32_t src, dst;
	uint8_t src_len, dst_len;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
};

/* Parse one rule; 0, or -EINVAL with the reason in why. */
int adn_acl_rule_parse(const char *s, struct adn_acl_rule *r, char *why,
		       size_t why_len);

struct adn_acl;
struct adn_elem;
struct adn_build;

/*
 * Configure-time: the rules of element e from its list key `list_key`
 * (strings) and its file key `file_key` (a path; the file's rules come
 * after the list's), into a new array *out of *n rules (free() it).
 * Every bad rule is reported (file:line or the config line) before
 * failing. Returns 0 or -EINVAL/-ENOMEM after reporting.
 */
int adn_acl_rules_load(struct adn_build *b, struct adn_elem *e,
		       const char *list_key, const char *file_key,
		       struct adn_acl_rule **out, unsigned int *n);

struct adn_xstat;

/*
 * Configure-time, for the ACL elements: load e's rules (keys `rules`,
 * `rules_file`, `default`) and compile them into *out. A `reflect` rule
 * is an error unless allow_reflect (naming `use_instead`). Returns 0 or a
 * negative errno after reporting.
 */
int adn_acl_configure(struct adn_build *b, struct adn_elem *e,
		      bool allow_reflect, const char *use_instead,
		      struct adn_acl **out);
/* xstats of a rule set: rule<i> for the first `max_rules` rules, then
 * default; returns how many (at most max). */
unsigned int adn_acl_xstats(const struct adn_acl *a, unsigned int max_rules,
			    struct adn_xstat *out, unsigned int max);

/* A compiled rule set with per-rule hit counters per worker (declared
 * above). */

/* Compile (control thread). Returns 0, -EINVAL (too many rules) or
 * -ENOMEM, or rte_acl_build's error. */
int adn_acl_build(const struct adn_acl_rule *rules, unsigned int n,
		  enum adn_acl_action def, unsigned int n_workers, int socket,
		  struct adn_acl **out);
void adn_acl_free(void *acl);

/* The 5-tuple of the IPv4 packet at ip (len bytes readable), network
 * order; -1 when the header is bad or the ports are cut short. */
struct adn_acl_tuple {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src, dst;
	uint16_t sport, dport;
};
int adn_acl_tuple(const uint8_t *ip, size_t len, struct adn_acl_tuple *t);

/* Classify t on worker `worker` (counting the hit): the matching rule's
 * index, or n (the default action); its action in *act. Any worker. */
unsigned int adn_acl_classify(const struct adn_acl *a,
			      const struct adn_acl_tuple *t,
			      unsigned int worker, enum adn_acl_action *act);

/*
 * adn_acl_classify in two steps for many tuples at once (rte_acl matches
 * several with SIMD in one call, and its fixed cost is paid once):
 * adn_acl_match_bulk sets match[i] for t[0..n); adn_acl_verdict then
 * counts the hit of one and gives what adn_acl_classify would.
 */
void adn_acl_match_bulk(const struct adn_acl *a,
			const struct adn_acl_tuple *const *t, uint32_t *match,
			unsigned int n);
unsigned int adn_acl_verdict(const struct adn_acl *a, uint32_t match,
			     unsigned int worker, enum adn_acl_action *act);

unsigned int adn_acl_n_rules(const struct adn_acl *a);
bool adn_acl_has_reflect(const struct adn_acl *a);
/* Hits of rule i (n: the default), summed over workers; any thread. */
uint64_t adn_acl_hits(const struct adn_acl *a, unsigned int i);

/* "rule I hits N" for every rule, then "default hits N", one a line,
 * into reply: 0, or -EMSGSIZE when it does not fit. */
int adn_acl_format_hits(const struct adn_acl *a, char *reply, size_t len);

/* --- connection tracking for reflect ----------------------------------- */

struct adn_acl_ct;

/* A table of up to `max` flows idle out after timeout_ms; 0, -EINVAL,
 * -ENOMEM. `name` unique among live tables. */
int adn_acl_ct_create(const char *name, uint32_t max, uint32_t timeout_ms,
		      int socket, struct adn_acl_ct **out);
void adn_acl_ct_free(struct adn_acl_ct *ct);
void adn_acl_ct_set_timeout(struct adn_acl_ct *ct, uint32_t timeout_ms);

/* A reflect rule let t out at now_ms: track it (or refresh it). Returns
 * 0, or -ENOSPC when the table is full (not tracked). Any worker. */
int adn_acl_ct_track(struct adn_acl_ct *ct, const struct adn_acl_tuple *t,
		     uint64_t now_ms);
/* Whether t is a reply of a tracked flow (refreshing it). Lock-free. */
bool adn_acl_ct_reply(struct adn_acl_ct *ct, const struct adn_acl_tuple *t,
		      uint64_t now_ms);
/* Control thread: look at up to `scan` flows from where the last sweep
 * stopped and delete those idle for the timeout at now_ms; the slots of
 * their keys go to pos[] (at most max) for adn_acl_ct_release after a
 * grace period. Returns how many. */
unsigned int adn_acl_ct_sweep(struct adn_acl_ct *ct, uint64_t now_ms,
			      uint32_t scan, int32_t *pos, unsigned int max);
void adn_acl_ct_release(struct adn_acl_ct *ct, const int32_t *pos,
			unsigned int n);
/* Flows tracked now. */
uint64_t adn_acl_ct_count(const struct adn_acl_ct *ct);

#endif /* _ADN_ACL_H_ */
