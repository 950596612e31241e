/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for lib/util/adn_crc: every catalogue entry against its
 * published check value (CRC of the ASCII string "123456789", RevEng CRC
 * catalogue), so a wrong table, reflection, init or xorout fails here
 * before it can move a switch index.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include <CUnit/Basic.h>

#include "adn_crc.h"

struct kat {
	const struct adn_crc_param *p;
	uint32_t check;		/* published, not computed here */
};

static const struct kat kats[] = {
	{ &adn_crc32_iso_hdlc, 0xCBF43926 },
	{ &adn_crc32_iscsi, 0xE3069283 },
	{ &adn_crc32_base91_d, 0x87315576 },
	{ &adn_crc32_aixm, 0x3010BF7F },
	{ &adn_crc32_autosar, 0x1697D06A },
	{ &adn_crc32_mef, 0xD2C22F51 },
	{ &adn_crc32_bzip2, 0xFC891918 },
	{ &adn_crc32_mpeg2, 0x0376E6E7 },
	{ &adn_crc32_cksum, 0x765E7680 },
	{ &adn_crc32_jamcrc, 0x340BC6D9 },
	{ &adn_crc32_xfer, 0xBD0BE338 },
	{ &adn_crc16_arc, 0xBB3D },
	{ &adn_crc16_modbus, 0x4B37 },
	{ &adn_crc16_usb, 0xB4C8 },
	{ &adn_crc16_ibm_sdlc, 0x906E },
	{ &adn_crc16_ibm_3740, 0x29B1 },
	{ &adn_crc16_xmodem, 0x31C3 },
	{ &adn_crc16_kermit, 0x2189 },
	{ &adn_crc16_umts, 0xFEE8 },
	{ &adn_crc16_dnp, 0xEA82 },
	{ &adn_crc16_t10_dif, 0xD0DB },
	{ &adn_crc16_riello, 0x63D0 },
	{ &adn_crc8_smbus, 0xF4 },
	{ &adn_crc8_maxim_dow, 0xA1 },
	{ &adn_crc8_rohc, 0xD0 },
	{ &adn_crc8_wcdma, 0x25 },
};

static void
test_crc_catalogue_matches_check_values(void)
{
	static const char msg[] = "123456789";
	struct adn_crc c;
	unsigned int i;

	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		uint32_t got;

		CU_ASSERT_FATAL(adn_crc_init(&c, kats[i].p) == 0);
		got = adn_crc_compute(&c, msg, 9);
		if (got != kats[i].check)
			fprintf(stderr, "%s: 0x%08x, expected 0x%08x\n",
				kats[i].p->name, got, kats[i].check);
		CU_ASSERT(got == kats[i].check);
	}
}

/* zlib's crc32 is an independent CRC-32/ISO-HDLC: agree on every length
 * 0..64 of arbitrary bytes, not just the nine-byte check string. */
static void
test_crc32_matches_zlib_on_all_lengths(void)
{
	uint8_t buf[64];
	struct adn_crc c;
	unsigned int i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	CU_ASSERT_FATAL(adn_crc_init(&c, &adn_crc32_iso_hdlc) == 0);
	for (i = 0; i <= sizeof(buf); i++)
		CU_ASSERT(adn_crc_compute(&c, buf, i) ==
			  (uint32_t)crc32(0, buf, i));
}

/* 13 bytes in network order: src 10.0.0.1, dst 192.168.1.2, sport 1234,
 * dport 80, proto 6; the values come from an independent bitwise CRC. */
static void
test_crc_of_a_five_tuple(void)
{
	static const uint8_t k[13] = { 10, 0, 0, 1, 192, 168, 1, 2,
				       0x04, 0xd2, 0x00, 0x50, 6 };
	static const struct kat v[] = {
		{ &adn_crc32_iso_hdlc, 0xda3c31e7 },
		{ &adn_crc32_iscsi, 0x83f836a1 },
		{ &adn_crc32_base91_d, 0x65e643e8 },
		{ &adn_crc32_aixm, 0xa289ee0b },
		{ &adn_crc32_autosar, 0x7999e45a },
		{ &adn_crc32_mef, 0x40f9c16e },
		{ &adn_crc32_bzip2, 0x3047570a },
		{ &adn_crc16_arc, 0x8c77 },
	};
	struct adn_crc c;
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CU_ASSERT_FATAL(adn_crc_init(&c, v[i].p) == 0);
		CU_ASSERT(adn_crc_compute(&c, k, sizeof(k)) == v[i].check);
	}
}

static void
test_crc_init_rejects_bad_params(void)
{
	struct adn_crc_param p = adn_crc16_arc;
	struct adn_crc c;

	CU_ASSERT(adn_crc_init(NULL, &p) == -EINVAL);
	CU_ASSERT(adn_crc_init(&c, NULL) == -EINVAL);
	p.width = 7;
	CU_ASSERT(adn_crc_init(&c, &p) == -EINVAL);
	p.width = 33;
	CU_ASSERT(adn_crc_init(&c, &p) == -EINVAL);
	p = adn_crc16_arc;
	p.poly = 0x18005;	/* a bit above width */
	CU_ASSERT(adn_crc_init(&c, &p) == -EINVAL);
	p = adn_crc16_arc;
	p.init = 0x10000;
	CU_ASSERT(adn_crc_init(&c, &p) == -EINVAL);
	p = adn_crc16_arc;
	p.xorout = 0x10000;
	CU_ASSERT(adn_crc_init(&c, &p) == -EINVAL);
}

/* Multiply-shift on the top bits is the P4 slice for a power of two. */
static void
test_crc_reduce_is_top_bit_slice(void)
{
	CU_ASSERT(adn_crc_reduce(0xda3c31e7, 32, 1024) == (0xda3c31e7u >> 22));
	CU_ASSERT(adn_crc_reduce(0xda3c31e7, 32, 65536) == (0xda3c31e7u >> 16));
	CU_ASSERT(adn_crc_reduce(0x8c77, 16, 256) == 0x8c);
	CU_ASSERT(adn_crc_reduce(0xffffffff, 32, 3) == 2);
}

int
main(void)
{
	unsigned int failed;
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("crc", NULL, NULL);
	CU_add_test(s, "crc_catalogue_matches_check_values",
		    test_crc_catalogue_matches_check_values);
	CU_add_test(s, "crc32_matches_zlib_on_all_lengths",
		    test_crc32_matches_zlib_on_all_lengths);
	CU_add_test(s, "crc_of_a_five_tuple", test_crc_of_a_five_tuple);
	CU_add_test(s, "crc_init_rejects_bad_params",
		    test_crc_init_rejects_bad_params);
	CU_add_test(s, "crc_reduce_is_top_bit_slice",
		    test_crc_reduce_is_top_bit_slice);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
