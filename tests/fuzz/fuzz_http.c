/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP/1.1 parser and the stream tracker (lib/l7). Input: parts split
 * at ADN_FUZZ_SEP; the first byte of the first part picks requests or
 * responses and the order segments arrive in. Checks: the SSE4.2 and the
 * portable parser agree on the whole stream; spans lie within the buffer
 * (ASan checks the reads); the stream the tracker delivers from the parts
 * sent as segments (in order, reordered, some twice) is the parts' bytes
 * in order, each once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_fuzz.h"
#include "adn_http.h"
#include "adn_tcp_stream.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARTS 16
#define MAX_BYTES 4096

static struct adn_tcp_track *trk;

static void
release(void)
{
	adn_tcp_track_free(trk);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct adn_tcp_track_conf c = {
		.name = "fuzz", .max_flows = 8, .max_bytes = MAX_BYTES,
		.n_bufs = 8, .idle_ms = 1000, .user_size = 0, .socket = 0,
	};

	adn_fuzz_eal("http");
	if (adn_tcp_track_create(&c, &trk) < 0)
		abort();
	atexit(release);
	return 0;
}

/* Parse `d` as a stream of messages with both scanners. */
static void
parse_stream(const uint8_t *d, size_t len, bool resp)
{
	const struct adn_http_limits lim = { 512, 32 };
	struct adn_http_want w = { 0 };
	size_t pos = 0;

	adn_http_want_add(&w, "x-id");
	while (pos < len) {
		struct adn_http_msg a, b;
		struct adn_http_body body;
		bool done = false;
		int ra = adn_http_parse(d + pos, len - pos, resp, &lim, &w, &a);
		int rb = adn_http_parse_portable(d + pos, len - pos, resp, &lim,
						 &w, &b);

		if (ra != rb || (ra > 0 && memcmp(&a, &b, sizeof(a)) != 0))
			abort();
		if (ra <= 0)
			return;
		if (a.host.off + a.host.len > len - pos ||
		    a.path.off + a.path.len > len - pos ||
		    a.want[0].off + a.want[0].len > len - pos)
			abort();
		pos += (size_t)ra;
		adn_http_body_start(&body, &a, 0);
		int rc = adn_http_body_feed(&body, d + pos, len - pos, &done);
		if (rc < 0 || !done)
			return;
		if ((size_t)rc > len - pos)
			abort();
		pos += (size_t)rc;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct adn_flow_key k = { 1, 2, 3, 80, 6 };
	struct adn_fuzz_part parts[MAX_PARTS];
	uint8_t whole[MAX_BYTES], got[MAX_BYTES];
	uint32_t off[MAX_PARTS], n_got = 0, total = 0;
	unsigned int n, order;
	struct adn_tcp_seg s;

	if (size < 1)
		return 0;
	order = data[0];
	n = adn_fuzz_split(data + 1, size - 1, parts, MAX_PARTS);
	for (unsigned int i = 0; i < n; i++) {
		if (total + parts[i].len > MAX_BYTES)
			return 0;
		off[i] = total;
		if (parts[i].len > 0)
			memcpy(whole + total, parts[i].data, parts[i].len);
		total += (uint32_t)parts[i].len;
	}
	parse_stream(whole, total, order & 1);

	/* the stream: SYN, then the parts in an order the input picks */
	if (adn_tcp_track_segment(trk, &k, 999, ADN_TCP_SYN, NULL, 0, 0, &s) !=
	    ADN_TCP_OK)
		abort();
	adn_tcp_track_done(trk, &s, 0, false);
	for (unsigned int j = 0; j < n + n / 2; j++) {
		unsigned int i = (j < n) ? (j ^ ((order >> 1) & 1)) % n :
			(j * 7 + order) % n;

		if (i >= n)
			continue;
		if (adn_tcp_track_segment(trk, &k, 1000 + off[i], ADN_TCP_ACK,
					  parts[i].data,
					  (uint32_t)parts[i].len, 0, &s) !=
		    ADN_TCP_OK)
			break;
		/* the consumer keeps every other byte for the next time */
		uint32_t use = s.len - (order & 4 ? s.len / 2 : 0);

		if (s.fresh > s.len || n_got + use > MAX_BYTES)
			abort();
		if (use > 0)
			memcpy(got + n_got, s.data, use);
		n_got += use;
		if (adn_tcp_track_done(trk, &s, use, false) < 0)
			break;
	}
	/* what came out is a prefix of the stream */
	if (n_got > total || memcmp(got, whole, n_got) != 0)
		abort();
	/* end the stream for the next input */
	if (adn_tcp_track_segment(trk, &k, 0, ADN_TCP_RST, NULL, 0, 0, &s) ==
	    ADN_TCP_OK)
		adn_tcp_track_done(trk, &s, 0, false);
	return 0;
}
