/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Views (ADN §3.2: an element sees an application's RPC through a view,
 * as a query sees tables through an SQL view). An element declares the
 * logical fields it reads (`key`, `user`, `object`: name and type); the
 * config maps each onto the fields of one application's RPCs:
 *
 *   view = { user = "header:x-user"; object = "query:id"; };      # HTTP app
 *   view = { user = "rpc:7"; object = "rpc:8"; };                 # ADN RPC app
 *   view = { key = ["rpc:2", "header:x-object-id"]; };  # first present wins
 *
 * so one element type serves many applications.
 *
 * Selectors (docs/adn-rpc.md):
 *   rpc:N          ADN RPC field N (1-255)
 *   rpc:id         ADN request id              (number)
 *   rpc:service    ADN service id              (number)
 *   rpc:method     ADN method id               (number)
 *   header:NAME    HTTP header NAME (case-insensitive; the first one)
 *   query:NAME     HTTP query parameter NAME (the first; raw, not decoded)
 *   path           HTTP path (the target before '?')
 *   path:N         HTTP path segment N, 0 the first ("/a/b": a is 0)
 *   method         HTTP method name
 *   body           the payload bytes in this packet (either carrier)
 * A selector of the other carrier is absent for a message (a view meant
 * for an HTTP app reads nothing from an ADN RPC).
 *
 * Types: a logical field is BYTES, U64 or ANY. A number (rpc:id, service,
 * method, a u64 field) read as BYTES or ANY is its decimal text, and text
 * read as U64 must be decimal digits (else absent), so an application
 * sending object 42 as a u64 field and one sending "42" in a header give
 * an element the same value. Statically wrong pairs are config errors:
 * rpc:id/service/method as BYTES; path, method, body as U64.
 *
 * Parsing (control thread) is DPDK-free here (fuzzed);
 * adn_rpc_view_conf.h reads a view from an element's config. Reading
 * values (adn_rpc_view_get) allocates nothing: any lcore.
 */
#ifndef _ADN_RPC_VIEW_H_
#define _ADN_RPC_VIEW_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adn_rpc_msg.h"

#define ADN_RPC_VIEW_MAX 8		/* logical fields per view */
#define ADN_RPC_VIEW_ALT 4		/* selectors per logical field */
#define ADN_RPC_VIEW_NAME 32		/* logical field name, with NUL */
#define ADN_RPC_SEL_NAME 64		/* header/query name, with NUL */
#define ADN_RPC_SEL_TEXT 96		/* a selector's text, with NUL */

/* Logical field types. */
enum adn_rpc_vtype {
	ADN_RPC_VT_ANY,		/* bytes; numbers as decimal text */
	ADN_RPC_VT_BYTES,
	ADN_RPC_VT_U64,
};

/* Its name ("any", "bytes", "u64"). */
const char *adn_rpc_vtype_str(enum adn_rpc_vtype t);

/* What an element reads: a NULL name ends a list. */
struct adn_rpc_view_decl {
	const char *name;
	uint8_t type;		/* enum adn_rpc_vtype */
	bool required;		/* the view must map it */
	const char *help;
};

enum adn_rpc_sel_kind {
	ADN_RPC_SEL_FIELD,	/* rpc:N */
	ADN_RPC_SEL_REQ_ID,
	ADN_RPC_SEL_SERVICE,
	ADN_RPC_SEL_METHOD_ID,
	ADN_RPC_SEL_HEADER,
	ADN_RPC_SEL_QUERY,
	ADN_RPC_SEL_PATH,
	ADN_RPC_SEL_SEGMENT,	/* path:N */
	ADN_RPC_SEL_HTTP_METHOD,
	ADN_RPC_SEL_BODY,
};

/* A compiled selector. */
struct adn_rpc_sel {
	uint8_t kind;		/* enum adn_rpc_sel_kind */
	uint8_t id;		/* rpc:N */
	uint16_t seg;		/* path:N */
	uint8_t name_len;	/* header/query */
	char name[ADN_RPC_SEL_NAME];	/* header: lower case */
};

struct adn_rpc_view_field {
	char name[ADN_RPC_VIEW_NAME];
	uint8_t type;		/* enum adn_rpc_vtype */
	uint8_t n_sel;		/* 0: not mapped (always absent) */
	struct adn_rpc_sel sel[ADN_RPC_VIEW_ALT];
};

/* A compiled view: field i is the element's declaration i (or, for an
 * open view, the config's key i). Plain data: copy it freely. */
struct adn_rpc_view {
	unsigned int n;
	struct adn_rpc_view_field f[ADN_RPC_VIEW_MAX];
};

/*
 * Compile selector `text` for a logical field of type `type` into *s.
 * 0, or -EINVAL with the reason in `why` (unknown carrier or selector,
 * bad field id or segment, bad name, a type mismatch).
 */
int adn_rpc_sel_parse(const char *text, enum adn_rpc_vtype type,
		      struct adn_rpc_sel *s, char *why, size_t why_len);
/* The selector's text ("header:x-user") into out. */
void adn_rpc_sel_str(const struct adn_rpc_sel *s, char *out, size_t len);

/* Start a view with the element's declarations (NULL or empty: an open
 * view, whose fields are whatever the config names, each of type ANY).
 * 0 or -E2BIG (more than ADN_RPC_VIEW_MAX). */
int adn_rpc_view_init(struct adn_rpc_view *v,
		      const struct adn_rpc_view_decl *decl);

/*
 * Map logical field `name` onto selectors texts[0..n): onto the
 * declared field of that name, or a new field of an open view. 0, or
 * -EINVAL with the reason in `why` (an unknown field of a declared view,
 * a field mapped twice, n 0 or over ADN_RPC_VIEW_ALT, a bad selector —
 * its text and why), -E2BIG (an open view is full).
 */
int adn_rpc_view_map(struct adn_rpc_view *v, bool open, const char *name,
		     const char *const *texts, unsigned int n, char *why,
		     size_t why_len);

/* Index of logical field `name`, or -1. */
int adn_rpc_view_find(const struct adn_rpc_view *v, const char *name);

/* A field's value: type is the logical field's (ANY reads as BYTES).
 * p/len point into the message, or into `num` (a number as text). */
struct adn_rpc_val {
	uint8_t type;		/* ADN_RPC_VT_BYTES or ADN_RPC_VT_U64 */
	uint16_t len;
	const uint8_t *p;
	uint64_t u64;
	char num[24];
};

/*
 * Read logical field i of message m through view v into *out: 1 when
 * present (the first of its selectors that is), 0 when absent (not
 * mapped, another carrier, not in this message, text that is not a
 * number for a U64 field). Any lcore; allocates nothing.
 */
int adn_rpc_view_get(const struct adn_rpc_msg *m,
		     const struct adn_rpc_view *v, unsigned int i,
		     struct adn_rpc_val *out);

/* One selector's value (what adn_rpc_view_get tries in turn). */
int adn_rpc_sel_get(const struct adn_rpc_msg *m, const struct adn_rpc_sel *s,
		    enum adn_rpc_vtype type, struct adn_rpc_val *out);

#endif /* _ADN_RPC_VIEW_H_ */
