/*
 * The price-list iterator: the sandbox's published CP1251 list read row by row, bad rows
 * stopped at or collected, options, and error paths.
 */
#include "lbtest.h"

static char tmp_dir[512];

static const char *tmp_path(const char *name) {
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/%s", tmp_dir, name);
    return buf;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static long json_long(const char *json, const char *pointer) {
    char *v = lbt_json(json, pointer);
    long n = v ? strtol(v, NULL, 10) : -1;
    lb_string_free(v);
    return n;
}

static void test_sandbox_list(void) {
    const char *file = tmp_path("pricelist.csv");
    CHECK(lbt_download("/carreta/pricelist.csv?rows=300&seed=7", file) == 200);

    lb_pricelist_t *pl = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_pricelist_open(file, NULL, &pl, &err), LB_OK, err);
    if (pl == NULL) return;
    long rows = 0, orderable = 0;
    long last_line = 1;
    for (;;) {
        char *row = NULL;
        lb_status st = lb_pricelist_next(pl, &row, &err);
        CHECK_STATUS(st, LB_OK, err);
        if (st != LB_OK) {
            lb_error_free(err);
            break;
        }
        if (row == NULL) break; /* the end */
        rows++;
        long line = json_long(row, "/line");
        if (line <= last_line) CHECK(line > last_line); /* lines only grow */
        last_line = line;
        if (rows == 1) {
            CHECK(line == 2);
            char *price = lbt_json(row, "/price");
            CHECK(price != NULL && price[0] == '"'); /* an exact decimal string */
            lb_string_free(price);
            char *extra = lbt_json(row, "/extra/Склад");
            CHECK(extra != NULL);
            lb_string_free(extra);
        }
        /* The order rules apply to price-list rows as to offers: try the pack size. */
        char *qty = lbt_json(row, "/qty");
        long min_qty = json_long(row, "/min_qty");
        if (qty && min_qty > 0 && strlen(qty) >= 2 && strlen(qty) < 64) {
            char text[64]; /* the qty without its JSON quotes */
            snprintf(text, sizeof text, "%.*s", (int)strlen(qty) - 2, qty + 1);
            lb_status ok = lb_carreta_check_order_qty(text, min_qty, min_qty, NULL);
            CHECK(ok == LB_OK || ok == LB_VALIDATION);
            if (ok == LB_OK) orderable++;
        }
        lb_string_free(qty);
        lb_string_free(row);
    }
    CHECK(rows == 300);
    CHECK(orderable > 0);
    /* After the end, next keeps saying "the end". */
    char *again = (char *)1;
    CHECK(lb_pricelist_next(pl, &again, NULL) == LB_OK && again == NULL);

    char *summary = NULL;
    CHECK_STATUS(lb_pricelist_summary(pl, &summary, &err), LB_OK, err);
    CHECK(lbt_json_is(summary, "/rows_ok", "300"));
    CHECK(lbt_json_is(summary, "/rows_bad", "0"));
    CHECK(lbt_json_is(summary, "/encoding", "\"windows-1251\""));
    CHECK(lbt_json_is(summary, "/columns/code", "\"Артикул\""));
    CHECK(lbt_json_is(summary, "/columns/price", "\"Цена\""));
    CHECK(lbt_json_is(summary, "/extra_columns/0", "\"Склад\""));
    lb_string_free(summary);
    char *bad = NULL;
    CHECK_STATUS(lb_pricelist_bad_rows(pl, &bad, &err), LB_OK, err);
    CHECK_STR(bad, "[]");
    lb_string_free(bad);
    lb_pricelist_free(pl);

    /* Freed half-way: nothing leaks. */
    CHECK_STATUS(lb_pricelist_open(file, "{\"encoding\": \"cp1251\"}", &pl, &err), LB_OK, err);
    char *row = NULL;
    CHECK_STATUS(lb_pricelist_next(pl, &row, &err), LB_OK, err);
    CHECK(row != NULL);
    lb_string_free(row);
    lb_pricelist_free(pl);
}

static const char *BAD_LIST =
    "code;price;qty;min_qty\n"
    "A1;1,5;10;1\n"
    "A2;not-a-price;1;1\n"
    "A3;2;<5;1\n"
    ";3;1;1\n"
    "A5;4;>50;2\n";

static void test_bad_rows(void) {
    const char *file = tmp_path("bad.csv");
    write_file(file, BAD_LIST);
    lb_pricelist_t *pl = NULL;
    lb_error_t *err = NULL;
    char *row = NULL;

    /* Default: stop at the first bad row, say where, then end. */
    CHECK_STATUS(lb_pricelist_open(file, "", &pl, &err), LB_OK, err);
    CHECK_STATUS(lb_pricelist_next(pl, &row, &err), LB_OK, err);
    CHECK(lbt_json_is(row, "/code", "\"A1\""));
    CHECK(lbt_json_is(row, "/price", "\"1.5\""));
    lb_string_free(row);
    lb_status st = lb_pricelist_next(pl, &row, &err);
    CHECK_STATUS(st, LB_DECODE, err);
    CHECK(row == NULL);
    CHECK(lbt_contains(lb_error_message(err), "line 3"));
    /* A local file is no "response" of anything (issue 10, item 23). */
    CHECK(!lbt_contains(lb_error_message(err), "response"));
    CHECK(lbt_contains(lb_error_message(err), "cannot read the price list"));
    CHECK(lbt_contains(lb_error_message_ru(err), "Не удалось прочитать прайс-лист: строка 3, колонка «price»: цена"));
    CHECK_STR(lb_error_endpoint(err), "carreta.pricelist.parse");
    lb_error_free(err);
    CHECK(lb_pricelist_next(pl, &row, NULL) == LB_OK && row == NULL);
    lb_pricelist_free(pl);

    /* Collect: good rows go on, bad ones are kept with line and reason. */
    CHECK_STATUS(lb_pricelist_open(file, "{\"on_error\": \"collect\", \"delimiter\": \";\"}", &pl, &err), LB_OK, err);
    int good = 0;
    while (lb_pricelist_next(pl, &row, NULL) == LB_OK && row != NULL) {
        good++;
        lb_string_free(row);
    }
    CHECK(good == 3);
    char *bad = NULL;
    CHECK_STATUS(lb_pricelist_bad_rows(pl, &bad, &err), LB_OK, err);
    CHECK(lbt_json_is(bad, "/0/line", "3"));
    CHECK(lbt_json_is(bad, "/1/line", "5"));
    {
        char *reason = lbt_json(bad, "/0/reason");
        CHECK(reason != NULL);
        lb_string_free(reason);
    }
    /* Every reason has its Russian text (issue 10, item 24). */
    CHECK(lbt_json_is(bad, "/1/reason_ru", "\"артикул не указан\""));
    lb_string_free(bad);
    /* Taken: the next call has none left, the summary still counts them. */
    CHECK_STATUS(lb_pricelist_bad_rows(pl, &bad, &err), LB_OK, err);
    CHECK_STR(bad, "[]");
    lb_string_free(bad);
    char *summary = NULL;
    CHECK_STATUS(lb_pricelist_summary(pl, &summary, &err), LB_OK, err);
    CHECK(lbt_json_is(summary, "/rows_ok", "3"));
    CHECK(lbt_json_is(summary, "/rows_bad", "2"));
    lb_string_free(summary);
    lb_pricelist_free(pl);
}

static void test_options_and_errors(void) {
    lb_pricelist_t *pl = (lb_pricelist_t *)1;
    lb_error_t *err = NULL;
    char *row = NULL;

    /* Column names override the synonyms; a tab-separated UTF-8 list. */
    const char *file = tmp_path("custom.tsv");
    write_file(file, "Код\tСтоимость\tСклад\nX-1\t10,25\tКазань\n");
    CHECK_STATUS(lb_pricelist_open(file, "{\"delimiter\": \"\\t\", \"encoding\": \"utf-8\", "
                                         "\"columns\": {\"price\": \"Стоимость\"}}", &pl, &err),
                 LB_OK, err);
    CHECK_STATUS(lb_pricelist_next(pl, &row, &err), LB_OK, err);
    CHECK(lbt_json_is(row, "/code", "\"X-1\""));
    CHECK(lbt_json_is(row, "/price", "\"10.25\""));
    CHECK(lbt_json_is(row, "/extra/Склад", "\"Казань\""));
    lb_string_free(row);
    lb_pricelist_free(pl);

    /* A missing file and a directory: one classification of "cannot open" (issue 10,
     * item 23), in both languages. */
    CHECK_STATUS(lb_pricelist_open(tmp_path("no-such-file.csv"), NULL, &pl, &err), LB_INVALID_ARGUMENT, err);
    CHECK(pl == NULL);
    CHECK(lbt_contains(lb_error_message_ru(err), "файл не найден"));
    lb_error_free(err);
    CHECK_STATUS(lb_pricelist_open(tmp_dir, NULL, &pl, &err), LB_INVALID_ARGUMENT, err);
    CHECK(pl == NULL);
    CHECK(lbt_contains(lb_error_message_ru(err), "это каталог"));
    lb_error_free(err);
    /* A header without a price column: the message names the C option, not Rust's. */
    const char *noprice = tmp_path("noprice.csv");
    write_file(noprice, "code;name\nA;B\n");
    CHECK_STATUS(lb_pricelist_open(noprice, NULL, &pl, &err), LB_DECODE, err);
    CHECK(lbt_contains(lb_error_message(err), "options_json: {\"columns\": {\"price\": \"<header>\"}}"));
    CHECK(!lbt_contains(lb_error_message(err), "Options::column"));
    CHECK(lbt_contains(lb_error_message_ru(err), "нет колонки price"));
    lb_error_free(err);

    /* Bad options. */
    const char *bad_options[] = {"{", "[]", "{\"encoding\": \"no-such\"}", "{\"on_error\": \"ignore\"}",
                                 "{\"delimiter\": \";;\"}", "{\"columns\": {\"cost\": \"X\"}}", "{\"speed\": 1}"};
    for (size_t i = 0; i < sizeof bad_options / sizeof bad_options[0]; i++) {
        lb_status st = lb_pricelist_open(noprice, bad_options[i], &pl, &err);
        CHECK_STATUS(st, LB_INVALID_ARGUMENT, err);
        CHECK(pl == NULL);
        lb_error_free(err);
    }

    /* NULLs and invalid UTF-8. */
    const char bad_path[] = {'/', 't', 'm', 'p', '/', (char)0xff, '\0'};
    CHECK(lb_pricelist_open(NULL, NULL, &pl, NULL) == LB_INVALID_ARGUMENT);
    CHECK(lb_pricelist_open(bad_path, NULL, &pl, NULL) == LB_INVALID_ARGUMENT);
    CHECK(lb_pricelist_open(noprice, NULL, NULL, NULL) == LB_INVALID_ARGUMENT);
    CHECK(lb_pricelist_next(NULL, &row, NULL) == LB_INVALID_ARGUMENT);
    CHECK(lb_pricelist_bad_rows(NULL, &row, NULL) == LB_INVALID_ARGUMENT);
    CHECK(lb_pricelist_summary(NULL, &row, NULL) == LB_INVALID_ARGUMENT);
    lb_pricelist_free(NULL);
}

/* The same list through the generic entry (carreta.pricelist.parse: a page of rows). */
static void test_generic_entry(void) {
    lb_client_t *client = lbt_client(0, 0);
    char params[1200];
    snprintf(params, sizeof params, "{\"path\": \"%s\", \"offset\": 0, \"limit\": 5}", tmp_path("pricelist.csv"));
    char *resp = NULL;
    lb_error_t *err = NULL;
    lb_status st = lb_call(client, "carreta.pricelist.parse", params, &resp, &err);
    if (st == LB_INVALID_ARGUMENT && lbt_contains(lb_error_message(err), "is not a Carreta call")) {
        /* The core's generic entry does not route this id yet; nothing to change in C then. */
        printf("SKIP carreta.pricelist.parse: not routed by the core yet\n");
    } else {
        CHECK_STATUS(st, LB_OK, err);
        CHECK(lbt_contains(resp, "\"line\":2"));
        CHECK(!lbt_contains(resp, "\"line\":7"));
    }
    lb_string_free(resp);
    lb_error_free(err);
    lb_client_free(client);
}

int main(void) {
    snprintf(tmp_dir, sizeof tmp_dir, "%s", lbt_env("LB_TEST_TMPDIR"));
    test_sandbox_list();
    test_generic_entry();
    test_bad_rows();
    test_options_and_errors();
    return lbt_finish("test_pricelist");
}
