/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-tracegen --rpc: RPC requests, deterministic from the seed, the
 * workload of ADN's experiments (§2-§3: LB on the object, ACL on user and
 * object, latency-sensitive calls behind bulk ones). Every request has a
 * user ("user<U>"), an object (a number) and a class: latency-sensitive
 * (a share --rpc-share, payload --rpc-small bytes, method 1, the URGENT
 * flag) or bulk (payload --rpc-bulk bytes, method 2). Carriers:
 *
 *   ADN RPC over UDP (docs/adn-rpc.md) to port --rpc-port: service 1,
 *     field 1 user (string), 2 object (u64), 3 class (u64: 0 latency-
 *     sensitive, 1 bulk). A payload that does not fit one datagram of
 *     --rpc-mtu bytes is sent as several messages, each a whole RPC with
 *     the same request id and fields and the next piece of the payload
 *     (ADN RPC has no fragments: each message stands alone).
 *   HTTP/1.1 (one connection per request, handshake then the request,
 *     then FIN): POST /rpc/<class> with X-User, X-Object-Id, X-Class
 *     headers, or with --rpc-query the same as query parameters
 *     (?user=&object=&class=), and a Content-Length body.
 *
 * Checksums are valid (IPv4, UDP, TCP): load balancers rewrite them.
 * The manifest lists every request: carrier, client port, user, object,
 * class,
 * payload bytes, the trace index of its first packet, its packets.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_rand.h"
#include "adn_rpc_wire.h"
#include "tracegen_bytes.h"
#include "tracegen_rpc.h"

#define SRV_IP 0x0a000002u
#define CLI_NET 0x0a640000u	/* 10.100.0.0/16 */
#define ETH_LEN 14
#define IP_LEN 20
#define MAX_FRAME 65535

struct writer {
	pcap_dumper_t *dump;
	uint64_t n;
	uint8_t f[MAX_FRAME];
};

/* Frame w->f holding an IPv4 packet of `l4_len` L4 bytes (header and
 * payload already at f + 34) from src to SRV_IP: fill the headers and
 * the checksums, write it; its trace index. */
static uint64_t
emit(struct writer *w, uint8_t proto, uint32_t src, size_t l4_len)
{
	uint8_t *ip = w->f + ETH_LEN, *l4 = ip + IP_LEN;
	const size_t tot = IP_LEN + l4_len;
	struct pcap_pkthdr h;
	uint32_t ph;

	memcpy(w->f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	w->f[12] = 0x08;
	w->f[13] = 0;
	memset(ip, 0, IP_LEN);
	ip[0] = 0x45;
	adn_be16_put(ip + 2, (uint16_t)tot);
	ip[8] = 64;
	ip[9] = proto;
	adn_be32_put(ip + 12, src);
	adn_be32_put(ip + 16, SRV_IP);
	adn_be16_put(ip + 10, inet_csum(ip, IP_LEN, 0));
	/* the pseudo-header's sum: addresses, protocol, L4 length */
	ph = (src >> 16) + (src & 0xffff) + (SRV_IP >> 16) +
		(SRV_IP & 0xffff) + proto + (uint32_t)l4_len;
	if (proto == 17) {
		uint16_t c;

		adn_be16_put(l4 + 6, 0);
		c = inet_csum(l4, l4_len, ph);
		adn_be16_put(l4 + 6, c ? c : 0xffff);
	} else {
		adn_be16_put(l4 + 16, 0);
		adn_be16_put(l4 + 16, inet_csum(l4, l4_len, ph));
	}
	h.ts.tv_sec = (time_t)(w->n / 1000000);
	h.ts.tv_usec = (suseconds_t)(w->n % 1000000);
	h.caplen = h.len = (uint32_t)(ETH_LEN + tot);
	pcap_dump((u_char *)w->dump, &h, w->f);
	return w->n++;
}

static void
fill_payload(uint8_t *p, size_t len, uint64_t req, size_t off)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)('a' + (req + off + i) % 26);
}

struct req {
	uint64_t i;
	uint32_t src;
	uint16_t sport;
	char user[24];
	uint64_t object;
	unsigned int cls;	/* 0 latency-sensitive, 1 bulk */
	uint32_t payload;
};

/* One request as ADN RPC messages; how many packets. */
static unsigned int
adn_request(struct writer *w, const struct tg_rpc_opts *o,
	    const struct req *q)
{
	const struct adn_rpc_field_val f[] = {
		{ .id = 1, .type = ADN_RPC_FT_STRING, .val = q->user,
		  .len = (uint16_t)strlen(q->user) },
		{ .id = 2, .type = ADN_RPC_FT_U64, .u64 = q->object },
		{ .id = 3, .type = ADN_RPC_FT_U64, .u64 = q->cls },
	};
	const size_t hl = adn_rpc_hdr_size(f, 3);
	const size_t room = o->mtu - IP_LEN - 8 - hl;
	unsigned int n = 0;
	size_t off = 0;

	do {
		const size_t pl = q->payload - off < room ?
			q->payload - off : room;
		uint8_t *u = w->f + ETH_LEN + IP_LEN;

		adn_be16_put(u, q->sport);
		adn_be16_put(u + 2, o->port);
		adn_be16_put(u + 4, (uint16_t)(8 + hl + pl));
		adn_rpc_encode(u + 8, hl, ADN_RPC_T_REQUEST,
			       q->cls == 0 ? ADN_RPC_F_URGENT : 0,
			       (uint32_t)q->i, 1, (uint16_t)(1 + q->cls),
			       (uint32_t)pl, f, 3);
		fill_payload(u + 8 + hl, pl, q->i, off);
		emit(w, 17, q->src, 8 + hl + pl);
		off += pl;
		n++;
	} while (off < q->payload);
	return n;
}

/* One TCP segment of the request's connection. */
static void
tcp_seg(struct writer *w, const struct req *q, uint32_t seq, uint8_t fl,
	const uint8_t *pl, size_t len)
{
	uint8_t *t = w->f + ETH_LEN + IP_LEN;

	memset(t, 0, 20);
	adn_be16_put(t, q->sport);
	adn_be16_put(t + 2, 80);
	adn_be32_put(t + 4, seq);
	adn_be32_put(t + 8, fl & 0x02 ? 0 : 1);
	t[12] = 5 << 4;
	t[13] = fl;
	adn_be16_put(t + 14, 65535);
	if (len > 0)	/* a SYN or FIN has no payload (pl NULL) */
		memcpy(t + 20, pl, len);
	emit(w, 6, q->src, 20 + len);
}

/* One request as an HTTP connection; how many packets. */
static unsigned int
http_request(struct writer *w, const struct tg_rpc_opts *o,
	     const struct req *q, uint8_t *buf, size_t cap)
{
	static const char *const cls_name[] = { "get", "put" };
	const size_t seg_max = o->mtu - IP_LEN - 20;
	uint32_t seq = 1000;
	unsigned int n = 0;
	size_t len, off;

	if (o->query)
		len = (size_t)snprintf((char *)buf, cap,
			"POST /rpc/%s?user=%s&object=%" PRIu64 "&class=%u "
			"HTTP/1.1\r\nHost: rpc.example.com\r\n"
			"Content-Length: %u\r\n\r\n", cls_name[q->cls],
			q->user, q->object, q->cls, q->payload);
	else
		len = (size_t)snprintf((char *)buf, cap,
			"POST /rpc/%s HTTP/1.1\r\nHost: rpc.example.com\r\n"
			"X-User: %s\r\nX-Object-Id: %" PRIu64 "\r\n"
			"X-Class: %u\r\nContent-Length: %u\r\n\r\n",
			cls_name[q->cls], q->user, q->object, q->cls,
			q->payload);
	fill_payload(buf + len, q->payload, q->i, 0);
	len += q->payload;
	tcp_seg(w, q, seq++, 0x02, NULL, 0);
	n++;
	for (off = 0; off < len; n++) {
		const size_t k = len - off < seg_max ? len - off : seg_max;

		tcp_seg(w, q, seq, 0x18, buf + off, k);
		seq += (uint32_t)k;
		off += k;
	}
	tcp_seg(w, q, seq, 0x11, NULL, 0);
	return n + 1;
}

int
tg_rpc_write(const struct tg_rpc_opts *o, pcap_dumper_t *dump,
	     FILE *mf)
{
	struct writer *w = calloc(1, sizeof(*w));
	const size_t cap = (size_t)o->bulk + o->small + 1024;
	uint8_t *buf = malloc(cap);
	uint64_t n_cls[2] = { 0 }, n_adn = 0;
	struct adn_rand r;

	/* the option parser keeps mtu in [576, 9000]: a header of these
	 * three fields (under 100 bytes) always leaves room */
	if (w == NULL || buf == NULL) {
		free(w);
		free(buf);
		return -1;
	}
	w->dump = dump;
	adn_rand_seed(&r, o->seed);
	if (mf != NULL)
		fprintf(mf, "{\n  \"seed\": %" PRIu64 ",\n  \"requests\": [",
			o->seed);
	for (uint64_t i = 0; i < o->requests; i++) {
		struct req q = { .i = i };
		const uint64_t first = w->n;
		bool adn;
		unsigned int pk;

		q.src = CLI_NET | (uint32_t)(1 + adn_rand_below(&r, 65000));
		q.sport = (uint16_t)(1024 + adn_rand_below(&r, 60000));
		snprintf(q.user, sizeof(q.user), "user%" PRIu64,
			 adn_rand_below(&r, o->users));
		q.object = adn_rand_below(&r, o->objects);
		q.cls = adn_rand_unit(&r) < o->urgent ? 0 : 1;
		q.payload = q.cls == 0 ? o->small : o->bulk;
		adn = o->carrier == TG_RPC_ADN ||
			(o->carrier == TG_RPC_MIX && adn_rand_below(&r, 2));
		pk = adn ? adn_request(w, o, &q) :
			http_request(w, o, &q, buf, cap);
		n_cls[q.cls]++;
		n_adn += adn;
		if (mf != NULL)
			fprintf(mf, "%s\n    {\"request\": %" PRIu64 ", "
				"\"carrier\": \"%s\", \"sport\": %u, "
				"\"user\": \"%s\", "
				"\"object\": %" PRIu64 ", \"class\": \"%s\", "
				"\"payload\": %u, \"packet\": %" PRIu64 ", "
				"\"packets\": %u}", i ? "," : "", i,
				adn ? "adn" : "http", q.sport, q.user, q.object,
				q.cls ? "bulk" : "latency", q.payload, first,
				pk);
	}
	if (mf != NULL)
		fprintf(mf, "\n  ],\n  \"packets\": %" PRIu64 ",\n"
			"  \"latency\": %" PRIu64 ",\n  \"bulk\": %" PRIu64
			"\n}\n", w->n, n_cls[0], n_cls[1]);
	printf("adn-tracegen: %" PRIu64 " RPCs (%" PRIu64 " ADN, %" PRIu64
	       " HTTP; %" PRIu64 " latency-sensitive, %" PRIu64 " bulk), %"
	       PRIu64 " packets\n", o->requests, n_adn, o->requests - n_adn,
	       n_cls[0], n_cls[1], w->n);
	free(w);
	free(buf);
	return 0;
}
