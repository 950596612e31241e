/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Payload codecs for RPC bodies (ADN §2: compress RPC payloads), used by
 * Compress and Decompress (nfs/compress.c, nfs/decompress.c) through
 * adn_rpc_compress.h, and by tools/adn-codecbench.
 *
 *   deflate  zlib (RFC 1950: the deflate stream with its 2-byte header
 *            and Adler-32 trailer — what HTTP's `Content-Encoding:
 *            deflate` means, and an integrity check for the ADN RPC
 *            carrier too); always built.
 *   zstd     Zstandard frames (RFC 8878, `Content-Encoding: zstd`), when
 *            libzstd was found at build time (ADN_HAVE_ZSTD):
 *            adn_codec_parse says so otherwise. It earns its place on
 *            small payloads with a dictionary: see docs/benchmarking.md.
 *
 * A preset dictionary (bytes like the payloads: field names, common
 * values) is what makes 200-byte messages compress at all; both ends of a
 * link must use the same one (it is not on the wire; zlib's header names
 * its Adler-32, so a wrong one fails the check).
 *
 * A struct adn_codec is one worker's: not thread-safe, all its memory
 * allocated (and warmed up) by adn_codec_create, so compressing and
 * decompressing never allocate. DPDK-free.
 */
#ifndef _ADN_CODEC_H_
#define _ADN_CODEC_H_

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum adn_codec_kind {
	ADN_CODEC_DEFLATE,
	ADN_CODEC_ZSTD,
	ADN_CODEC_N,
};

/* Largest dictionary per codec (deflate: its 32 KiB window). */
#define ADN_CODEC_DICT_MAX_DEFLATE 32768u
#define ADN_CODEC_DICT_MAX 1048576u
/* Largest input either direction handles (a jumbo frame's payload). */
#define ADN_CODEC_MAX_LEN 65535u

struct adn_codec_conf {
	enum adn_codec_kind kind;
	int level;		/* 0: the codec's default (deflate 6, zstd 3) */
	const void *dict;	/* NULL: none; copied */
	size_t dict_len;
};

struct adn_codec;

/* "deflate" or "zstd" into *kind: 0, -EINVAL (unknown name) or -ENOTSUP
 * (zstd in a build without libzstd). */
int adn_codec_parse(const char *name, enum adn_codec_kind *kind);

/* The codecs this build has, in kind order, into out; returns how many. */
unsigned int adn_codec_built(enum adn_codec_kind out[ADN_CODEC_N]);

/* The name, which is also the HTTP Content-Encoding token. */
const char *adn_codec_name(enum adn_codec_kind kind);

/* The levels a codec accepts (for messages). */
void adn_codec_levels(enum adn_codec_kind kind, int *lo, int *hi);

/* A codec per `c`: 0 and *out, -EINVAL (a level out of range, a
 * dictionary too large), -ENOTSUP (not built) or -ENOMEM. Control
 * thread. */
int adn_codec_create(const struct adn_codec_conf *c, struct adn_codec **out);
void adn_codec_free(struct adn_codec *c);

/*
 * Compress `len` bytes at `src` into `dst` (`cap` bytes). Returns the
 * compressed length, -ENOSPC when the result would not fit in cap (pass
 * cap = len - 1 to keep only results that are smaller), -E2BIG when len >
 * ADN_CODEC_MAX_LEN, -EIO on a codec error. Never allocates.
 */
ssize_t adn_codec_compress(struct adn_codec *c, const void *src, size_t len,
			   void *dst, size_t cap);

/*
 * Decompress `len` bytes at `src` into `dst` (`cap` bytes). Returns the
 * decompressed length, -ENOSPC when it would not fit in cap, -EBADMSG
 * for input that is not one whole valid stream (truncated, trailing
 * bytes, a failed checksum, another dictionary), -E2BIG when len >
 * ADN_CODEC_MAX_LEN. Never allocates.
 */
ssize_t adn_codec_decompress(struct adn_codec *c, const void *src, size_t len,
			     void *dst, size_t cap);

#endif /* _ADN_CODEC_H_ */
