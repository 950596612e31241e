/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The payload codecs (lib/rpc/adn_codec.h), DPDK-free: every codec this
 * build has gives back exactly what it compressed, with and without a
 * dictionary, over sizes from 1 byte to the maximum; random bytes do not
 * fit in len - 1 (so Compress passes them); a wrong dictionary, a
 * truncated or extended stream is -EBADMSG and never a crash; a small
 * output buffer is -ENOSPC; bad levels and oversized dictionaries are
 * refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "adn_codec.h"
#include "adn_rand.h"
#include "../../tools/rpc_payload.h"

static uint8_t src[ADN_CODEC_MAX_LEN], comp[ADN_CODEC_MAX_LEN + 1024],
	back[ADN_CODEC_MAX_LEN];

static struct adn_codec *
make(enum adn_codec_kind k, const char *dict, size_t dict_len)
{
	const struct adn_codec_conf c = { .kind = k, .dict = dict,
					  .dict_len = dict_len };
	struct adn_codec *x = NULL;

	CU_ASSERT_EQUAL_FATAL(adn_codec_create(&c, &x), 0);
	return x;
}

static void
test_round_trip_is_byte_exact(void)
{
	static char dict[4096];
	enum adn_codec_kind k[ADN_CODEC_N];
	const unsigned int nk = adn_codec_built(k);
	struct adn_rand r;

	adn_rand_seed(&r, 5);
	adn_rpc_payload_fill(&r, dict, sizeof(dict));
	CU_ASSERT(nk >= 1);
	for (unsigned int i = 0; i < nk; i++)
		for (int d = 0; d < 2; d++) {
			struct adn_codec *c = make(k[i], d ? dict : NULL,
						   d ? sizeof(dict) : 0);
			static const size_t sizes[] = { 1, 63, 64, 200, 1000,
				1460, 4096, 9000, ADN_CODEC_MAX_LEN };
			unsigned int ok = 0, n_cases = 0;

			for (unsigned int s = 0; s < sizeof(sizes) / sizeof(sizes[0]);
			     s++)
				for (int text = 0; text < 2; text++) {
					const size_t len = sizes[s];
					ssize_t n, m;

					if (text && len >= 64)
						adn_rpc_payload_fill(&r,
							(char *)src, len);
					else
						for (size_t j = 0; j < len; j++)
							src[j] = (uint8_t)
								adn_rand_u64(&r);
					n = adn_codec_compress(c, src, len, comp,
							       sizeof(comp));
					m = n < 0 ? n :
						adn_codec_decompress(c, comp,
							(size_t)n, back,
							sizeof(back));
					n_cases++;
					/* random bytes grow: past the
					 * bound, refused whole */
					if (n > (ssize_t)ADN_CODEC_MAX_LEN)
						ok += m == -E2BIG;
					else
						ok += m == (ssize_t)len &&
							memcmp(src, back,
							       len) == 0;
				}
			CU_ASSERT_EQUAL(ok, n_cases);
			adn_codec_free(c);
		}
}

static void
test_random_bytes_do_not_shrink(void)
{
	enum adn_codec_kind k[ADN_CODEC_N];
	const unsigned int nk = adn_codec_built(k);
	struct adn_rand r;

	adn_rand_seed(&r, 6);
	for (unsigned int i = 0; i < nk; i++) {
		struct adn_codec *c = make(k[i], NULL, 0);

		for (size_t j = 0; j < 2000; j++)
			src[j] = (uint8_t)adn_rand_u64(&r);

		CU_ASSERT_EQUAL(adn_codec_compress(c, src, 2000, comp, 1999),
				-ENOSPC);
		/* and the context is fine after a failed call */
		adn_rpc_payload_fill(&r, (char *)src, 2000);
		CU_ASSERT(adn_codec_compress(c, src, 2000, comp, 1999) > 0);
		adn_codec_free(c);
	}
}

static void
test_bad_streams_are_refused(void)
{
	static char dict[2048], other[2048];
	enum adn_codec_kind k[ADN_CODEC_N];
	const unsigned int nk = adn_codec_built(k);
	struct adn_rand r;

	adn_rand_seed(&r, 7);
	adn_rpc_payload_fill(&r, dict, sizeof(dict));
	adn_rpc_payload_fill(&r, other, sizeof(other));
	for (unsigned int i = 0; i < nk; i++) {
		struct adn_codec *c = make(k[i], dict, sizeof(dict));
		struct adn_codec *o = make(k[i], other, sizeof(other));
		struct adn_codec *none = make(k[i], NULL, 0);
		ssize_t n;

		adn_rpc_payload_fill(&r, (char *)src, 1000);
		n = adn_codec_compress(c, src, 1000, comp, sizeof(comp));
		CU_ASSERT_FATAL(n > 8);
		CU_ASSERT_EQUAL(adn_codec_decompress(o, comp, (size_t)n, back,
						     sizeof(back)), -EBADMSG);
		CU_ASSERT_EQUAL(adn_codec_decompress(none, comp, (size_t)n,
						     back, sizeof(back)),
				-EBADMSG);
		CU_ASSERT_EQUAL(adn_codec_decompress(c, comp, (size_t)n - 3,
						     back, sizeof(back)),
				-EBADMSG);
		comp[n] = 0;
		CU_ASSERT_EQUAL(adn_codec_decompress(c, comp, (size_t)n + 1,
						     back, sizeof(back)),
				-EBADMSG);
		CU_ASSERT_EQUAL(adn_codec_decompress(c, comp, (size_t)n, back,
						     999), -ENOSPC);
		CU_ASSERT_EQUAL(adn_codec_decompress(c, comp, (size_t)n, back,
						     1000), 1000);
		/* every single-byte corruption is an error or, when the
		 * codec cannot tell, at least not a crash */
		for (ssize_t j = 0; j < n; j++) {
			comp[j] ^= 0x5a;
			(void)adn_codec_decompress(c, comp, (size_t)n, back,
						   sizeof(back));
			comp[j] ^= 0x5a;
		}
		CU_ASSERT_EQUAL(adn_codec_decompress(c, comp, (size_t)n, back,
						     sizeof(back)), 1000);
		adn_codec_free(c);
		adn_codec_free(o);
		adn_codec_free(none);
	}
}

static void
test_config_is_checked(void)
{
	static char big[ADN_CODEC_DICT_MAX_DEFLATE + 1];
	struct adn_codec *c;
	enum adn_codec_kind k;

	CU_ASSERT_EQUAL(adn_codec_parse("gzip", &k), -EINVAL);
	CU_ASSERT_EQUAL(adn_codec_create(&(struct adn_codec_conf){
		.kind = ADN_CODEC_DEFLATE, .level = 10 }, &c), -EINVAL);
	CU_ASSERT_EQUAL(adn_codec_create(&(struct adn_codec_conf){
		.kind = ADN_CODEC_DEFLATE, .dict = big,
		.dict_len = sizeof(big) }, &c), -EINVAL);
#ifdef ADN_HAVE_ZSTD
	CU_ASSERT_EQUAL(adn_codec_parse("zstd", &k), 0);
#else
	CU_ASSERT_EQUAL(adn_codec_parse("zstd", &k), -ENOTSUP);
#endif
	CU_ASSERT_STRING_EQUAL(adn_codec_name(ADN_CODEC_DEFLATE), "deflate");
}

int
main(void)
{
	CU_pSuite s;
	unsigned int fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("codec", NULL, NULL);
	CU_ADD_TEST(s, test_round_trip_is_byte_exact);
	CU_ADD_TEST(s, test_random_bytes_do_not_shrink);
	CU_ADD_TEST(s, test_bad_streams_are_refused);
	CU_ADD_TEST(s, test_config_is_checked);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
