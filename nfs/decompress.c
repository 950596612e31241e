/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decompress — the inverse of Compress, after RpcParse: an ADN RPC with
 * the COMPRESSED flag, or an HTTP/1.1 message (head and whole body in the
 * packet) whose Content-Encoding is this codec's token alone, gets its
 * payload back, the flag cleared or the Content-Encoding line removed,
 * and lengths and checksums rewritten (lib/rpc/adn_rpc_compress.h). A
 * Compress -> Decompress pair gives back every byte. Other packets pass
 * unchanged, counted.
 *
 * Keys: codec, level (ignored when decompressing), dictionary — as
 *   Compress's, and the same values; min_size is read and unused.
 * Outputs: 0 — every packet not dropped.
 * Drops: corrupt — not a valid stream of this codec and dictionary
 *   (truncated, failed checksum); no-room — the payload does not fit the
 *   mbuf's one segment or an IPv4 datagram.
 * Extra counters: done, no-rpc, passed (not compressed), unsupported,
 *   no-room, corrupt, payload-bytes-in, payload-bytes-out.
 */
#include <errno.h>

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_rpc_compress.h"
#include "adn_rpc_meta.h"

enum { DECOMPRESS_OUT, DECOMPRESS_N_OUT };

enum { DECOMPRESS_DROP_CORRUPT, DECOMPRESS_DROP_NO_ROOM };

static const char *const decompress_drops[] = {
	[DECOMPRESS_DROP_CORRUPT] = "corrupt",
	[DECOMPRESS_DROP_NO_ROOM] = "no-room",
	NULL,
};

struct decompress {
	struct adn_rpc_z *z;	/* [n_workers] */
	unsigned int n_workers;
};

static int
decompress_configure(struct adn_elem *e, struct adn_build *b)
{
	struct decompress *x = adn_elem_priv(e);

	if (adn_rpc_meta_register() < 0)
		return adn_build_error(b, e, NULL,
				       "cannot register the RPC record's mbuf field");
	return adn_rpc_z_configure(e, b, &x->z, &x->n_workers);
}

static void
decompress_destroy(struct adn_elem *e)
{
	struct decompress *x = adn_elem_priv(e);

	adn_rpc_z_free(x->z, x->n_workers);
}

static int
decompress_exec(struct adn_elem *e, struct rte_mbuf *m,
		union adn_pkt_ctx *ctx)
{
	const struct decompress *x = adn_elem_priv(e);

	switch (adn_rpc_z_recode(&x->z[adn_worker_index()], false, m,
				 adn_rpc_msg(m))) {
	case ADN_RPC_Z_CORRUPT:
		return adn_drop(DECOMPRESS_DROP_CORRUPT);
	case ADN_RPC_Z_NO_ROOM:
		return adn_drop(DECOMPRESS_DROP_NO_ROOM);
	default:
		return DECOMPRESS_OUT;
	}
}

static unsigned int
decompress_xstats(const struct adn_elem *e, struct adn_xstat *out,
		  unsigned int max)
{
	const struct decompress *x = adn_elem_priv(e);

	return adn_rpc_z_xstats(x->z, x->n_workers, out, max);
}

static const struct adn_elem_desc decompress_desc = {
	.name = "Decompress",
	.help = "decompress what Compress compressed (ADN RPC, HTTP)",
	.flags = ADN_ELEM_STATEFUL_PER_CORE,
	.priv_size = sizeof(struct decompress),
	.n_outputs = DECOMPRESS_N_OUT,
	.drop_reasons = decompress_drops,
	.args = adn_rpc_z_args,
	.configure = decompress_configure,
	.destroy = decompress_destroy,
	ADN_ELEM_EXEC_STAGE(decompress),
	.xstats = decompress_xstats,
};

ADN_ELEM_REGISTER(decompress_desc);
