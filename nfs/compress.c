/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compress — compresses RPC payloads (ADN §2) in place, after RpcParse:
 * ADN RPC over UDP (payload length, COMPRESSED flag, UDP/IPv4 lengths and
 * checksums rewritten) and HTTP/1.1 messages whose head and whole body are
 * in one packet (Content-Length rewritten, `Content-Encoding: TOKEN`
 * added; a Decompress on the path must restore them before a TCP endpoint
 * sees them: docs/adn-rpc.md, "Compression"). What is not compressed —
 * small, not smaller compressed, compressed already, not supported —
 * passes unchanged and is counted. lib/rpc/adn_rpc_compress.h does the
 * work, for Decompress too.
 *
 * Keys:
 *   codec      (string, default "deflate") "deflate" (zlib) or "zstd"
 *              (builds with libzstd)
 *   level      (int, default 0 = the codec's default: deflate 6, zstd 3)
 *   dictionary (string, default none) preset dictionary file, relative
 *              to the config's directory; the Decompress must use the
 *              same file
 *   min_size   (int, default 128, 0-65535) payloads under it pass
 * Outputs: 0 — every packet.
 * Extra counters: done, no-rpc, small, not-smaller, passed (compressed
 *   already), unsupported, payload-bytes-in, payload-bytes-out.
 */
#include <errno.h>

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_rpc_compress.h"
#include "adn_rpc_meta.h"

enum { COMPRESS_OUT, COMPRESS_N_OUT };

struct compress {
	struct adn_rpc_z *z;	/* [n_workers] */
	unsigned int n_workers;
};

static int
compress_configure(struct adn_elem *e, struct adn_build *b)
{
	struct compress *x = adn_elem_priv(e);

	if (adn_rpc_meta_register() < 0)
		return adn_build_error(b, e, NULL,
				       "cannot register the RPC record's mbuf field");
	return adn_rpc_z_configure(e, b, &x->z, &x->n_workers);
}

static void
compress_destroy(struct adn_elem *e)
{
	struct compress *x = adn_elem_priv(e);

	adn_rpc_z_free(x->z, x->n_workers);
}

static int
compress_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct compress *x = adn_elem_priv(e);

	adn_rpc_z_recode(&x->z[adn_worker_index()], true, m, adn_rpc_msg(m));
	return COMPRESS_OUT;
}

static unsigned int
compress_xstats(const struct adn_elem *e, struct adn_xstat *out,
		unsigned int max)
{
	const struct compress *x = adn_elem_priv(e);

	return adn_rpc_z_xstats(x->z, x->n_workers, out, max);
}

static const struct adn_elem_desc compress_desc = {
	.name = "Compress",
	.help = "compress RPC payloads (ADN RPC, HTTP) with deflate or zstd",
	.flags = ADN_ELEM_STATEFUL_PER_CORE,
	.priv_size = sizeof(struct compress),
	.n_outputs = COMPRESS_N_OUT,
	.args = adn_rpc_z_args,
	.configure = compress_configure,
	.destroy = compress_destroy,
	ADN_ELEM_EXEC_STAGE(compress),
	.xstats = compress_xstats,
};

ADN_ELEM_REGISTER(compress_desc);
