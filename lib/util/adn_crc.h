/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table-driven CRCs of width 8..32 in the Rocksoft / RevEng parameter
 * model (width, poly, init, refin, refout, xorout), with a catalogue of
 * named algorithms.
 *
 * Why here: a Tofino Hash<> extern is a CRC over the concatenated field
 * list, so a C model that must pick the same register index or ECMP bucket
 * as p4/ has to compute the very same CRC (lib/clip; map in p4/README.md).
 *
 * Byte order: the data is a byte string processed first byte first, as a
 * P4 field list serialised most significant bit first (network order).
 *
 * TNA note: bf-utils (the Tofino driver's hash model) loads `init` into the
 * register as given, also for reflected algorithms, while RevEng reflects it
 * first. The two agree for init 0 and all-ones; only those are used in p4/.
 * This file follows RevEng, so its catalogue matches the published check
 * values.
 *
 * Thread-safety: a struct adn_crc is read-only after adn_crc_init(), so any
 * number of lcores may compute with one. DPDK-free.
 */
#ifndef _ADN_CRC_H_
#define _ADN_CRC_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adn_hash.h"

/* One CRC algorithm (RevEng catalogue notation). */
struct adn_crc_param {
	const char *name;	/* RevEng name, e.g. "CRC-32/ISCSI" */
	uint8_t width;		/* 8..32 */
	bool refin;		/* bytes enter least significant bit first */
	bool refout;		/* register reflected before xorout */
	uint32_t poly;		/* normal form, without the x^width term */
	uint32_t init;		/* register before the first bit, unreflected */
	uint32_t xorout;
};

/* A CRC ready to compute: the parameters and the byte table. */
struct adn_crc {
	struct adn_crc_param p;
	uint32_t reg0;		/* init as the engine's register holds it */
	uint32_t table[256];
};

/*
 * Catalogue. Check values ("123456789") are in tests/clip/test_crc.c.
 * TNA's predefined HashAlgorithm_t.CRC8 / CRC16 / CRC32 are CRC-8/SMBUS,
 * CRC-16/ARC and CRC-32/ISO-HDLC (bf-utils crc_8, crc_16, crc_32).
 */
extern const struct adn_crc_param adn_crc32_iso_hdlc;	/* "CRC-32", zlib */
extern const struct adn_crc_param adn_crc32_iscsi;	/* CRC-32C */
extern const struct adn_crc_param adn_crc32_base91_d;	/* CRC-32D */
extern const struct adn_crc_param adn_crc32_aixm;	/* CRC-32Q */
extern const struct adn_crc_param adn_crc32_autosar;
extern const struct adn_crc_param adn_crc32_mef;	/* Koopman 0x741B8CD7 */
extern const struct adn_crc_param adn_crc32_bzip2;
extern const struct adn_crc_param adn_crc32_mpeg2;
extern const struct adn_crc_param adn_crc32_cksum;	/* bf-utils "posix" */
extern const struct adn_crc_param adn_crc32_jamcrc;
extern const struct adn_crc_param adn_crc32_xfer;
extern const struct adn_crc_param adn_crc16_arc;	/* TNA CRC16 */
extern const struct adn_crc_param adn_crc16_modbus;
extern const struct adn_crc_param adn_crc16_usb;
extern const struct adn_crc_param adn_crc16_ibm_sdlc;	/* */
extern const struct adn_crc_param adn_crc16_ibm_3740;	/* CCITT-FALSE */
extern const struct adn_crc_param adn_crc16_xmodem;
extern const struct adn_crc_param adn_crc16_kermit;
extern const struct adn_crc_param adn_crc16_umts;	/* BUYPASS */
extern const struct adn_crc_param adn_crc16_dnp;
extern const struct adn_crc_param adn_crc16_t10_dif;
extern const struct adn_crc_param adn_crc16_riello;	/* init 0xB2AA, refin */
extern const struct adn_crc_param adn_crc8_smbus;	/* TNA CRC8 */
extern const struct adn_crc_param adn_crc8_maxim_dow;
extern const struct adn_crc_param adn_crc8_rohc;
extern const struct adn_crc_param adn_crc8_wcdma;

/*
 * Build the table for p. Returns 0, or -EINVAL (NULL arguments, width
 * outside 8..32, or poly/init/xorout with bits above width).
 */
int adn_crc_init(struct adn_crc *crc, const struct adn_crc_param *p);

/* CRC of len bytes at data; the result has crc->p.width bits. */
static inline uint32_t
adn_crc_compute(const struct adn_crc *crc, const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t r = crc->reg0;
	size_t i;

	if (crc->p.refin) {
		/* reflected register: the next bit to leave is bit 0 */
		for (i = 0; i < len; i++)
			r = (r >> 8) ^ crc->table[(r ^ b[i]) & 0xff];
	} else {
		/* register kept left-aligned in 32 bits for any width */
		for (i = 0; i < len; i++)
			r = (r << 8) ^ crc->table[(r >> 24) ^ b[i]];
		r >>= 32 - crc->p.width;
	}
	if (crc->p.refin != crc->p.refout) {
		uint32_t v = 0;
		unsigned int k;

		for (k = 0; k < crc->p.width; k++)
			v |= ((r >> k) & 1u) << (crc->p.width - 1 - k);
		r = v;
	}
	r ^= crc->p.xorout;
	return crc->p.width == 32 ? r : r & ((1u << crc->p.width) - 1);
}

/*
 * Reduce a width-bit hash to [0, n) by multiply-shift on its top bits:
 * for n = 2^k that is the top k bits, the slice hash[width-1:width-k] a P4
 * program takes.
 */
static inline uint32_t
adn_crc_reduce(uint32_t h, uint8_t width, uint64_t n)
{
	uint64_t h32 = (uint64_t)h << (32 - width);

	return (uint32_t)((h32 * n) >> 32);
}

/*
 * A family of hashes over the same key (count-min rows, Bloom partitions):
 * each member is a CRC (the P4 program's) or, in a family without CRCs,
 * murmur3 with the member's seed.
 */
static inline uint32_t
adn_crc_family_hash(const struct adn_crc *crc, uint32_t seed,
		    const void *key, size_t len)
{
	return crc != NULL ? adn_crc_compute(crc, key, len) :
		adn_murmur3_32(key, len, seed);
}

/* That member's hash h reduced to [0, n) by its top bits. */
static inline uint32_t
adn_crc_family_index(const struct adn_crc *crc, uint32_t h, uint64_t n)
{
	return adn_crc_reduce(h, crc != NULL ? crc->p.width : 32, n);
}

/*
 * The CRCs of an n-member family: every p[i] present and valid, no two the
 * same (equal CRCs collide on the same keys). Returns 0 with a calloc'd
 * array in *out (the caller frees it), -EINVAL or -ENOMEM.
 */
int adn_crc_family(const struct adn_crc_param *const p[], uint32_t n,
		   struct adn_crc **out);

#endif /* _ADN_CRC_H_ */
