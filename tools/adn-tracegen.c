/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-tracegen — writes a pcap of N Ethernet/IPv4 packets over F flows with
 * Zipf(alpha) flow popularity, a TCP/UDP/other mix, packet sizes, and an
 * optional share of malformed packets, and optionally return traffic:
 * replies of flows already seen (TCP/UDP with the tuple reversed, ICMP echo
 * replies), addressed back to the source or to a NAT's public address.
 * Deterministic from --seed. With --manifest it also writes what it
 * generated as JSON, for tests and demos.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>

#include "adn_hash.h"
#include "adn_parse.h"
#include "adn_rand.h"
#include "adn_route.h"
#include "adn_zipf.h"
#include "tracegen_bytes.h"
#include "tracegen_http.h"
#include "tracegen_rpc.h"

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20
#define UDP_LEN 8
#define ICMP_LEN 8
#define MAX_FRAME 1514

enum cls { CLS_TCP, CLS_UDP, CLS_OTHER, N_CLS };
enum bad { BAD_NONE, BAD_CHECKSUM, BAD_TRUNCATED, BAD_IHL, BAD_TTL, N_BAD };

static const char *const cls_name[N_CLS] = { "tcp", "udp", "other" };
static const char *const bad_name[N_BAD] = {
	"none", "bad-checksum", "truncated", "bad-ihl", "ttl-zero",
};

/* Long-only options (RPC mode). */
enum {
	OPT_RPC = 256,
	OPT_RPC_CARRIER,
	OPT_RPC_SHARE,
	OPT_RPC_SMALL,
	OPT_RPC_BULK,
	OPT_RPC_PORT,
	OPT_RPC_USERS,
	OPT_RPC_OBJECTS,
	OPT_RPC_QUERY,
	OPT_RPC_MTU,
};

static const char *
rpc_opt_name(int c)
{
	static const char *const n[] = { "rpc", "rpc-carrier", "rpc-share",
		"rpc-small", "rpc-bulk", "rpc-port", "rpc-users",
		"rpc-objects", "rpc-query", "rpc-mtu" };

	return c >= OPT_RPC && c <= OPT_RPC_MTU ? n[c - OPT_RPC] : "?";
}

struct opts {
	const char *out, *manifest;
	uint64_t packets, flows, seed;
	double alpha;
	double mix[N_CLS];
	unsigned int size_min, size_max;
	double malformed;
	double replies;
	uint32_t reply_to;	/* 0: the flow's source */
	uint32_t dst;		/* 0: a destination per flow */
	uint16_t dst_port;	/* with dst: 0 keeps the flow's port */
	struct tg_http_opts http;	/* http.conns > 0: HTTP mode */
	struct tg_rpc_opts rpc;		/* rpc.requests > 0: RPC mode */
	const char *routes;	/* destinations inside these prefixes */
	struct adn_route_table rt;
};

struct flow {
	uint32_t src, dst;
	uint16_t sport, dport;
	enum cls cls;
	uint32_t seq;
	bool sent;	/* a forward packet went out: replies may follow */
};

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: adn-tracegen -o FILE [options]\n"
		"Write a deterministic pcap trace of Ethernet/IPv4 packets.\n\n"
		"  -o, --output FILE      pcap to write (required)\n"
		"  -n, --packets N        packets (default 10000)\n"
		"  -f, --flows F          flows (default 1000)\n"
		"  -a, --alpha A          Zipf exponent of flow popularity, 0 = uniform (default 1.0)\n"
		"  -m, --mix T,U,O        shares of TCP, UDP and other (ICMP) flows (default 0.6,0.3,0.1)\n"
		"  -s, --size MIN[-MAX]   frame size in bytes, uniform in range (default 64-1024; 64-1514)\n"
		"  -b, --malformed SHARE  share of malformed packets, 0-1 (default 0): bad IP checksum,\n"
		"                         truncated frame, bad IHL or TTL 0, equally likely\n"
		"  -R, --replies SHARE    share of packets that are replies of flows already seen, 0-1\n"
		"                         (default 0): tuple reversed, TCP ACK, ICMP echo reply\n"
		"  -T, --reply-to A.B.C.D replies go to this address (a NAT's public one), to the\n"
		"                         flow's source port, instead of the flow's source\n"
		"  -d, --dst A.B.C.D[:P]  every flow to this destination (a VIP), port P if given\n"
		"  -t, --routes FILE      each flow's destination inside a prefix of this route\n"
		"                         file (`a.b.c.d/len hop` lines), as GenSource draws them\n"
		"  -r, --seed S           random seed (default 1)\n"
		"  -j, --manifest FILE    write counts per class and per malformation as JSON\n"
		"  -H, --http CONNS       HTTP/1.1 mode: CONNS connections (handshake, 1-4 requests,\n"
		"                         split heads, pipelining, responses, FINs); -b is then the\n"
		"                         share of malformed/evasive requests, -j lists every\n"
		"                         request and what a correct pipeline does with it\n"
		"  -P, --plant STRING     HTTP mode: plant STRING in some POST bodies (up to 8 times\n"
		"                         the option), offsets in the manifest\n"
		"  --rpc N                RPC mode: N RPC requests, each with a user, an object\n"
		"                         and a class, latency-sensitive or bulk (docs/adn-rpc.md);\n"
		"                         the manifest lists each request and its packets\n"
		"  --rpc-carrier C        RPC mode: adn (ADN RPC over UDP, default), http (HTTP/1.1,\n"
		"                         a connection per request) or mix (each request either)\n"
		"  --rpc-share S          RPC mode: share of latency-sensitive requests, 0-1\n"
		"                         (default 0.5); the rest are bulk\n"
		"  --rpc-small B          RPC mode: payload bytes of a latency-sensitive request\n"
		"                         (default 64)\n"
		"  --rpc-bulk B           RPC mode: payload bytes of a bulk request (default 12800,\n"
		"                         200x the small one as in ADN's experiment); a payload over\n"
		"                         one packet goes in several (ADN: whole RPC messages with\n"
		"                         the same request id and fields; HTTP: TCP segments)\n"
		"  --rpc-port P           RPC mode: UDP port of ADN RPC (default 9000)\n"
		"  --rpc-users N          RPC mode: distinct users user0..user<N-1> (default 100)\n"
		"  --rpc-objects N        RPC mode: objects 0..N-1 (default 1000)\n"
		"  --rpc-query            RPC mode, HTTP: the fields as query parameters\n"
		"                         (?user=&object=&class=) instead of X-User, X-Object-Id,\n"
		"                         X-Class headers\n"
		"  --rpc-mtu M            RPC mode: largest IP packet, 576-9000 (default 1500)\n"
		"  -h, --help             this help\n");
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "packets", required_argument, NULL, 'n' },
		{ "flows", required_argument, NULL, 'f' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "mix", required_argument, NULL, 'm' },
		{ "size", required_argument, NULL, 's' },
		{ "malformed", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 'r' },
		{ "replies", required_argument, NULL, 'R' },
		{ "reply-to", required_argument, NULL, 'T' },
		{ "dst", required_argument, NULL, 'd' },
		{ "routes", required_argument, NULL, 't' },
		{ "manifest", required_argument, NULL, 'j' },
		{ "http", required_argument, NULL, 'H' },
		{ "plant", required_argument, NULL, 'P' },
		{ "rpc", required_argument, NULL, OPT_RPC },
		{ "rpc-carrier", required_argument, NULL, OPT_RPC_CARRIER },
		{ "rpc-share", required_argument, NULL, OPT_RPC_SHARE },
		{ "rpc-small", required_argument, NULL, OPT_RPC_SMALL },
		{ "rpc-bulk", required_argument, NULL, OPT_RPC_BULK },
		{ "rpc-port", required_argument, NULL, OPT_RPC_PORT },
		{ "rpc-users", required_argument, NULL, OPT_RPC_USERS },
		{ "rpc-objects", required_argument, NULL, OPT_RPC_OBJECTS },
		{ "rpc-query", no_argument, NULL, OPT_RPC_QUERY },
		{ "rpc-mtu", required_argument, NULL, OPT_RPC_MTU },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	*o = (struct opts){
		.packets = 10000, .flows = 1000, .seed = 1, .alpha = 1.0,
		.mix = { 0.6, 0.3, 0.1 }, .size_min = 64, .size_max = 1024,
		.rpc = { .urgent = 0.5, .small = 64, .bulk = 12800,
			 .port = 9000, .users = 100, .objects = 1000,
			 .mtu = 1500 },
	};
	while ((c = getopt_long(argc, argv, "o:n:f:a:m:s:b:r:j:R:T:d:t:H:P:h",
				longopts,
				NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'n':
			if (adn_parse_u64(optarg, 1, UINT32_MAX, &o->packets))
				goto bad;
			break;
		case 'f':
			if (adn_parse_u64(optarg, 1, 1ULL << 32, &o->flows))
				goto bad;
			break;
		case 'a':
			if (adn_parse_double(optarg, 0, 10, &o->alpha))
				goto bad;
			break;
		case 'm':
			if (sscanf(optarg, "%lf,%lf,%lf", &o->mix[0], &o->mix[1],
				   &o->mix[2]) != 3 || o->mix[0] < 0 ||
			    o->mix[1] < 0 || o->mix[2] < 0 ||
			    o->mix[0] + o->mix[1] + o->mix[2] <= 0)
				goto bad;
			break;
		case 's': {
			unsigned int a, b;
			int k = sscanf(optarg, "%u-%u", &a, &b);

			if (k == 1)
				b = a;
			if (k < 1 || a < 64 || b > MAX_FRAME || a > b)
				goto bad;
			o->size_min = a;
			o->size_max = b;
			break;
		}
		case 'b':
			if (adn_parse_double(optarg, 0, 1, &o->malformed))
				goto bad;
			break;
		case 'r':
			if (adn_parse_u64(optarg, 0, UINT64_MAX, &v))
				goto bad;
			o->seed = v;
			break;
		case 'j':
			o->manifest = optarg;
			break;
		case 'R':
			if (adn_parse_double(optarg, 0, 1, &o->replies))
				goto bad;
			break;
		case 'T': {
			struct in_addr a;

			if (inet_pton(AF_INET, optarg, &a) != 1)
				goto bad;
			o->reply_to = ntohl(a.s_addr);
			break;
		}
		case 'd': {
			char addr[16];
			unsigned int port = 0;
			struct in_addr a;
			int k = sscanf(optarg, "%15[0-9.]:%u", addr, &port);

			if (k < 1 || port > 65535 ||
			    (k == 1 && strchr(optarg, ':') != NULL) ||
			    inet_pton(AF_INET, addr, &a) != 1)
				goto bad;
			o->dst = ntohl(a.s_addr);
			o->dst_port = (uint16_t)port;
			break;
		}
		case 'H':
			if (adn_parse_u64(optarg, 1, 1000000, &o->http.conns))
				goto bad;
			break;
		case 'P':
			if (o->http.n_plants == TG_HTTP_MAX_PLANTS ||
			    optarg[0] == '\0' || strlen(optarg) > 64)
				goto bad;
			o->http.plants[o->http.n_plants++] = optarg;
			break;
		case 't':
			o->routes = optarg;
			break;
		case OPT_RPC:
			if (adn_parse_u64(optarg, 1, 100000000,
					  &o->rpc.requests))
				goto bad;
			break;
		case OPT_RPC_CARRIER:
			if (strcmp(optarg, "adn") == 0)
				o->rpc.carrier = TG_RPC_ADN;
			else if (strcmp(optarg, "http") == 0)
				o->rpc.carrier = TG_RPC_HTTP;
			else if (strcmp(optarg, "mix") == 0)
				o->rpc.carrier = TG_RPC_MIX;
			else
				goto bad;
			break;
		case OPT_RPC_SHARE:
			if (adn_parse_double(optarg, 0, 1, &o->rpc.urgent))
				goto bad;
			break;
		case OPT_RPC_SMALL:
		case OPT_RPC_BULK:
			if (adn_parse_u64(optarg, 0, 1 << 24, &v))
				goto bad;
			*(c == OPT_RPC_SMALL ? &o->rpc.small : &o->rpc.bulk) =
				(uint32_t)v;
			break;
		case OPT_RPC_PORT:
			if (adn_parse_u64(optarg, 1, 65535, &v))
				goto bad;
			o->rpc.port = (uint16_t)v;
			break;
		case OPT_RPC_USERS:
		case OPT_RPC_OBJECTS:
			if (adn_parse_u64(optarg, 1, UINT32_MAX, &v))
				goto bad;
			*(c == OPT_RPC_USERS ? &o->rpc.users :
			  &o->rpc.objects) = (uint32_t)v;
			break;
		case OPT_RPC_QUERY:
			o->rpc.query = true;
			break;
		case OPT_RPC_MTU:
			if (adn_parse_u64(optarg, 576, 9000, &v))
				goto bad;
			o->rpc.mtu = (uint32_t)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (o->out == NULL) {
		fprintf(stderr, "adn-tracegen: -o FILE is required\n");
		usage(stderr);
		return -EINVAL;
	}
	if (o->routes != NULL) {
		char err[512];

		if (adn_route_file_read(o->routes, 0, UINT32_MAX - 1, &o->rt,
					err, sizeof(err)) < 0) {
			fprintf(stderr, "adn-tracegen: %s\n", err);
			return -EINVAL;
		}
	}
	return 0;
bad:
	if (c >= OPT_RPC)
		fprintf(stderr, "adn-tracegen: bad value '%s' for --%s (see "
			"--help)\n", optarg, rpc_opt_name(c));
	else
		fprintf(stderr, "adn-tracegen: bad value '%s' for -%c (see "
			"--help)\n", optarg, c);
	return -EINVAL;
}

static enum cls
pick_class(const struct opts *o, struct adn_rand *r)
{
	double u = adn_rand_unit(r) * (o->mix[0] + o->mix[1] + o->mix[2]);

	if (u < o->mix[0])
		return CLS_TCP;
	return u < o->mix[0] + o->mix[1] ? CLS_UDP : CLS_OTHER;
}

/* Flow i's tuple is a function of (seed, i) alone. */
static void
make_flow(const struct opts *o, uint64_t i, struct flow *f)
{
	struct adn_rand r;

	adn_rand_seed(&r, adn_mix64(o->seed) ^ i);
	f->src = 0x0a000000u | (uint32_t)(adn_rand_u64(&r) & 0x00ffffff);
	f->dst = 0xc0a80000u | (uint32_t)(adn_rand_u64(&r) & 0x0000ffff);
	f->sport = (uint16_t)(1024 + adn_rand_below(&r, 64511));
	f->dport = (uint16_t)(1 + adn_rand_below(&r, 1023));
	f->cls = pick_class(o, &r);
	f->seq = (uint32_t)adn_rand_u64(&r);
	if (o->dst != 0) {
		f->dst = o->dst;
		if (o->dst_port != 0)
			f->dport = o->dst_port;
	} else if (o->rt.n > 0) {
		/* Drawn last, so traces without --routes stay as they were. */
		const struct adn_route *rt =
			&o->rt.r[adn_rand_below(&r, o->rt.n)];

		f->dst = rt->prefix | ((uint32_t)adn_rand_u64(&r) &
				       ~adn_route_mask(rt->len));
	}
}

/* Build one frame of flow f, or of its reply (to reply_to when not 0);
 * returns its captured length. */
static unsigned int
build(uint8_t *pkt, struct flow *f, unsigned int size, uint16_t ip_id,
      enum bad bad, bool reply, uint32_t reply_to)
{
	uint8_t *ip = pkt + ETH_LEN, *l4 = ip + IP_LEN;
	unsigned int ip_len = size - ETH_LEN, l4_len = ip_len - IP_LEN;
	uint8_t proto = f->cls == CLS_TCP ? 6 : f->cls == CLS_UDP ? 17 : 1;
	uint32_t src = f->src, dst = f->dst, pseudo;
	uint16_t sport = f->sport, dport = f->dport;

	if (reply) {
		src = f->dst;
		dst = reply_to != 0 ? reply_to : f->src;
		sport = f->dport;
		dport = f->sport;
	}

	memset(pkt, 0, size);
	memcpy(pkt, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	adn_be16_put(pkt + 12, 0x0800);
	ip[0] = 0x45;
	adn_be16_put(ip + 2, (uint16_t)ip_len);
	adn_be16_put(ip + 4, ip_id);
	ip[8] = 64;
	ip[9] = proto;
	adn_be32_put(ip + 12, src);
	adn_be32_put(ip + 16, dst);
	for (unsigned int i = 0; i < l4_len; i++)
		l4[i] = (uint8_t)(i * 7 + ip_id);
	if (f->cls == CLS_TCP) {
		adn_be16_put(l4, sport);
		adn_be16_put(l4 + 2, dport);
		adn_be32_put(l4 + 4, f->seq);
		adn_be32_put(l4 + 8, 0);
		l4[12] = 5 << 4;
		l4[13] = 0x10;	/* ACK */
		adn_be16_put(l4 + 14, 65535);
		adn_be16_put(l4 + 16, 0);
		adn_be16_put(l4 + 18, 0);
		if (!reply)
			f->seq += l4_len - TCP_LEN;
	} else if (f->cls == CLS_UDP) {
		adn_be16_put(l4, sport);
		adn_be16_put(l4 + 2, dport);
		adn_be16_put(l4 + 4, (uint16_t)l4_len);
		adn_be16_put(l4 + 6, 0);
	} else {
		l4[0] = reply ? 0 : 8;	/* echo reply, request */
		l4[1] = 0;
		adn_be16_put(l4 + 2, 0);
		adn_be16_put(l4 + 4, (uint16_t)(f->sport));	/* identifier */
		adn_be16_put(l4 + 6, ip_id);
	}
	if (f->cls == CLS_OTHER) {
		adn_be16_put(l4 + 2, inet_csum(l4, l4_len, 0));
	} else {
		pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) +
			(dst & 0xffff) + proto + l4_len;
		uint16_t c = inet_csum(l4, l4_len, pseudo);

		if (f->cls == CLS_UDP && c == 0)
			c = 0xffff;
		adn_be16_put(l4 + (f->cls == CLS_TCP ? 16 : 6), c);
	}

	switch (bad) {
	case BAD_IHL:
		ip[0] = 0x44;
		break;
	case BAD_TTL:
		ip[8] = 0;
		break;
	default:
		break;
	}
	adn_be16_put(ip + 10, inet_csum(ip, IP_LEN, 0));
	if (bad == BAD_CHECKSUM)
		adn_be16_put(ip + 10, adn_be16_get(ip + 10) ^ 0x5a5a);
	/* Truncated: the frame ends inside the L4 header, the IP total
	 * length still claims the whole packet. */
	return bad == BAD_TRUNCATED ? ETH_LEN + IP_LEN + 8 : size;
}

/* A mode that writes whole connections or RPCs (HTTP, RPC): fills the
 * trace and its manifest. */
typedef int (*tg_writer)(struct opts *o, pcap_dumper_t *dump, FILE *mf);

static int
rpc_write(struct opts *o, pcap_dumper_t *dump, FILE *mf)
{
	o->rpc.seed = o->seed;
	return tg_rpc_write(&o->rpc, dump, mf);
}

static int
http_write(struct opts *o, pcap_dumper_t *dump, FILE *mf)
{
	o->http.seed = o->seed;
	o->http.malformed = o->malformed;
	return tg_http_write(&o->http, dump, mf);
}

static int
writer_main(struct opts *o, tg_writer write)
{
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *dump = pd ? pcap_dump_open(pd, o->out) : NULL;
	FILE *mf = NULL;
	int rc = 1;

	if (dump == NULL) {
		fprintf(stderr, "adn-tracegen: %s: %s\n", o->out,
			pd ? pcap_geterr(pd) : "out of memory");
		goto out;
	}
	if (o->manifest != NULL && (mf = fopen(o->manifest, "w")) == NULL) {
		fprintf(stderr, "adn-tracegen: %s: %s\n", o->manifest,
			strerror(errno));
		goto out;
	}
	if (write(o, dump, mf) == 0 &&
	    pcap_dump_flush(dump) == 0 && (mf == NULL || fclose(mf) == 0))
		rc = 0;
	else
		fprintf(stderr, "adn-tracegen: write failed\n");
	mf = NULL;
out:
	if (mf != NULL)
		fclose(mf);
	if (dump != NULL)
		pcap_dump_close(dump);
	if (pd != NULL)
		pcap_close(pd);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct adn_rand r;
	struct adn_zipf z;
	struct flow *flows = NULL;
	uint64_t cls_count[N_CLS] = { 0 }, bad_count[N_BAD] = { 0 };
	uint64_t n_replies = 0;
	uint8_t pkt[MAX_FRAME];
	pcap_t *pd = NULL;
	pcap_dumper_t *dump = NULL;
	FILE *mf = NULL;
	int status = 1;

	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	if (o.http.conns > 0)
		return writer_main(&o, http_write);
	if (o.rpc.requests > 0)
		return writer_main(&o, rpc_write);
	if (o.alpha > 0 && adn_zipf_init(&z, o.flows, o.alpha) < 0) {
		fprintf(stderr, "adn-tracegen: bad Zipf parameters\n");
		return 2;
	}
	/* Flow state (TCP sequence) only for flows that appear; tuples are
	 * recomputed from the seed, so 10M flows cost no table. */
	flows = calloc(o.flows < o.packets ? o.flows : o.packets,
		       sizeof(*flows));
	pd = pcap_open_dead(DLT_EN10MB, 65535);
	if (flows == NULL || pd == NULL) {
		fprintf(stderr, "adn-tracegen: out of memory\n");
		goto out;
	}
	dump = pcap_dump_open(pd, o.out);
	if (dump == NULL) {
		fprintf(stderr, "adn-tracegen: %s: %s\n", o.out,
			pcap_geterr(pd));
		goto out;
	}
	adn_rand_seed(&r, o.seed);

	/* Rank -> slot map for the flows seen, open addressing. */
	uint64_t slots = 1;
	uint64_t n_flow_slots = o.flows < o.packets ? o.flows : o.packets;

	while (slots < 2 * n_flow_slots)
		slots <<= 1;
	uint64_t *rank_of = malloc(slots * sizeof(*rank_of));
	uint32_t *slot_of = malloc(slots * sizeof(*slot_of));
	uint64_t n_seen = 0;

	if (rank_of == NULL || slot_of == NULL) {
		fprintf(stderr, "adn-tracegen: out of memory\n");
		free(rank_of);
		free(slot_of);
		goto out;
	}
	memset(rank_of, 0xff, slots * sizeof(*rank_of));

	for (uint64_t i = 0; i < o.packets; i++) {
		uint64_t rank = o.alpha > 0 ? adn_zipf_next(&z, &r) :
			adn_rand_below(&r, o.flows);
		uint64_t h = adn_mix64(rank) & (slots - 1);
		struct pcap_pkthdr hdr;
		struct flow *f;
		unsigned int size, len;
		enum bad bad = BAD_NONE;
		bool reply = false;

		while (rank_of[h] != UINT64_MAX && rank_of[h] != rank)
			h = (h + 1) & (slots - 1);
		if (rank_of[h] == UINT64_MAX) {
			rank_of[h] = rank;
			slot_of[h] = (uint32_t)n_seen;
			make_flow(&o, rank, &flows[n_seen++]);
		}
		f = &flows[slot_of[h]];
		size = o.size_min + (unsigned int)adn_rand_below(&r,
				o.size_max - o.size_min + 1);
		if (o.malformed > 0 && adn_rand_unit(&r) < o.malformed)
			bad = (enum bad)(1 + adn_rand_below(&r, N_BAD - 1));
		/* A reply only of a flow that has gone out, and only a
		 * well-formed one. */
		if (o.replies > 0 && adn_rand_unit(&r) < o.replies && f->sent &&
		    bad == BAD_NONE)
			reply = true;
		len = build(pkt, f, size, (uint16_t)i, bad, reply,
			    o.reply_to);
		f->sent |= !reply && bad == BAD_NONE;
		n_replies += reply;
		if (bad == BAD_NONE)
			cls_count[f->cls]++;
		else
			bad_count[bad]++;
		hdr.ts.tv_sec = (time_t)(i / 1000000);
		hdr.ts.tv_usec = (suseconds_t)(i % 1000000);
		hdr.caplen = hdr.len = len;
		pcap_dump((u_char *)dump, &hdr, pkt);
	}
	free(rank_of);
	free(slot_of);
	if (pcap_dump_flush(dump) != 0) {
		fprintf(stderr, "adn-tracegen: %s: write failed\n", o.out);
		goto out;
	}

	printf("adn-tracegen: %s: %" PRIu64 " packets, %" PRIu64
	       " flows seen of %" PRIu64 "; tcp %" PRIu64 " udp %" PRIu64
	       " other %" PRIu64 "; malformed %" PRIu64 "; replies %" PRIu64
	       "\n", o.out, o.packets, n_seen, o.flows, cls_count[CLS_TCP],
	       cls_count[CLS_UDP], cls_count[CLS_OTHER],
	       o.packets - cls_count[0] - cls_count[1] - cls_count[2],
	       n_replies);
	if (o.manifest != NULL) {
		mf = fopen(o.manifest, "w");
		if (mf == NULL) {
			fprintf(stderr, "adn-tracegen: %s: %s\n", o.manifest,
				strerror(errno));
			goto out;
		}
		fprintf(mf, "{\n  \"packets\": %" PRIu64 ",\n  \"flows\": %"
			PRIu64 ",\n  \"flows_seen\": %" PRIu64
			",\n  \"seed\": %" PRIu64 ",\n  \"replies\": %" PRIu64
			",\n  \"valid\": {",
			o.packets, o.flows, n_seen, o.seed, n_replies);
		for (int c = 0; c < N_CLS; c++)
			fprintf(mf, "%s\"%s\": %" PRIu64, c ? ", " : "",
				cls_name[c], cls_count[c]);
		fprintf(mf, "},\n  \"malformed\": {");
		for (int b = 1; b < N_BAD; b++)
			fprintf(mf, "%s\"%s\": %" PRIu64, b > 1 ? ", " : "",
				bad_name[b], bad_count[b]);
		fprintf(mf, "}\n}\n");
		if (fclose(mf) != 0) {
			fprintf(stderr, "adn-tracegen: %s: write failed\n",
				o.manifest);
			goto out;
		}
	}
	status = 0;
out:
	if (dump != NULL)
		pcap_dump_close(dump);
	if (pd != NULL)
		pcap_close(pd);
	free(flows);
	adn_route_table_free(&o.rt);
	return status;
}
