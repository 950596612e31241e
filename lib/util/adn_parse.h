/* SPDX-License-Identifier: BSD-3-Clause */
/* Strict number parsing for command lines: the whole string must be a
 * number within [lo, hi]. -EINVAL when it is not a number, -ERANGE when
 * it is one outside [lo, hi] (however large); never a silent 0. */
#ifndef _ADN_PARSE_H_
#define _ADN_PARSE_H_

#include <stdint.h>

int adn_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
int adn_parse_double(const char *s, double lo, double hi, double *out);

#endif /* _ADN_PARSE_H_ */
