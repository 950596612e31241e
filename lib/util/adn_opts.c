/* SPDX-License-Identifier: BSD-3-Clause */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "adn_opts.h"
#include "adn_parse.h"

#define OPTS_MAX 64
#define HELP_COLUMN 27

static unsigned int
count(const struct adn_opt *o)
{
	unsigned int n = 0;

	while (o[n].name != NULL)
		n++;
	return n;
}

void
adn_opts_usage(const struct adn_opts_spec *s, FILE *f)
{
	fprintf(f, "Usage: %s %s\n%s\n\n", s->prog, s->synopsis, s->summary);
	for (const struct adn_opt *o = s->opts; o->name != NULL; o++) {
		char head[64];
		const char *h = o->help ? o->help : "";
		int w;

		if (o->key)
			w = snprintf(head, sizeof(head), "  -%c, --%s%s%s",
				     o->key, o->name, o->arg ? " " : "",
				     o->arg ? o->arg : "");
		else
			w = snprintf(head, sizeof(head), "      --%s%s%s",
				     o->name, o->arg ? " " : "",
				     o->arg ? o->arg : "");
		fputs(head, f);
		/* The help in its column, each of its lines indented. */
		if (w >= HELP_COLUMN - 1)
			fprintf(f, "\n%*s", HELP_COLUMN, "");
		else
			fprintf(f, "%*s", HELP_COLUMN - w, "");
		for (const char *nl; (nl = strchr(h, '\n')) != NULL;
		     h = nl + 1)
			fprintf(f, "%.*s\n%*s", (int)(nl - h), h, HELP_COLUMN,
				"");
		fprintf(f, "%s\n", h);
	}
	fprintf(f, "  -h, --help%*sthis help\n", HELP_COLUMN - 12, "");
	if (s->footer != NULL)
		fprintf(f, "\n%s", s->footer);
}

static int
take(const struct adn_opts_spec *s, const struct adn_opt *o,
     const char *arg)
{
	uint64_t u;
	double d;

	switch (o->kind) {
	case ADN_OPT_FLAG:
		*(bool *)o->dst = true;
		return 0;
	case ADN_OPT_STR:
		*(const char **)o->dst = arg;
		return 0;
	case ADN_OPT_STRS:
		if (*o->n >= o->max) {
			fprintf(stderr, "%s: --%s: at most %u\n", s->prog,
				o->name, o->max);
			return -1;
		}
		((const char **)o->dst)[(*o->n)++] = arg;
		return 0;
	case ADN_OPT_U64:
		if (adn_parse_u64(arg, (uint64_t)o->lo, (uint64_t)o->hi,
				  &u) < 0) {
			fprintf(stderr,
				"%s: --%s '%s': not a whole number in [%.0f, %.0f]\n",
				s->prog, o->name, arg, o->lo, o->hi);
			return -1;
		}
		*(uint64_t *)o->dst = u;
		return 0;
	case ADN_OPT_DOUBLE:
		if (adn_parse_double(arg, o->lo, o->hi, &d) < 0) {
			fprintf(stderr,
				"%s: --%s '%s': not a number in [%g, %g]\n",
				s->prog, o->name, arg, o->lo, o->hi);
			return -1;
		}
		*(double *)o->dst = d;
		return 0;
	case ADN_OPT_CALL:
		return o->call(arg, o->ctx) < 0 ? -1 : 0;
	case ADN_OPT_EXIT:
		o->call(NULL, o->ctx);
		return 1;
	}
	return -1;
}

int
adn_opts_parse(const struct adn_opts_spec *s, int argc, char **argv,
	       int *rest_argc, char ***rest_argv)
{
	struct option longopts[OPTS_MAX + 2];
	char shorts[3 * OPTS_MAX + 4];
	unsigned int n = count(s->opts), k = 0;
	int c, idx;

	if (n > OPTS_MAX)
		abort();	/* a program's table, not input */
	if (s->stop_at_word)
		shorts[k++] = '+';
	shorts[k++] = ':';	/* a missing argument is ':' */
	for (unsigned int i = 0; i < n; i++) {
		const struct adn_opt *o = &s->opts[i];
		const bool has_arg = o->kind != ADN_OPT_FLAG &&
			o->kind != ADN_OPT_EXIT;

		/* Long options report their index through val >= 256. */
		longopts[i] = (struct option){ o->name, has_arg ?
			required_argument : no_argument, NULL, 256 + (int)i };
		if (o->key) {
			shorts[k++] = (char)o->key;
			if (has_arg)
				shorts[k++] = ':';
		}
	}
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	shorts[k++] = 'h';
	shorts[k] = '\0';

	/* 0, not 1: glibc re-reads the option string (a second parse may
	 * use another ordering, as adn-ctl's commands do). */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longopts, &idx)) != -1) {
		const struct adn_opt *o = NULL;
		int rc;

		if (c == 'h') {
			adn_opts_usage(s, stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];

			if (c == ':')
				fprintf(stderr, "%s: %s needs an argument\n",
					s->prog, bad);
			else
				fprintf(stderr, "%s: unknown option %s\n",
					s->prog, optopt ? (char[]){ '-',
					(char)optopt, 0 } : bad);
			fprintf(stderr, "Try '%s --help'.\n", s->prog);
			return -1;
		}
		if (c >= 256)
			o = &s->opts[c - 256];
		for (unsigned int i = 0; o == NULL && i < n; i++)
			if (s->opts[i].key == c)
				o = &s->opts[i];
		rc = take(s, o, optarg);
		if (rc != 0)
			return rc;
	}
	*rest_argc = argc - optind;
	*rest_argv = argv + optind;
	return 0;
}
