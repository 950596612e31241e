/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UrlRoute's rules and their Hyperscan database (block mode), built on the
 * control thread only.
 *
 * A rules file has one rule a line, `#` comments:
 *   FIELD KIND PATTERN OUTPUT
 *   FIELD   host | path          (path: the target before '?')
 *   KIND    exact | prefix | regex
 *   PATTERN no whitespace; host patterns are caseless, hosts arrive
 *           lower-cased; a regex is Hyperscan (PCRE) syntax, unanchored
 *           unless it says so
 *   OUTPUT  1-15
 * Matching: every rule is one pattern of one database; a request's host
 * and path are each scanned once. `first`: the matching rule earliest in
 * the file wins; `longest`: the one with the longest match (exact and
 * prefix: the pattern's length; regex: the end offset of its first
 * match), ties to the earliest. No rule: output 0.
 */
#ifndef _ADN_URL_RULES_H_
#define _ADN_URL_RULES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADN_URL_MAX_RULES 100000
#define ADN_URL_MAX_PATTERN 1024

enum adn_url_field { ADN_URL_HOST, ADN_URL_PATH };
enum adn_url_kind { ADN_URL_EXACT, ADN_URL_PREFIX, ADN_URL_REGEX };

struct adn_url_rule {
	uint8_t field, kind;
	uint16_t out;
	char pattern[ADN_URL_MAX_PATTERN];
};

/* Parse one line into *r: 1 a rule, 0 blank or comment, -EINVAL with the
 * reason in `why`. */
int adn_url_rule_parse(const char *line, struct adn_url_rule *r, char *why,
		       size_t why_len);

struct adn_url_db;

/* Read `path` and compile its rules for `n_workers` workers. 0, or a
 * negative errno with "LINE: reason" in `why` (the line of the file). */
int adn_url_db_load(const char *path, bool longest, unsigned int n_workers,
		    struct adn_url_db **out, char *why, size_t why_len);
/* The same from rules in memory (tests, benches). */
int adn_url_db_build(const struct adn_url_rule *rules, unsigned int n,
		     bool longest, unsigned int n_workers,
		     struct adn_url_db **out, char *why, size_t why_len);
void adn_url_db_free(struct adn_url_db *d);

unsigned int adn_url_db_rules(const struct adn_url_db *d);
/* Highest output a rule names. */
unsigned int adn_url_db_max_out(const struct adn_url_db *d);

/* The winning rule's index for host and path (not NUL-terminated), or -1.
 * Worker `worker` (< n_workers) only; counts the rule's hit. */
int adn_url_db_match(const struct adn_url_db *d, unsigned int worker,
		     const char *host, size_t host_len, const char *path,
		     size_t path_len);
unsigned int adn_url_db_out(const struct adn_url_db *d, int rule);
uint64_t adn_url_db_hits(const struct adn_url_db *d, unsigned int rule);

#endif /* _ADN_URL_RULES_H_ */
