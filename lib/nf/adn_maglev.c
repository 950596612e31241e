/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev table population (adn_maglev.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "adn_hash.h"
#include "adn_maglev.h"

bool
adn_maglev_is_prime(uint32_t m)
{
	if (m < 2)
		return false;
	for (uint64_t d = 2; d * d <= m; d++)
		if (m % d == 0)
			return false;
	return true;
}

int
adn_maglev_populate(uint16_t *table, uint32_t m, const uint64_t *keys,
		    const uint32_t *weights, unsigned int n, uint32_t *next)
{
	uint32_t filled = 0, wmax = 0;
	uint64_t held[ADN_MAGLEV_MAX_BACKENDS] = { 0 };

	if (!adn_maglev_is_prime(m) || n > ADN_MAGLEV_MAX_BACKENDS)
		return -EINVAL;
	for (uint32_t i = 0; i < m; i++)
		table[i] = ADN_MAGLEV_NONE;
	for (unsigned int b = 0; b < n; b++) {
		next[b] = 0;
		if (weights[b] > wmax)
			wmax = weights[b];
	}
	if (wmax == 0)
		return 0;
	for (uint64_t round = 1; filled < m; round++) {
		for (unsigned int b = 0; b < n && filled < m; b++) {
			/* Permutation: offset + j x skip (mod m), skip in
			 * [1, m), so every entry comes up once. */
			const uint64_t h1 = adn_mix64(keys[b]);
			const uint64_t h2 = adn_mix64(keys[b] ^ 0x9e3779b97f4a7c15ull);
			const uint32_t offset = (uint32_t)(h1 % m);
			const uint32_t skip = (uint32_t)(h2 % (m - 1)) + 1;

			while (filled < m &&
			       held[b] * wmax < round * weights[b]) {
				uint32_t c;

				do {
					c = (uint32_t)((offset +
							(uint64_t)next[b] * skip) % m);
					next[b]++;
				} while (table[c] != ADN_MAGLEV_NONE);
				table[c] = (uint16_t)b;
				held[b]++;
				filled++;
			}
		}
	}
	return 0;
}

int
adn_maglev_endpoint_parse(const char *s, bool port_required, uint32_t *ip,
			  uint16_t *port)
{
	char addr[16], tail;
	unsigned int p = 0;
	struct in_addr a;
	int n = sscanf(s, "%15[0-9.]:%u%c", addr, &p, &tail);

	if (n < 1 || n > 2 || (n == 1 && (port_required || strchr(s, ':'))) ||
	    p > 65535 || inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	*ip = ntohl(a.s_addr);
	*port = (uint16_t)p;
	return 0;
}

int
adn_maglev_backend_parse(const char *s, uint32_t *ip, uint16_t *port,
			 uint32_t *weight, bool weight_required)
{
	char ep[32], tail;
	unsigned int w = 1;
	int n = sscanf(s, " %31s %u %c", ep, &w, &tail);

	if (n < 1 || n > 2 || (n == 1 && weight_required) || w == 0 ||
	    w > 65535)
		return -EINVAL;
	*weight = w;
	return adn_maglev_endpoint_parse(ep, false, ip, port);
}
