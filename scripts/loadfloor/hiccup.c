// hiccup: how late the machine wakes a thread that asks to sleep 100
// microseconds, counted over a number of seconds (after jHiccup's idea).
// Each lateness over a millisecond is a stall that an open-loop load
// test at 5,000 requests a second turns into about five late requests
// per millisecond of stall, whatever the server.
//
//   hiccup SECONDS
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long nanos(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
	if (argc != 2 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: hiccup SECONDS\n");
		return 2;
	}
	const long long nap = 100000;
	const long long limits[] = {500000, 1000000, 2000000, 5000000};
	long long over[4] = {0}, worst = 0, sleeps = 0, late_ns = 0;
	long long end = nanos() + atoi(argv[1]) * 1000000000LL;
	struct timespec req = {0, nap};
	for (long long t0 = nanos(); t0 < end; t0 = nanos()) {
		nanosleep(&req, 0);
		long long late = nanos() - t0 - nap;
		sleeps++;
		if (late > worst)
			worst = late;
		for (int k = 0; k < 4; k++)
			if (late > limits[k]) {
				over[k]++;
				if (k == 1)
					late_ns += late;
			}
	}
	printf("hiccup: %lld sleeps of 0.1ms in %ss: late by >0.5ms %lld, >1ms %lld (%.1f ms in all), >2ms %lld, >5ms %lld; worst %.3fms\n",
	       sleeps, argv[1], over[0], over[1], late_ns / 1e6, over[2], over[3], worst / 1e6);
	return 0;
}
