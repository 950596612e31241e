/* SPDX-License-Identifier: BSD-3-Clause */
/* adn-tracegen's HTTP/1.1 mode (tracegen_http.c). */
#ifndef _TRACEGEN_HTTP_H_
#define _TRACEGEN_HTTP_H_

#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

#define TG_HTTP_MAX_PLANTS 8

struct tg_http_opts {
	uint64_t conns, seed;
	double malformed;	/* share of requests */
	unsigned int n_plants;
	const char *plants[TG_HTTP_MAX_PLANTS];
};

/* Write the connections to `dump` and, when `manifest` is not NULL, what a
 * correct pipeline does with every request, as JSON. 0 or -1. */
int tg_http_write(const struct tg_http_opts *o, pcap_dumper_t *dump,
		  FILE *manifest);

#endif /* _TRACEGEN_HTTP_H_ */
