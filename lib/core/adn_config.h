/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks on a parsed config that libconfig itself does not make.
 */
#ifndef _ADN_CONFIG_H_
#define _ADN_CONFIG_H_

#include <libconfig.h>

#include "adn_errs.h"

/*
 * libconfig 1.5 reads an integer literal that does not fit its type
 * without a word: beyond 32 bits without an `L` suffix it keeps the low
 * 32 bits (3000000000 reads as -1294967296), beyond 64 bits it reads -1
 * or 0. Find such literals in the source of every integer setting of
 * `cfg` and report each one ("integer ... is too large"), with file, line
 * and key. Settings parsed from a string (no source file) are not checked.
 * Returns 0 or -EINVAL (errors added to `errs`). Control plane only.
 */
int adn_config_check_ints(const config_t *cfg, struct adn_errs *errs);

#endif /* _ADN_CONFIG_H_ */
