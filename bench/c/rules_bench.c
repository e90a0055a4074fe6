/*
 * rules_bench [CALLS] [ROUNDS]: nanoseconds per call of `lb_carreta_check_order_qty`, allowed
 * ("<10", 1, 9) and refused ("<10", 1, 10), each refusal's error freed. Cases in rounds,
 * order rotated; the median of the rounds is printed.
 *
 * Cases: "accepted"; "rejected" (the error made and freed, nothing read); "rejected_code"
 * (lb_error_code read); "rejected_message" (lb_error_message read: the texts written).
 *
 * Prints one JSON line per case:
 *   {"case": "rejected", "calls": N, "rounds": R, "ns_per_call": [r1, ...],
 *    "cpu_ns_per_call": [r1, ...], "median_ns": m}
 * (wall: CLOCK_MONOTONIC; CPU: CLOCK_PROCESS_CPUTIME_ID, every thread of the process. The
 * calls run on this thread, so the two differ by what the machine's load steals.)
 *
 * Build (bench/run.py does): cc -O2 -std=c99 -I include bench/c/rules_bench.c
 *   -L target/release -llogibridge -Wl,-rpath,target/release
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logibridge.h"

enum { ACCEPTED, REJECTED, REJECTED_CODE, REJECTED_MESSAGE, CASES };
static const char *NAMES[CASES] = {"accepted", "rejected", "rejected_code", "rejected_message"};

static double now_ns(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Returns the calls whose status was not the one the case expects (must be 0). */
static long run(int which, long calls, volatile size_t *sink) {
    long wrong = 0;
    int64_t order = which == ACCEPTED ? 9 : 10;
    lb_status want = which == ACCEPTED ? LB_OK : LB_VALIDATION;
    for (long i = 0; i < calls; i++) {
        lb_error_t *err = NULL;
        lb_status st = lb_carreta_check_order_qty("<10", 1, order, &err);
        if (st != want) wrong++;
        if (which == REJECTED_CODE) *sink += strlen(lb_error_code(err));
        if (which == REJECTED_MESSAGE) *sink += strlen(lb_error_message(err));
        lb_error_free(err);
    }
    return wrong;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long calls = argc > 1 ? atol(argv[1]) : 200000;
    int rounds = argc > 2 ? atoi(argv[2]) : 7;
    if (calls < 1 || rounds < 1 || rounds > 100) {
        fprintf(stderr, "usage: rules_bench [CALLS] [ROUNDS<=100]\n");
        return 2;
    }
    volatile size_t sink = 0;
    double ns[CASES][100], cpu_ns[CASES][100];
    for (int c = 0; c < CASES; c++) run(c, calls / 10 + 1, &sink); /* warm-up */
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < CASES; k++) {
            int c = (k + r) % CASES;
            double t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
            long wrong = run(c, calls, &sink);
            ns[c][r] = (now_ns(CLOCK_MONOTONIC) - t0) / (double)calls;
            cpu_ns[c][r] = (now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)calls;
            if (wrong) {
                fprintf(stderr, "%s: %ld calls returned an unexpected status\n", NAMES[c], wrong);
                return 1;
            }
        }
    }
    for (int c = 0; c < CASES; c++) {
        printf("{\"case\": \"%s\", \"calls\": %ld, \"rounds\": %d, \"ns_per_call\": [", NAMES[c], calls, rounds);
        for (int r = 0; r < rounds; r++) printf("%s%.1f", r ? ", " : "", ns[c][r]);
        printf("], \"cpu_ns_per_call\": [");
        for (int r = 0; r < rounds; r++) printf("%s%.1f", r ? ", " : "", cpu_ns[c][r]);
        qsort(ns[c], (size_t)rounds, sizeof(double), by_value);
        printf("], \"median_ns\": %.1f}\n", ns[c][rounds / 2]);
    }
    return 0;
}
