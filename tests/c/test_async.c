/*
 * lb_call_async: the callback runs exactly once on a library thread, with the response or
 * the error; cancellation; handles freed early; a blocking call from inside a callback;
 * many calls in flight at once.
 */
#include "lbtest.h"

/* One expected callback: what arrived, and a condition to wait on. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls;
    lb_status status;
    char *response; /* a copy */
    char *code;     /* a copy of lb_error_code */
    char *json;     /* a copy of lb_error_json */
    pthread_t thread;
    const lb_client_t *client; /* for the nested call */
    lb_status nested;
} waiter_t;

static void waiter_init(waiter_t *w) {
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->status = (lb_status)999;
}

static void waiter_destroy(waiter_t *w) {
    free(w->response);
    free(w->code);
    free(w->json);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}

/* Waits until `n` callbacks arrived (at most ~20 s); returns how many did. */
static int waiter_wait(waiter_t *w, int n) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 20;
    pthread_mutex_lock(&w->mu);
    while (w->calls < n) {
        if (pthread_cond_timedwait(&w->cv, &w->mu, &deadline) != 0) break;
    }
    int calls = w->calls;
    pthread_mutex_unlock(&w->mu);
    return calls;
}

static void on_done(void *user_data, lb_status status, const char *response_json, const lb_error_t *error) {
    waiter_t *w = user_data;
    pthread_mutex_lock(&w->mu);
    w->calls++;
    w->status = status;
    w->thread = pthread_self();
    /* The response and the error are the library's and valid only here: copy them. */
    if (response_json) w->response = strdup(response_json);
    if (error) w->code = strdup(lb_error_code(error));
    if (error) w->json = strdup(lb_error_json(error));
    if ((status == LB_OK) != (response_json != NULL) || (status == LB_OK) != (error == NULL)) w->status = (lb_status)998;
    if (error && lb_error_status(error) != status) w->status = (lb_status)997;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* A callback that makes a blocking call itself, before reporting. */
static void on_done_nested(void *user_data, lb_status status, const char *response_json, const lb_error_t *error) {
    waiter_t *w = user_data;
    char *resp = NULL;
    w->nested = lb_call(w->client, "carreta.profile.get", NULL, &resp, NULL);
    lb_string_free(resp);
    on_done(user_data, status, response_json, error);
}

static void test_success(lb_client_t *client) {
    waiter_t w;
    waiter_init(&w);
    lb_call_handle_t *h = NULL;
    lb_error_t *err = NULL;
    char params[] = "{\"q\": \"oc47\"}";
    lb_status st = lb_call_async(client, "carreta.search.query", params, on_done, &w, &h, &err);
    memset(params, 'x', sizeof params - 1); /* the library copied it */
    CHECK_STATUS(st, LB_OK, err);
    CHECK(h != NULL);
    CHECK(waiter_wait(&w, 1) == 1);
    CHECK_STATUS(w.status, LB_OK, NULL);
    CHECK(lbt_json_is(w.response, "/0/code", "\"OC47\""));
    CHECK(!pthread_equal(w.thread, pthread_self()));
    /* Cancelling after the fact changes nothing. */
    CHECK(lb_call_cancel(h) == LB_OK);
    lbt_sleep_ms(100);
    CHECK(w.calls == 1);
    lb_call_handle_free(h);
    waiter_destroy(&w);
}

static void test_errors_arrive_through_the_callback(lb_client_t *client) {
    waiter_t w;
    waiter_init(&w);
    /* No handle asked for; bad JSON is found on the library thread. */
    CHECK(lb_call_async(client, "carreta.search.query", "{oops", on_done, &w, NULL, NULL) == LB_OK);
    CHECK(waiter_wait(&w, 1) == 1);
    CHECK_STATUS(w.status, LB_INVALID_ARGUMENT, NULL);
    CHECK_STR(w.code, "invalid_argument");
    waiter_destroy(&w);

    waiter_init(&w);
    CHECK(lb_call_async(client, "carreta.order.get", "{\"id\": 987654321}", on_done, &w, NULL, NULL) == LB_OK);
    CHECK(waiter_wait(&w, 1) == 1);
    CHECK_STATUS(w.status, LB_HTTP, NULL);
    CHECK_STR(w.code, "not_found");
    waiter_destroy(&w);

    /* Refused at once: the callback is never invoked. */
    waiter_init(&w);
    lb_call_handle_t *h = (lb_call_handle_t *)1;
    lb_error_t *err = NULL;
    lb_status st = lb_call_async(client, "carreta.nothing.here", NULL, on_done, &w, &h, &err);
    CHECK_STATUS(st, LB_INVALID_ARGUMENT, err);
    CHECK(h == NULL);
    lb_error_free(err);
    CHECK(lb_call_async(client, "carreta.profile.get", NULL, NULL, &w, &h, NULL) == LB_INVALID_ARGUMENT);
    /* So is an id of a service this build does not know, and one of another service. */
    CHECK(lb_call_async(client, "nosuch.goods.list", NULL, on_done, &w, &h, NULL) == LB_INVALID_ARGUMENT);
    CHECK(lb_call_async(client, "ireca.goods.list", NULL, on_done, &w, &h, NULL) == LB_INVALID_ARGUMENT);
    CHECK(lb_call_async(NULL, "carreta.profile.get", NULL, on_done, &w, &h, NULL) == LB_INVALID_ARGUMENT);
    CHECK(lb_call_async(client, NULL, NULL, on_done, &w, &h, NULL) == LB_INVALID_ARGUMENT);
    lbt_sleep_ms(100);
    CHECK(w.calls == 0);
    waiter_destroy(&w);
}

static void test_cancel(lb_client_t *client) {
    waiter_t w;
    waiter_init(&w);
    /* The sandbox holds the answer for 3 s; cancel after a moment. */
    CHECK(lbt_fault("{\"path_prefix\": \"/carreta/v1/profile\", \"delay_ms\": 3000}") == 201);
    lb_call_handle_t *h = NULL;
    CHECK(lb_call_async(client, "carreta.profile.get", NULL, on_done, &w, &h, NULL) == LB_OK);
    lbt_sleep_ms(100);
    CHECK(lb_call_cancel(h) == LB_OK);
    CHECK(lb_call_cancel(h) == LB_OK); /* twice is harmless */
    CHECK(waiter_wait(&w, 1) == 1);
    CHECK_STATUS(w.status, LB_CANCELLED, NULL);
    CHECK_STR(w.code, "cancelled");
    CHECK(lbt_json_is(w.json, "/kind", "\"cancelled\""));
    CHECK(lbt_json_is(w.json, "/endpoint", "\"carreta.profile.get\""));
    CHECK(w.response == NULL);
    lb_call_handle_free(h);
    lbt_sleep_ms(100);
    CHECK(w.calls == 1);
    waiter_destroy(&w);
    lbt_clear_faults();

    /* Cancelled before the task even ran. */
    waiter_init(&w);
    CHECK(lb_call_async(client, "carreta.profile.get", NULL, on_done, &w, &h, NULL) == LB_OK);
    CHECK(lb_call_cancel(h) == LB_OK);
    lb_call_handle_free(h);
    CHECK(waiter_wait(&w, 1) == 1);
    /* Either the cancel won (almost always) or the call had already finished. */
    CHECK(w.status == LB_CANCELLED || w.status == LB_OK);
    waiter_destroy(&w);
}

static void test_handle_and_client_freed_early(void) {
    lb_client_t *client = lbt_client(0, 0);
    waiter_t w;
    waiter_init(&w);
    lb_call_handle_t *h = NULL;
    CHECK(lb_call_async(client, "carreta.profile.get", NULL, on_done, &w, &h, NULL) == LB_OK);
    lb_call_handle_free(h);  /* does not cancel */
    lb_client_free(client); /* the call keeps what it needs */
    CHECK(waiter_wait(&w, 1) == 1);
    CHECK_STATUS(w.status, LB_OK, NULL);
    CHECK(lbt_json_is(w.response, "/balance", "\"7.14\""));
    waiter_destroy(&w);
}

static void test_nested_blocking_call(lb_client_t *client) {
    waiter_t w;
    waiter_init(&w);
    w.client = client;
    w.nested = (lb_status)999;
    CHECK(lb_call_async(client, "carreta.profile.get", NULL, on_done_nested, &w, NULL, NULL) == LB_OK);
    CHECK(waiter_wait(&w, 1) == 1);
    CHECK_STATUS(w.status, LB_OK, NULL);
    CHECK_STATUS(w.nested, LB_OK, NULL);
    waiter_destroy(&w);
}

#define MANY 16

static void test_many_in_flight(lb_client_t *client) {
    waiter_t w[MANY];
    lb_call_handle_t *h[MANY];
    for (int i = 0; i < MANY; i++) {
        waiter_init(&w[i]);
        const char *id = i % 2 ? "carreta.profile.get" : "carreta.search.query";
        const char *params = i % 2 ? NULL : "{\"q\": \"oc47\"}";
        CHECK(lb_call_async(client, id, params, on_done, &w[i], &h[i], NULL) == LB_OK);
    }
    for (int i = 0; i < MANY; i++) {
        CHECK(waiter_wait(&w[i], 1) == 1);
        CHECK_STATUS(w[i].status, LB_OK, NULL);
        lb_call_handle_free(h[i]);
    }
    lbt_sleep_ms(50);
    for (int i = 0; i < MANY; i++) {
        CHECK(w[i].calls == 1);
        waiter_destroy(&w[i]);
    }
}

int main(void) {
    lb_client_t *client = lbt_client(0, 0);
    test_success(client);
    test_errors_arrive_through_the_callback(client);
    test_cancel(client);
    test_handle_and_client_freed_early();
    test_nested_blocking_call(client);
    test_many_in_flight(client);
    lb_client_free(client);
    return lbt_finish("test_async");
}
