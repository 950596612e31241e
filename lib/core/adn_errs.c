/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "adn_errs.h"

void
adn_errs_vadd(struct adn_errs *errs, const config_setting_t *where,
	      const char *elem, const char *key, const char *fmt, va_list ap)
{
	char prefix[512] = "", body[1024];
	size_t off = 0;
	char *msg;

	if (where != NULL) {
		const char *file = config_setting_source_file(where);

		off += snprintf(prefix + off, sizeof(prefix) - off, "%s:%u: ",
				file ? file : "<config>",
				config_setting_source_line(where));
	}
	if (elem != NULL && off < sizeof(prefix))
		off += snprintf(prefix + off, sizeof(prefix) - off,
				"element '%s': ", elem);
	if (key != NULL && off < sizeof(prefix))
		snprintf(prefix + off, sizeof(prefix) - off, "key '%s': ", key);
	vsnprintf(body, sizeof(body), fmt, ap);

	errs->n++;
	if (errs->n > errs->cap) {
		/* n counts messages lost to earlier failed reallocs too. */
		unsigned int cap = errs->cap ? errs->cap * 2 : 16;
		char **m;

		while (cap < errs->n)
			cap *= 2;
		m = realloc(errs->msg, cap * sizeof(*m));

		if (m == NULL)
			return;
		memset(m + errs->cap, 0, (cap - errs->cap) * sizeof(*m));
		errs->msg = m;
		errs->cap = cap;
	}
	if (asprintf(&msg, "%s%s", prefix, body) < 0)
		msg = NULL;
	errs->msg[errs->n - 1] = msg;
}

void
adn_errs_add(struct adn_errs *errs, const config_setting_t *where,
	     const char *elem, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	adn_errs_vadd(errs, where, elem, key, fmt, ap);
	va_end(ap);
}

void
adn_errs_print(const struct adn_errs *errs, FILE *f)
{
	for (unsigned int i = 0; i < errs->n; i++)
		fprintf(f, "error: %s\n",
			i < errs->cap && errs->msg[i] ? errs->msg[i] :
			"(message lost: out of memory)");
}

int
adn_errs_find(const struct adn_errs *errs, const char *needle)
{
	for (unsigned int i = 0; i < errs->n && i < errs->cap; i++)
		if (errs->msg[i] != NULL && strstr(errs->msg[i], needle))
			return (int)i;
	return -1;
}

void
adn_errs_clear(struct adn_errs *errs)
{
	for (unsigned int i = 0; i < errs->cap; i++)
		free(errs->msg[i]);
	free(errs->msg);
	memset(errs, 0, sizeof(*errs));
}
