/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading PPM rule tables from libconfig. Schema (all lists optional):
 *
 *   ppm = {
 *     filter_default = "allow";          # allow | deny | control
 *     listeners = ( { name = "web"; ip = "10.0.0.1"; port = 80; } );
 *     clusters = ( { name = "api";
 *                    endpoints = ( { ip = "10.1.0.1"; port = 8080;
 *                                    weight = 1;          # 1..255
 *                                    header = "X-Up: a\r\n"; } ); } );
 *     routes = ( { listener = "web"; exact = "/login";   # or prefix = "/api/"
 *                  cluster = "api"; id = 7; } );         # id default: index
 *     filters = ( { methods = [ "GET" ]; host = "a.example";
 *                   exact = "/x";  # or prefix = "/p/", neither = any path
 *                   action = "deny"; } );
 *   };
 */
#ifndef _ADN_PPM_CONF_H_
#define _ADN_PPM_CONF_H_

#include <stddef.h>

#include <libconfig.h>

#include "adn_ppm.h"

/*
 * Apply the group `s` (the body of "ppm = {...}") to an empty chain. Unknown
 * keys and bad values are errors; every error (file:line, key, value, what is
 * allowed) is appended to err, one per line, and all are reported before
 * failing with -EINVAL. Rule-table errors (-ENOSPC, -EEXIST) are reported the
 * same way.
 */
int adn_ppm_conf_load(struct adn_ppm_chain *chain, const config_setting_t *s,
		      char *err, size_t errlen);

/* Read a libconfig file and apply its top-level "ppm" group. -ENOENT when
 * the file cannot be read or has no "ppm" group; -EINVAL on any error. */
int adn_ppm_conf_load_file(struct adn_ppm_chain *chain, const char *path,
			   char *err, size_t errlen);

#endif /* _ADN_PPM_CONF_H_ */
