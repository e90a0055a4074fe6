/*
 * CARGO.RUN incremental sync through the C face (issue 13, "Incremental sync, exactly
 * once"): lb_sync_new / lb_sync_next_batch / lb_sync_acknowledge / lb_sync_checkpoint /
 * lb_sync_free and the conflict rule lb_sync_classify, against the sandbox's emulator:
 *
 * - a cold-start sync of bids while the emulator changes 7 bids before every list call
 *   (/_control/cargorun/mutate_on_list, a share in the tick of the change before) hands
 *   each (id, updatedAt) once, and, once the changes stop and the sync is drained, every
 *   bid's last version (/_control/cargorun/versions) was handed;
 * - acknowledgement mode: a batch handed and not acknowledged is handed again, the same
 *   rows, by a new sync on the same store after lb_sync_free; lb_sync_checkpoint shows the
 *   acknowledged batch's checkpoint; an unknown seq is refused;
 * - a list call with a JSON `query` (filter, orderby, top) selects what it says, and a
 *   malformed one is refused before anything is sent;
 * - the conflict rule's table (examples-1c.md §3-§4) with its boundary equalities;
 * - every NULL, a bad entity or option is a status, never a crash.
 */
#include "lbtest.h"

static lb_client_t *client;
static char store[512];
static char options[512];

/* Every (id, updatedAt) handed. */
struct seen {
    long id;
    char at[48];
};
static struct seen *seen;
static int n_seen, cap_seen;

static long json_long(const char *json, const char *pointer) {
    char *v = lbt_json(json, pointer);
    long out = v != NULL ? atol(v) : -1;
    lb_string_free(v);
    return out;
}

/* Number of elements of the array at pointer (by probing). */
static int array_len(const char *json, const char *pointer) {
    int n = 0;
    for (;; n++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%d", pointer, n);
        char *v = lbt_json(json, p);
        if (v == NULL) return n;
        lb_string_free(v);
    }
}

static void remove_store(void) {
    char path[600];
    unlink(store);
    snprintf(path, sizeof path, "%s-wal", store);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", store);
    unlink(path);
}

/* Records a batch's rows; returns how many were handed before (must stay 0). */
static int record(const char *batch) {
    int again = 0, n = array_len(batch, "/items");
    for (int k = 0; k < n; k++) {
        char p[64];
        snprintf(p, sizeof p, "/items/%d/id", k);
        long id = json_long(batch, p);
        snprintf(p, sizeof p, "/items/%d/updatedAt", k);
        char *at = lbt_json(batch, p);
        for (int i = 0; i < n_seen; i++) {
            if (seen[i].id == id && at && strcmp(seen[i].at, at) == 0) {
                fprintf(stderr, "  handed twice: %ld %s\n", id, at);
                again++;
            }
        }
        if (n_seen == cap_seen) {
            cap_seen = cap_seen ? cap_seen * 2 : 256;
            seen = realloc(seen, (size_t)cap_seen * sizeof *seen);
        }
        seen[n_seen].id = id;
        snprintf(seen[n_seen].at, sizeof seen[n_seen].at, "%s", at ? at : "");
        n_seen++;
        lb_string_free(at);
    }
    return again;
}

static void test_exactly_once_while_bids_change(void) {
    CHECK(lbt_http("POST", "/_control/cargorun/seed", "{\"table\": \"bids\", \"count\": 120, \"ticks\": 20}", NULL) == 200);
    CHECK(lbt_http("POST", "/_control/cargorun/mutate_on_list", "{\"table\": \"bids\", \"count\": 7, \"seed\": 2113, \"same_tick_percent\": 40}", NULL) == 200);
    lb_sync_t *sync = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_sync_new(client, store, "bids", options, &sync, &err), LB_OK, err);
    char *cp = NULL;
    CHECK_STATUS(lb_sync_checkpoint(sync, &cp, &err), LB_OK, err);
    CHECK_STR(cp, "null");
    lb_string_free(cp);
    int twice = 0, batches = 0, ended = 0;
    long last_seq = 0;
    for (int i = 0; i < 60; i++) {
        if (i == 6) lbt_http("POST", "/_control/cargorun/mutate_on_list", "", NULL); /* changes stop */
        char *batch = NULL;
        lb_status st = lb_sync_next_batch(sync, &batch, &err);
        CHECK_STATUS(st, LB_OK, err);
        if (st != LB_OK) break;
        if (batch == NULL) {
            ended = 1;
            break;
        }
        batches++;
        long seq = json_long(batch, "/seq");
        CHECK(seq == last_seq + 1);
        last_seq = seq;
        CHECK(lbt_json_is(batch, "/entity", "\"bids\""));
        twice += record(batch);
        lb_string_free(batch);
    }
    CHECK(ended);
    CHECK(batches >= 4);
    CHECK(twice == 0);
    /* Outside acknowledgement mode, asking for more wrote the last batch's checkpoint. */
    CHECK_STATUS(lb_sync_checkpoint(sync, &cp, &err), LB_OK, err);
    CHECK(lbt_contains(cp, "\"updatedAt\""));
    lb_string_free(cp);

    /* The truth: every bid's last version was handed. */
    char *versions = NULL;
    CHECK(lbt_http("GET", "/_control/cargorun/versions?table=bids", NULL, &versions) == 200);
    int n = array_len(versions, ""), missing = 0;
    for (int k = 0; k < n; k++) {
        char p[64];
        snprintf(p, sizeof p, "/%d/id", k);
        long id = json_long(versions, p);
        snprintf(p, sizeof p, "/%d/updatedAt", k);
        char *at = lbt_json(versions, p);
        int found = 0;
        for (int i = 0; i < n_seen && !found; i++) found = seen[i].id == id && at && strcmp(seen[i].at, at) == 0;
        if (!found) {
            fprintf(stderr, "  never handed: %ld %s\n", id, at ? at : "?");
            missing++;
        }
        lb_string_free(at);
    }
    CHECK(n >= 120);
    CHECK(missing == 0);
    /* Changes were seen: more handed than there are bids. */
    CHECK(n_seen > n);
    free(versions);
    lb_sync_free(sync);
}

/* The items of a batch as JSON text (for comparing two deliveries). */
static char *items_of(const char *batch) { return lbt_json(batch, "/items"); }

static void test_unacknowledged_batch_is_handed_again(void) {
    char ack_options[600];
    char *user = lbt_json_quote(lbt_cargorun_user());
    snprintf(ack_options, sizeof ack_options, "{\"account\": %s, \"acknowledge\": true, \"stream\": \"c-ack\", \"poll_interval\": 60}", user);
    free(user);

    lb_sync_t *sync = NULL;
    lb_error_t *err = NULL;
    char *b1 = NULL, *b2 = NULL, *cp = NULL;
    CHECK_STATUS(lb_sync_new(client, store, "bids", ack_options, &sync, &err), LB_OK, err);
    CHECK_STATUS(lb_sync_next_batch(sync, &b1, &err), LB_OK, err);
    CHECK_STATUS(lb_sync_acknowledge(sync, (uint64_t)json_long(b1, "/seq"), &err), LB_OK, err);
    CHECK_STATUS(lb_sync_next_batch(sync, &b2, &err), LB_OK, err);
    CHECK(b1 != NULL && b2 != NULL);
    CHECK(json_long(b2, "/seq") == 2);
    /* The store holds batch 1's checkpoint, not batch 2's. */
    char *cp1 = lbt_json(b1, "/checkpoint");
    CHECK_STATUS(lb_sync_checkpoint(sync, &cp, &err), LB_OK, err);
    CHECK_STR(cp, cp1);
    lb_string_free(cp);
    /* Unknown batches. */
    CHECK_STATUS(lb_sync_acknowledge(sync, 0, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "batch");
    lb_error_free(err);
    CHECK_STATUS(lb_sync_acknowledge(sync, 99, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    lb_sync_free(sync);

    /* A new sync on the same store: batch 2's rows again, first. */
    sync = NULL;
    char *again = NULL;
    CHECK_STATUS(lb_sync_new(client, store, "bids", ack_options, &sync, &err), LB_OK, err);
    CHECK_STATUS(lb_sync_next_batch(sync, &again, &err), LB_OK, err);
    char *items2 = items_of(b2), *items_again = items_of(again);
    CHECK(items2 != NULL && json_long(b2, "/items/0/id") > 0);
    CHECK_STR(items_again, items2);
    char *cp2 = lbt_json(b2, "/checkpoint");
    CHECK_STATUS(lb_sync_acknowledge(sync, (uint64_t)json_long(again, "/seq"), &err), LB_OK, err);
    CHECK_STATUS(lb_sync_checkpoint(sync, &cp, &err), LB_OK, err);
    CHECK_STR(cp, cp2);
    lb_string_free(cp);
    lb_string_free(cp1);
    lb_string_free(cp2);
    lb_string_free(items2);
    lb_string_free(items_again);
    lb_string_free(b1);
    lb_string_free(b2);
    lb_string_free(again);
    lb_sync_free(sync);
}

static void test_query_json_on_a_list(void) {
    char *ids = NULL;
    CHECK(lbt_http("POST", "/_control/cargorun/seed", "{\"table\": \"bids\", \"count\": 3, \"ticks\": 1}", &ids) == 200);
    long a = json_long(ids, "/ids/0"), b = json_long(ids, "/ids/1"), c = json_long(ids, "/ids/2");
    free(ids);
    char params[512];
    snprintf(params, sizeof params,
             "{\"query\": {\"filter\": [\"and\", [\"or\", [\"eq\", \"id\", %ld], [\"eq\", \"id\", %ld], [\"eq\", \"id\", %ld]],"
             " [\"eq\", \"comment\", {\"text\": \"seeded\"}], [\"not\", [\"eq\", \"isDeleted\", true]]],"
             " \"orderby\": [[\"id\", \"desc\"]], \"top\": 2}}",
             a, b, c);
    char *rows = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_call(client, "cargorun.bids.list_for_external", params, &rows, &err), LB_OK, err);
    long top = a > b ? (a > c ? a : c) : (b > c ? b : c);
    CHECK(array_len(rows, "") == 2);
    CHECK(json_long(rows, "/0/id") == top);
    CHECK(json_long(rows, "/1/id") < top && json_long(rows, "/1/id") > 0);
    lb_string_free(rows);
    /* Malformed descriptions are refused before anything is sent. */
    lbt_http("DELETE", "/_control/requests", NULL, NULL);
    CHECK_STATUS(lb_call(client, "cargorun.bids.list_for_external", "{\"query\": {\"filter\": [\"ge\", \"updatedAt\", \"2026-01-23T21:00:00Z\"]}}", &rows, &err), LB_INVALID_ARGUMENT, err);
    CHECK(lbt_contains(lb_error_field(err), "query"));
    lb_error_free(err);
    CHECK_STATUS(lb_call(client, "cargorun.bids.list_for_external", "{\"query\": {\"top\": 2}, \"top\": 3}", &rows, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK_STATUS(lb_call(client, "cargorun.bids.list_for_external", "{\"query\": {\"filter\": [\"like\", \"id\", 1]}}", &rows, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    char *log = NULL;
    CHECK(lbt_http("GET", "/_control/requests", NULL, &log) == 200);
    CHECK_STR(log, "[]");
    free(log);
    CHECK(rows == NULL);
}

/* One case of the conflict table. */
static void classify(const char *remote, const char *local, const char *last, uint32_t policy, lb_sync_state want_state, lb_sync_action want_action) {
    lb_sync_state state = 99;
    lb_sync_action action = 99;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_sync_classify(remote, local, last, policy, &state, &action, &err), LB_OK, err);
    if (state != want_state || action != want_action)
        fprintf(stderr, "  classify(%s, %s, %s, %u) = %u/%u, want %u/%u\n", remote ? remote : "NULL", local ? local : "NULL", last ? last : "NULL",
                policy, (unsigned)state, (unsigned)action, (unsigned)want_state, (unsigned)want_action);
    CHECK(state == want_state);
    CHECK(action == want_action);
}

static void test_conflict_rule(void) {
    const char *sync_at = "2026-01-23T21:00:00.1234567Z";
    const char *before = "2026-01-23T21:00:00.1234566Z"; /* one tick before */
    const char *after = "2026-01-24T00:00:00.1234568+03:00"; /* one tick after, another offset */
    const char *same = "2026-01-23T21:00:00.1234567"; /* equal: no offset is UTC */
    /* §3.1-§3.4, each side before, equal to and after the last sync. */
    classify(before, before, sync_at, LB_POLICY_MANUAL, LB_SYNC_UNCHANGED, LB_ACTION_NOTHING);
    classify(same, same, sync_at, LB_POLICY_MANUAL, LB_SYNC_UNCHANGED, LB_ACTION_NOTHING);
    classify(same, after, sync_at, LB_POLICY_CARGORUN_WINS, LB_SYNC_PUSH_LOCAL, LB_ACTION_PUSH_LOCAL);
    classify(after, same, sync_at, LB_POLICY_LOCAL_WINS, LB_SYNC_PULL_REMOTE, LB_ACTION_PULL_REMOTE);
    classify(after, after, sync_at, LB_POLICY_CARGORUN_WINS, LB_SYNC_CONFLICT, LB_ACTION_PULL_REMOTE);
    classify(after, after, sync_at, LB_POLICY_LOCAL_WINS, LB_SYNC_CONFLICT, LB_ACTION_PUSH_LOCAL);
    classify(after, after, sync_at, LB_POLICY_MANUAL, LB_SYNC_CONFLICT, LB_ACTION_MANUAL);
    /* Absent times: not on that side yet; never synced. */
    classify(NULL, after, sync_at, LB_POLICY_MANUAL, LB_SYNC_PUSH_LOCAL, LB_ACTION_PUSH_LOCAL);
    classify(after, NULL, NULL, LB_POLICY_MANUAL, LB_SYNC_PULL_REMOTE, LB_ACTION_PULL_REMOTE);
    classify(before, before, NULL, LB_POLICY_MANUAL, LB_SYNC_CONFLICT, LB_ACTION_MANUAL);
    classify(NULL, NULL, NULL, LB_POLICY_MANUAL, LB_SYNC_UNCHANGED, LB_ACTION_NOTHING);
    /* action_out is optional. */
    lb_sync_state state = 99;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_sync_classify(after, same, sync_at, LB_POLICY_MANUAL, &state, NULL, &err), LB_OK, err);
    CHECK(state == LB_SYNC_PULL_REMOTE);
    /* Refusals. */
    CHECK_STATUS(lb_sync_classify("yesterday", NULL, sync_at, LB_POLICY_MANUAL, &state, NULL, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "cargorun_updated_at");
    lb_error_free(err);
    CHECK_STATUS(lb_sync_classify(NULL, NULL, "2026-13-23T21:00:00Z", LB_POLICY_MANUAL, &state, NULL, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "last_sync_at");
    lb_error_free(err);
    CHECK_STATUS(lb_sync_classify(NULL, NULL, NULL, 7, &state, NULL, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "policy");
    lb_error_free(err);
    CHECK_STATUS(lb_sync_classify(NULL, NULL, NULL, LB_POLICY_MANUAL, NULL, NULL, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
}

static void test_nulls_and_bad_arguments(void) {
    lb_sync_t *sync = (lb_sync_t *)&sync; /* reset to NULL on entry */
    lb_error_t *err = NULL;
    char *out = (char *)&out;
    CHECK_STATUS(lb_sync_new(NULL, store, "bids", options, &sync, &err), LB_INVALID_ARGUMENT, err);
    CHECK(sync == NULL);
    lb_error_free(err);
    CHECK_STATUS(lb_sync_new(client, NULL, "bids", options, &sync, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK_STATUS(lb_sync_new(client, store, NULL, options, &sync, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK_STATUS(lb_sync_new(client, store, "bids", options, NULL, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK_STATUS(lb_sync_new(client, store, "orders", options, &sync, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK_STATUS(lb_sync_new(client, store, "bids", NULL, &sync, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "account");
    lb_error_free(err);
    CHECK_STATUS(lb_sync_new(client, store, "bids", "{\"account\": \"a\", \"colour\": 1}", &sync, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "colour");
    lb_error_free(err);
    CHECK_STATUS(lb_sync_new(client, store, "bids", "{\"account\": \"a\", \"poll_interval\": -1}", &sync, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "poll_interval");
    lb_error_free(err);
    CHECK_STATUS(lb_sync_new(client, store, "bids", "{\"account\": \"a\", \"since\": \"yesterday\"}", &sync, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "since");
    lb_error_free(err);
    CHECK_STATUS(lb_sync_new(client, store, "bids", "[1]", &sync, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    char dir_store[600];
    snprintf(dir_store, sizeof dir_store, "%s/no/such/dir/x.db", lbt_env("LB_TEST_TMPDIR"));
    CHECK_STATUS(lb_sync_new(client, dir_store, "bids", options, &sync, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    lb_client_t *carreta = lbt_client(0, 0);
    CHECK_STATUS(lb_sync_new(carreta, store, "bids", options, &sync, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    lb_client_free(carreta);
    CHECK(sync == NULL);
    CHECK_STATUS(lb_sync_next_batch(NULL, &out, &err), LB_INVALID_ARGUMENT, err);
    CHECK(out == NULL);
    lb_error_free(err);
    CHECK(lb_sync_acknowledge(NULL, 1, NULL) == LB_INVALID_ARGUMENT);
    CHECK(lb_sync_checkpoint(NULL, &out, NULL) == LB_INVALID_ARGUMENT);
    CHECK_STATUS(lb_sync_new(client, store, "bids", options, &sync, &err), LB_OK, err);
    CHECK(lb_sync_next_batch(sync, NULL, NULL) == LB_INVALID_ARGUMENT);
    CHECK(lb_sync_checkpoint(sync, NULL, NULL) == LB_INVALID_ARGUMENT);
    lb_sync_free(sync);
    lb_sync_free(NULL);
}

int main(void) {
    snprintf(store, sizeof store, "%s/cargorun-sync-%ld.db", lbt_env("LB_TEST_TMPDIR"), (long)getpid());
    char *user = lbt_json_quote(lbt_cargorun_user());
    snprintf(options, sizeof options, "{\"account\": %s, \"poll_interval\": 60}", user);
    free(user);
    remove_store();
    client = lbt_cargorun_client(NULL);
    test_exactly_once_while_bids_change();
    test_unacknowledged_batch_is_handed_again();
    test_query_json_on_a_list();
    test_conflict_rule();
    test_nulls_and_bad_arguments();
    lb_client_free(client);
    free(seen);
    remove_store();
    return lbt_finish("test_cargorun_sync");
}
