/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 route files: one `a.b.c.d/len next_hop` per line; `#` starts a
 * comment; blank lines are ignored. Shared by LpmRoute, GenSource (which
 * spreads flows over the table) and the tests. DPDK-free (lib/util).
 */
#ifndef _ADN_ROUTE_H_
#define _ADN_ROUTE_H_

#include <stddef.h>
#include <stdint.h>

struct adn_route {
	uint32_t prefix;	/* host order, host bits zero */
	uint8_t len;		/* 0..32 */
	uint32_t hop;
	unsigned int line;	/* line in the file, for messages */
};

struct adn_route_table {
	unsigned int n;
	struct adn_route *r;	/* malloc'd; owned by the table */
};

/*
 * One route `a.b.c.d/len next_hop` (blanks around the fields; no comment),
 * the syntax of a route file line, for callers with a single line (a
 * control command). Next hops must lie in [min_hop, max_hop]; host bits
 * must be zero. Returns 0 and fills `r` (r->line 0), or -EINVAL with what
 * is wrong in `err` (no file:line: prefix).
 */
int adn_route_parse(const char *s, uint32_t min_hop, uint32_t max_hop,
		    struct adn_route *r, char *err, size_t err_len);

/* `a.b.c.d/len` alone (blanks around it allowed), host bits zero. Returns
 * 0, or -EINVAL with what is wrong in `err`. */
int adn_route_parse_prefix(const char *s, uint32_t *prefix, uint8_t *len,
			   char *err, size_t err_len);

/* A strict dotted quad `a.b.c.d` (blanks around it allowed) in host order.
 * Returns 0, or -EINVAL with what is wrong in `err`. */
int adn_route_parse_addr(const char *s, uint32_t *addr, char *err,
			 size_t err_len);

/*
 * Read `path`. Next hops must lie in [min_hop, max_hop]. On any bad line
 * (syntax, len > 32, host bits set, hop out of range, duplicate prefix) or
 * an empty table, writes "path:line: what is wrong" to `err` and returns
 * -EINVAL; -errno when the file cannot be read. Returns 0 and fills `t`
 * otherwise; free it with adn_route_table_free().
 */
int adn_route_file_read(const char *path, uint32_t min_hop, uint32_t max_hop,
			struct adn_route_table *t, char *err, size_t err_len);
void adn_route_table_free(struct adn_route_table *t);

/* Longest-prefix match by linear scan (the reference the tables are tested
 * against): the hop, or UINT32_MAX when nothing covers `addr`. */
uint32_t adn_route_table_scan(const struct adn_route_table *t,
			      uint32_t addr);

static inline uint32_t
adn_route_mask(unsigned int len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

#endif /* _ADN_ROUTE_H_ */
