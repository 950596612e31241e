/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dpi's content rules and their Hyperscan streaming-mode database, built on
 * the control thread only.
 *
 * A rules file has one rule a line, `#` comments:
 *   ACTION PATTERN [offset=N] [depth=N]
 *   ACTION   drop | alert | mark=N (N 1-31: bit N of the mark word)
 *   PATTERN  "literal" (\" \\ and \xHH escapes) or /regex/FLAGS, FLAGS
 *            from i (caseless), s (dot matches newline), m (multi-line)
 *   offset=N the match must end at stream byte N or later
 *   depth=N  the match must end by stream byte N (Hyperscan's min_offset,
 *            max_offset: offsets count from the stream's first payload
 *            byte)
 * Rule i is the i-th rule line.
 */
#ifndef _ADN_DPI_RULES_H_
#define _ADN_DPI_RULES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADN_DPI_MAX_RULES 100000
#define ADN_DPI_MAX_PATTERN 1024

enum adn_dpi_action { ADN_DPI_DROP, ADN_DPI_ALERT, ADN_DPI_MARK };

struct adn_dpi_rule {
	uint8_t action;
	uint8_t mark_bit;	/* ADN_DPI_MARK */
	bool literal;
	unsigned int flags;	/* HS_FLAG_* */
	uint64_t offset, depth;	/* 0: none */
	size_t len;		/* of pattern (a literal may hold NUL) */
	char pattern[ADN_DPI_MAX_PATTERN];
};

/* Parse one line: 1 a rule, 0 blank or comment, -EINVAL with `why`. */
int adn_dpi_rule_parse(const char *line, struct adn_dpi_rule *r, char *why,
		       size_t why_len);

/* Read a rules file: *rules (caller frees) and *n; 0 or a negative errno
 * with "FILE:LINE: reason" in `why`. */
int adn_dpi_rules_load(const char *path, struct adn_dpi_rule **rules,
		       unsigned int *n, char *why, size_t why_len);

struct hs_database;

/* Compile for streaming; 0 or -EINVAL ("rule I: reason") / -ENOMEM. */
int adn_dpi_compile(const struct adn_dpi_rule *rules, unsigned int n,
		    struct hs_database **db, char *why, size_t why_len);

#endif /* _ADN_DPI_RULES_H_ */
