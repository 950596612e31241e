/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Collected configuration errors. Validation reports every error it finds
 * before failing, each naming file, line, element and key, so an operator
 * fixes a config in one pass.
 */
#ifndef _ADN_ERRS_H_
#define _ADN_ERRS_H_

#include <stdarg.h>
#include <stdio.h>

#include <libconfig.h>

struct adn_errs {
	unsigned int n;
	unsigned int cap;
	char **msg;
};

/*
 * Record one error. `where` (may be NULL) gives "file:line: "; `elem` and
 * `key` (either may be NULL) give "element 'x': key 'y': ". Never fails: on
 * out-of-memory the message is lost but the count still rises, so a build
 * never succeeds with errors.
 */
void adn_errs_add(struct adn_errs *errs, const config_setting_t *where,
		  const char *elem, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void adn_errs_vadd(struct adn_errs *errs, const config_setting_t *where,
		   const char *elem, const char *key, const char *fmt,
		   va_list ap);

void adn_errs_print(const struct adn_errs *errs, FILE *f);
/* Index of the first message containing `needle`, or -1 (used by tests). */
int adn_errs_find(const struct adn_errs *errs, const char *needle);
void adn_errs_clear(struct adn_errs *errs);

#endif /* _ADN_ERRS_H_ */
