/*
 * lb_call_threads THREADS CALLS: CALLS `lb_call(client, "carreta.search.query", ...)` shared
 * out over THREADS threads, all on one client (the C face's client is documented as safe to
 * share), against the service at CARRETA_BASE_URL with CARRETA_API_KEY (the release sandbox
 * bench/run.py starts). Prints one JSON line: threads, calls, seconds (wall, from the first
 * thread's start to the last one's end), failures.
 *
 * bench/run.py runs it with 8 threads and with 1: the same calls, so the ratio says whether
 * calls from many threads overlap (no lock held across a call) or queue behind each other.
 *
 * Build (bench/run.py does): cc -O2 -std=c99 -I include bench/c/lb_call_threads.c
 *   -L target/release -llogibridge -Wl,-rpath,target/release -lpthread
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logibridge.h"

typedef struct {
    const lb_client_t *client;
    long calls;
    long failures;
} worker_t;

static void *work(void *arg) {
    worker_t *w = arg;
    for (long i = 0; i < w->calls; i++) {
        char *resp = NULL;
        lb_error_t *err = NULL;
        lb_status st = lb_call(w->client, "carreta.search.query", "{\"q\": \"oc47\"}", &resp, &err);
        /* An answer that is not the offers list counts as a failure, not as a fast call. */
        if (st != LB_OK || resp == NULL || resp[0] != '[') w->failures++;
        lb_string_free(resp);
        lb_error_free(err);
    }
    return NULL;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 8;
    long calls = argc > 2 ? atol(argv[2]) : 2000;
    const char *url = getenv("CARRETA_BASE_URL");
    const char *key = getenv("CARRETA_API_KEY");
    if (threads < 1 || threads > 256 || calls < threads || !url || !key) {
        fprintf(stderr, "usage: CARRETA_BASE_URL=... CARRETA_API_KEY=... lb_call_threads THREADS(1-256) CALLS(>= THREADS)\n");
        return 2;
    }
    lb_carreta_options_t opts;
    lb_carreta_options_init(&opts);
    opts.api_key = key;
    opts.base_url = url;
    lb_client_t *client = NULL;
    lb_error_t *err = NULL;
    if (lb_carreta_new(&opts, &client, &err) != LB_OK) {
        fprintf(stderr, "cannot make a client: %s\n", lb_error_message(err));
        lb_error_free(err);
        return 1;
    }
    /* One call first: connections and the runtime are up before the clock starts. */
    worker_t warm = {client, 1, 0};
    work(&warm);

    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    worker_t *workers = calloc((size_t)threads, sizeof *workers);
    if (!ids || !workers) return 1;
    double start = now();
    for (int i = 0; i < threads; i++) {
        /* The remainder goes to the first threads, so exactly CALLS calls are made. */
        workers[i] = (worker_t){client, calls / threads + (i < calls % threads ? 1 : 0), 0};
        if (pthread_create(&ids[i], NULL, work, &workers[i]) != 0) return 1;
    }
    long failures = warm.failures;
    for (int i = 0; i < threads; i++) {
        pthread_join(ids[i], NULL);
        failures += workers[i].failures;
    }
    double seconds = now() - start;
    printf("{\"threads\":%d,\"calls\":%ld,\"seconds\":%.6f,\"failures\":%ld}\n", threads, calls, seconds, failures);
    free(ids);
    free(workers);
    lb_client_free(client);
    return failures ? 1 : 0;
}
