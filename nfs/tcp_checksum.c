/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TcpChecksum — the NFMorph checksum module: computes the TCP (and, when
 * asked, UDP) checksum over the pseudo-header and the whole segment and
 * writes it (Click's SetTCPChecksum), or verifies it (CheckTCPHeader's
 * checksum part). Segments spanning several mbufs are summed in place.
 *
 * Keys:
 *   mode (string, default "set")  "set": write the checksum;
 *                                 "verify": drop segments whose checksum
 *                                 is wrong, leave the packet unchanged
 *   udp  (bool, default false)    also handle UDP (a computed 0 is sent
 *                                 as 0xffff; a received 0 means "none"
 *                                 and passes verification)
 * Outputs: 0 — processed, or passed unchanged (not TCP/UDP: "skipped").
 * Drops:
 *   not-ipv4      not an IPv4 frame
 *   truncated     IP header, L4 header or the IP total length run past
 *                 the frame
 *   fragment      an IP fragment: no whole segment to sum
 *   bad-checksum  verify mode: the checksum is wrong
 * Extra counters: set, verified_ok, bad (same as the bad-checksum drops),
 *   skipped (IPv4 but not a handled protocol).
 * Exec only: the headers it reads are in the frame's first cache line,
 * which the templates prefetch; a prep stage would only pass them on.
 */
#include <stddef.h>
#include <string.h>

#include <rte_ip.h>

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"

enum { TCP_CKSUM_OUT, TCP_CKSUM_N_OUT };

enum {
	TCP_CKSUM_DROP_NOT_IPV4,
	TCP_CKSUM_DROP_TRUNCATED,
	TCP_CKSUM_DROP_FRAGMENT,
	TCP_CKSUM_DROP_BAD_CHECKSUM,
};

static const char *const tcp_cksum_drops[] = {
	[TCP_CKSUM_DROP_NOT_IPV4] = "not-ipv4",
	[TCP_CKSUM_DROP_TRUNCATED] = "truncated",
	[TCP_CKSUM_DROP_FRAGMENT] = "fragment",
	[TCP_CKSUM_DROP_BAD_CHECKSUM] = "bad-checksum",
	NULL,
};

static const char *const tcp_cksum_modes[] = { "set", "verify", NULL };

struct tcp_cksum_slot {
	uint64_t set, ok, bad, skipped;
} __rte_cache_aligned;

struct tcp_cksum {
	bool verify;
	bool udp;
	/* Counters per worker; priv is state, so they outlive swaps. */
	struct tcp_cksum_slot slot[ADN_MAX_WORKERS];
};

static const struct adn_arg_spec tcp_cksum_args[] = {
	{ .name = "mode", .type = ADN_ARG_STRING, .choices = tcp_cksum_modes,
	  .def_str = "set", .help = "set or verify", .shapes_state = true },
	{ .name = "udp", .type = ADN_ARG_BOOL, .def_int = 0,
	  .help = "also handle UDP", .shapes_state = true },
	{ .name = NULL },
};

static int
tcp_cksum_configure(struct adn_elem *e, struct adn_build *b)
{
	struct tcp_cksum *c = adn_elem_priv(e);

	c->verify = strcmp(adn_elem_arg_str(e, "mode"), "verify") == 0;
	c->udp = adn_elem_arg_bool(e, "udp");
	return 0;
}

/* One's complement sum of pseudo-header (protocol `proto`), the `len`
 * bytes of segment at offset `off` and `extra`, complemented: 0 when a
 * segment with its checksum in place is correct; with `extra` the
 * complement of the stored checksum, the value to store (the segment
 * summed as if its field read 0). `flat`: the segment is all in the
 * first mbuf (the common case), summed in place; else the mbuf walk sums
 * it across buffers. */
static __rte_always_inline uint16_t
l4_cksum(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
	 const uint8_t proto, const uint8_t *seg, uint32_t off, uint32_t len,
	 uint16_t extra, bool flat)
{
	/* The pseudo-header's addresses as 32-bit words (2^16 = 1 modulo
	 * 2^16 - 1, so the fold gives the sum of their 16-bit halves), in
	 * registers: building it on the stack and summing that stalls on
	 * store forwarding. One fold for the pseudo-header and the body. */
	uint64_t sum = (uint64_t)ip->src_addr + ip->dst_addr +
		rte_cpu_to_be_16((uint16_t)proto) +
		rte_cpu_to_be_16((uint16_t)len) + extra;

	if (likely(flat))
		sum += adn_pkt_cksum_sum(seg, len);
	else {
		uint16_t body = 0;

		rte_raw_cksum_mbuf(m, off, len, &body);
		sum += body;
	}
	return (uint16_t)~adn_pkt_cksum_fold(sum);
}

/* This worker's counters, looked up where one is counted: a worker index
 * read at the start would stay live (spilled) through the sum. */
static inline struct tcp_cksum_slot *
tcp_cksum_slot(struct tcp_cksum *c)
{
	return &c->slot[adn_worker_index()];
}

/* Set or verify the checksum of the TCP or UDP segment in `m`: `udp` is
 * a constant in each call, so each protocol's header size and field
 * offset are too. `parsed`: the parse found the protocol's header whole
 * (adn_pkt_l4_whole), so only the segment's length is left to check. */
static __rte_always_inline int
tcp_cksum_segment(struct tcp_cksum *c, struct rte_mbuf *m,
		  const struct rte_ipv4_hdr *ip, const bool udp,
		  const bool parsed)
{
	const uint8_t proto = udp ? IPPROTO_UDP : IPPROTO_TCP;
	const uint16_t hdr = udp ? sizeof(struct rte_udp_hdr) :
		sizeof(struct rte_tcp_hdr);
	const uint16_t ihl = m->l3_len;
	const uint16_t total = rte_be_to_cpu_16(ip->total_length);
	const uint32_t off = (uint32_t)m->l2_len + ihl;
	const uint32_t len = (uint32_t)(total - ihl);
	uint8_t *seg, *field;
	uint16_t v, stored;
	bool flat;

	if (!parsed &&
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK |
						    RTE_IPV4_HDR_MF_FLAG)))
		return adn_drop(TCP_CKSUM_DROP_FRAGMENT);
	/* The header must be in the first mbuf, the segment in the frame. */
	flat = off + len <= rte_pktmbuf_data_len(m);
	if (total < ihl + hdr || off + len > rte_pktmbuf_pkt_len(m) ||
	    (!parsed && (ihl < sizeof(*ip) ||
			 (!flat && off + hdr > rte_pktmbuf_data_len(m)))))
		return adn_drop(TCP_CKSUM_DROP_TRUNCATED);
	seg = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	/* The field may sit at any alignment: read and write it by bytes. */
	field = seg + (udp ? offsetof(struct rte_udp_hdr, dgram_cksum) :
		       offsetof(struct rte_tcp_hdr, cksum));
	memcpy(&stored, field, sizeof(stored));
	if (c->verify) {
		if (udp && stored == 0) {
			tcp_cksum_slot(c)->ok++;
			return TCP_CKSUM_OUT;
		}
		if (l4_cksum(m, ip, proto, seg, off, len, 0, flat) != 0) {
			tcp_cksum_slot(c)->bad++;
			return adn_drop(TCP_CKSUM_DROP_BAD_CHECKSUM);
		}
		tcp_cksum_slot(c)->ok++;
		return TCP_CKSUM_OUT;
	}
	/* Subtracting the stored value instead of zeroing the field first:
	 * the sum's wide loads would stall on that 2-byte store. */
	v = l4_cksum(m, ip, proto, seg, off, len, (uint16_t)~stored, flat);
	if (v == 0 && udp)
		v = 0xffff;
	/* The sum is taken over the words as stored: write it back as is. */
	memcpy(field, &v, sizeof(v));
	tcp_cksum_slot(c)->set++;
	return TCP_CKSUM_OUT;
}

static int
tcp_cksum_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	struct tcp_cksum *c = adn_elem_priv(e);
	const struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);

	RTE_SET_USED(ctx);
	if (ip == NULL)
		return adn_drop(TCP_CKSUM_DROP_NOT_IPV4);
	if (likely((m->packet_type & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP &&
		   adn_pkt_l4_whole(m)))
		return tcp_cksum_segment(c, m, ip, false, true);
	if (ip->next_proto_id == IPPROTO_TCP)
		return tcp_cksum_segment(c, m, ip, false, false);
	if (ip->next_proto_id == IPPROTO_UDP && c->udp)
		return tcp_cksum_segment(c, m, ip, true, false);
	tcp_cksum_slot(c)->skipped++;
	return TCP_CKSUM_OUT;
}

static unsigned int
tcp_cksum_xstats(const struct adn_elem *e, struct adn_xstat *out,
		 unsigned int max)
{
	const struct tcp_cksum *c = adn_elem_priv(e);
	struct tcp_cksum_slot t = { 0 };
	const char *names[] = { "set", "verified_ok", "bad", "skipped" };
	uint64_t vals[4];
	unsigned int n = RTE_MIN(max, RTE_DIM(names));

	for (unsigned int w = 0; w < ADN_MAX_WORKERS; w++) {
		t.set += c->slot[w].set;
		t.ok += c->slot[w].ok;
		t.bad += c->slot[w].bad;
		t.skipped += c->slot[w].skipped;
	}
	vals[0] = t.set;
	vals[1] = t.ok;
	vals[2] = t.bad;
	vals[3] = t.skipped;
	for (unsigned int i = 0; i < n; i++) {
		snprintf(out[i].name, sizeof(out[i].name), "%s", names[i]);
		out[i].value = vals[i];
	}
	return n;
}

static const struct adn_elem_desc tcp_cksum_desc = {
	.name = "TcpChecksum",
	.help = "compute and write (or verify) TCP/UDP checksums",
	.flags = ADN_ELEM_STATEFUL_PER_CORE,
	.priv_size = sizeof(struct tcp_cksum),
	.priv_is_state = true,
	.n_outputs = TCP_CKSUM_N_OUT,
	.drop_reasons = tcp_cksum_drops,
	.args = tcp_cksum_args,
	.configure = tcp_cksum_configure,
	ADN_ELEM_EXEC_STAGE(tcp_cksum),
	.xstats = tcp_cksum_xstats,
};

ADN_ELEM_REGISTER(tcp_cksum_desc);
