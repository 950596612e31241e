/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command lines of the apps and tools, from one table: each option names
 * where its value goes and its range, and the parser checks numbers
 * strictly (adn_parse.h), says which option was wrong and why, prints
 * the usage built from the same table for -h, and hands back what follows
 * the options (the EAL arguments after `--`, or a command's words).
 */
#ifndef _ADN_OPTS_H_
#define _ADN_OPTS_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum adn_opt_kind {
	ADN_OPT_FLAG,		/* bool *dst = true */
	ADN_OPT_STR,		/* const char **dst = the argument */
	ADN_OPT_STRS,		/* const char *dst[max], *n of them */
	ADN_OPT_U64,		/* uint64_t *dst, in [lo, hi] */
	ADN_OPT_DOUBLE,		/* double *dst, in [lo, hi] */
	ADN_OPT_CALL,		/* call(arg, ctx): 0, or -1 after saying why */
	ADN_OPT_EXIT,		/* call(NULL, ctx), then stop with status 0
				 * (--version, --list-...) */
};

struct adn_opt {
	const char *name;	/* long name, without "--" */
	int key;		/* short option letter, or 0 for none */
	enum adn_opt_kind kind;
	void *dst;
	double lo, hi;		/* U64, DOUBLE */
	unsigned int max;	/* STRS: room in dst */
	unsigned int *n;	/* STRS: how many given */
	const char *arg;	/* the argument's name in the usage: "FILE" */
	const char *help;	/* may hold '\n' for more lines */
	int (*call)(const char *arg, void *ctx);	/* CALL, EXIT */
	void *ctx;
};

struct adn_opts_spec {
	const char *prog;	/* for messages: "adn-nf" */
	const char *synopsis;	/* "-c FILE [options] [-- EAL arguments]" */
	const char *summary;	/* one line: what the program does */
	const char *footer;	/* after the options, or NULL */
	const struct adn_opt *opts;	/* ends with { .name = NULL } */
	/* Options end at the first word that is not one (a command and its
	 * own options follow), not only at "--". */
	bool stop_at_word;
};

/*
 * Parse argv. -h/--help prints the usage to stdout. Returns 0 with the
 * words after the options in *rest_argc and *rest_argv, 1 when the program
 * should exit with status 0 (help, EXIT options), -1 after printing a
 * usage error to stderr.
 */
int adn_opts_parse(const struct adn_opts_spec *s, int argc, char **argv,
		   int *rest_argc, char ***rest_argv);

void adn_opts_usage(const struct adn_opts_spec *s, FILE *f);

#endif /* _ADN_OPTS_H_ */
