/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table-driven CRCs. See adn_crc.h for the contract. The catalogue entries
 * are the RevEng CRC catalogue's parameters
 * (https://reveng.sourceforge.io/crc-catalogue/); the tables are built from
 * them at adn_crc_init(), so no table is copied in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_crc.h"

#define CRC_PARAM(var, nm, w, ri, ro, po, in, xo)			\
	const struct adn_crc_param var = {				\
		.name = nm, .width = w, .refin = ri, .refout = ro,	\
		.poly = po, .init = in, .xorout = xo,			\
	}

CRC_PARAM(adn_crc32_iso_hdlc, "CRC-32/ISO-HDLC", 32, true, true,
	  0x04C11DB7, 0xFFFFFFFF, 0xFFFFFFFF);
CRC_PARAM(adn_crc32_iscsi, "CRC-32/ISCSI", 32, true, true,
	  0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF);
CRC_PARAM(adn_crc32_base91_d, "CRC-32/BASE91-D", 32, true, true,
	  0xA833982B, 0xFFFFFFFF, 0xFFFFFFFF);
CRC_PARAM(adn_crc32_aixm, "CRC-32/AIXM", 32, false, false,
	  0x814141AB, 0x00000000, 0x00000000);
CRC_PARAM(adn_crc32_autosar, "CRC-32/AUTOSAR", 32, true, true,
	  0xF4ACFB13, 0xFFFFFFFF, 0xFFFFFFFF);
CRC_PARAM(adn_crc32_mef, "CRC-32/MEF", 32, true, true,
	  0x741B8CD7, 0xFFFFFFFF, 0x00000000);
CRC_PARAM(adn_crc32_bzip2, "CRC-32/BZIP2", 32, false, false,
	  0x04C11DB7, 0xFFFFFFFF, 0xFFFFFFFF);
CRC_PARAM(adn_crc32_mpeg2, "CRC-32/MPEG-2", 32, false, false,
	  0x04C11DB7, 0xFFFFFFFF, 0x00000000);
CRC_PARAM(adn_crc32_cksum, "CRC-32/CKSUM", 32, false, false,
	  0x04C11DB7, 0x00000000, 0xFFFFFFFF);
CRC_PARAM(adn_crc32_jamcrc, "CRC-32/JAMCRC", 32, true, true,
	  0x04C11DB7, 0xFFFFFFFF, 0x00000000);
CRC_PARAM(adn_crc32_xfer, "CRC-32/XFER", 32, false, false,
	  0x000000AF, 0x00000000, 0x00000000);
CRC_PARAM(adn_crc16_arc, "CRC-16/ARC", 16, true, true,
	  0x8005, 0x0000, 0x0000);
CRC_PARAM(adn_crc16_modbus, "CRC-16/MODBUS", 16, true, true,
	  0x8005, 0xFFFF, 0x0000);
CRC_PARAM(adn_crc16_usb, "CRC-16/USB", 16, true, true,
	  0x8005, 0xFFFF, 0xFFFF);
CRC_PARAM(adn_crc16_ibm_sdlc, "CRC-16/IBM-SDLC", 16, true, true,
	  0x1021, 0xFFFF, 0xFFFF);
CRC_PARAM(adn_crc16_ibm_3740, "CRC-16/IBM-3740", 16, false, false,
	  0x1021, 0xFFFF, 0x0000);
CRC_PARAM(adn_crc16_xmodem, "CRC-16/XMODEM", 16, false, false,
	  0x1021, 0x0000, 0x0000);
CRC_PARAM(adn_crc16_kermit, "CRC-16/KERMIT", 16, true, true,
	  0x1021, 0x0000, 0x0000);
CRC_PARAM(adn_crc16_umts, "CRC-16/UMTS", 16, false, false,
	  0x8005, 0x0000, 0x0000);
CRC_PARAM(adn_crc16_dnp, "CRC-16/DNP", 16, true, true,
	  0x3D65, 0x0000, 0xFFFF);
CRC_PARAM(adn_crc16_t10_dif, "CRC-16/T10-DIF", 16, false, false,
	  0x8BB7, 0x0000, 0x0000);
CRC_PARAM(adn_crc16_riello, "CRC-16/RIELLO", 16, true, true,
	  0x1021, 0xB2AA, 0x0000);
CRC_PARAM(adn_crc8_smbus, "CRC-8/SMBUS", 8, false, false,
	  0x07, 0x00, 0x00);
CRC_PARAM(adn_crc8_maxim_dow, "CRC-8/MAXIM-DOW", 8, true, true,
	  0x31, 0x00, 0x00);
CRC_PARAM(adn_crc8_rohc, "CRC-8/ROHC", 8, true, true,
	  0x07, 0xFF, 0x00);
CRC_PARAM(adn_crc8_wcdma, "CRC-8/WCDMA", 8, true, true,
	  0x9B, 0x00, 0x00);

static uint32_t
reflect(uint32_t v, unsigned int width)
{
	uint32_t r = 0;
	unsigned int i;

	for (i = 0; i < width; i++)
		r |= ((v >> i) & 1u) << (width - 1 - i);
	return r;
}

int
adn_crc_init(struct adn_crc *crc, const struct adn_crc_param *p)
{
	uint32_t mask, v;
	unsigned int i, k;

	if (crc == NULL || p == NULL || p->width < 8 || p->width > 32)
		return -EINVAL;
	mask = p->width == 32 ? UINT32_MAX : (1u << p->width) - 1;
	if ((p->poly & ~mask) != 0 || (p->init & ~mask) != 0 ||
	    (p->xorout & ~mask) != 0)
		return -EINVAL;
	memset(crc, 0, sizeof(*crc));
	crc->p = *p;
	if (p->refin) {
		uint32_t rpoly = reflect(p->poly, p->width);

		for (i = 0; i < 256; i++) {
			v = i;
			for (k = 0; k < 8; k++)
				v = (v & 1u) ? (v >> 1) ^ rpoly : v >> 1;
			crc->table[i] = v;
		}
		crc->reg0 = reflect(p->init, p->width);
	} else {
		/* left-aligned: the register's top bit is bit 31 */
		uint32_t lpoly = p->poly << (32 - p->width);

		for (i = 0; i < 256; i++) {
			v = (uint32_t)i << 24;
			for (k = 0; k < 8; k++)
				v = (v & 0x80000000u) ? (v << 1) ^ lpoly : v << 1;
			crc->table[i] = v;
		}
		crc->reg0 = p->init << (32 - p->width);
	}
	return 0;
}

int
adn_crc_family(const struct adn_crc_param *const p[], uint32_t n,
	       struct adn_crc **out)
{
	struct adn_crc *crc;

	*out = NULL;
	if (p == NULL || n == 0)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		if (p[i] == NULL)
			return -EINVAL;
		for (uint32_t j = 0; j < i; j++)
			if (p[j] == p[i])
				return -EINVAL;
	}
	crc = calloc(n, sizeof(*crc));
	if (crc == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		if (adn_crc_init(&crc[i], p[i]) < 0) {
			free(crc);
			return -EINVAL;
		}
	*out = crc;
	return 0;
}
