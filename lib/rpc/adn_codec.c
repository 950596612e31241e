/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Payload codecs (adn_codec.h). zlib allocates through an arena carved at
 * create time (its window for inflate comes lazily, on the first message,
 * from the same arena), so no packet ever reaches malloc; zstd contexts
 * are warmed up at create with the largest input, after which zstd reuses
 * their workspaces.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#ifdef ADN_HAVE_ZSTD
#include <zstd.h>
#include <zstd_errors.h>
#endif

#include "adn_codec.h"

/* deflate's state (windowBits 15, memLevel 8: ~268 KiB) plus inflate's
 * (~7 KiB and its 32 KiB window), with room to spare. */
#define CODEC_ARENA (512u * 1024u)

struct adn_codec {
	enum adn_codec_kind kind;
	int level;
	uint8_t *dict;
	size_t dict_len;
	/* deflate */
	z_stream def, inf;
	uint8_t *arena;
	size_t arena_used;
#ifdef ADN_HAVE_ZSTD
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	ZSTD_CDict *cdict;
	ZSTD_DDict *ddict;
#endif
};

static const char *const codec_names[ADN_CODEC_N] = {
	[ADN_CODEC_DEFLATE] = "deflate",
	[ADN_CODEC_ZSTD] = "zstd",
};

int
adn_codec_parse(const char *name, enum adn_codec_kind *kind)
{
	for (unsigned int k = 0; k < ADN_CODEC_N; k++)
		if (strcmp(name, codec_names[k]) == 0) {
			*kind = (enum adn_codec_kind)k;
#ifndef ADN_HAVE_ZSTD
			if (k == ADN_CODEC_ZSTD)
				return -ENOTSUP;
#endif
			return 0;
		}
	return -EINVAL;
}

unsigned int
adn_codec_built(enum adn_codec_kind out[ADN_CODEC_N])
{
	unsigned int n = 0;

	for (unsigned int k = 0; k < ADN_CODEC_N; k++)
		if (adn_codec_parse(codec_names[k], &out[n]) == 0)
			n++;
	return n;
}

const char *
adn_codec_name(enum adn_codec_kind kind)
{
	return kind < ADN_CODEC_N ? codec_names[kind] : "?";
}

void
adn_codec_levels(enum adn_codec_kind kind, int *lo, int *hi)
{
	*lo = 1;
	*hi = kind == ADN_CODEC_ZSTD ? 19 : 9;
}

/* zlib's allocator: bump allocation from the codec's arena; freed with
 * the codec. */
static voidpf
arena_alloc(voidpf opaque, uInt items, uInt size)
{
	struct adn_codec *c = opaque;
	size_t n = ((size_t)items * size + 15) & ~(size_t)15;

	if (n > CODEC_ARENA - c->arena_used)
		return Z_NULL;
	c->arena_used += n;
	return c->arena + c->arena_used - n;
}

static void
arena_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	(void)p;
}

static int
deflate_create(struct adn_codec *c)
{
	c->arena = malloc(CODEC_ARENA);
	if (c->arena == NULL)
		return -ENOMEM;
	c->def.zalloc = c->inf.zalloc = arena_alloc;
	c->def.zfree = c->inf.zfree = arena_free;
	c->def.opaque = c->inf.opaque = c;
	if (deflateInit2(&c->def, c->level, Z_DEFLATED, 15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	if (inflateInit2(&c->inf, 15) != Z_OK) {
		deflateEnd(&c->def);
		return -ENOMEM;
	}
	return 0;
}

#ifdef ADN_HAVE_ZSTD
static int
zstd_create(struct adn_codec *c)
{
	static uint8_t warm[ADN_CODEC_MAX_LEN];
	uint8_t *tmp;
	size_t n, bound = ZSTD_compressBound(sizeof(warm));
	int rc = 0;

	c->cctx = ZSTD_createCCtx();
	c->dctx = ZSTD_createDCtx();
	if (c->cctx == NULL || c->dctx == NULL)
		return -ENOMEM;
	if (c->dict_len) {
		c->cdict = ZSTD_createCDict(c->dict, c->dict_len, c->level);
		c->ddict = ZSTD_createDDict(c->dict, c->dict_len);
		if (c->cdict == NULL || c->ddict == NULL)
			return -ENOMEM;
	}
	/* A checksum in every frame (4 bytes): a wrong dictionary or a
	 * damaged payload is an error, not wrong bytes passed on. The
	 * dictionary and level are sticky: each compress is one frame. */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(c->cctx,
						ZSTD_c_compressionLevel,
						c->level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_checksumFlag,
						1)) ||
	    (c->cdict && ZSTD_isError(ZSTD_CCtx_refCDict(c->cctx,
							  c->cdict))) ||
	    (c->ddict && ZSTD_isError(ZSTD_DCtx_refDDict(c->dctx,
							  c->ddict))))
		return -EINVAL;
	/* Size the workspaces for the largest input now (zeros compress to
	 * little, but zstd sizes its tables by the input's length). */
	tmp = malloc(bound);
	if (tmp == NULL)
		return -ENOMEM;
	n = ZSTD_compress2(c->cctx, tmp, bound, warm, sizeof(warm));
	if (ZSTD_isError(n) ||
	    ZSTD_isError(ZSTD_decompressDCtx(c->dctx, warm, sizeof(warm), tmp,
					     n)))
		rc = -ENOMEM;
	free(tmp);
	return rc;
}
#endif

int
adn_codec_create(const struct adn_codec_conf *conf, struct adn_codec **out)
{
	struct adn_codec *c;
	int lo, hi, rc;

	if (conf->kind >= ADN_CODEC_N)
		return -EINVAL;
#ifndef ADN_HAVE_ZSTD
	if (conf->kind == ADN_CODEC_ZSTD)
		return -ENOTSUP;
#endif
	adn_codec_levels(conf->kind, &lo, &hi);
	if (conf->level != 0 && (conf->level < lo || conf->level > hi))
		return -EINVAL;
	if (conf->dict_len > (conf->kind == ADN_CODEC_DEFLATE ?
			      ADN_CODEC_DICT_MAX_DEFLATE : ADN_CODEC_DICT_MAX))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->kind = conf->kind;
	c->level = conf->level ? conf->level :
		conf->kind == ADN_CODEC_ZSTD ? 3 : 6;
	if (conf->dict_len) {
		c->dict = malloc(conf->dict_len);
		if (c->dict == NULL) {
			free(c);
			return -ENOMEM;
		}
		memcpy(c->dict, conf->dict, conf->dict_len);
		c->dict_len = conf->dict_len;
	}
	rc = -ENOTSUP;
	if (c->kind == ADN_CODEC_DEFLATE)
		rc = deflate_create(c);
#ifdef ADN_HAVE_ZSTD
	else
		rc = zstd_create(c);
#endif
	if (rc < 0) {
		adn_codec_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void
adn_codec_free(struct adn_codec *c)
{
	if (c == NULL)
		return;
	if (c->arena != NULL) {
		if (c->def.state != NULL)
			deflateEnd(&c->def);
		if (c->inf.state != NULL)
			inflateEnd(&c->inf);
		free(c->arena);
	}
#ifdef ADN_HAVE_ZSTD
	ZSTD_freeCCtx(c->cctx);
	ZSTD_freeDCtx(c->dctx);
	ZSTD_freeCDict(c->cdict);
	ZSTD_freeDDict(c->ddict);
#endif
	free(c->dict);
	free(c);
}

static ssize_t
deflate_compress(struct adn_codec *c, const void *src, size_t len, void *dst,
		 size_t cap)
{
	z_stream *z = &c->def;
	int rc;

	if (deflateReset(z) != Z_OK)
		return -EIO;
	if (c->dict_len &&
	    deflateSetDictionary(z, c->dict, (uInt)c->dict_len) != Z_OK)
		return -EIO;
	z->next_in = (Bytef *)(uintptr_t)src;
	z->avail_in = (uInt)len;
	z->next_out = dst;
	z->avail_out = (uInt)cap;
	rc = deflate(z, Z_FINISH);
	if (rc == Z_STREAM_END)
		return (ssize_t)z->total_out;
	/* Z_OK or Z_BUF_ERROR: out of room before the end */
	return rc == Z_OK || rc == Z_BUF_ERROR ? -ENOSPC : -EIO;
}

static ssize_t
deflate_decompress(struct adn_codec *c, const void *src, size_t len,
		   void *dst, size_t cap)
{
	z_stream *z = &c->inf;
	int rc;

	if (inflateReset(z) != Z_OK)
		return -EIO;
	z->next_in = (Bytef *)(uintptr_t)src;
	z->avail_in = (uInt)len;
	z->next_out = dst;
	z->avail_out = (uInt)cap;
	rc = inflate(z, Z_FINISH);
	if (rc == Z_NEED_DICT) {
		/* The header names the dictionary's Adler-32: another one
		 * (or none here) is a bad message, not a crash. */
		if (c->dict_len == 0 ||
		    inflateSetDictionary(z, c->dict, (uInt)c->dict_len) !=
		    Z_OK)
			return -EBADMSG;
		rc = inflate(z, Z_FINISH);
	}
	if (rc == Z_STREAM_END)
		return z->avail_in == 0 ? (ssize_t)z->total_out : -EBADMSG;
	if (rc == Z_MEM_ERROR)
		return -EIO;
	return z->avail_out == 0 && rc != Z_DATA_ERROR ? -ENOSPC : -EBADMSG;
}

#ifdef ADN_HAVE_ZSTD
static ssize_t
zstd_result(size_t n)
{
	if (!ZSTD_isError(n))
		return (ssize_t)n;
	return ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall ?
		-ENOSPC : -EBADMSG;
}
#endif

ssize_t
adn_codec_compress(struct adn_codec *c, const void *src, size_t len, void *dst,
		   size_t cap)
{
	if (len > ADN_CODEC_MAX_LEN)
		return -E2BIG;
	if (c->kind == ADN_CODEC_DEFLATE)
		return deflate_compress(c, src, len, dst, cap);
#ifdef ADN_HAVE_ZSTD
	{
		ssize_t n = zstd_result(ZSTD_compress2(c->cctx, dst, cap, src,
						       len));

		return n == -EBADMSG ? -EIO : n;
	}
#endif
	return -ENOTSUP;
}

ssize_t
adn_codec_decompress(struct adn_codec *c, const void *src, size_t len,
		     void *dst, size_t cap)
{
	if (len > ADN_CODEC_MAX_LEN)
		return -E2BIG;
	if (c->kind == ADN_CODEC_DEFLATE)
		return deflate_decompress(c, src, len, dst, cap);
#ifdef ADN_HAVE_ZSTD
	/* Decompressing to a frame's content size: a frame without it, or
	 * saying more than cap, fails the same way. */
	return zstd_result(ZSTD_decompressDCtx(c->dctx, dst, cap, src, len));
#endif
	return -ENOTSUP;
}
