/*
 * CARGO.RUN Logistics 2.0 through the C face's generic entry only:
 * lb_client_new("cargorun", {username, password, base_url, token_file}) and lb_call for
 * every cargorun.* id of the endpoint table, against the sandbox's emulator: directories,
 * counterparties, a bid through its life, distribution bids, trackers, ETRN titles, the
 * geocoder, employees, and the two token rows. Each call is checked by what it did (read
 * back where the service lets us).
 *
 * Then: the pages' rules refuse a bad body before anything is sent (the emulator's per-id
 * counters do not move); an expired access token is renewed by one RefreshToken and the
 * call goes through; a token file open to others is refused; and a canary: neither the
 * password nor any token the session held appears in any text the library gave back.
 *
 * Coverage comes from the emulator itself: /_control/cargorun/calls must count every id of
 * lb_endpoints' cargorun section, so a row added to the table without a call here fails.
 *
 * The dynamic and the static run (and examples/c/cargorun.c) share one sandbox, whose
 * GenerateToken refuses a second sign-in of the user within 60 s (auth.md §3.3): they
 * share a token file too (CARGORUN_TOKEN_FILE, set by run.sh), and the run that finds a
 * session in it must not sign in at all.
 */
#include "lbtest.h"

/* ---- formatting helpers ----------------------------------------------------------- */

/* printf into one of a few rotating buffers: JSON for one call, no free needed. */
static const char *jf(const char *fmt, ...) {
    static char bufs[8][8192];
    static int next = 0;
    char *b = bufs[next];
    next = (next + 1) % 8;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof bufs[0], fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof bufs[0]) {
        fprintf(stderr, "jf: JSON too long for the buffer\n");
        exit(2);
    }
    return b;
}

/* The JSON integer at pointer, or -1. */
static long json_long(const char *json, const char *pointer) {
    char *v = lbt_json(json, pointer);
    long out = -1;
    if (v != NULL && v[0] >= '0' && v[0] <= '9') out = atol(v);
    lb_string_free(v);
    return out;
}

/* An Apply call's answer: the new id, written bare or as {"id": N}. */
static long id_of(const char *answer) {
    if (answer == NULL) return -1;
    if (answer[0] >= '0' && answer[0] <= '9') return atol(answer);
    return json_long(answer, "/id");
}

/* Whether a JSON array holds an object whose "id" is id. */
static int lists(const char *array, long id) {
    for (int i = 0; i < 100000; i++) {
        char *item = lbt_json(array, jf("/%d", i));
        if (item == NULL) return 0;
        lb_string_free(item);
        if (json_long(array, jf("/%d/id", i)) == id) return 1;
    }
    return 0;
}

/* How many elements a JSON array has (-1: not an array). */
static int count_of(const char *array) {
    if (array == NULL || array[0] != '[') return -1;
    for (int i = 0;; i++) {
        char *item = lbt_json(array, jf("/%d", i));
        if (item == NULL) return i;
        lb_string_free(item);
    }
}

/* ---- everything the library showed, for the canary ------------------------------------ */

static char *shown;
static size_t shown_len, shown_cap;

static void show(const char *text) {
    if (text == NULL) return;
    size_t n = strlen(text);
    if (shown_len + n + 2 > shown_cap) {
        shown_cap = (shown_len + n + 2) * 2;
        shown = realloc(shown, shown_cap);
    }
    memcpy(shown + shown_len, text, n);
    shown_len += n;
    shown[shown_len++] = '\n';
    shown[shown_len] = '\0';
}

static void show_error(const lb_error_t *err) {
    if (err == NULL) return;
    show(lb_error_message(err));
    show(lb_error_message_ru(err));
    show(lb_error_json(err));
}

/* ---- the sandbox and the client --------------------------------------------------------- */

static const char *cr_url(void) { return lbt_env("LB_TEST_CARGORUN_URL"); }
static const char *cr_user(void) { return lbt_env("LB_TEST_CARGORUN_USERNAME"); }
static const char *cr_password(void) { return lbt_env("LB_TEST_CARGORUN_PASSWORD"); }
static const char *token_file(void) { return lbt_env("CARGORUN_TOKEN_FILE"); }

static lb_client_t *client;

static char *json_quote(const char *text) {
    size_t len = strlen(text);
    char *out = malloc(len * 6 + 3);
    char *o = out;
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            *o++ = '\\';
            *o++ = (char)*p;
        } else if (*p < 0x20) {
            o += sprintf(o, "\\u%04x", *p);
        } else {
            *o++ = (char)*p;
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

/* The options of a client: the sandbox's URL and user, this password and token file. */
static char *options(const char *password, const char *file) {
    char *u = json_quote(cr_url()), *n = json_quote(cr_user()), *p = json_quote(password), *f = json_quote(file);
    char *out = malloc(strlen(u) + strlen(n) + strlen(p) + strlen(f) + 128);
    sprintf(out, "{\"base_url\": %s, \"username\": %s, \"password\": %s, \"token_file\": %s, \"max_retries\": 0}", u, n, p, f);
    free(u);
    free(n);
    free(p);
    free(f);
    return out;
}

/* Calls and expects LB_OK; returns the response (lb_string_free) or NULL. */
static char *ok_call(const char *id, const char *params, const char *file, int line) {
    char *resp = NULL;
    lb_error_t *err = NULL;
    lb_status st = lb_call(client, id, params, &resp, &err);
    lbt_check_status(st, LB_OK, err, file, line);
    show(resp);
    show_error(err);
    lb_error_free(err);
    return resp;
}
#define OK(id, params) ok_call((id), (params), __FILE__, __LINE__)

/* A call whose answer is not needed. */
#define DO(id, params) lb_string_free(OK((id), (params)))

/* Calls and expects a failure with this status and a message holding `says` (English) and
 * `says_ru` (Russian, NULL: any non-empty text); returns the error (lb_error_free). */
static lb_error_t *fail_call(const char *id, const char *params, lb_status want, const char *says, const char *says_ru, const char *file, int line) {
    char *resp = (char *)1;
    lb_error_t *err = NULL;
    lb_status st = lb_call(client, id, params, &resp, &err);
    lbt_check_status(st, want, err, file, line);
    show_error(err);
    if (resp != NULL || err == NULL) {
        lbt_failed++;
        fprintf(stderr, "FAIL %s:%d: a failure must give an error and no response\n", file, line);
        lb_string_free(resp == (char *)1 ? NULL : resp);
        return err;
    }
    if (says && !lbt_contains(lb_error_message(err), says)) {
        lbt_failed++;
        fprintf(stderr, "FAIL %s:%d: %s: the message does not say \"%s\": %s\n", file, line, id, says, lb_error_message(err));
    } else {
        lbt_passed++;
    }
    const char *ru = lb_error_message_ru(err);
    if (ru == NULL || ru[0] == '\0' || (says_ru && !lbt_contains(ru, says_ru))) {
        lbt_failed++;
        fprintf(stderr, "FAIL %s:%d: %s: the Russian text does not say \"%s\": %s\n", file, line, id, says_ru ? says_ru : "", ru ? ru : "(null)");
    } else {
        lbt_passed++;
    }
    return err;
}
#define FAIL(id, params, st, says, says_ru) fail_call((id), (params), (st), (says), (says_ru), __FILE__, __LINE__)

/* The emulator's per-id request counters ({"cargorun.x.y": N, ...}); free(). */
static char *calls_now(void) {
    char *body = NULL;
    if (lbt_http("GET", "/_control/cargorun/calls", NULL, &body) != 200) {
        free(body);
        return strdup("{}");
    }
    return body;
}

/* One id's counter in a calls_now() answer (0 when absent). */
static long calls_of(const char *calls, const char *id) {
    long n = json_long(calls, jf("/%s", id));
    return n < 0 ? 0 : n;
}

/* Requests that reached the emulator's rows, the token rows left out. */
static long business_calls(void) {
    char *calls = calls_now();
    long sum = 0;
    for (const char *p = calls; (p = strstr(p, "\"cargorun.")) != NULL; p++) {
        const char *colon = strchr(p, ':');
        if (colon && strncmp(p, "\"cargorun.auth.", 15) != 0) sum += atol(colon + 1);
    }
    free(calls);
    return sum;
}

/* ---- the table -------------------------------------------------------------------------- */

static char *table_ids[128];
static int n_table;

static void test_table(void) {
    char *table = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_endpoints(&table, &err), LB_OK, err);
    show(table);
    int svc = -1;
    for (int i = 0; i < 32 && svc < 0; i++) {
        char *p = lbt_json(table, jf("/%d/prefix", i));
        if (p == NULL) break;
        if (strcmp(p, "\"cargorun\"") == 0) svc = i;
        lb_string_free(p);
    }
    CHECK(svc >= 0);
    if (svc < 0) {
        lb_string_free(table);
        return;
    }
    CHECK(lbt_json_is(table, jf("/%d/name", svc), "\"CargoRun\""));
    CHECK(lbt_json_is(table, jf("/%d/auth/kind", svc), "\"jwt\""));
    /* Two credentials: the user name is plain, the password a secret. */
    CHECK(lbt_json_is(table, jf("/%d/credentials/0/name", svc), "\"username\""));
    CHECK(lbt_json_is(table, jf("/%d/credentials/0/secret", svc), "false"));
    CHECK(lbt_json_is(table, jf("/%d/credentials/1/name", svc), "\"password\""));
    CHECK(lbt_json_is(table, jf("/%d/credentials/1/secret", svc), "true"));
    for (int i = 0; i < 128; i++) {
        char *id = lbt_json(table, jf("/%d/endpoints/%d/id", svc, i));
        if (id == NULL) break;
        id[strlen(id) - 1] = '\0';
        table_ids[n_table++] = strdup(id + 1);
        lb_string_free(id);
    }
    CHECK(n_table == 74);
    lb_string_free(table);
}

/* ---- the client: options, the token file --------------------------------------------------- */

static long generate_before; /* GenerateToken requests before this process's first call */
static int file_had_session;  /* the token file held a session when this process started */

static void test_client_new(void) {
    lb_client_t *c = (lb_client_t *)1;
    lb_error_t *err = NULL;
    /* Both credentials are required, each named. */
    CHECK_STATUS(lb_client_new("cargorun", jf("{\"base_url\": \"%s\", \"username\": \"u\"}", cr_url()), &c, &err), LB_INVALID_ARGUMENT, err);
    CHECK(c == NULL);
    CHECK_STR(lb_error_field(err), "password");
    show_error(err);
    lb_error_free(err);
    CHECK_STATUS(lb_client_new("cargorun", jf("{\"base_url\": \"%s\", \"password\": \"p\"}", cr_url()), &c, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "username");
    lb_error_free(err);
    /* An option of another service's auth is unknown here. */
    CHECK_STATUS(lb_client_new("cargorun", "{\"username\": \"u\", \"password\": \"p\", \"token\": \"t\"}", &c, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "token");
    lb_error_free(err);

    /* A token file others may read is refused, naming the option and the rule, and the
     * password given with it is not in the error. */
    const char *open_file = jf("%s/cargorun-open-%ld.json", lbt_env("LB_TEST_TMPDIR"), lbt_getpid());
    FILE *f = fopen(open_file, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("{}", f);
        fclose(f);
    }
    char *o;
#ifndef _WIN32
    /* (Unix only: Windows has no mode bits, and there the library relies on the folder's
     * protection and takes the file as it is.) */
    chmod(open_file, 0644);
    o = options(cr_password(), open_file);
    c = (lb_client_t *)1;
    CHECK_STATUS(lb_client_new("cargorun", o, &c, &err), LB_INVALID_ARGUMENT, err);
    CHECK(c == NULL);
    CHECK_STR(lb_error_field(err), "token_file");
    CHECK(lbt_contains(lb_error_message(err), "600") && lbt_contains(lb_error_message(err), "644"));
    CHECK(lbt_contains(lb_error_message_ru(err), "600"));
    show_error(err);
    lb_error_free(err);
    free(o);
    /* The same file, owner-only, is accepted. */
    chmod(open_file, 0600);
#endif
    o = options(cr_password(), open_file);
    CHECK_STATUS(lb_client_new("cargorun", o, &c, &err), LB_OK, err);
    lb_client_free(c);
    free(o);
    lbt_remove(open_file);

    /* The client of this test, on the token file the programs of run.sh share. */
    file_had_session = lbt_file_size(token_file()) > 2;
    char *calls = calls_now();
    generate_before = calls_of(calls, "cargorun.auth.generate_token");
    free(calls);
    o = options(cr_password(), token_file());
    CHECK_STATUS(lb_client_new("CargoRun", o, &client, &err), LB_OK, err);
    lb_error_free(err);
    free(o);
}

/* ---- the calls, in the order of the pages' scenarios ---------------------------------------- */

static long run; /* this process's pid: names unique per run on the shared sandbox */

static const char *INN = "7707083893";

static const char *point(int order, const char *kind, double lon, double lat) {
    return jf("{\"id\": 0, \"order\": %d, \"type\": \"%s\", \"planEnterDate\": \"2026-07-15T13:58:00+03:00\","
              " \"geozone\": {\"id\": 0, \"location\": {\"type\": \"Point\", \"coordinates\": [%g, %g]}, \"address\": \"Россия\","
              " \"radius\": 2000, \"type\": \"BidPoint\"}}",
              order, kind, lon, lat);
}

static long driver, car, trailer, cp, bid;

static void test_directories(void) {
    /* The first call signs in, or takes the session of the token file. */
    char *r = OK("cargorun.drivers.apply",
                 jf("{\"driver\": {\"id\": 0, \"firstName\": \"Иван\", \"lastName\": \"Петров-%ld\", \"phoneNumber\": \"8 (999) 123-45-67\"}}", run));
    driver = id_of(r);
    CHECK(driver > 0);
    lb_string_free(r);
    char *calls = calls_now();
    long signed_in = calls_of(calls, "cargorun.auth.generate_token") - generate_before;
    free(calls);
    if (file_had_session) {
        CHECK(signed_in == 0); /* the token file's session, no GenerateToken */
    } else {
        CHECK(signed_in == 1);
    }
    printf("token file %s a session: %ld GenerateToken\n", file_had_session ? "held" : "did not hold", signed_in);

    r = OK("cargorun.drivers.list", jf("{\"filter\": \"id eq %ld\"}", driver));
    CHECK(count_of(r) == 1 && lists(r, driver));
    CHECK(lbt_json_is(r, "/0/phoneNumber", "\"+79991234567\"")); /* sent normalised */
    lb_string_free(r);

    r = OK("cargorun.cars.apply", "{\"car\": {\"id\": 0, \"number\": \"А001АА77\"}}");
    car = id_of(r);
    lb_string_free(r);
    r = OK("cargorun.trailers.apply", "{\"trailer\": {\"id\": 0, \"number\": \"ВВ123477\"}}");
    trailer = id_of(r);
    lb_string_free(r);
    CHECK(car > 0 && trailer > 0);
    r = OK("cargorun.cars.get_for_edit", jf("{\"id\": %ld}", car));
    CHECK(lbt_json_is(r, "/number", "\"А001АА77\""));
    lb_string_free(r);
    r = OK("cargorun.cars.list", jf("{\"filter\": \"id eq %ld\", \"count\": true}", car));
    CHECK(lists(r, car));
    lb_string_free(r);
    r = OK("cargorun.trailers.list", "{\"with_deleted\": true, \"orderby\": \"id desc\", \"top\": 50}");
    CHECK(lists(r, trailer));
    lb_string_free(r);

    /* delete → gone from the list, there with with_deleted; restore → back. */
    r = OK("cargorun.drivers.apply", "{\"driver\": {\"id\": 0, \"firstName\": \"Пётр\", \"lastName\": \"Сидоров\", \"phoneNumber\": \"+7 999 765 43 21\"}}");
    long spare = id_of(r);
    lb_string_free(r);
    DO("cargorun.drivers.delete", jf("{\"id\": %ld}", spare));
    const char *by_id = jf("{\"filter\": \"id eq %ld\"}", spare);
    r = OK("cargorun.drivers.list", by_id);
    CHECK(count_of(r) == 0);
    lb_string_free(r);
    r = OK("cargorun.drivers.list", jf("{\"filter\": \"id eq %ld\", \"with_deleted\": true}", spare));
    CHECK(lists(r, spare));
    lb_string_free(r);
    DO("cargorun.drivers.restore", jf("{\"id\": %ld}", spare));
    r = OK("cargorun.drivers.list", jf("{\"filter\": \"id eq %ld\"}", spare));
    CHECK(lists(r, spare));
    lb_string_free(r);

    r = OK("cargorun.cars.apply", "{\"car\": {\"id\": 0, \"number\": \"Е777КХ99\"}}");
    long spare_car = id_of(r);
    lb_string_free(r);
    DO("cargorun.cars.delete", jf("{\"id\": %ld}", spare_car));
    r = OK("cargorun.cars.list", jf("{\"filter\": \"id eq %ld\"}", spare_car));
    CHECK(count_of(r) == 0);
    lb_string_free(r);
    r = OK("cargorun.trailers.apply", "{\"trailer\": {\"id\": 0, \"number\": \"АА000077\"}}");
    long spare_trailer = id_of(r);
    lb_string_free(r);
    DO("cargorun.trailers.delete", jf("{\"id\": %ld}", spare_trailer));
    r = OK("cargorun.trailers.list", jf("{\"filter\": \"id eq %ld\"}", spare_trailer));
    CHECK(count_of(r) == 0);
    lb_string_free(r);
}

static void test_counterparties(void) {
    const char *name = jf("ООО Груз %ld", run);
    char *r = OK("cargorun.counterparties.apply", jf("{\"counterparty\": {\"id\": 0, \"name\": \"%s\", \"inn\": \"%s\"}}", name, INN));
    cp = id_of(r);
    CHECK(cp > 0);
    lb_string_free(r);
    r = OK("cargorun.counterparties.get", jf("{\"id\": %ld}", cp));
    CHECK(lbt_json_is(r, "/name", jf("\"%s\"", name)));
    lb_string_free(r);
    r = OK("cargorun.counterparties.list", jf("{\"filter\": \"name eq '%s'\"}", name));
    CHECK(count_of(r) == 1 && lists(r, cp));
    lb_string_free(r);

    r = OK("cargorun.contracts.apply", jf("{\"contract\": {\"id\": 0, \"counterpartyId\": %ld, \"number\": \"Д-1\", \"date\": \"2026-06-30\"}}", cp));
    long contract = id_of(r);
    lb_string_free(r);
    r = OK("cargorun.contracts.get", jf("{\"counterparty_id\": %ld, \"contract_id\": %ld}", cp, contract));
    CHECK(lbt_json_is(r, "/date", "\"2026-06-30\"")); /* a contract's date is date-only */
    lb_string_free(r);
    r = OK("cargorun.contracts.list", jf("{\"counterparty_id\": %ld}", cp));
    CHECK(count_of(r) == 1 && lists(r, contract));
    lb_string_free(r);
    DO("cargorun.contracts.delete", jf("{\"id\": %ld, \"counterparty_id\": %ld}", contract, cp));
    r = OK("cargorun.contracts.list", jf("{\"counterparty_id\": %ld}", cp));
    CHECK(!lists(r, contract));
    lb_string_free(r);

    /* A point given as {latitude, longitude} goes out as GeoJSON [lon, lat]. */
    r = OK("cargorun.counterparty_points.apply",
           jf("{\"point\": {\"id\": 0, \"counterpartyId\": %ld, \"geozone\": {\"id\": 0, \"location\": {\"latitude\": 55.75, \"longitude\": 37.62},"
              " \"address\": \"Москва\", \"type\": \"CounterpartyPoint\"}}}",
              cp));
    long pt = id_of(r);
    lb_string_free(r);
    r = OK("cargorun.counterparty_points.get", jf("{\"id\": %ld}", pt));
    CHECK(lbt_json_is(r, "/geozone/location/coordinates", "[37.62,55.75]"));
    lb_string_free(r);
    r = OK("cargorun.counterparty_points.list", jf("{\"counterparty_id\": %ld}", cp));
    CHECK(count_of(r) == 1 && lists(r, pt));
    lb_string_free(r);
    DO("cargorun.counterparty_points.delete", jf("{\"id\": %ld}", pt));
    r = OK("cargorun.counterparty_points.list", jf("{\"counterparty_id\": %ld}", cp));
    CHECK(!lists(r, pt));
    lb_string_free(r);
    DO("cargorun.counterparty_points.restore", jf("{\"id\": %ld, \"counterparty_id\": %ld}", pt, cp));
    r = OK("cargorun.counterparty_points.list", jf("{\"counterparty_id\": %ld}", cp));
    CHECK(lists(r, pt));
    lb_string_free(r);

    r = OK("cargorun.counterparties.apply", "{\"counterparty\": {\"id\": 0, \"name\": \"ИП Лишний\", \"inn\": \"500100732259\"}}");
    long spare = id_of(r);
    lb_string_free(r);
    DO("cargorun.counterparties.delete", jf("{\"id\": %ld}", spare));
    r = OK("cargorun.counterparties.list", jf("{\"filter\": \"id eq %ld\"}", spare));
    CHECK(count_of(r) == 0);
    lb_string_free(r);

    r = OK("cargorun.legal_persons.apply", jf("{\"legal_person\": {\"id\": 0, \"name\": \"ООО Мы %ld\", \"inn\": \"%s\"}}", run, INN));
    long lp = id_of(r);
    lb_string_free(r);
    r = OK("cargorun.legal_persons.list", jf("{\"filter\": \"id eq %ld\"}", lp));
    CHECK(lists(r, lp));
    lb_string_free(r);
    DO("cargorun.legal_persons.delete", jf("{\"id\": %ld}", lp));
    r = OK("cargorun.legal_persons.list", jf("{\"filter\": \"id eq %ld\"}", lp));
    CHECK(count_of(r) == 0);
    lb_string_free(r);

    /* The catalogs the sandbox seeds. */
    const char *catalogs[] = {"cargorun.catalogs.get_simple", "cargorun.catalogs.get", "cargorun.catalogs.list", "cargorun.catalogs.items"};
    for (int i = 0; i < 4; i++) {
        r = OK(catalogs[i], "{}");
        CHECK(count_of(r) > 0);
        lb_string_free(r);
    }
}

static const char *bid_body(void) {
    return jf("{\"id\": 0, \"cargoOwnerDictionaryItemId\": %ld, \"paymentTypeId\": 41, \"ndsTypeId\": 129493473, \"price\": \"45000.50\","
              " \"externalId\": \"1C-%ld\", \"driver\": {\"id\": %ld}, \"carOption\": {\"carId\": %ld}, \"trailerOption\": {\"trailerId\": %ld},"
              " \"bidPoints\": [%s, %s]}",
              cp, run, driver, car, trailer, point(0, "LoadPoint", 47.47, 55.86), point(1, "UnloadPoint", 55.95, 54.70));
}

static void expect_status(long id, const char *status, int line) {
    char *r = OK("cargorun.bids.get", jf("{\"bid_id\": %ld}", id));
    char want[64];
    snprintf(want, sizeof want, "\"%s\"", status);
    /* `Canceled` is the Swagger's name, `Cancelled` the pages' (latest/statuses.md): both
     * are read as the same status (tools/cargorun_overrides.toml). */
    char *got = lbt_json(r, "/status");
    int same = got != NULL && (strcmp(got, want) == 0 || (strcmp(status, "Canceled") == 0 && strcmp(got, "\"Cancelled\"") == 0));
    lb_string_free(got);
    if (same) {
        lbt_passed++;
    } else {
        lbt_failed++;
        fprintf(stderr, "FAIL %s:%d: bid %ld is not %s\n", __FILE__, line, id, status);
    }
    lb_string_free(r);
}

static void test_bids(void) {
    char *r = OK("cargorun.bids.apply", jf("{\"bid\": %s}", bid_body()));
    bid = id_of(r);
    CHECK(bid > 0);
    lb_string_free(r);
    r = OK("cargorun.bids.get", jf("{\"bid_id\": %ld}", bid));
    CHECK(lbt_json_is(r, "/status", "\"New\""));
    CHECK(lbt_json_is(r, "/price", "45000.5")); /* the string price went out as a number */
    CHECK(lbt_json_is(r, "/bidPoints/0/planEnterDate", "\"2026-07-15T10:58:00Z\"")); /* +03:00 sent in UTC */
    lb_string_free(r);
    DO("cargorun.bids.patch", jf("{\"patch\": {\"bidId\": %ld, \"id\": %ld, \"price\": 47000}}", bid, bid));
    r = OK("cargorun.bids.get", jf("{\"bid_id\": %ld, \"main_data_only\": true}", bid));
    char *price = lbt_json(r, "/price");
    CHECK(price != NULL && atof(price) == 47000.0);
    lb_string_free(price);
    lb_string_free(r);
    DO("cargorun.bids.set_status", jf("{\"bid_id\": %ld, \"status\": \"Started\"}", bid));
    expect_status(bid, "Started", __LINE__);
    /* The driver finishes the trip: the sandbox's control call completes the bid. */
    CHECK(lbt_http("POST", jf("/_control/cargorun/bids/%ld/complete", bid), "{\"mileage\": 812}", NULL) == 200);
    expect_status(bid, "Done", __LINE__);
    DO("cargorun.bids.apply_payment", jf("{\"bid_id\": %ld, \"payment\": {\"paymentStatus\": \"Paid\", \"factPaymentDate\": \"2026-06-30\"}}", bid));
    r = OK("cargorun.bids.list_for_external", jf("{\"filter\": \"id eq %ld\", \"count\": true}", bid));
    CHECK(count_of(r) == 1 && lists(r, bid));
    CHECK(lbt_json_is(r, "/0/payment/paymentStatus", "\"Paid\""));
    lb_string_free(r);
    r = OK("cargorun.cars.mileage", jf("{\"car_id\": %ld, \"start\": \"2026-01-01\", \"end\": \"2027-12-31T23:59:59\"}", car));
    char *m = lbt_json(r, "/mileage");
    CHECK(m != NULL && m[0] >= '0' && m[0] <= '9');
    lb_string_free(m);
    lb_string_free(r);
    r = OK("cargorun.bids.trailer_replacements", jf("{\"bid_id\": %ld}", bid));
    CHECK(count_of(r) >= 0);
    lb_string_free(r);
    r = OK("cargorun.bids.documents", jf("{\"bid_id\": %ld}", bid));
    CHECK(count_of(r) >= 0);
    lb_string_free(r);
    DO("cargorun.bids.revert", jf("{\"bid_id\": %ld}", bid));
    expect_status(bid, "New", __LINE__);
    DO("cargorun.bids.set_status", jf("{\"bid_id\": %ld, \"status\": \"Started\"}", bid));
    DO("cargorun.bids.force_complete",
       jf("{\"completion\": {\"bidId\": %ld, \"mileage\": 900, \"useOdometerMileage\": false, \"reason\": \"водитель без связи\"}}", bid));
    expect_status(bid, "Done", __LINE__);

    r = OK("cargorun.bids.apply", jf("{\"bid\": %s}", bid_body()));
    long second = id_of(r);
    lb_string_free(r);
    DO("cargorun.bids.cancel", jf("{\"bid_id\": %ld}", second));
    expect_status(second, "Canceled", __LINE__);
    r = OK("cargorun.bids.apply", jf("{\"bid\": %s}", bid_body()));
    long third = id_of(r);
    lb_string_free(r);
    DO("cargorun.bids.delete", jf("{\"bid_id\": %ld}", third));
    DO("cargorun.bids.restore", jf("{\"bid_id\": %ld}", third));
    expect_status(third, "New", __LINE__);
    /* A done bid cannot be deleted: the service's 400 in its words. */
    lb_error_t *err = FAIL("cargorun.bids.delete", jf("{\"bid_id\": %ld}", bid), LB_HTTP, NULL, NULL);
    CHECK(lb_error_http_status(err) == 400);
    lb_error_free(err);
}

/* A distribution bid (an order for a carrier) with its route; returns its id. */
static long new_order(const char *external_id) {
    /* A new order needs its route: a loading and an unloading point (minimal-requirements.md §2). */
    DO("cargorun.distribution_bids.apply", jf("{\"items\": [{\"id\": 0, \"externalStatus\": \"None\", \"externalId\": \"%s\", \"bidPoints\": [%s, %s]}]}",
                                              external_id, point(0, "LoadPoint", 47.47, 55.86), point(1, "UnloadPoint", 55.95, 54.70)));
    char *r = OK("cargorun.distribution_bids.list_for_external", jf("{\"filter\": \"externalId eq '%s'\"}", external_id));
    CHECK(count_of(r) == 1);
    long id = json_long(r, "/0/id");
    lb_string_free(r);
    r = OK("cargorun.distribution_bids.get", jf("{\"id\": %ld}", id));
    CHECK(lbt_json_is(r, "/externalId", jf("\"%s\"", external_id)));
    CHECK(lbt_json_is(r, "/status", "\"New\""));
    lb_string_free(r);
    return id;
}

static void expect_order_status(long id, const char *status, int line) {
    char *r = OK("cargorun.distribution_bids.get", jf("{\"id\": %ld}", id));
    if (lbt_json_is(r, "/status", jf("\"%s\"", status))) {
        lbt_passed++;
    } else {
        lbt_failed++;
        fprintf(stderr, "FAIL %s:%d: order %ld is not %s\n", __FILE__, line, id, status);
    }
    lb_string_free(r);
}

static void test_distribution_bids(void) {
    char ext[64];
    snprintf(ext, sizeof ext, "ЗК-%ld-1", run);
    long order = new_order(ext);
    /* The dispatcher makes a bid of it (the sandbox's control call stands for the UI). */
    CHECK(lbt_http("POST", jf("/_control/cargorun/distribution_bids/%ld/distribute", order), jf("{\"bid_id\": %ld}", bid), NULL) == 200);
    expect_order_status(order, "InProcess", __LINE__);
    char *r = OK("cargorun.distribution_bids.get_for_bid", jf("{\"bid_id\": %ld}", bid));
    CHECK(json_long(r, "/id") == order);
    lb_string_free(r);
    r = OK("cargorun.distribution_bids.external_info", jf("{\"bid_id\": %ld}", bid));
    CHECK(count_of(r) >= 0);
    lb_string_free(r);
    r = OK("cargorun.distribution_bids.external_statuses", jf("{\"ids\": [%ld]}", order));
    CHECK(count_of(r) == 1);
    lb_string_free(r);
    DO("cargorun.distribution_bids.cancel", jf("{\"id\": %ld, \"comment\": \"нет машины\"}", order));
    expect_order_status(order, "Canceled", __LINE__);
    DO("cargorun.distribution_bids.revert", jf("{\"id\": %ld}", order));
    r = OK("cargorun.distribution_bids.get", jf("{\"id\": %ld}", order));
    CHECK(!lbt_contains(r, "\"status\":\"Canceled\""));
    lb_string_free(r);

    /* An order no bid was made of: deleted, then restored. */
    snprintf(ext, sizeof ext, "ЗК-%ld-2", run);
    long spare = new_order(ext);
    /* The sync list keeps deleted orders, flagged (the external system must see the deletion). */
    DO("cargorun.distribution_bids.delete", jf("{\"id\": %ld}", spare));
    r = OK("cargorun.distribution_bids.list_for_external", jf("{\"filter\": \"id eq %ld\"}", spare));
    CHECK(count_of(r) == 1 && lbt_json_is(r, "/0/isDeleted", "true"));
    lb_string_free(r);
    DO("cargorun.distribution_bids.restore", jf("{\"id\": %ld}", spare));
    r = OK("cargorun.distribution_bids.list_for_external", jf("{\"filter\": \"id eq %ld\"}", spare));
    CHECK(count_of(r) == 1 && lbt_json_is(r, "/0/isDeleted", "false"));
    lb_string_free(r);
}

static void test_trackers_etrn_map(void) {
    char *r = OK("cargorun.trackers.list", "{}");
    long tracker = json_long(r, "/0/id");
    CHECK(tracker > 0);
    lb_string_free(r);
    DO("cargorun.trackers.attach", jf("{\"attachment\": {\"id\": %ld, \"entityId\": %ld, \"type\": \"Car\"}}", tracker, car));
    DO("cargorun.trackers.attach", jf("{\"attachment\": {\"id\": %ld, \"entityId\": null, \"type\": \"Car\"}}", tracker));
    r = OK("cargorun.etrn.titles", "{}");
    long title = json_long(r, "/0/id");
    CHECK(title > 0);
    lb_string_free(r);
    r = OK("cargorun.etrn.title", jf("{\"title_id\": %ld}", title));
    CHECK(json_long(r, "/id") == title);
    lb_string_free(r);
    DO("cargorun.etrn.apply_status", jf("{\"id\": %ld, \"status\": \"Accepted\"}", title));
    r = OK("cargorun.map.geocode", "{\"address\": \"Москва\", \"count\": 3}");
    char *s = lbt_json(r, "/suggestions");
    CHECK(s != NULL && s[0] == '[');
    lb_string_free(s);
    lb_string_free(r);
}

static void test_employees(void) {
    char *r = OK("cargorun.employees.apply_user",
                 jf("{\"user\": {\"id\": 0, \"email\": \"logist%ld@example.com\", \"firstName\": \"Лог\", \"lastName\": \"Истов\", \"phoneNumber\": \"79990001122\","
                    " \"password\": \"secret-pass\", \"sendLoginData\": false, \"connectionState\": \"Offline\"}}",
                    run));
    long user = id_of(r);
    CHECK(user > 0);
    lb_string_free(r);
    r = OK("cargorun.employees.list", jf("{\"filter\": \"id eq %ld\"}", user));
    CHECK(lists(r, user));
    lb_string_free(r);
    const char *role = jf("{\"role\": {\"userId\": %ld, \"role\": \"TruckingOrganizationManager\"}}", user);
    char role_copy[256];
    snprintf(role_copy, sizeof role_copy, "%s", role);
    DO("cargorun.employees.add_role", role_copy);
    DO("cargorun.employees.remove_role", role_copy);
    DO("cargorun.employees.add_role", jf("{\"role\": {\"userId\": %ld, \"role\": \"TruckingOrganizationHeadLogist\"}}", user));
    DO("cargorun.employees.ban", jf("{\"user_id\": %ld}", user));
    DO("cargorun.employees.unban", jf("{\"user_id\": %ld}", user));
    DO("cargorun.employees.invite", jf("{\"invitation\": {\"email\": \"new%ld@example.com\"}}", run));
    r = OK("cargorun.employees.invitations", "{}");
    long invited = json_long(r, "/0/id");
    CHECK(invited > 0);
    lb_string_free(r);
    DO("cargorun.employees.remove_invite", jf("{\"user_id\": %ld}", invited));
    r = OK("cargorun.employees.logists", "{}");
    CHECK(lists(r, user)); /* a logist now */
    long logist = user;
    lb_string_free(r);
    r = OK("cargorun.employees.logist", jf("{\"id\": %ld}", logist));
    CHECK(logist > 0 && json_long(r, "/id") == logist);
    lb_string_free(r);
}

/* ---- tokens: expiry, the token rows, the file ---------------------------------------------- */

/* The tokens the token file holds now (access and refresh of every session), appended to
 * `out` (up to max); returns how many. */
static int tokens_in_file(char **out, int n, int max) {
    FILE *f = fopen(token_file(), "rb");
    if (f == NULL) return n;
    static char text[65536];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    const char *keys[2] = {"\"access_token\": \"", "\"refresh_token\": \""};
    for (int k = 0; k < 2; k++) {
        for (const char *p = text; (p = strstr(p, keys[k])) != NULL && n < max;) {
            p += strlen(keys[k]);
            const char *end = strchr(p, '"');
            if (end == NULL) break;
            out[n++] = lbt_strndup(p, (size_t)(end - p));
            p = end;
        }
    }
    return n;
}

static char *tokens[64];
static int n_tokens;

static void test_token_expiry(void) {
    n_tokens = tokens_in_file(tokens, n_tokens, 64);
    CHECK(n_tokens >= 2); /* the session is in the file: an access and a refresh token */
    char *before = calls_now();
    /* Every access token the sandbox issued expires now: the next call gets a 401, renews
     * once with RefreshToken and is repeated; no new sign-in. */
    CHECK(lbt_http("POST", "/_control/cargorun/tokens/expire", "{}", NULL) == 200);
    char *r = OK("cargorun.drivers.list", jf("{\"filter\": \"id eq %ld\"}", driver));
    CHECK(lists(r, driver));
    lb_string_free(r);
    char *after = calls_now();
    CHECK(calls_of(after, "cargorun.auth.refresh_token") - calls_of(before, "cargorun.auth.refresh_token") == 1);
    CHECK(calls_of(after, "cargorun.auth.generate_token") == calls_of(before, "cargorun.auth.generate_token"));
    CHECK(calls_of(after, "cargorun.drivers.list") - calls_of(before, "cargorun.drivers.list") == 2); /* the 401, then the repeat */
    free(before);
    free(after);
    n_tokens = tokens_in_file(tokens, n_tokens, 64); /* the renewed pair was written back */
}

static void test_token_rows(void) {
    /* Called by id, the token rows act on the client's own session and answer with the
     * tokens masked. A second GenerateToken within 60 s is the service's 429: the sandbox
     * clock is moved past the cooldown first. */
    CHECK(lbt_http("POST", "/_control/cargorun/clock", "{\"advance_seconds\": 61}", NULL) == 200);
    char *u = json_quote(cr_user()), *p = json_quote(cr_password());
    char *params = malloc(strlen(u) + strlen(p) + 64);
    sprintf(params, "{\"user_name\": %s, \"password\": %s}", u, p);
    char *r = OK("cargorun.auth.generate_token", params);
    CHECK(lbt_json_is(r, "/accessToken", "\"***\""));
    CHECK(lbt_json_is(r, "/refreshToken", "\"***\""));
    lb_string_free(r);
    r = OK("cargorun.auth.refresh_token", "{\"access_token\": \"***\", \"refresh_token\": \"***\"}");
    CHECK(lbt_json_is(r, "/accessToken", "\"***\""));
    CHECK(lbt_json_is(r, "/refreshToken", "\"***\""));
    lb_string_free(r);
    /* The session goes on with the renewed token. */
    r = OK("cargorun.cars.get_for_edit", jf("{\"id\": %ld}", car));
    CHECK(lbt_json_is(r, "/number", "\"А001АА77\""));
    lb_string_free(r);
    n_tokens = tokens_in_file(tokens, n_tokens, 64);
    free(params);
    free(u);
    free(p);
}

/* ---- refused before sending ------------------------------------------------------------------ */

static void test_refused_before_sending(void) {
    long before = business_calls();
    lb_error_t *err;
    const char *one_point = jf("{\"bid\": {\"id\": 0, \"cargoOwnerDictionaryItemId\": 1, \"paymentTypeId\": 1, \"ndsTypeId\": 1, \"price\": 1,"
                               " \"driver\": {\"id\": 1}, \"carOption\": {\"carId\": 1}, \"trailerOption\": {\"trailerId\": 1}, \"bidPoints\": [%s]}}",
                               point(0, "LoadPoint", 47.47, 55.86));
    err = FAIL("cargorun.bids.apply", one_point, LB_VALIDATION, "bidPoints", NULL);
    lb_error_free(err);
    /* A swapped pair: latitude 147 is outside [-90, 90]. */
    const char *swapped = jf("{\"bid\": {\"id\": 0, \"cargoOwnerDictionaryItemId\": 1, \"paymentTypeId\": 1, \"ndsTypeId\": 1, \"price\": 1,"
                             " \"driver\": {\"id\": 1}, \"carOption\": {\"carId\": 1}, \"trailerOption\": {\"trailerId\": 1}, \"bidPoints\": [%s, %s]}}",
                             point(0, "LoadPoint", 55.86, 147.47), point(1, "UnloadPoint", 55.95, 54.70));
    err = FAIL("cargorun.bids.apply", swapped, LB_VALIDATION, "[lon, lat]", NULL);
    lb_error_free(err);
    err = FAIL("cargorun.drivers.apply", "{\"driver\": {\"id\": 0, \"firstName\": \"И\", \"lastName\": \"П\", \"phoneNumber\": \"12345\"}}", LB_INVALID_ARGUMENT,
               "phone", NULL);
    lb_error_free(err);
    err = FAIL("cargorun.counterparties.apply", "{\"counterparty\": {\"id\": 0, \"name\": \"ООО\", \"inn\": \"7707083894\"}}", LB_VALIDATION, "inn", "ИНН");
    lb_error_free(err);
    err = FAIL("cargorun.drivers.list", "{\"top\": 51}", LB_VALIDATION, "allow_large_top", "50");
    CHECK_STR(lb_error_field(err), "$top");
    lb_error_free(err);
    err = FAIL("cargorun.bids.get", "{}", LB_INVALID_ARGUMENT, NULL, NULL);
    CHECK_STR(lb_error_field(err), "bid_id");
    lb_error_free(err);
    err = FAIL("cargorun.drivers.purge", "{}", LB_INVALID_ARGUMENT, "cargorun.drivers.delete", NULL);
    lb_error_free(err);
    CHECK(business_calls() == before); /* none of these reached the service */
    /* The loud opt-out: top above 50 goes out when asked for. */
    char *r = OK("cargorun.drivers.list", "{\"top\": 51, \"allow_large_top\": true}");
    CHECK(count_of(r) >= 1);
    lb_string_free(r);
}

/* ---- a wrong password: the service's refusal, never the password ---------------------------- */

static const char *CANARY = "canary-CARGORUN-pa55word-7731";

static void test_wrong_password(void) {
    lb_client_t *wrong = NULL;
    lb_error_t *err = NULL;
    /* Another token file: the wrong password's session is not the test's. */
    const char *file = jf("%s/cargorun-wrong-%ld.json", lbt_env("LB_TEST_TMPDIR"), run);
    char file_copy[1024];
    snprintf(file_copy, sizeof file_copy, "%s", file);
    char *o = options(CANARY, file_copy);
    CHECK_STATUS(lb_client_new("cargorun", o, &wrong, &err), LB_OK, err);
    free(o);
    char *resp = NULL;
    lb_status st = lb_call(wrong, "cargorun.cars.list", NULL, &resp, &err);
    CHECK(st != LB_OK && resp == NULL && err != NULL);
    CHECK(lb_error_http_status(err) == 400); /* the emulator's answer to a wrong password */
    show_error(err);
    lb_error_free(err);
    /* Asked again at once: refused by the library, not sent (the refusal is remembered). */
    char *before = calls_now();
    st = lb_call(wrong, "cargorun.cars.list", NULL, &resp, &err);
    CHECK(st != LB_OK && err != NULL);
    show_error(err);
    lb_error_free(err);
    char *after = calls_now();
    CHECK(calls_of(after, "cargorun.auth.generate_token") == calls_of(before, "cargorun.auth.generate_token"));
    free(before);
    free(after);
    lb_client_free(wrong);
    lbt_remove(file_copy);
    /* The password given to the token row directly is not echoed either. */
    st = lb_call(client, "cargorun.auth.generate_token", jf("{\"user_name\": \"other@example.com\", \"password\": \"%s\"}", CANARY), &resp, &err);
    CHECK(st != LB_OK && err != NULL);
    show_error(err);
    lb_error_free(err);
}

/* ---- coverage and the canary ---------------------------------------------------------------- */

static void test_every_id_reached_the_sandbox(void) {
    char *calls = calls_now();
    int missing = 0;
    for (int i = 0; i < n_table; i++) {
        if (calls_of(calls, table_ids[i]) == 0) {
            fprintf(stderr, "  never reached the sandbox: %s\n", table_ids[i]);
            missing++;
        }
    }
    CHECK(n_table == 74 && missing == 0);
    printf("cargorun ids that reached the sandbox: %d of %d in the table\n", n_table - missing, n_table);
    free(calls);
}

static void test_canary(void) {
    /* lb_endpoints once more, after the session has tokens. */
    char *table = NULL;
    lb_error_t *err = NULL;
    lb_endpoints(&table, &err);
    show(table);
    lb_string_free(table);
    int leaks = 0;
    const char *secrets[2] = {cr_password(), CANARY};
    for (int i = 0; i < 2; i++) {
        if (lbt_contains(shown, secrets[i])) {
            fprintf(stderr, "  a password is in the output\n");
            leaks++;
        }
    }
    for (int i = 0; i < n_tokens; i++) {
        if (strlen(tokens[i]) >= 16 && lbt_contains(shown, tokens[i])) {
            fprintf(stderr, "  a token is in the output\n");
            leaks++;
        }
    }
    CHECK(n_tokens >= 4); /* the first pair and the renewed ones were seen */
    CHECK(leaks == 0);
    printf("canary: %d tokens and 2 passwords looked for in %zu bytes of output\n", n_tokens, shown_len);
}

int main(void) {
    run = lbt_getpid();
    test_table();
    test_client_new();
    if (client == NULL) return lbt_finish("test_cargorun");
    test_directories();
    test_counterparties();
    test_bids();
    test_distribution_bids();
    test_trackers_etrn_map();
    test_employees();
    test_token_expiry();
    test_token_rows();
    test_refused_before_sending();
    test_wrong_password();
    test_every_id_reached_the_sandbox();
    test_canary();
    lb_client_free(client);
    for (int i = 0; i < n_table; i++) free(table_ids[i]);
    for (int i = 0; i < n_tokens; i++) free(tokens[i]);
    free(shown);
    return lbt_finish("test_cargorun");
}
