/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "report.h"

#define RTE_DIM_PALETTE (sizeof(palette) / sizeof(palette[0]))

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct bench_stat
stat_of(const double *v, unsigned int n)
{
	struct bench_stat st = { 0 };

	if (n == 0)
		return st;
	double s[n];

	memcpy(s, v, sizeof(*v) * n);
	qsort(s, n, sizeof(*s), cmp_double);
	st.min = s[0];
	st.max = s[n - 1];
	st.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return st;
}

void
bench_cell_summarize(struct bench_cell *c)
{
	c->s_mpps = stat_of(c->mpps, c->n_runs);
	c->s_cpp = stat_of(c->cpp, c->n_runs);
	c->s_p50 = stat_of(c->p50, c->n_runs);
	c->s_p99 = stat_of(c->p99, c->n_runs);
	c->s_swap_worst = stat_of(c->swap_worst, c->n_swaps);
	c->s_swap_ms = stat_of(c->swap_ms, c->n_swaps);
}

/* The cell of the same workload and plan measured without swaps. */
static const struct bench_cell *
unswapped_of(const struct bench_report *r, const struct bench_cell *c)
{
	for (unsigned int i = 0; i < r->n_cells; i++)
		if (!r->cells[i].swap_every_ms && !r->cells[i].floor &&
		    strcmp(r->cells[i].workload, c->workload) == 0 &&
		    strcmp(r->cells[i].plan, c->plan) == 0)
			return &r->cells[i];
	return NULL;
}

/* Swapped cells against the same plan unswapped: throughput kept, the
 * worst batch around a swap against the steady p99, request -> live. */
static void
print_swaps(const struct bench_report *r, FILE *f)
{
	bool any = false;

	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i];
		const struct bench_cell *u = unswapped_of(r, c);

		if (!c->swap_every_ms || u == NULL)
			continue;
		if (!any)
			fprintf(f, "%-13s %-22s %6s %8s %8s %11s %11s %12s\n",
				"workload", "plan (swapping)", "swaps",
				"Mpps", "vs none", "near/p99", "max/p99",
				"live ms p50");
		any = true;
		double p99 = u->s_p99.median > 0 ? u->s_p99.median : 1;

		fprintf(f, "%-13s %-22s %6u %8.2f %7.1f%% %10.2fx %10.2fx %12.2f\n",
			c->workload, c->plan, c->n_swaps, c->s_mpps.median,
			100.0 * (c->s_mpps.median / u->s_mpps.median - 1),
			c->s_swap_worst.median / p99, c->s_swap_worst.max / p99,
			c->s_swap_ms.median);
	}
	if (any)
		fprintf(f, "(a new version of the same plan every %u ms while the runs go; near/max: the slowest batch of the 10 around a swap, median and worst over the swaps, against the unswapped runs' batch p99)\n\n",
			r->cells[r->n_cells - 1].swap_every_ms);
}

void
bench_cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown CPU");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
			colon += 2;
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(buf, len, "%s", colon);
			break;
		}
	}
	fclose(f);
}

static const struct bench_cell *
floor_of(const struct bench_report *r, const char *workload)
{
	for (unsigned int i = 0; i < r->n_cells; i++)
		if (r->cells[i].floor &&
		    strcmp(r->cells[i].workload, workload) == 0)
			return &r->cells[i];
	return NULL;
}

/* Cycles per packet the pipeline adds over the floor (NAN: no floor). */
static double
over_floor(const struct bench_report *r, const struct bench_cell *c)
{
	const struct bench_cell *f = floor_of(r, c->workload);

	if (f == NULL || c->floor)
		return NAN;
	return c->s_cpp.median - f->s_cpp.median;
}

/* Spread of the runs as +-% of the median. */
static double
spread(const struct bench_stat *s)
{
	return s->median > 0 ? 100.0 * (s->max - s->min) / 2 / s->median : 0;
}

/* The best static (not Morph, not swapped) cell of a workload by median
 * Mpps, NULL when none. */
static const struct bench_cell *
best_static(const struct bench_report *r, const char *workload)
{
	const struct bench_cell *best = NULL;

	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i];

		if (c->floor || c->swap_every_ms ||
		    strcmp(c->plan, BENCH_MORPH) == 0 ||
		    strcmp(c->workload, workload) != 0)
			continue;
		if (best == NULL || c->s_mpps.median > best->s_mpps.median)
			best = c;
	}
	return best;
}

/* Mpps of a timed cell from `from` seconds on. */
static double
mpps_from(const struct bench_cell *c, double from)
{
	double sum = 0;
	unsigned int n = 0;

	for (unsigned int k = (unsigned int)(from / BENCH_TICK_S);
	     k < c->n_ticks; k++, n++)
		sum += c->tick_mpps[k];
	return n ? sum / n : NAN;
}

/* When the one-second mean first reached `target` Mpps (NAN: never). */
static double
reached(const struct bench_cell *c, double target)
{
	const unsigned int w = (unsigned int)(1 / BENCH_TICK_S);
	double sum = 0;

	for (unsigned int k = 0; k < c->n_ticks; k++) {
		sum += c->tick_mpps[k];
		if (k >= w)
			sum -= c->tick_mpps[k - w];
		if (k + 1 >= w && sum / w >= target)
			return (k + 1) * BENCH_TICK_S;
	}
	return NAN;
}

/* Phased workloads: Mpps per phase of every plan, the per-phase best
 * static plan (the oracle), Morph against both, and how long after each
 * change Morph swapped. */
static void
print_phased(const struct bench_report *r, const char *wl, FILE *f)
{
	const struct bench_cell *morph = NULL;
	double oracle[BENCH_MAX_PHASES] = { 0 }, best_whole = 0;
	unsigned int n_ph = 0;

	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i];

		if (!c->timed || c->phase_s <= 0 || strcmp(c->workload, wl))
			continue;
		if (n_ph == 0) {
			n_ph = c->n_phases;
			fprintf(f, "%s: %g s per phase (even: heavy-tailed, odd: skewed), Mpps per phase\n",
				wl, c->phase_s);
			fprintf(f, "%-40s", "plan");
			for (unsigned int k = 0; k < n_ph; k++)
				fprintf(f, " %7u", k);
			fprintf(f, " %8s\n", "whole");
		}
		fprintf(f, "%-40.40s", c->plan);
		for (unsigned int k = 0; k < RTE_MIN(n_ph, c->n_phases); k++) {
			fprintf(f, " %7.2f", c->phase_mpps[k]);
			if (strcmp(c->plan, BENCH_MORPH) != 0 &&
			    c->phase_mpps[k] > oracle[k])
				oracle[k] = c->phase_mpps[k];
		}
		fprintf(f, " %8.2f\n", c->s_mpps.median);
		if (strcmp(c->plan, BENCH_MORPH) == 0)
			morph = c;
		else if (c->s_mpps.median > best_whole)
			best_whole = c->s_mpps.median;
	}
	if (n_ph == 0)
		return;
	fprintf(f, "%-40s", "oracle (best static per phase)");
	for (unsigned int k = 0; k < n_ph; k++)
		fprintf(f, " %7.2f", oracle[k]);
	fprintf(f, "\n");
	if (morph == NULL || best_whole <= 0) {
		fprintf(f, "\n");
		return;
	}
	fprintf(f, "%-40s", "morph / oracle");
	for (unsigned int k = 0; k < RTE_MIN(n_ph, morph->n_phases); k++)
		fprintf(f, " %6.2fx", oracle[k] > 0 ?
			morph->phase_mpps[k] / oracle[k] : NAN);
	fprintf(f, "\nmorph / best single static plan over the run: %.2fx\n",
		morph->s_mpps.median / best_whole);
	/* A change is answered by Morph's first decision in its phase: a
	 * swap, or the live plan kept after a search or a recall. */
	fprintf(f, "morph's answer to each change:");
	for (unsigned int k = 1; k < morph->n_phases; k++) {
		const double change = k * morph->phase_s;
		unsigned int j = 0;

		while (j < morph->n_decide && morph->decide_at[j] < change)
			j++;
		if (j == morph->n_decide ||
		    morph->decide_at[j] >= change + morph->phase_s)
			fprintf(f, " phase %u: none;", k);
		else
			fprintf(f, " phase %u: %.1f s, %s (%s);", k,
				morph->decide_at[j] - change,
				morph->decide_swapped[j] ? "swapped" : "kept",
				morph->decide_why[j]);
	}
	fprintf(f, "\n\n");
}

/* Timed cells: Morph against the best static plan of its workload, and
 * the phased tables. */
static void
print_timed(const struct bench_report *r, FILE *f)
{
	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i], *b;
		bool first = true;

		/* Once per workload, at its first phased cell (the floor
		 * before it is not phased). */
		for (unsigned int j = 0; j < i; j++)
			first &= !(r->cells[j].timed &&
				   r->cells[j].phase_s > 0) ||
				strcmp(r->cells[j].workload, c->workload) != 0;
		if (c->timed && c->phase_s > 0 && first)
			print_phased(r, c->workload, f);
		if (!c->timed || c->phase_s > 0 ||
		    strcmp(c->plan, BENCH_MORPH) != 0)
			continue;
		b = best_static(r, c->workload);
		fprintf(f, "morph on %s: %.2f Mpps over %.0f s, %.2f from 5 s on",
			c->workload, c->s_mpps.median, c->seconds,
			mpps_from(c, 5));
		if (b != NULL)
			fprintf(f, " = %.2fx the best static plan (%s, %.2f Mpps); 0.95x of it reached at %.1f s",
				mpps_from(c, 5) / b->s_mpps.median, b->plan,
				b->s_mpps.median,
				reached(c, 0.95 * b->s_mpps.median));
		fprintf(f, "\n  swaps:");
		for (unsigned int k = 0; k < c->n_morph; k++)
			fprintf(f, " %.1f s -> %s;", c->morph_at[k],
				c->morph_to[k]);
		fprintf(f, "%s\n\n", c->n_morph ? "" : " none");
	}
}

/* Under --interleave, the cell whose runs c's are set against, round by
 * round: the workload's first plan. NULL for that plan itself, the
 * floor (measured apart), timed cells (one run) and without it. */
static const struct bench_cell *
round_base_of(const struct bench_report *r, const struct bench_cell *c)
{
	if (!r->interleaved || c->floor || c->timed)
		return NULL;
	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *b = &r->cells[i];

		if (!b->floor && !b->timed &&
		    strcmp(b->workload, c->workload) == 0)
			return b == c ? NULL : b;
	}
	return NULL;
}

/* c's Mpps over its round base's (round_base_of), run by run, into
 * `ratio`, with their summary: how many (0: none, or no base). */
static unsigned int
round_ratios(const struct bench_report *r, const struct bench_cell *c,
	     const struct bench_cell **base, double *ratio,
	     struct bench_stat *st)
{
	const struct bench_cell *b = round_base_of(r, c);
	unsigned int n = 0;

	*base = b;
	for (unsigned int k = 0;
	     b != NULL && k < RTE_MIN(c->n_runs, b->n_runs); k++)
		if (b->mpps[k] > 0)
			ratio[n++] = c->mpps[k] / b->mpps[k];
	*st = stat_of(ratio, n);
	return n;
}

/* Each plan against the first, round by round: a drift of the machine's
 * speed between rounds hits both runs of a ratio alike. */
static void
print_rounds(const struct bench_report *r, FILE *f)
{
	bool any = false;

	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *b;
		double ratio[BENCH_MAX_REPS];
		struct bench_stat st;

		if (round_ratios(r, &r->cells[i], &b, ratio, &st) == 0)
			continue;
		if (!any)
			fprintf(f, "%-13s %-22s %-22s %8s %8s %8s\n",
				"workload", "plan", "over (same round)",
				"median", "min", "max");
		any = true;
		fprintf(f, "%-13s %-22s %-22s %7.2fx %7.2fx %7.2fx\n",
			r->cells[i].workload, r->cells[i].plan, b->plan,
			st.median, st.min, st.max);
	}
	if (any)
		fprintf(f, "(--interleave: each run over the run of the workload's first plan in the same round)\n\n");
}

/* Per element cycles/packet of every cell (the profiler's sampled
 * batches): where a plan's time goes. */
static void
print_elems(const struct bench_report *r, FILE *f)
{
	bool any = false;

	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i];

		if (c->n_elems == 0)
			continue;
		if (!any)
			fprintf(f, "cycles/pkt per element (profiled batches; a fused or jit chain counts at its head):\n");
		any = true;
		fprintf(f, "  %-13s %-22s", c->workload, c->plan);
		for (unsigned int k = 0; k < c->n_elems; k++)
			fprintf(f, " %s %.1f", c->elem[k].name,
				bench_elem_cpp(&c->elem[k]));
		fprintf(f, "\n");
	}
	if (any)
		fprintf(f, "\n");
}

void
bench_report_print(const struct bench_report *r, FILE *f)
{
	fprintf(f, "\n%s, %s, TSC %.3f GHz, median of %u runs (spread +-%%)\n",
		r->config, r->cpu, r->tsc_hz / 1e9, r->reps);
	fprintf(f, "%-13s %-22s %14s %15s %11s %10s %10s %8s\n", "workload",
		"plan", "Mpps", "cycles/pkt", "over floor", "batch p50",
		"batch p99", "dropped");
	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i];
		double of = over_floor(r, c);
		char mpps[32], cpp[32], ofs[16];

		snprintf(mpps, sizeof(mpps), "%.2f +-%.1f%%", c->s_mpps.median,
			 spread(&c->s_mpps));
		snprintf(cpp, sizeof(cpp), "%.1f +-%.1f%%", c->s_cpp.median,
			 spread(&c->s_cpp));
		if (isnan(of))
			snprintf(ofs, sizeof(ofs), "-");
		else
			snprintf(ofs, sizeof(ofs), "%.1f", of);
		fprintf(f, "%-13s %-22s %14s %15s %11s %10.0f %10.0f %8" PRIu64 "\n",
			c->workload, c->plan, mpps, cpp, ofs, c->s_p50.median,
			c->s_p99.median, c->dropped);
	}
	fprintf(f, "(packets per run %" PRIu64 ", burst %u; cycles are TSC cycles; batch p50/p99: cycles per batch incl. rx)\n\n",
		r->n_cells ? r->cells[0].packets : 0,
		r->n_cells ? r->cells[0].burst : 0);
	print_rounds(r, f);
	print_elems(r, f);
	print_swaps(r, f);
	print_timed(r, f);
}

static int
write_csv(const struct bench_report *r, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "workload,plan,floor,packets,burst,runs,mpps_median,mpps_min,mpps_max,cpp_median,cpp_min,cpp_max,cpp_over_floor,batch_p50,batch_p99,dropped,transmitted,round_ratio_to,round_ratio_median,round_ratio_min,round_ratio_max\n");
	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i], *b;
		double of = over_floor(r, c), ratio[BENCH_MAX_REPS];
		struct bench_stat st;

		fprintf(f, "%s,\"%s\",%d,%" PRIu64 ",%u,%u,%.4f,%.4f,%.4f,%.3f,%.3f,%.3f,",
			c->workload, c->plan, c->floor, c->packets, c->burst,
			c->n_runs, c->s_mpps.median, c->s_mpps.min,
			c->s_mpps.max, c->s_cpp.median, c->s_cpp.min,
			c->s_cpp.max);
		if (!isnan(of))
			fprintf(f, "%.3f", of);
		fprintf(f, ",%.0f,%.0f,%" PRIu64 ",%" PRIu64 ",",
			c->s_p50.median, c->s_p99.median, c->dropped,
			c->transmitted);
		if (round_ratios(r, c, &b, ratio, &st) > 0)
			fprintf(f, "\"%s\",%.4f,%.4f,%.4f\n", b->plan,
				st.median, st.min, st.max);
		else
			fprintf(f, ",,,\n");
	}
	return fclose(f) == 0 ? 0 : -errno;
}

static void
json_stat(FILE *f, const char *name, const struct bench_stat *s,
	  const double *runs, unsigned int n)
{
	fprintf(f, "\"%s\": {\"median\": %.4f, \"min\": %.4f, \"max\": %.4f, \"runs\": [",
		name, s->median, s->min, s->max);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s%.4f", i ? ", " : "", runs[i]);
	fprintf(f, "]}");
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

static void
json_timed(FILE *f, const struct bench_cell *c)
{
	fprintf(f, ",\n     \"seconds\": %.1f, \"tick_s\": %.1f, \"tick_mpps\": [",
		c->seconds, BENCH_TICK_S);
	for (unsigned int k = 0; k < c->n_ticks; k++)
		fprintf(f, "%s%.3f", k ? ", " : "", c->tick_mpps[k]);
	fprintf(f, "],\n     \"phase_s\": %.1f, \"phase_mpps\": [",
		c->phase_s);
	for (unsigned int k = 0; k < c->n_phases; k++)
		fprintf(f, "%s%.3f", k ? ", " : "", c->phase_mpps[k]);
	fprintf(f, "],\n     \"morph_swaps\": [");
	for (unsigned int k = 0; k < c->n_morph; k++) {
		fprintf(f, "%s{\"at\": %.2f, \"to\": ", k ? ", " : "",
			c->morph_at[k]);
		json_str(f, c->morph_to[k]);
		fprintf(f, "}");
	}
	fprintf(f, "],\n     \"morph_decisions\": [");
	for (unsigned int k = 0; k < c->n_decide; k++) {
		fprintf(f, "%s{\"at\": %.2f, \"swapped\": %s, \"reason\": ",
			k ? ", " : "", c->decide_at[k],
			c->decide_swapped[k] ? "true" : "false");
		json_str(f, c->decide_why[k]);
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

static int
write_json(const struct bench_report *r, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "{\n  \"config\": ");
	json_str(f, r->config);
	fprintf(f, ",\n  \"cpu\": ");
	json_str(f, r->cpu);
	fprintf(f, ",\n  \"tsc_hz\": %" PRIu64 ",\n  \"reps\": %u,\n  \"cells\": [",
		r->tsc_hz, r->reps);
	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i], *b;
		double of = over_floor(r, c), ratio[BENCH_MAX_REPS];
		struct bench_stat st;
		unsigned int n;

		fprintf(f, "%s\n    {\"workload\": ", i ? "," : "");
		json_str(f, c->workload);
		fprintf(f, ", \"plan\": ");
		json_str(f, c->plan);
		fprintf(f, ", \"floor\": %s, \"packets\": %" PRIu64 ", \"burst\": %u,\n     ",
			c->floor ? "true" : "false", c->packets, c->burst);
		json_stat(f, "mpps", &c->s_mpps, c->mpps, c->n_runs);
		fprintf(f, ",\n     ");
		json_stat(f, "cycles_per_packet", &c->s_cpp, c->cpp, c->n_runs);
		if (c->swap_every_ms) {
			fprintf(f, ",\n     \"swap_every_ms\": %u, \"swaps\": %u,\n     ",
				c->swap_every_ms, c->n_swaps);
			json_stat(f, "swap_worst_batch_cycles", &c->s_swap_worst,
				  c->swap_worst, c->n_swaps);
			fprintf(f, ",\n     ");
			json_stat(f, "swap_live_ms", &c->s_swap_ms,
				  c->swap_ms, c->n_swaps);
		}
		fprintf(f, ",\n     ");
		json_stat(f, "batch_cycles_p50", &c->s_p50, c->p50, c->n_runs);
		fprintf(f, ",\n     ");
		json_stat(f, "batch_cycles_p99", &c->s_p99, c->p99, c->n_runs);
		fprintf(f, ",\n     \"cycles_over_floor\": ");
		if (isnan(of))
			fprintf(f, "null");
		else
			fprintf(f, "%.3f", of);
		fprintf(f, ", \"dropped\": %" PRIu64 ", \"transmitted\": %" PRIu64,
			c->dropped, c->transmitted);
		fprintf(f, ", \"element_cycles_per_pkt\": {");
		for (unsigned int k = 0; k < c->n_elems; k++) {
			fprintf(f, "%s", k ? ", " : "");
			json_str(f, c->elem[k].name);
			fprintf(f, ": %.2f", bench_elem_cpp(&c->elem[k]));
		}
		fprintf(f, "}");
		n = round_ratios(r, c, &b, ratio, &st);
		if (n > 0) {
			fprintf(f, ",\n     \"round_ratio_to\": ");
			json_str(f, b->plan);
			fprintf(f, ", ");
			json_stat(f, "round_ratio", &st, ratio, n);
		}
		if (c->timed)
			json_timed(f, c);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]\n}\n");
	return fclose(f) == 0 ? 0 : -errno;
}

/* Colours for plans, in order of first appearance; the floor is grey.
 * Twenty, so the default plans (every template and full plans) each get
 * their own. */
static const char *const palette[] = {
	"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
	"#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#ff9896", "#aec7e8",
	"#98df8a", "#ffbb78", "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5",
	"#dbdb8d", "#393b79",
};

static void
svg_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static bool
has_timed(const struct bench_report *r, const char *wl)
{
	for (unsigned int i = 0; i < r->n_cells; i++)
		if (r->cells[i].timed && !strcmp(r->cells[i].workload, wl))
			return true;
	return false;
}

/* Mpps over time of a workload's timed cells, one line per plan in its
 * legend colour, phase changes dashed, Morph's swaps as ticks on its
 * line; the panel's top at y0, between x0 and x1. */
static void
svg_timeline(FILE *f, const struct bench_report *r, const char *wl,
	     const char *const *pl, unsigned int n_pl, double x0, double x1,
	     double y0)
{
	const double ph = 250;
	double tmax = 0, ymax = 0;

	if (!has_timed(r, wl))
		return;
	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i];

		if (!c->timed || strcmp(c->workload, wl))
			continue;
		tmax = RTE_MAX(tmax, c->n_ticks * BENCH_TICK_S);
		for (unsigned int k = 0; k < c->n_ticks; k++)
			ymax = RTE_MAX(ymax, (double)c->tick_mpps[k]);
	}
	if (tmax <= 0 || ymax <= 0)
		return;
	ymax *= 1.1;
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-weight=\"bold\">", x0,
		y0 - 8);
	svg_text(f, wl);
	fprintf(f, ": Mpps over time (%.1f s ticks; ticks on a line: Morph's swaps)</text>\n",
		BENCH_TICK_S);
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#999\"/>\n",
		x0, y0, x1 - x0, ph);
	for (int k = 0; k <= 4; k++)
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10\">%.1f</text>\n",
			x0 - 4, y0 + ph - k * ph / 4 + 3, ymax * k / 4);
	for (int k = 0; k <= 10; k++)
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"10\">%.0f s</text>\n",
			x0 + k * (x1 - x0) / 10, y0 + ph + 14, tmax * k / 10);
	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i];
		unsigned int p;

		if (!c->timed || strcmp(c->workload, wl))
			continue;
		for (p = 0; p < n_pl && strcmp(pl[p], c->plan); p++)
			;
		for (unsigned int k = 1; c->phase_s > 0 &&
		     k * c->phase_s < tmax; k++)
			fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n",
				x0 + k * c->phase_s / tmax * (x1 - x0),
				x0 + k * c->phase_s / tmax * (x1 - x0), y0,
				y0 + ph);
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" points=\"",
			palette[p % RTE_DIM_PALETTE],
			strcmp(c->plan, BENCH_MORPH) ? "1" : "2.5");
		for (unsigned int k = 0; k < c->n_ticks; k++)
			fprintf(f, "%.1f,%.1f ",
				x0 + (k + 0.5) * BENCH_TICK_S / tmax * (x1 - x0),
				y0 + ph - c->tick_mpps[k] / ymax * ph);
		fprintf(f, "\"><title>");
		svg_text(f, c->plan);
		fprintf(f, "</title></polyline>\n");
		for (unsigned int k = 0; k < c->n_morph; k++) {
			double x = x0 + c->morph_at[k] / tmax * (x1 - x0);

			fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"black\" stroke-width=\"2\"><title>%.1f s: ",
				x, x, y0, y0 + 12, c->morph_at[k]);
			svg_text(f, c->morph_to[k]);
			fprintf(f, "</title></line>\n");
		}
	}
}

/*
 * Grouped bars: one group per workload, one bar per plan (the floor first,
 * grey), height = median Mpps, whiskers = min..max over the runs, and the
 * median cycles/packet written on each bar.
 */
#define LEGEND_FLOOR "floor (source -> sink)"

static int
write_svg(const struct bench_report *r, const char *path)
{
	const char *wl[BENCH_MAX_CELLS], *pl[BENCH_MAX_CELLS];
	unsigned int n_wl = 0, n_pl = 0, per_group;
	const double bw = 46, gap = 40, left = 70, top = 60, ph = 320;
	double width, height, ymax = 0, step, legend_w = 170;
	FILE *f;

	for (unsigned int i = 0; i < r->n_cells; i++) {
		const struct bench_cell *c = &r->cells[i];
		unsigned int k;

		for (k = 0; k < n_wl && strcmp(wl[k], c->workload); k++)
			;
		if (k == n_wl)
			wl[n_wl++] = c->workload;
		for (k = 0; k < n_pl && strcmp(pl[k], c->plan); k++)
			;
		if (k == n_pl)
			pl[n_pl++] = c->plan;
		if (c->s_mpps.max > ymax)
			ymax = c->s_mpps.max;
	}
	per_group = n_pl;
	/* The legend as wide as its longest label (12 px sans-serif: under
	 * 7.5 px a character), so long plan names are not cut off. */
	for (unsigned int p = 0; p < n_pl; p++)
		legend_w = RTE_MAX(legend_w, 20 + 7.5 * (double)strlen(
			strcmp(pl[p], "floor") ? pl[p] : LEGEND_FLOOR) + 15);
	width = RTE_MAX(left + n_wl * (per_group * bw + gap) + 30 + legend_w,
			900.0);
	height = RTE_MAX(top + ph + 80, top + 20.0 * n_pl + 40);
	for (unsigned int w = 0; w < n_wl; w++)
		if (has_timed(r, wl[w]))
			height += 330;
	/* A round axis: 1, 2 or 5 times a power of ten per tick. */
	step = pow(10, floor(log10(ymax > 0 ? ymax / 5 : 1)));
	if (ymax / step > 25)
		step *= 5;
	else if (ymax / step > 10)
		step *= 2;
	ymax = ceil((ymax > 0 ? ymax * 1.12 : 1) / step) * step;

	f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		width, height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%.0f\" y=\"22\" font-size=\"15\" font-weight=\"bold\">adn-bench: ",
		left);
	svg_text(f, r->config);
	fprintf(f, "</text>\n<text x=\"%.0f\" y=\"40\" fill=\"#555\">",
		left);
	svg_text(f, r->cpu);
	fprintf(f, " — one worker lcore, median of %u runs, whiskers min–max, labels: cycles/packet</text>\n",
		r->reps);
	/* Axis and grid. */
	for (double y = 0; y <= ymax + 1e-9; y += step) {
		double py = top + ph - y / ymax * ph;

		fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
			left, width - legend_w - 10, py, py);
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
			left - 6, py + 4, y);
	}
	fprintf(f, "<text transform=\"translate(20 %.0f) rotate(-90)\" text-anchor=\"middle\">Mpps (higher is better)</text>\n",
		top + ph / 2);
	for (unsigned int w = 0; w < n_wl; w++) {
		double gx = left + 15 + w * (per_group * bw + gap);

		for (unsigned int p = 0; p < n_pl; p++) {
			const struct bench_cell *c = NULL;

			for (unsigned int i = 0; i < r->n_cells; i++)
				if (!strcmp(r->cells[i].workload, wl[w]) &&
				    !strcmp(r->cells[i].plan, pl[p]))
					c = &r->cells[i];
			if (c == NULL)
				continue;
			double x = gx + p * bw;
			double h = c->s_mpps.median / ymax * ph;
			double y0 = top + ph - c->s_mpps.max / ymax * ph;
			double y1 = top + ph - c->s_mpps.min / ymax * ph;
			const char *col = c->floor ? "#bbbbbb" :
				palette[p % RTE_DIM_PALETTE];

			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
				x + 3, top + ph - h, bw - 6, h, col);
			svg_text(f, c->workload);
			fprintf(f, " / ");
			svg_text(f, c->plan);
			fprintf(f, ": %.2f Mpps (%.2f–%.2f), %.1f cycles/packet, batch p50 %.0f p99 %.0f cycles</title></rect>\n",
				c->s_mpps.median, c->s_mpps.min, c->s_mpps.max,
				c->s_cpp.median, c->s_p50.median,
				c->s_p99.median);
			fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
				x + bw / 2, x + bw / 2, y0, y1);
			fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
				x + bw / 2 - 5, x + bw / 2 + 5, y0, y0);
			fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
				x + bw / 2 - 5, x + bw / 2 + 5, y1, y1);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\">%.1f</text>\n",
				x + bw / 2, y0 - 5, c->s_mpps.median);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" fill=\"white\">%.0f c</text>\n",
				x + bw / 2, top + ph - 6, c->s_cpp.median);
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" font-weight=\"bold\">",
			gx + per_group * bw / 2, top + ph + 22);
		svg_text(f, wl[w]);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n",
		left, width - legend_w - 10, top + ph, top + ph);
	/* Legend. */
	for (unsigned int p = 0; p < n_pl; p++) {
		double lx = width - legend_w + 5, ly = top + 10 + p * 20;
		bool is_floor = strcmp(pl[p], "floor") == 0;

		fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"14\" fill=\"%s\"/>\n",
			lx, ly - 11, is_floor ? "#bbbbbb" :
			palette[p % RTE_DIM_PALETTE]);
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">", lx + 20, ly);
		svg_text(f, is_floor ? LEGEND_FLOOR : pl[p]);
		fprintf(f, "</text>\n");
	}
	for (unsigned int w = 0; w < n_wl; w++)
		svg_timeline(f, r, wl[w], pl, n_pl, left, width - legend_w - 10,
			     top + ph + 70 + w * 330);
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -errno;
}

int
bench_report_write(const struct bench_report *r, const char *prefix)
{
	static const struct {
		const char *ext;
		int (*fn)(const struct bench_report *, const char *);
	} out[] = {
		{ "csv", write_csv }, { "json", write_json },
		{ "svg", write_svg },
	};
	char path[4096];
	int rc = 0;

	for (unsigned int i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		int e;

		snprintf(path, sizeof(path), "%s.%s", prefix, out[i].ext);
		e = out[i].fn(r, path);
		if (e < 0) {
			fprintf(stderr, "adn-bench: %s: %s\n", path,
				strerror(-e));
			rc = e;
		} else {
			fprintf(stderr, "wrote %s\n", path);
		}
	}
	return rc;
}
