/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RpcAcl's rules: first-match rules over the logical fields of a view
 * (adn_rpc_view.h), ADN §3's ACL on user and object.
 *
 * One rule a line, `#` comments:
 *   COND [COND]... -> permit|deny
 *   COND  FIELD exact VALUE       the field's bytes are VALUE
 *         FIELD prefix VALUE      ... start with VALUE
 *         FIELD in {V1,V2,...}    ... are one of the Vi (no spaces)
 *         FIELD range LO-HI       ... are a decimal number in [LO, HI]
 * FIELD is a field of the view; the conditions of a rule must all hold
 * (AND); an absent field fails every condition on it. Values have no
 * whitespace; a number field reads as its decimal text (adn_rpc_val
 * ANY), so `object range 100-199` and `object exact 150` work on a u64
 * field and on a header alike. The first rule that holds decides; none:
 * the element's default.
 *
 * Built on the control thread (malloc); matched on workers, read-only
 * but for the per-worker hit counters each worker writes in its own row.
 * DPDK-free (fuzzed).
 */
#ifndef _ADN_RPC_ACL_H_
#define _ADN_RPC_ACL_H_

#include <stddef.h>
#include <stdint.h>

#include "adn_rpc_view.h"

#define ADN_RPC_ACL_MAX_RULES 65536
#define ADN_RPC_ACL_MAX_CONDS 4		/* per rule */
#define ADN_RPC_ACL_MAX_SET 256		/* values of one `in` */
#define ADN_RPC_ACL_MAX_VALUE 255	/* bytes of one value */
#define ADN_RPC_ACL_MAX_LINE 16384

enum adn_rpc_acl_op {
	ADN_RPC_ACL_EXACT,
	ADN_RPC_ACL_PREFIX,
	ADN_RPC_ACL_IN,
	ADN_RPC_ACL_RANGE,
};

enum adn_rpc_acl_action {
	ADN_RPC_ACL_PERMIT,
	ADN_RPC_ACL_DENY,
};

struct adn_rpc_acl;

/*
 * Compile the rules in `text` (lines) over view `v` for `n_workers`
 * workers' counters. 0, -EINVAL with *err_line (1-based line of text)
 * and the reason in `why`, -E2BIG (too many rules) or -ENOMEM.
 */
int adn_rpc_acl_build(const char *text, const struct adn_rpc_view *v,
		      unsigned int n_workers, struct adn_rpc_acl **out,
		      unsigned int *err_line, char *why, size_t why_len);
/* The same from file `path`; `why` says "PATH:LINE: reason" or why the
 * file cannot be read. */
int adn_rpc_acl_load(const char *path, const struct adn_rpc_view *v,
		     unsigned int n_workers, struct adn_rpc_acl **out,
		     char *why, size_t why_len);
void adn_rpc_acl_free(struct adn_rpc_acl *a);

unsigned int adn_rpc_acl_rules(const struct adn_rpc_acl *a);
/* Bit i: view field i is named by some rule (the others need no read). */
uint32_t adn_rpc_acl_fields(const struct adn_rpc_acl *a);

/*
 * The first rule that holds for the values vals[i] of view field i
 * (read as ANY: bytes; present when bit i of `present` is set), or -1.
 * Any lcore; reads only.
 */
int adn_rpc_acl_match(const struct adn_rpc_acl *a,
		      const struct adn_rpc_val *vals, uint32_t present);
enum adn_rpc_acl_action adn_rpc_acl_action(const struct adn_rpc_acl *a,
					   int rule);

/* Count a hit of `rule` (-1: none matched) by worker `w` (< n_workers). */
void adn_rpc_acl_count(struct adn_rpc_acl *a, unsigned int w, int rule);
/* Hits of `rule` (-1: none matched) over all workers (any thread; a
 * worker's current increment may be missing). */
uint64_t adn_rpc_acl_hits(const struct adn_rpc_acl *a, int rule);
/* Rule `rule` as written (without comment and outer blanks). */
void adn_rpc_acl_rule_str(const struct adn_rpc_acl *a, unsigned int rule,
			  char *out, size_t len);

#endif /* _ADN_RPC_ACL_H_ */
