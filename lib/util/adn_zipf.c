/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>

#include "adn_zipf.h"

/* log1p(x)/x and expm1(x)/x, stable near 0. */
static double
helper1(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x :
		1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

static double
helper2(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x :
		1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

static double
h_integral(const struct adn_zipf *z, double x)
{
	double log_x = log(x);

	return helper2((1.0 - z->alpha) * log_x) * log_x;
}

static double
h(const struct adn_zipf *z, double x)
{
	return exp(-z->alpha * log(x));
}

static double
h_integral_inverse(const struct adn_zipf *z, double x)
{
	double t = x * (1.0 - z->alpha);

	if (t < -1.0)
		t = -1.0;
	return exp(helper1(t) * x);
}

int
adn_zipf_init(struct adn_zipf *z, uint64_t n, double alpha)
{
	if (n == 0 || !(alpha > 0))
		return -EINVAL;
	z->n = n;
	z->alpha = alpha;
	z->h_x1 = h_integral(z, 1.5) - 1.0;
	z->h_n = h_integral(z, (double)n + 0.5);
	z->s = 2.0 - h_integral_inverse(z, h_integral(z, 2.5) - h(z, 2.0));
	return 0;
}

uint64_t
adn_zipf_next(const struct adn_zipf *z, struct adn_rand *r)
{
	for (;;) {
		double u = z->h_n + adn_rand_unit(r) * (z->h_x1 - z->h_n);
		double x = h_integral_inverse(z, u);
		double kd = floor(x + 0.5);
		uint64_t k;

		if (kd < 1.0)
			kd = 1.0;
		else if (kd > (double)z->n)
			kd = (double)z->n;
		k = (uint64_t)kd;
		if (kd - x <= z->s || u >= h_integral(z, kd + 0.5) - h(z, kd))
			return k - 1;
	}
}

double
adn_zipf_top_share(uint64_t n, double alpha, uint64_t k)
{
	double top = 0, all = 0;

	for (uint64_t i = 1; i <= n; i++) {
		double p = pow((double)i, -alpha);

		all += p;
		if (i <= k)
			top += p;
	}
	return all > 0 ? top / all : 0;
}
