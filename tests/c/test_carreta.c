/*
 * Every Carreta endpoint id through lb_call against the sandbox, the typed validators,
 * and the endpoint table.
 */
#include "lbtest.h"

/* Builds {"order": <row + order_qty + client_comment>, "test": <test>} from a search row. */
static char *order_params(const char *row, long order_qty, const char *comment, int test) {
    size_t len = strlen(row);
    char *out = malloc(len + 256);
    /* The row is a JSON object: drop its closing brace and append the order's fields. */
    const char *end = strrchr(row, '}');
    int head = (int)(end - row);
    sprintf(out, "{\"order\": %.*s, \"order_qty\": %ld, \"client_comment\": \"%s\"}, \"test\": %s}", head, row,
            order_qty, comment, test ? "true" : "false");
    return out;
}

static long json_long(const char *json, const char *pointer) {
    char *v = lbt_json(json, pointer);
    long n = v ? strtol(v, NULL, 10) : -1;
    lb_string_free(v);
    return n;
}

static void test_endpoint_table(void) {
    char *table = NULL;
    lb_error_t *err = NULL;
    lb_status st = lb_endpoints(&table, &err);
    CHECK_STATUS(st, LB_OK, err);
    const char *ids[] = {"carreta.profile.get",  "carreta.search.query", "carreta.order.create",
                         "carreta.order.list",   "carreta.order.get",    "carreta.order.history",
                         "carreta.pricelist.parse"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) CHECK(lbt_contains(table, ids[i]));
    /* One object per service, each row with its parameters (common ones appended). */
    CHECK(lbt_json_is(table, "/0/prefix", "\"carreta\""));
    CHECK(lbt_json_is(table, "/0/credentials/0/name", "\"api_key\""));
    CHECK(lbt_json_is(table, "/0/endpoints/0/service", "\"carreta\""));
    int list = -1, check_qty = -1;
    for (int i = 0; i < 64; i++) {
        char ptr[48];
        snprintf(ptr, sizeof ptr, "/0/endpoints/%d/id", i);
        char *id = lbt_json(table, ptr);
        if (id == NULL) break;
        if (strcmp(id, "\"carreta.order.list\"") == 0) list = i;
        if (strcmp(id, "\"carreta.order.check_qty\"") == 0) check_qty = i;
        lb_string_free(id);
    }
    CHECK(list >= 0 && check_qty >= 0);
    if (list >= 0) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/0/endpoints/%d/method", list);
        CHECK(lbt_json_is(table, ptr, "\"GET\""));
        snprintf(ptr, sizeof ptr, "/0/endpoints/%d/idempotent", list);
        CHECK(lbt_json_is(table, ptr, "true"));
        snprintf(ptr, sizeof ptr, "/0/endpoints/%d/params/0/name", list);
        CHECK(lbt_json_is(table, ptr, "\"page\""));
        snprintf(ptr, sizeof ptr, "/0/endpoints/%d/params/0/min", list);
        CHECK(lbt_json_is(table, ptr, "1"));
        snprintf(ptr, sizeof ptr, "/0/endpoints/%d/params/1/repeated", list);
        CHECK(lbt_json_is(table, ptr, "true"));
        snprintf(ptr, sizeof ptr, "/0/endpoints/%d/params/3/name", list);
        CHECK(lbt_json_is(table, ptr, "\"account\""));
        snprintf(ptr, sizeof ptr, "/0/endpoints/%d/paging/size", list);
        CHECK(lbt_json_is(table, ptr, "100"));
    }
    if (check_qty >= 0) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/0/endpoints/%d/local", check_qty);
        CHECK(lbt_json_is(table, ptr, "true"));
    }
    lb_string_free(table);
    lb_error_free(err);
}

static void test_profile(lb_client_t *client) {
    char *resp = NULL;
    lb_error_t *err = NULL;
    lb_status st = lb_call(client, "carreta.profile.get", NULL, &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK(err == NULL);
    CHECK(lbt_json_is(resp, "/balance", "\"7.14\""));
    CHECK(lbt_json_is(resp, "/city", "\"Казань\""));
    lb_string_free(resp);

    /* The account parameter acts for another account; "" params means none. */
    st = lb_call(client, "carreta.profile.get", "{\"account\": \"1002\"}", &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK(lbt_json_is(resp, "/balance", "\"15230.50\""));
    lb_string_free(resp);
    st = lb_call(client, "carreta.profile.get", "", &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    lb_string_free(resp);
}

/* Returns the search row (JSON) of the first OC47 offer with the given source. */
static char *test_search(lb_client_t *client) {
    char *resp = NULL;
    lb_error_t *err = NULL;
    lb_status st = lb_call(client, "carreta.search.query", "{\"q\": \"oc-47\"}", &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK(resp != NULL && resp[0] == '[');
    char *row = NULL;
    for (int i = 0; resp && i < 200; i++) {
        char ptr[32];
        snprintf(ptr, sizeof ptr, "/%d", i);
        char *candidate = lbt_json(resp, ptr);
        if (candidate == NULL) break;
        if (lbt_json_is(candidate, "/code", "\"OC47\"") && lbt_contains(candidate, "\"source\":\"57\"")) {
            row = candidate;
            break;
        }
        lb_string_free(candidate);
    }
    CHECK(row != NULL);
    if (row) {
        CHECK(lbt_json_is(row, "/price", "\"152.02\""));
        CHECK(lbt_json_is(row, "/qty", "\"500\""));
        CHECK(lbt_json_is(row, "/min_qty", "1"));
    }
    lb_string_free(resp);
    return row;
}

static void test_orders(lb_client_t *client, const char *row) {
    char *resp = NULL;
    lb_error_t *err = NULL;
    char comment[48];
    snprintf(comment, sizeof comment, "C-%ld", lbt_getpid());

    /* A test order first (test=on), then a real one. */
    char *params = order_params(row, 2, "C-test", 1);
    lb_status st = lb_call(client, "carreta.order.create", params, &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK(lbt_json_is(resp, "/order_qty", "2"));
    free(params);
    lb_string_free(resp);
    resp = NULL;

    params = order_params(row, 3, comment, 0);
    st = lb_call(client, "carreta.order.create", params, &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    free(params);
    long id = json_long(resp, "/id");
    CHECK(id > 0);
    CHECK(lbt_json_is(resp, "/code", "\"OC47\""));
    CHECK(lbt_json_is(resp, "/order_qty", "3"));
    CHECK(lbt_json_is(resp, "/total", "\"456.06\""));
    lb_string_free(resp);
    resp = NULL;

    /* carreta.order.get */
    char p[256];
    snprintf(p, sizeof p, "{\"id\": %ld}", id);
    st = lb_call(client, "carreta.order.get", p, &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK(json_long(resp, "/id") == id);
    char want_comment[64];
    snprintf(want_comment, sizeof want_comment, "\"%s\"", comment);
    CHECK(lbt_json_is(resp, "/client_comment", want_comment));
    lb_string_free(resp);
    resp = NULL;

    /* carreta.order.list: by comment (one order), a page, every page. */
    snprintf(p, sizeof p, "{\"client_comment\": [\"%s\", \"no-such-comment\"]}", comment);
    st = lb_call(client, "carreta.order.list", p, &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK(json_long(resp, "/0/id") == id);
    {
        char *second = lbt_json(resp, "/1");
        CHECK(second == NULL);
        lb_string_free(second);
    }
    lb_string_free(resp);
    resp = NULL;
    st = lb_call(client, "carreta.order.list", "{\"page\": 1}", &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK(json_long(resp, "/0/id") == id); /* newest first */
    lb_string_free(resp);
    resp = NULL;
    st = lb_call(client, "carreta.order.list", "{\"all\": true}", &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK(json_long(resp, "/0/id") > 0);
    lb_string_free(resp);
    resp = NULL;

    /* The shop moves the order along (control API), then its history shows it. */
    char path[128];
    snprintf(path, sizeof path, "/_control/carreta/orders/%ld/advance", id);
    CHECK(lbt_http("POST", path, "", NULL) == 200);
    snprintf(p, sizeof p, "{\"id\": \"%ld\"}", id); /* ids may come as strings too */
    st = lb_call(client, "carreta.order.history", p, &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK(resp != NULL && resp[0] == '[');
    {
        char *created = lbt_json(resp, "/0/created");
        CHECK(created != NULL);
        lb_string_free(created);
    }
    lb_string_free(resp);
    lb_error_free(err);
}

static void test_validators(void) {
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_carreta_check_order_qty("<10", 1, 9, &err), LB_OK, err);
    CHECK(err == NULL);
    CHECK_STATUS(lb_carreta_check_order_qty(">50", 1, 10000, NULL), LB_OK, NULL);
    CHECK_STATUS(lb_carreta_check_order_qty("Есть", 2, 4, NULL), LB_OK, NULL);

    lb_status st = lb_carreta_check_order_qty("<10", 1, 10, &err);
    CHECK_STATUS(st, LB_VALIDATION, err);
    CHECK_STR(lb_error_code(err), "order_qty.not_less_than_qty");
    CHECK_STR(lb_error_field(err), "order_qty");
    CHECK(lb_error_http_status(err) == 0);
    CHECK(lb_error_status(err) == LB_VALIDATION);
    CHECK(lbt_contains(lb_error_message(err), "less than 10"));
    CHECK(lbt_contains(lb_error_message_ru(err), "строго меньше 10"));
    CHECK(lb_error_endpoint(err) == NULL);
    CHECK(lbt_json_is(lb_error_json(err), "/code", "\"order_qty.not_less_than_qty\""));
    lb_error_free(err);

    struct { const char *qty; int64_t min, order; const char *code; } cases[] = {
        {"10", 1, 11, "order_qty.exceeds_qty"},
        {"Есть", 1, 10001, "order_qty.exceeds_max"},
        {"Есть", 2, 3, "order_qty.not_multiple_of_min_qty"},
        {"10", 1, 0, "order_qty.min"},
        {"10", 0, 1, "min_qty.invalid"},
        {"под заказ", 1, 1, "qty.unknown_form"},
        {"10", 1, INT64_MAX, "order_qty.exceeds_qty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        st = lb_carreta_check_order_qty(cases[i].qty, cases[i].min, cases[i].order, &err);
        CHECK_STATUS(st, LB_VALIDATION, err);
        CHECK_STR(lb_error_code(err), cases[i].code);
        lb_error_free(err);
    }

    /* A huge qty text is quoted in part: each text of the error stays small. */
    size_t huge_len = 10u * 1000 * 1000;
    char *huge = malloc(huge_len + 2);
    CHECK(huge != NULL);
    huge[0] = '<';
    memset(huge + 1, '9', huge_len);
    huge[huge_len + 1] = '\0';
    st = lb_carreta_check_order_qty(huge, 1, 1, &err);
    CHECK_STATUS(st, LB_VALIDATION, err);
    CHECK_STR(lb_error_code(err), "qty.unknown_form");
    CHECK(strlen(lb_error_message(err)) < 1000);
    CHECK(strlen(lb_error_message_ru(err)) < 1000);
    CHECK(strlen(lb_error_json(err)) < 4000);
    CHECK(lbt_contains(lb_error_message(err), "… (10000001 characters)"));
    lb_error_free(err);
    free(huge);

    /* 50 Cyrillic letters are 100 bytes but 50 characters: allowed. */
    char comment[256] = "";
    for (int i = 0; i < 50; i++) strcat(comment, "ж");
    CHECK_STATUS(lb_carreta_check_client_comment(comment, &err), LB_OK, err);
    strcat(comment, "ж");
    st = lb_carreta_check_client_comment(comment, &err);
    CHECK_STATUS(st, LB_VALIDATION, err);
    CHECK_STR(lb_error_code(err), "client_comment.too_long");
    CHECK_STR(lb_error_field(err), "client_comment");
    lb_error_free(err);
}

/* The same rules through the generic entry: library-side rows of the table. */
static void test_rules_through_lb_call(lb_client_t *client) {
    char *resp = NULL;
    lb_error_t *err = NULL;
    lb_status st = lb_call(client, "carreta.order.check_qty", "{\"qty\": \"<10\", \"min_qty\": 1, \"order_qty\": 9}", &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK_STR(resp, "true");
    lb_string_free(resp);
    resp = NULL;

    st = lb_call(client, "carreta.order.check_qty", "{\"qty\": \"<10\", \"min_qty\": 1, \"order_qty\": 10}", &resp, &err);
    CHECK_STATUS(st, LB_VALIDATION, err);
    CHECK(resp == NULL);
    CHECK_STR(lb_error_code(err), "order_qty.not_less_than_qty");
    CHECK_STR(lb_error_field(err), "order_qty");
    CHECK(lbt_contains(lb_error_message_ru(err), "строго меньше 10"));
    CHECK(lbt_json_is(lb_error_json(err), "/kind", "\"validation\""));
    lb_error_free(err);

    st = lb_call(client, "carreta.order.check_qty", "{\"qty\": \"Есть\", \"min_qty\": 2, \"order_qty\": \"3\"}", &resp, &err);
    CHECK_STATUS(st, LB_VALIDATION, err);
    CHECK_STR(lb_error_code(err), "order_qty.not_multiple_of_min_qty");
    lb_error_free(err);

    /* Its parameters are checked like any call's. */
    st = lb_call(client, "carreta.order.check_qty", "{\"qty\": \"10\", \"min_qty\": 1}", &resp, &err);
    CHECK_STATUS(st, LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "order_qty");
    CHECK_STR(lb_error_code(err), "param.required");
    lb_error_free(err);

    char comment[256] = "{\"client_comment\": \"";
    for (int i = 0; i < 51; i++) strcat(comment, "ж");
    strcat(comment, "\"}");
    st = lb_call(client, "carreta.order.check_comment", comment, &resp, &err);
    CHECK_STATUS(st, LB_VALIDATION, err);
    CHECK_STR(lb_error_code(err), "client_comment.too_long");
    lb_error_free(err);
    st = lb_call(client, "carreta.order.check_comment", "{\"client_comment\": \"PO-17\"}", &resp, &err);
    CHECK_STATUS(st, LB_OK, err);
    CHECK_STR(resp, "true");
    lb_string_free(resp);
}

/* lb_client_new with options by name: the account option is every call's default. */
static void test_client_new(void) {
    /* The sandbox's URL and key are plain ASCII without quotes (run.sh), so a literal
     * format is safe here; see examples/c/minimal.c for escaping arbitrary text. */
    char options[512];
    snprintf(options, sizeof options,
             "{\"api_key\": \"%s\", \"base_url\": \"%s\", \"account\": \"1002\", \"timeout\": 5, "
             "\"connect_timeout_ms\": 2000, \"max_retries\": 0}",
             lbt_carreta_key(), lbt_carreta_url());
    lb_client_t *client = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_client_new("carreta", options, &client, &err), LB_OK, err);
    if (client == NULL) return;
    char *resp = NULL;
    CHECK_STATUS(lb_call(client, "carreta.profile.get", NULL, &resp, &err), LB_OK, err);
    CHECK(lbt_json_is(resp, "/balance", "\"15230.50\""));
    lb_string_free(resp);
    resp = NULL;
    /* A call's own account wins over the client's. */
    CHECK_STATUS(lb_call(client, "carreta.profile.get", "{\"account\": \"1001\"}", &resp, &err), LB_OK, err);
    CHECK(lbt_json_is(resp, "/balance", "\"7.14\""));
    lb_string_free(resp);
    lb_client_free(client);
}

int main(void) {
    CHECK(lb_version() != NULL && strlen(lb_version()) > 0);
    test_endpoint_table();
    test_validators();
    lb_client_t *client = lbt_client(0, 0);
    test_rules_through_lb_call(client);
    test_client_new();
    test_profile(client);
    char *row = test_search(client);
    if (row) test_orders(client, row);
    lb_string_free(row);
    lb_client_free(client);
    return lbt_finish("test_carreta");
}
