/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small JSON reader for the replies of DPDK's telemetry socket (adn-ctl).
 * The whole text is parsed into a tree of nodes; objects keep their
 * members in document order. Numbers keep their text too, so 64-bit
 * counters read back exactly (a double holds 53 bits). Nesting deeper
 * than ADN_JSON_MAX_DEPTH is refused rather than recursed into, since the
 * text comes from another process.
 */
#ifndef _ADN_JSON_H_
#define _ADN_JSON_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ADN_JSON_MAX_DEPTH 64

enum adn_json_type {
	ADN_JSON_NULL,
	ADN_JSON_BOOL,
	ADN_JSON_NUMBER,
	ADN_JSON_STRING,
	ADN_JSON_ARRAY,
	ADN_JSON_OBJECT,
};

struct adn_json {
	enum adn_json_type type;
	char *key;		/* member name when inside an object */
	char *str;		/* STRING: the value; NUMBER: its text */
	double num;		/* NUMBER */
	bool b;			/* BOOL */
	unsigned int n;		/* ARRAY/OBJECT: number of children */
	struct adn_json *child;	/* ARRAY/OBJECT: first child */
	struct adn_json *next;	/* next sibling */
};

/* Parse `len` bytes of `text` (one value, whitespace around it allowed).
 * Returns 0 and the tree in *out, or -EINVAL with the reason and its
 * offset in `err`, or -ENOMEM. */
int adn_json_parse(const char *text, size_t len, struct adn_json **out,
		   char *err, size_t err_len);
void adn_json_free(struct adn_json *j);

/* Member `key` of object `j`; NULL when absent or j is no object. */
const struct adn_json *adn_json_get(const struct adn_json *j,
				    const char *key);
/* A number as uint64_t, exactly when it is a non-negative integer
 * (else truncated); 0 for anything but a number. */
uint64_t adn_json_u64(const struct adn_json *j);
/* The number; 0 for anything but a number. */
double adn_json_num(const struct adn_json *j);
/* The string; "" for anything but a string. */
const char *adn_json_str(const struct adn_json *j);

/* Write `j` as JSON, indented by `indent` spaces per level (0: one
 * line). */
void adn_json_write(FILE *f, const struct adn_json *j, int indent);

#endif /* _ADN_JSON_H_ */
