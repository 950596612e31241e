/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RPC payload (de)compression in place (adn_rpc_compress.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "adn_elem.h"
#include "adn_file.h"
#include "adn_http.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"
#include "adn_rpc_compress.h"

static const char *const z_res_names[ADN_RPC_Z_N] = {
	[ADN_RPC_Z_DONE] = "done",
	[ADN_RPC_Z_NO_RPC] = "no-rpc",
	[ADN_RPC_Z_SMALL] = "small",
	[ADN_RPC_Z_NOT_SMALLER] = "not-smaller",
	[ADN_RPC_Z_PASS] = "passed",
	[ADN_RPC_Z_UNSUPPORTED] = "unsupported",
	[ADN_RPC_Z_NO_ROOM] = "no-room",
	[ADN_RPC_Z_CORRUPT] = "corrupt",
};

const char *
adn_rpc_z_res_str(enum adn_rpc_z_res r)
{
	return r < ADN_RPC_Z_N ? z_res_names[r] : "?";
}

/* The frame is `frame_len` bytes now (the message's end; what followed
 * it in the mbuf was Ethernet padding): trim or grow the one segment.
 * The caller checked the room. */
static void
frame_resize(struct rte_mbuf *m, uint32_t frame_len)
{
	if (frame_len < m->data_len)
		rte_pktmbuf_trim(m, (uint16_t)(m->data_len - frame_len));
	else if (frame_len > m->data_len)
		rte_pktmbuf_append(m, (uint16_t)(frame_len - m->data_len));
}

/* Bytes the segment can hold from offset `off` of its data on. */
static uint32_t
room_from(const struct rte_mbuf *m, uint32_t off)
{
	return (uint32_t)m->buf_len - m->data_off - off;
}

static void
ipv4_fix(struct rte_ipv4_hdr *ip, uint32_t l3_payload)
{
	ip->total_length = rte_cpu_to_be_16((uint16_t)(rte_ipv4_hdr_len(ip) +
						       l3_payload));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* Run the codec over `len` bytes at `src` into z->buf + off: the
 * result's length, or the outcome that stops it. */
static ssize_t
z_run(struct adn_rpc_z *z, bool compress, const uint8_t *src, uint32_t len,
      uint32_t off, uint32_t cap, enum adn_rpc_z_res *why)
{
	ssize_t n;

	cap = RTE_MIN(cap, (uint32_t)sizeof(z->buf) - off);
	n = compress ? adn_codec_compress(z->codec, src, len, z->buf + off,
					  cap) :
		adn_codec_decompress(z->codec, src, len, z->buf + off, cap);
	if (n >= 0)
		return n;
	if (n == -E2BIG)
		*why = ADN_RPC_Z_UNSUPPORTED;
	else if (n == -ENOSPC)
		*why = compress ? ADN_RPC_Z_NOT_SMALLER : ADN_RPC_Z_NO_ROOM;
	else
		*why = compress ? ADN_RPC_Z_UNSUPPORTED : ADN_RPC_Z_CORRUPT;
	return -1;
}

static enum adn_rpc_z_res
recode_adn(struct adn_rpc_z *z, bool compress, struct rte_mbuf *m,
	   struct adn_rpc_msg *msg)
{
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	const uint32_t hdr_len = msg->hdr.hdr_len, len = msg->hdr.payload_len;
	const uint32_t pl_off = msg->rpc_off + hdr_len;
	const bool is_c = msg->hdr.flags & ADN_RPC_F_COMPRESSED;
	enum adn_rpc_z_res why = ADN_RPC_Z_DONE;
	struct rte_udp_hdr *udp;
	uint8_t *rpc;
	uint8_t flags;
	ssize_t n;

	if (compress == is_c)
		return ADN_RPC_Z_PASS;
	if (len == 0)
		return ADN_RPC_Z_NO_RPC;
	if (compress && len < z->min_size)
		return ADN_RPC_Z_SMALL;
	if (ip == NULL || ip->next_proto_id != IPPROTO_UDP ||
	    !rte_pktmbuf_is_contiguous(m) ||
	    msg->rpc_off < m->l2_len + m->l3_len + sizeof(*udp) ||
	    pl_off + len > m->data_len)
		return ADN_RPC_Z_UNSUPPORTED;
	rpc = rte_pktmbuf_mtod_offset(m, uint8_t *, msg->rpc_off);
	udp = (struct rte_udp_hdr *)(rpc - sizeof(*udp));
	/* compress: only what is smaller; decompress: what the segment
	 * (and an IPv4 datagram) can hold */
	n = z_run(z, compress, rpc + hdr_len, len, 0, compress ? len - 1 :
		  RTE_MIN(room_from(m, pl_off),
			  UINT16_MAX - (msg->rpc_off - m->l2_len) - hdr_len),
		  &why);
	if (n < 0)
		return why;
	frame_resize(m, pl_off + (uint32_t)n);
	memcpy(rpc + hdr_len, z->buf, (size_t)n);
	flags = msg->hdr.flags ^ ADN_RPC_F_COMPRESSED;
	adn_rpc_set_payload(rpc, (uint32_t)n, flags);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + hdr_len +
						     (uint32_t)n));
	ipv4_fix(ip, sizeof(*udp) + hdr_len + (uint32_t)n);
	/* A zero UDP checksum means "none" (RFC 768): keep it so. */
	if (udp->dgram_cksum != 0) {
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	}
	msg->hdr.flags = msg->flags = flags;
	msg->hdr.payload_len = msg->payload_len = (uint32_t)n;
	msg->payload = rpc + hdr_len;
	z->bytes_in += len;
	z->bytes_out += (uint64_t)n;
	return ADN_RPC_Z_DONE;
}

static int
find_header(const uint8_t *head, uint32_t len, const char *name,
	    struct adn_http_span *v)
{
	return adn_http_header_find(head, len, name, strlen(name), v);
}

/* The decimal value of span v of head, or -1 when not all digits. */
static int64_t
span_number(const uint8_t *head, const struct adn_http_span *v)
{
	int64_t x = 0;

	if (v->len == 0 || v->len > 9)
		return -1;
	for (unsigned int i = 0; i < v->len; i++) {
		const uint8_t c = head[v->off + i];

		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (c - '0');
	}
	return x;
}

/* Append `len` bytes to the head being built at *p. */
static uint8_t *
put(uint8_t *p, const void *src, size_t len)
{
	memcpy(p, src, len);
	return p + len;
}

static enum adn_rpc_z_res
recode_http(struct adn_rpc_z *z, bool compress, struct rte_mbuf *m,
	    struct adn_rpc_msg *msg)
{
	static const char ce_name[] = "Content-Encoding: ";
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	const char *token = adn_codec_name(z->kind);
	const size_t tok_len = strlen(token);
	enum adn_rpc_z_res why = ADN_RPC_Z_DONE;
	struct adn_http_span cl, ce;
	const uint8_t *head;
	uint8_t *pay, *h, *body_out;
	uint32_t pay_off, pay_len, head_len, body_len, room;
	struct rte_tcp_hdr *tcp;
	char digits[16];
	int64_t clen;
	ssize_t n;
	int nd;

	if (ip == NULL || ip->next_proto_id != IPPROTO_TCP ||
	    msg->head == NULL || !rte_pktmbuf_is_contiguous(m) ||
	    (tcp = adn_pkt_l4(m, ip, sizeof(*tcp))) == NULL)
		return ADN_RPC_Z_UNSUPPORTED;
	pay_off = m->l2_len + m->l3_len + (uint32_t)((tcp->data_off >> 4) * 4);
	pay_len = rte_be_to_cpu_16(ip->total_length) - m->l3_len -
		(uint32_t)((tcp->data_off >> 4) * 4);
	head = (const uint8_t *)msg->head;
	head_len = msg->head_len;
	/* The head must start this segment (not a continuation) and the
	 * whole body must follow it here. */
	if (pay_off + pay_len > m->data_len || pay_len < head_len ||
	    head_len < 4 || memcmp(head + head_len - 4, "\r\n\r\n", 4) != 0)
		return ADN_RPC_Z_UNSUPPORTED;
	pay = rte_pktmbuf_mtod_offset(m, uint8_t *, pay_off);
	if (memcmp(pay, head, head_len) != 0)
		return ADN_RPC_Z_UNSUPPORTED;
	body_len = pay_len - head_len;
	if (!find_header(head, head_len, "content-length", &cl) ||
	    (clen = span_number(head, &cl)) < 0 || (uint32_t)clen != body_len ||
	    find_header(head, head_len, "transfer-encoding", &ce))
		return ADN_RPC_Z_UNSUPPORTED;
	if (body_len == 0)
		return ADN_RPC_Z_NO_RPC;
	if (compress) {
		if (find_header(head, head_len, "content-encoding", &ce))
			return ADN_RPC_Z_PASS;
		if (body_len < z->min_size)
			return ADN_RPC_Z_SMALL;
		/* the new head is longer by the Content-Encoding line at
		 * most (the digits can only get fewer): all must shrink */
		if (body_len <= sizeof(ce_name) + tok_len + 2)
			return ADN_RPC_Z_NOT_SMALLER;
		n = z_run(z, true, pay + head_len, body_len, head_len + 64,
			  body_len - (uint32_t)(sizeof(ce_name) - 1 + tok_len +
						2) - 1, &why);
	} else {
		/* Only the coding this element's codec made, alone. */
		if (!find_header(head, head_len, "content-encoding", &ce) ||
		    ce.len != tok_len ||
		    strncasecmp((const char *)head + ce.off, token, tok_len))
			return ADN_RPC_Z_PASS;
		room = RTE_MIN(room_from(m, pay_off),
			       UINT16_MAX - m->l3_len - (uint32_t)((tcp->data_off >> 4) * 4));
		if (room <= head_len)
			return ADN_RPC_Z_NO_ROOM;
		n = z_run(z, false, pay + head_len, body_len, head_len + 64,
			  room - head_len, &why);
	}
	if (n < 0)
		return why;
	/* The new head goes right before the new body in z->buf: build it
	 * from the old one's pieces, then move it into place. */
	nd = snprintf(digits, sizeof(digits), "%zd", n);
	h = z->buf;
	if (compress) {
		h = put(h, head, cl.off);
		h = put(h, digits, (size_t)nd);
		h = put(h, head + cl.off + cl.len, head_len - 2 - cl.off -
			cl.len);
		h = put(h, ce_name, sizeof(ce_name) - 1);
		h = put(h, token, tok_len);
		h = put(h, "\r\n\r\n", 4);
	} else {
		/* Drop the Content-Encoding line: from its line start to
		 * after its CRLF (a parsed head ends lines with "\n"). */
		uint32_t ls = ce.off, le = ce.off + ce.len;

		while (ls > 0 && head[ls - 1] != '\n')
			ls--;
		while (le < head_len && head[le] != '\n')
			le++;
		le++;
		if (cl.off < ls) {
			h = put(h, head, cl.off);
			h = put(h, digits, (size_t)nd);
			h = put(h, head + cl.off + cl.len, ls - cl.off -
				cl.len);
			h = put(h, head + le, head_len - le);
		} else {
			h = put(h, head, ls);
			h = put(h, head + le, cl.off - le);
			h = put(h, digits, (size_t)nd);
			h = put(h, head + cl.off + cl.len, head_len - cl.off -
				cl.len);
		}
	}
	body_out = z->buf + head_len + 64;
	if (h > body_out)
		return ADN_RPC_Z_UNSUPPORTED;	/* a head grown by > 64 B */
	memmove(body_out - (h - z->buf), z->buf, (size_t)(h - z->buf));
	head_len = (uint32_t)(h - z->buf);
	pay_len = head_len + (uint32_t)n;
	frame_resize(m, pay_off + pay_len);
	memcpy(pay, body_out - head_len, pay_len);
	ipv4_fix(ip, (uint32_t)((tcp->data_off >> 4) * 4) + pay_len);
	tcp->cksum = 0;
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	msg->head = (const char *)pay;
	msg->head_len = head_len;
	msg->payload = pay + head_len;
	msg->payload_len = (uint32_t)n;
	z->bytes_in += body_len;
	z->bytes_out += (uint64_t)n;
	return ADN_RPC_Z_DONE;
}

enum adn_rpc_z_res
adn_rpc_z_recode(struct adn_rpc_z *z, bool compress, struct rte_mbuf *m,
		 struct adn_rpc_msg *msg)
{
	enum adn_rpc_z_res r;

	if (msg == NULL || msg->carrier == ADN_RPC_CARRIER_NONE)
		r = ADN_RPC_Z_NO_RPC;
	else if (msg->carrier == ADN_RPC_CARRIER_ADN)
		r = recode_adn(z, compress, m, msg);
	else
		r = recode_http(z, compress, m, msg);
	z->count[r]++;
	return r;
}

/* --- configuration ------------------------------------------------------ */

static const char *const z_codecs[] = { "deflate", "zstd", NULL };

const struct adn_arg_spec adn_rpc_z_args[] = {
	{ .name = "codec", .type = ADN_ARG_STRING, .choices = z_codecs,
	  .def_str = "deflate",
	  .help = "deflate (zlib), or zstd when built with libzstd" },
	{ .name = "level", .type = ADN_ARG_INT, .min = 0, .max = 19,
	  .def_int = 0, .help = "0: the codec's default" },
	{ .name = "dictionary", .type = ADN_ARG_STRING, .def_str = "",
	  .help = "preset dictionary file (both ends the same)" },
	{ .name = "min_size", .type = ADN_ARG_INT, .min = 0, .max = 65535,
	  .def_int = 128, .help = "smaller payloads pass (Compress)" },
	{ .name = NULL },
};

static int
read_dict(struct adn_elem *e, struct adn_build *b, const char *path,
	  size_t max, uint8_t **out, size_t *len)
{
	char why[128];
	FILE *f = adn_file_open(path, "rb", why, sizeof(why));
	long sz;

	if (f == NULL)
		return adn_build_error(b, e, "dictionary", "cannot open %s: %s",
				       path, why);
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return adn_build_error(b, e, "dictionary", "cannot read %s",
				       path);
	}
	if (sz == 0 || (size_t)sz > max) {
		fclose(f);
		return adn_build_error(b, e, "dictionary",
				       "%s has %ld bytes: want 1-%zu for this codec",
				       path, sz, max);
	}
	*out = malloc((size_t)sz);
	if (*out == NULL || fread(*out, 1, (size_t)sz, f) != (size_t)sz) {
		fclose(f);
		free(*out);
		return adn_build_error(b, e, "dictionary", "cannot read %s",
				       path);
	}
	fclose(f);
	*len = (size_t)sz;
	return 0;
}

int
adn_rpc_z_configure(struct adn_elem *e, struct adn_build *b,
		    struct adn_rpc_z **out, unsigned int *n_workers)
{
	struct adn_codec_conf conf = { .level =
		(int)adn_elem_arg_int(e, "level") };
	const char *name = adn_elem_arg_str(e, "codec");
	char path[4096];
	uint8_t *dict = NULL;
	struct adn_rpc_z *z;
	unsigned int n = adn_build_n_workers(b);
	int lo, hi, rc;

	rc = adn_codec_parse(name, &conf.kind);
	if (rc == -ENOTSUP)
		return adn_build_error(b, e, "codec",
				       "'%s': this build has no libzstd (install libzstd-dev and reconfigure, or use \"deflate\")",
				       name);
	adn_codec_levels(conf.kind, &lo, &hi);
	if (conf.level != 0 && (conf.level < lo || conf.level > hi))
		return adn_build_error(b, e, "level",
				       "%d: %s takes %d-%d (0: its default)",
				       conf.level, name, lo, hi);
	adn_elem_arg_path(e, "dictionary", path, sizeof(path));
	if (path[0] != '\0') {
		rc = read_dict(e, b, path, conf.kind == ADN_CODEC_DEFLATE ?
			       ADN_CODEC_DICT_MAX_DEFLATE : ADN_CODEC_DICT_MAX,
			       &dict, &conf.dict_len);
		if (rc < 0)
			return rc;
		conf.dict = dict;
	}
	z = rte_zmalloc("adn_rpc_z", sizeof(*z) * n, RTE_CACHE_LINE_SIZE);
	if (z == NULL) {
		free(dict);
		return adn_build_error(b, e, NULL,
				       "out of memory for %u codec contexts", n);
	}
	for (unsigned int w = 0; w < n; w++) {
		z[w].kind = conf.kind;
		z[w].min_size = (uint32_t)adn_elem_arg_int(e, "min_size");
		rc = adn_codec_create(&conf, &z[w].codec);
		if (rc < 0) {
			free(dict);
			adn_rpc_z_free(z, n);
			return adn_build_error(b, e, "codec",
					       "cannot create a %s context: %s",
					       name, strerror(-rc));
		}
	}
	free(dict);
	*out = z;
	*n_workers = n;
	return 0;
}

void
adn_rpc_z_free(struct adn_rpc_z *z, unsigned int n_workers)
{
	if (z == NULL)
		return;
	for (unsigned int w = 0; w < n_workers; w++)
		adn_codec_free(z[w].codec);
	rte_free(z);
}

unsigned int
adn_rpc_z_xstats(const struct adn_rpc_z *z, unsigned int n_workers,
		 struct adn_xstat *out, unsigned int max)
{
	uint64_t c[ADN_RPC_Z_N] = { 0 }, in = 0, outb = 0;
	unsigned int n = 0;

	for (unsigned int w = 0; z != NULL && w < n_workers; w++) {
		for (unsigned int r = 0; r < ADN_RPC_Z_N; r++)
			c[r] += z[w].count[r];
		in += z[w].bytes_in;
		outb += z[w].bytes_out;
	}
	for (unsigned int r = 0; r < ADN_RPC_Z_N && n < max; r++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s",
			 z_res_names[r]);
		out[n++].value = c[r];
	}
	if (n < max) {
		snprintf(out[n].name, sizeof(out[n].name), "payload-bytes-in");
		out[n++].value = in;
	}
	if (n < max) {
		snprintf(out[n].name, sizeof(out[n].name),
			 "payload-bytes-out");
		out[n++].value = outb;
	}
	return n;
}
