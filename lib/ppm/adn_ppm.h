/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PPM chains (FlatProxy §IV-D): a PPM is <parser, (match, action)*>, PPMs are
 * chained and each only talks to its neighbours through one metadata record.
 * This is the reference model of the L7 HTTP routing chain
 *
 *     http parser -> filter -> router -> deparser
 *
 * and the software backend of the PpmChain element. fpga/rtl implements the
 * same chain; the packed metadata record (adn_ppm_meta_pack), the hashes
 * (adn_ppm_hash.h), the table layouts and the register writes that load them
 * (adn_ppm_chain_regs) are the contract both sides honour bit for bit.
 *
 * Pure C, no DPDK: usable from an element, a tool or a test.
 *
 * Threading: a chain is single-writer. Rule changes (adn_ppm_*_add) and
 * adn_ppm_chain_process must not run concurrently on one chain; give each
 * worker lcore its own chain, or serialise.
 */
#ifndef _ADN_PPM_H_
#define _ADN_PPM_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Table geometry. Fixed because the RTL sizes its block RAMs from the same
 * numbers (fpga/rtl/ppm_defs.vh); all hash tables are open addressing with
 * ADN_PPM_PROBES linear probes, no early stop on an empty slot.
 */
#define ADN_PPM_MAX_HDR        1024 /* request line + headers + final CRLF */
#define ADN_PPM_MAX_BODY       1024 /* Content-Length limit */
#define ADN_PPM_MAX_MSG        (ADN_PPM_MAX_HDR + ADN_PPM_MAX_BODY)
#define ADN_PPM_MAX_SEGS       4    /* '/'-terminated path prefixes hashed */
#define ADN_PPM_FILTER_RULES   16
#define ADN_PPM_LISTENERS      64
#define ADN_PPM_ROUTES         256
#define ADN_PPM_CLUSTERS       16
#define ADN_PPM_RING           64   /* load-balancing slots per cluster */
#define ADN_PPM_ENDPOINTS      64
#define ADN_PPM_CONNS          1024
#define ADN_PPM_PROBES         4
#define ADN_PPM_TMPL_MAX       64   /* routing header bytes per endpoint */
#define ADN_PPM_META_WORDS     16
#define ADN_PPM_NONE           0xff /* "stage did not decide" in 8-bit ids */
#define ADN_PPM_NO_QUEUE       0xffff

enum adn_ppm_method {
	ADN_PPM_M_NONE = 0,
	ADN_PPM_M_GET,
	ADN_PPM_M_HEAD,
	ADN_PPM_M_POST,
	ADN_PPM_M_PUT,
	ADN_PPM_M_DELETE,
	ADN_PPM_M_CONNECT,
	ADN_PPM_M_OPTIONS,
	ADN_PPM_M_TRACE,
	ADN_PPM_M_PATCH,
	ADN_PPM_M_MAX,
};

enum adn_ppm_decision {
	ADN_PPM_CONTINUE = 0, /* still travelling the chain */
	ADN_PPM_FORWARD,      /* routed: output bytes go to meta.queue */
	ADN_PPM_DROP,         /* denied by policy: no output */
	ADN_PPM_PUNT,         /* to the control plane (slow path), bytes unchanged */
	ADN_PPM_ERROR,        /* malformed: no output, close the connection */
};

enum adn_ppm_reason {
	ADN_PPM_R_NONE = 0,
	/* parser */
	ADN_PPM_R_BAD_METHOD,
	ADN_PPM_R_BAD_TARGET,
	ADN_PPM_R_BAD_VERSION,
	ADN_PPM_R_BAD_LINE,     /* CR not followed by LF, bare LF */
	ADN_PPM_R_BAD_HEADER,   /* empty name, obs-fold, control character */
	ADN_PPM_R_HDR_TOO_LONG, /* header section reached ADN_PPM_MAX_HDR */
	ADN_PPM_R_NO_HOST,      /* HTTP/1.1 without Host */
	ADN_PPM_R_DUP_HOST,
	ADN_PPM_R_BAD_CL,       /* not digits, empty, or repeated */
	ADN_PPM_R_BODY_TOO_LONG,
	ADN_PPM_R_TRUNCATED,    /* segment ended inside the request */
	/* filter */
	ADN_PPM_R_FILTER_DENY,
	ADN_PPM_R_FILTER_PUNT,
	/* router */
	ADN_PPM_R_NO_LISTENER,
	ADN_PPM_R_NO_ROUTE,
	ADN_PPM_R_NO_ENDPOINT,
	ADN_PPM_R_CONN_FULL,
	ADN_PPM_R_MAX,
};

enum adn_ppm_filter_action {
	ADN_PPM_ALLOW = 0,
	ADN_PPM_DENY,
	ADN_PPM_TO_CONTROL,
};

enum adn_ppm_path_mode {
	ADN_PPM_PATH_ANY = 0,
	ADN_PPM_PATH_EXACT,
	ADN_PPM_PATH_PREFIX, /* prefix ends with '/': matches at a segment */
};

/* meta.flags */
#define ADN_PPM_F_HTTP11     0x01
#define ADN_PPM_F_HAS_HOST   0x02
#define ADN_PPM_F_HAS_BODY   0x04
#define ADN_PPM_F_QUERY      0x08
#define ADN_PPM_F_PREFIX_HIT 0x10 /* route matched by prefix, not exact */
#define ADN_PPM_F_NEW_CONN   0x20 /* router allocated a connection */

/* IPv4 4-tuple from the TOE, host byte order. */
struct adn_ppm_tuple {
	uint32_t sip;
	uint32_t dip;
	uint16_t sport;
	uint16_t dport;
};

/*
 * The metadata one PPM hands to the next. Offsets are from the first byte of
 * the request. On a parse error only decision, reason, msg_len and the tuple
 * are set; fields of stages that did not run hold ADN_PPM_NONE/NO_QUEUE.
 */
struct adn_ppm_meta {
	uint8_t decision;   /* enum adn_ppm_decision */
	uint8_t reason;     /* enum adn_ppm_reason */
	uint8_t method;     /* enum adn_ppm_method */
	uint8_t flags;      /* ADN_PPM_F_* */
	uint32_t path_hash; /* FNV-1a of the path (target up to '?') */
	uint32_t host_hash; /* FNV-1a of the lower-cased Host value, OWS trimmed */
	uint32_t seg_hash[ADN_PPM_MAX_SEGS]; /* hash of path up to the k-th '/' */
	uint8_t n_segs;
	uint8_t filter_rule; /* matching rule index or NONE */
	uint16_t path_len;
	uint16_t target_off;
	uint16_t hdr_off;   /* first header line */
	uint16_t host_off;  /* Host value */
	uint16_t eoh;       /* header section length, final CRLF included */
	uint16_t body_len;
	uint16_t msg_len;   /* bytes of the segment this request consumed */
	uint8_t listener;
	uint8_t route;
	uint8_t cluster;
	uint8_t endpoint;
	uint16_t queue;     /* connection slot = target queue */
	uint16_t out_len;
	struct adn_ppm_tuple tuple;
};

struct adn_ppm_req_in {
	const uint8_t *data; /* one TOE segment: one or more requests */
	size_t len;
	struct adn_ppm_tuple tuple;
};

struct adn_ppm_out {
	struct adn_ppm_meta meta;
	/* Output bytes (FORWARD: rewritten request, PUNT: the request as
	 * received, else none). Points into the chain; valid until the next
	 * call on the same chain. */
	const uint8_t *data;
	size_t len;
	size_t consumed; /* advance the input by this much */
};

/* Per-PPM counters. in = requests seen; pass = handed to the next PPM. */
enum adn_ppm_stage {
	ADN_PPM_ST_PARSER = 0,
	ADN_PPM_ST_FILTER,
	ADN_PPM_ST_ROUTER,
	ADN_PPM_ST_DEPARSER,
	ADN_PPM_ST_MAX,
};

struct adn_ppm_counters {
	uint64_t in;
	uint64_t pass;
	uint64_t drop;   /* DROP decisions taken here */
	uint64_t punt;
	uint64_t error;
	uint64_t bytes;  /* parser: bytes consumed; deparser: bytes emitted */
	uint64_t reason[ADN_PPM_R_MAX];
};

struct adn_ppm_chain;

/* Create an empty HTTP routing chain (all tables empty, filter default
 * ALLOW). Returns 0, -EINVAL or -ENOMEM. */
int adn_ppm_chain_create(struct adn_ppm_chain **chain);
void adn_ppm_chain_free(struct adn_ppm_chain *chain);

/*
 * Run one request through the chain: the parser takes the request starting at
 * in->data (a segment may hold several pipelined requests: advance by
 * out->consumed and call again while bytes remain). Every request ends in a
 * decision; a malformed one is an ERROR with a reason and consumes the rest of
 * the segment (no resynchronisation inside a broken stream). A request cut by
 * the end of the segment is ERROR/TRUNCATED: a caller that reassembles may
 * wait for more bytes and retry.
 * Returns 0, -EINVAL on NULL arguments, -ENODATA on an empty segment.
 */
int adn_ppm_chain_process(struct adn_ppm_chain *chain,
			  const struct adn_ppm_req_in *in,
			  struct adn_ppm_out *out);

/*
 * Run a whole segment: adn_ppm_chain_process on each request in turn, calling
 * fn with each result (out is valid only during the call). This is the unit
 * both backends share: the RTL takes a segment on its stream and returns one
 * record per request, so a caller written against this works with either.
 * Returns 0, the negative value fn returned (processing stops there), or the
 * errors of adn_ppm_chain_process.
 */
typedef int (*adn_ppm_req_fn)(void *arg, const struct adn_ppm_out *out);
int adn_ppm_chain_segment(struct adn_ppm_chain *chain,
			  const struct adn_ppm_req_in *in, adn_ppm_req_fn fn,
			  void *arg);

const struct adn_ppm_counters *
adn_ppm_chain_counters(const struct adn_ppm_chain *chain,
		       enum adn_ppm_stage stage);

/*
 * Account one finished request in per-stage counters (cnt[ADN_PPM_ST_MAX]),
 * from its final record alone: the reason names the stage that stopped it,
 * every earlier stage passed it, the deparser sees all. The model counts
 * through this, and so does anything that only sees records (the RTL has no
 * counters), so both count alike. Decisions or reasons out of range count as
 * errors without a reason.
 */
void adn_ppm_counters_add(struct adn_ppm_counters cnt[ADN_PPM_ST_MAX],
			  const struct adn_ppm_meta *m);

/* Rule tables (control plane). All return 0 or a negative errno:
 * -EINVAL bad argument, -ENOSPC table (or probe window) full, -EEXIST the
 * same key (or a hash colliding with a different key) is already there. */
int adn_ppm_listener_add(struct adn_ppm_chain *chain, uint32_t ip,
			 uint16_t port, uint8_t *id);
/* path must start with '/'; PREFIX paths must end with '/' and have at
 * most ADN_PPM_MAX_SEGS '/' characters. route_id is the caller's label. */
int adn_ppm_route_add(struct adn_ppm_chain *chain, uint8_t listener,
		      enum adn_ppm_path_mode mode, const char *path,
		      uint8_t route_id, uint8_t cluster);
/* Adds an endpoint to a cluster (weight 1..255) and rebuilds the cluster's
 * load-balancing ring. hdr is the routing header the deparser inserts, with
 * its CRLF; NULL gives "X-Adn-Upstream: a.b.c.d:port\r\n". */
int adn_ppm_endpoint_add(struct adn_ppm_chain *chain, uint8_t cluster,
			 uint32_t ip, uint16_t port, uint8_t weight,
			 const char *hdr, uint8_t *id);
/* method_mask: bit (1 << enum adn_ppm_method); 0 means any method. host
 * NULL means any host; path_mode ANY ignores path. First match wins. */
int adn_ppm_filter_add(struct adn_ppm_chain *chain, uint16_t method_mask,
		       const char *host, enum adn_ppm_path_mode path_mode,
		       const char *path, enum adn_ppm_filter_action action);
int adn_ppm_filter_set_default(struct adn_ppm_chain *chain,
			       enum adn_ppm_filter_action action);
/* Forget a connection (closed by the TOE). -ENOENT when unknown. */
int adn_ppm_conn_remove(struct adn_ppm_chain *chain,
			const struct adn_ppm_tuple *t);

/* Emit the register writes that load the chain's rule tables into the RTL
 * (address map in fpga/README.md), in a fixed order. Returns the number of
 * writes, or the negative errno returned by fn. */
typedef int (*adn_ppm_reg_fn)(void *arg, uint32_t addr, uint32_t data);
int adn_ppm_chain_regs(const struct adn_ppm_chain *chain, adn_ppm_reg_fn fn,
		       void *arg);

/* Pack metadata into the 16 x 32-bit record the RTL puts on its metadata
 * bus (word 0 is the most significant word of the 512-bit bus). */
void adn_ppm_meta_pack(const struct adn_ppm_meta *m,
		       uint32_t w[ADN_PPM_META_WORDS]);
/* The inverse: a record as read off the RTL's metadata bus. */
void adn_ppm_meta_unpack(const uint32_t w[ADN_PPM_META_WORDS],
			 struct adn_ppm_meta *m);

const char *adn_ppm_reason_str(enum adn_ppm_reason r);
const char *adn_ppm_decision_str(enum adn_ppm_decision d);
const char *adn_ppm_method_str(enum adn_ppm_method m);
/* Method by name ("GET"); ADN_PPM_M_NONE when unknown. */
enum adn_ppm_method adn_ppm_method_parse(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* _ADN_PPM_H_ */
