/*
 * One client shared by many threads at once: blocking calls, async calls and validators
 * interleaved, every answer checked.
 */
#include "lbtest.h"

#define THREADS 8
#define ROUNDS 4

typedef struct {
    const lb_client_t *client;
    int index;
    int ok;
    int bad;
} worker_t;

static void *work(void *arg) {
    worker_t *w = arg;
    for (int r = 0; r < ROUNDS; r++) {
        char *resp = NULL;
        lb_error_t *err = NULL;
        lb_status st;
        switch ((w->index + r) % 4) {
        case 0:
            st = lb_call(w->client, "carreta.search.query", "{\"q\": \"OC47\"}", &resp, &err);
            if (st == LB_OK && lbt_contains(resp, "\"code\":\"OC47\"")) w->ok++; else w->bad++;
            break;
        case 1:
            st = lb_call(w->client, "carreta.profile.get", "{\"account\": \"1002\"}", &resp, &err);
            if (st == LB_OK && lbt_contains(resp, "15230.50")) w->ok++; else w->bad++;
            break;
        case 2:
            st = lb_call(w->client, "carreta.order.get", "{\"id\": 987654321}", &resp, &err);
            if (st == LB_HTTP && lb_error_http_status(err) == 404 && resp == NULL) w->ok++; else w->bad++;
            break;
        default:
            st = lb_call(w->client, "carreta.order.list", "{\"page\": 1}", &resp, &err);
            if (st == LB_OK && resp && resp[0] == '[') w->ok++; else w->bad++;
            if (lb_carreta_check_order_qty("<10", 1, 10, NULL) == LB_VALIDATION) w->ok++; else w->bad++;
            break;
        }
        if (w->bad) fprintf(stderr, "thread %d round %d: %s %s\n", w->index, r, lb_status_name(st), err ? lb_error_json(err) : "");
        lb_string_free(resp);
        lb_error_free(err);
    }
    return NULL;
}

int main(void) {
    lb_client_t *client = lbt_client(2, 0);
    pthread_t threads[THREADS];
    worker_t workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker_t){client, i, 0, 0};
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    int ok = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].bad == 0);
        ok += workers[i].ok;
    }
    CHECK(ok == THREADS * ROUNDS + THREADS * ROUNDS / 4);
    lb_client_free(client);
    return lbt_finish("test_threads");
}
