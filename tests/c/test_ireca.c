/*
 * iRECA Courier through the C face's generic entry only: lb_client_new("ireca", …) and
 * lb_call for every ireca.* id of the endpoint table, against the sandbox's emulator, in
 * the document's integration order (dictionaries; taxes, payment types, return reasons;
 * the callback; goods and the other catalogues; orders, the courier, receipts; access and
 * licences), then the rules the library enforces before sending, and the service's errors.
 *
 * Every id answered LB_OK is recorded; the last check walks lb_endpoints and fails for an
 * ireca.* id the test never called successfully, so a row added to the table without a
 * test here fails this program.
 *
 * The sandbox is shared by the dynamic and the static run of this program, so every id it
 * creates carries this process's pid.
 */
#include "lbtest.h"

/* ---- formatting helpers ----------------------------------------------------------- */

/* printf into one of a few rotating buffers: JSON for one call, no free needed. */
static const char *jf(const char *fmt, ...) {
    static char bufs[8][16384];
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

/* text as a JSON string literal (quotes included); free(). */
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

/* A fixture of the document's bodies (tests/fixtures/ireca/NAME); free(). */
static char *fixture(const char *name) {
    char path[1024];
    const char *here = __FILE__; /* run.sh compiles tests/c/test_ireca.c by its full path */
    const char *cut = strstr(here, "tests/c/");
    int root = cut ? (int)(cut - here) : 0;
    snprintf(path, sizeof path, "%.*stests/fixtures/ireca/%s", root, here, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 >= cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* The service writes ids as numbers or strings: the value at pointer is id either way. */
static int id_is(const char *json, const char *pointer, const char *id) {
    char *v = lbt_json(json, pointer);
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"%s\"", id);
    int same = v != NULL && (strcmp(v, id) == 0 || strcmp(v, quoted) == 0);
    if (!same) fprintf(stderr, "  id %s is %s, want %s\n", pointer, v ? v : "(missing)", id);
    lb_string_free(v);
    return same;
}

/* A flag as the service writes it (0/1, "0"/"1", false/true) equals want. */
static int flag_is(const char *json, const char *pointer, int want) {
    char *v = lbt_json(json, pointer);
    int got = -1;
    if (v != NULL) {
        if (strcmp(v, "1") == 0 || strcmp(v, "\"1\"") == 0 || strcmp(v, "true") == 0) got = 1;
        if (strcmp(v, "0") == 0 || strcmp(v, "\"0\"") == 0 || strcmp(v, "false") == 0) got = 0;
    }
    if (got != want) fprintf(stderr, "  flag %s is %s, want %d\n", pointer, v ? v : "(missing)", want);
    lb_string_free(v);
    return got == want;
}

/* The index of the element of a JSON array whose `key` is id, or -1. */
static int find_in(const char *array, const char *key, const char *id) {
    for (int i = 0; i < 100000; i++) {
        char ptr[96];
        snprintf(ptr, sizeof ptr, "/%d", i);
        char *item = lbt_json(array, ptr);
        if (item == NULL) return -1;
        lb_string_free(item);
        snprintf(ptr, sizeof ptr, "/%d/%s", i, key);
        char *v = lbt_json(array, ptr);
        char quoted[128];
        snprintf(quoted, sizeof quoted, "\"%s\"", id);
        int same = v != NULL && (strcmp(v, id) == 0 || strcmp(v, quoted) == 0);
        lb_string_free(v);
        if (same) return i;
    }
    return -1;
}

/* How many elements a JSON array has (-1: not an array). */
static int count_of(const char *array) {
    if (array == NULL || array[0] != '[') return -1;
    int i = 0;
    for (;; i++) {
        char ptr[32];
        snprintf(ptr, sizeof ptr, "/%d", i);
        char *item = lbt_json(array, ptr);
        if (item == NULL) return i;
        lb_string_free(item);
    }
}

/* ---- the sandbox's iRECA address and the client --------------------------------------- */

static const char *ireca_url(void) { return lbt_env("LB_TEST_IRECA_URL"); }
static const char *ireca_token(void) { return lbt_env("LB_TEST_IRECA_TOKEN"); }

static lb_client_t *client;

/* Ids answered LB_OK, for the coverage check at the end. */
static char *called[256];
static int n_called;

static void mark_called(const char *id) {
    for (int i = 0; i < n_called; i++)
        if (strcmp(called[i], id) == 0) return;
    if (n_called < 256) called[n_called++] = strdup(id);
}

static int was_called(const char *id) {
    for (int i = 0; i < n_called; i++)
        if (strcmp(called[i], id) == 0) return 1;
    return 0;
}

/* No text of an error holds the token (the sandbox's, or the canary of a wrong one). */
static void check_no_secret(const lb_error_t *err, const char *secret, const char *file, int line) {
    if (err == NULL) return;
    const char *texts[3] = {lb_error_message(err), lb_error_message_ru(err), lb_error_json(err)};
    for (int i = 0; i < 3; i++) {
        if (lbt_contains(texts[i], secret)) {
            lbt_failed++;
            fprintf(stderr, "FAIL %s:%d: an error text holds the token: %s\n", file, line, texts[i]);
            return;
        }
    }
    lbt_passed++;
}

/* Calls and expects LB_OK; returns the response (lb_string_free) or NULL. */
static char *ok_call(const char *id, const char *params, const char *file, int line) {
    char *resp = NULL;
    lb_error_t *err = NULL;
    lb_status st = lb_call(client, id, params, &resp, &err);
    lbt_check_status(st, LB_OK, err, file, line);
    if (st == LB_OK) mark_called(id);
    check_no_secret(err, ireca_token(), file, line);
    lb_error_free(err);
    return resp;
}
#define OK(id, params) ok_call((id), (params), __FILE__, __LINE__)

/* A call answered with no body (201/204): the result is JSON null. */
#define OK_NULL(id, params)                              \
    do {                                                 \
        char *r_ = OK((id), (params));                   \
        CHECK(r_ != NULL && strcmp(r_, "null") == 0);    \
        lb_string_free(r_);                              \
    } while (0)

/* Calls and expects a failure with this status, code and field (NULL: not checked). */
static lb_error_t *fail_call(const char *id, const char *params, lb_status want, const char *code, const char *field,
                             const char *file, int line) {
    char *resp = (char *)1;
    lb_error_t *err = NULL;
    lb_status st = lb_call(client, id, params, &resp, &err);
    lbt_check_status(st, want, err, file, line);
    if (resp != NULL || err == NULL) {
        lbt_failed++;
        fprintf(stderr, "FAIL %s:%d: a failure must give an error and no response\n", file, line);
        lb_string_free(resp == (char *)1 ? NULL : resp);
        return err;
    }
    if (code && strcmp(lb_error_code(err), code) != 0) {
        lbt_failed++;
        fprintf(stderr, "FAIL %s:%d: code %s, want %s (%s)\n", file, line, lb_error_code(err), code, lb_error_message(err));
    }
    if (field && !(lb_error_field(err) && strcmp(lb_error_field(err), field) == 0)) {
        lbt_failed++;
        fprintf(stderr, "FAIL %s:%d: field %s, want %s\n", file, line, lb_error_field(err) ? lb_error_field(err) : "(none)", field);
    }
    /* Every message the library writes has a Russian text too. */
    CHECK(lb_error_message_ru(err) != NULL && lb_error_message_ru(err)[0] != '\0');
    check_no_secret(err, ireca_token(), file, line);
    return err;
}
#define FAIL(id, params, st, code, field) fail_call((id), (params), (st), (code), (field), __FILE__, __LINE__)

/* How many requests under /ireca/ the sandbox has logged: a refused call adds none. */
static int ireca_requests(void) {
    char *log = NULL;
    if (lbt_http("GET", "/_control/requests", NULL, &log) != 200 || log == NULL) {
        free(log);
        return -1;
    }
    int n = 0;
    for (const char *p = log; (p = strstr(p, "\"/ireca/api/v1/")) != NULL; p++) n++;
    free(log);
    return n;
}

/* ---- a callback receiver: what the sandbox POSTs to the registered URLs ----------------- */

typedef struct {
    lbt_sock_t fd;
    int port;
    pthread_t thread;
    pthread_mutex_t mu;
    int stop;
    char *bodies[64]; /* each request's path, a newline, then its body */
    int n;
} receiver_t;

static receiver_t rcv;

static void receive_one(lbt_sock_t fd) {
    char buf[65536];
    size_t len = 0;
    char *end = NULL;
    buf[0] = '\0';
    while ((end = strstr(buf, "\r\n\r\n")) == NULL) {
        if (len + 1 >= sizeof buf) return;
        long n = lbt_sock_read(fd, buf + len, sizeof buf - len - 1);
        if (n <= 0) return;
        len += (size_t)n;
        buf[len] = '\0';
    }
    size_t head = (size_t)(end - buf) + 4;
    const char *cl = strstr(buf, "ontent-Length:");
    if (cl == NULL) cl = strstr(buf, "ontent-length:");
    size_t want = cl && cl < end ? (size_t)strtoul(cl + 14, NULL, 10) : 0;
    while (len < head + want && len + 1 < sizeof buf) {
        long n = lbt_sock_read(fd, buf + len, sizeof buf - len - 1);
        if (n <= 0) break;
        len += (size_t)n;
        buf[len] = '\0';
    }
    char method[16] = "", path[256] = "";
    if (sscanf(buf, "%15s %255s", method, path) != 2) return;
    size_t blen = strlen(buf + head);
    char *entry = malloc(strlen(path) + blen + 2);
    sprintf(entry, "%s\n%s", path, buf + head);
    pthread_mutex_lock(&rcv.mu);
    if (rcv.n < 64) {
        rcv.bodies[rcv.n++] = entry;
        entry = NULL;
    }
    pthread_mutex_unlock(&rcv.mu);
    free(entry);
    const char *ok = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    if (lbt_sock_write(fd, ok, strlen(ok)) < 0) return;
}

static void *receive_loop(void *arg) {
    (void)arg;
    for (;;) {
        int r = lbt_sock_wait_readable(rcv.fd, 100);
        pthread_mutex_lock(&rcv.mu);
        int stop = rcv.stop;
        pthread_mutex_unlock(&rcv.mu);
        if (stop) break;
        if (r <= 0) continue;
        lbt_sock_t c = accept(rcv.fd, NULL, NULL);
        if (c == LBT_BAD_SOCK) {
            if (lbt_sock_interrupted()) continue;
            break;
        }
        receive_one(c);
        lbt_sock_close(c);
    }
    return NULL;
}

static int receiver_start(void) {
    memset(&rcv, 0, sizeof rcv);
    pthread_mutex_init(&rcv.mu, NULL);
    lbt_sockets_start();
    rcv.fd = socket(AF_INET, SOCK_STREAM, 0);
    if (rcv.fd == LBT_BAD_SOCK) return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    if (bind(rcv.fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(rcv.fd, 16) != 0 ||
        getsockname(rcv.fd, (struct sockaddr *)&addr, &alen) != 0) {
        lbt_sock_close(rcv.fd);
        return -1;
    }
    rcv.port = ntohs(addr.sin_port);
    return pthread_create(&rcv.thread, NULL, receive_loop, NULL) == 0 ? 0 : -1;
}

static void receiver_stop(void) {
    pthread_mutex_lock(&rcv.mu);
    rcv.stop = 1;
    pthread_mutex_unlock(&rcv.mu);
    pthread_join(rcv.thread, NULL);
    lbt_sock_close(rcv.fd);
    for (int i = 0; i < rcv.n; i++) free(rcv.bodies[i]);
    pthread_mutex_destroy(&rcv.mu);
}

/* Waits (up to 30 s) for a callback to `path` whose body holds both needles; returns a copy
 * of its body (free()) or NULL. */
static char *await_callback(const char *path, const char *needle, const char *needle2) {
    for (int waited = 0; waited < 3000; waited++) {
        pthread_mutex_lock(&rcv.mu);
        for (int i = 0; i < rcv.n; i++) {
            const char *e = rcv.bodies[i];
            const char *body = strchr(e, '\n');
            if (body && strncmp(e, path, strlen(path)) == 0 && e[strlen(path)] == '\n' && strstr(body, needle) &&
                (needle2 == NULL || strstr(body, needle2))) {
                char *copy = strdup(body + 1);
                pthread_mutex_unlock(&rcv.mu);
                return copy;
            }
        }
        pthread_mutex_unlock(&rcv.mu);
        lbt_sleep_ms(10);
    }
    fprintf(stderr, "  no callback to %s with %s\n", path, needle);
    return NULL;
}

/* ---- the scenario ------------------------------------------------------------------------ */

static long run; /* this process's pid: ids unique per run on the shared sandbox */

static const char *rid(int k) { return jf("%ld%02d", 7000000 + run % 1000000, k); }

static void test_client_new(void) {
    lb_client_t *c = (lb_client_t *)1;
    lb_error_t *err = NULL;
    /* The token is required, and a base_url that is no URL is refused without echoing it. */
    CHECK_STATUS(lb_client_new("ireca", jf("{\"base_url\": \"%s\"}", ireca_url()), &c, &err), LB_INVALID_ARGUMENT, err);
    CHECK(c == NULL);
    CHECK_STR(lb_error_field(err), "token");
    CHECK(lbt_contains(lb_error_message_ru(err), "token"));
    lb_error_free(err);
    CHECK_STATUS(lb_client_new("ireca", "{\"token\": \"t\", \"api_key\": \"k\"}", &c, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "api_key");
    CHECK_STR(lb_error_code(err), "option.unknown");
    lb_error_free(err);
    /* Service names are prefixes, any case. */
    CHECK_STATUS(lb_client_new("IRECA", jf("{\"token\": \"%s\", \"base_url\": \"%s\", \"max_retries\": 0}", ireca_token(), ireca_url()),
                               &client, &err),
                 LB_OK, err);
    lb_error_free(err);
}

/* The table as lb_endpoints gives it: 93 iRECA rows, 90 of them sent to the service. */
static char *table_ids[128];
static int n_table;

static void test_table(void) {
    char *table = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_endpoints(&table, &err), LB_OK, err);
    int svc = -1;
    for (int i = 0; i < 32 && svc < 0; i++) {
        char *p = lbt_json(table, jf("/%d/prefix", i));
        if (p == NULL) break;
        if (strcmp(p, "\"ireca\"") == 0) svc = i;
        lb_string_free(p);
    }
    CHECK(svc >= 0);
    if (svc < 0) {
        lb_string_free(table);
        return;
    }
    CHECK(lbt_json_is(table, jf("/%d/name", svc), "\"Ireca\""));
    CHECK(lbt_json_is(table, jf("/%d/auth/kind", svc), "\"bearer\""));
    CHECK(lbt_json_is(table, jf("/%d/credentials/0/name", svc), "\"token\""));
    CHECK(lbt_json_is(table, jf("/%d/credentials/0/secret", svc), "true"));
    int local = 0;
    for (int i = 0; i < 128; i++) {
        char *id = lbt_json(table, jf("/%d/endpoints/%d/id", svc, i));
        if (id == NULL) break;
        /* "ireca.goods.create" -> ireca.goods.create */
        id[strlen(id) - 1] = '\0';
        table_ids[n_table++] = strdup(id + 1);
        lb_string_free(id);
        char *is_local = lbt_json(table, jf("/%d/endpoints/%d/local", svc, i));
        local += is_local && strcmp(is_local, "true") == 0;
        lb_string_free(is_local);
    }
    CHECK(n_table == 93);
    CHECK(local == 3);
    lb_string_free(table);
}

static void test_dictionaries(void) {
    char *r = OK("ireca.dictionary.order_statuses", NULL);
    CHECK(id_is(r, "/1/statusId", "1") && lbt_json_is(r, "/1/title", "\"Оплачен\""));
    lb_string_free(r);
    r = OK("ireca.dictionary.delivery_statuses", "{}");
    CHECK(find_in(r, "statusId", "6") >= 0 && find_in(r, "statusId", "10") >= 0 && find_in(r, "statusId", "11") >= 0);
    lb_string_free(r);
    r = OK("ireca.dictionary.close_types", NULL);
    CHECK(find_in(r, "closeTypeId", "2") >= 0);
    lb_string_free(r);
    r = OK("ireca.dictionary.tax_types", NULL);
    CHECK(count_of(r) >= 1 && lbt_json_is(r, "/0/title", "\"20%\""));
    lb_string_free(r);
    r = OK("ireca.dictionary.calc_types", NULL);
    CHECK(find_in(r, "calcId", "4") >= 0);
    lb_string_free(r);
    r = OK("ireca.dictionary.permissions", NULL);
    CHECK(find_in(r, "permissionId", "registratorShiftOpen") >= 0);
    lb_string_free(r);
}

/* The ten catalogues: (ids, the key's parameter and wire names, an item with %s for its id
 * and %s for its title). */
typedef struct {
    const char *name, *key, *wire, *item;
} catalogue_t;

static const catalogue_t CATALOGUES[] = {
    {"taxes", "tax_id", "taxId", "{\"taxId\": \"%s\", \"title\": \"%s\"}"},
    {"payment_types", "payment_type_id", "paymentTypeId", "{\"paymentTypeId\": \"%s\", \"title\": \"%s\", \"closeTypeId\": 2}"},
    {"return_reasons", "reason_id", "reasonId", "{\"reasonId\": \"%s\", \"title\": \"%s\", \"type\": \"standard\"}"},
    /* parentId is «required, nullable»: null at the top of the catalogue, sent as null */
    {"goods", "good_id", "goodId", "{\"goodId\": \"%s\", \"parentId\": null, \"taxId\": \"8286\", \"title\": \"%s\", \"price\": \"99.90\"}"},
    {"specificities", "specificity_id", "specificityId", "{\"specificityId\": \"%s\", \"parentId\": null, \"title\": \"%s\", \"price\": 7.5}"},
    {"warehouses", "warehouse_id", "warehouseId", "{\"warehouseId\": \"%s\", \"title\": \"%s\", \"latitude\": \"59.93\", \"longitude\": 30.31}"},
    {"couriers", "courier_id", "courierId",
     "{\"courierId\": \"%s\", \"title\": \"%s\", \"email\": \"c@example.com\", \"phone\": \"+79990000000\", \"sourcePassword\": \"1234\", \"inn\": \"500100732259\"}"},
    {"roles", "role_id", "roleId", "{\"roleId\": \"%s\", \"title\": \"%s\"}"},
    {"clients", "client_id", "clientId",
     "{\"clientId\": \"%s\", \"title\": \"%s\", \"firstname\": \"Иван\", \"lastname\": \"Петров\", \"birthday\": \"1990-01-01\", \"inn\": \"7707083893\"}"},
    {"suppliers", "supplier_id", "supplierId", "{\"supplierId\": \"%s\", \"title\": \"%s\", \"inn\": \"7707083893\"}"},
};

/* create → get → create again (the service's 400) → list → update → get → replace (one
 * existing, one new) → delete (soft) → get; a page of one. */
static void test_catalogue(const catalogue_t *c, int k) {
    char ida[32], idb[32];
    snprintf(ida, sizeof ida, "%s", rid(k * 2));
    snprintf(idb, sizeof idb, "%s", rid(k * 2 + 1));
    char id_create[64], id_get[64];
    snprintf(id_create, sizeof id_create, "ireca.%s.create", c->name);
    snprintf(id_get, sizeof id_get, "ireca.%s.get", c->name);
    char *r;
    OK_NULL(id_create, jf("{\"items\": [%s]}", jf(c->item, ida, "Первый")));
    r = OK(id_get, jf("{\"%s\": \"%s\"}", c->key, ida));
    CHECK(lbt_json_is(r, "/title", "\"Первый\""));
    CHECK(flag_is(r, "/isActive", 1));
    if (strstr(c->item, "\"parentId\": null")) CHECK(lbt_json_is(r, "/parentId", "null"));
    lb_string_free(r);
    /* The key as a number reaches the same object. */
    r = OK(id_get, jf("{\"%s\": %s}", c->key, ida));
    CHECK(lbt_json_is(r, "/title", "\"Первый\""));
    lb_string_free(r);

    lb_error_t *err = FAIL(id_create, jf("{\"items\": [%s]}", jf(c->item, ida, "Дубль")), LB_HTTP, "http", NULL);
    CHECK(lb_error_http_status(err) == 400 && lbt_contains(lb_error_message(err), "уже существует"));
    lb_error_free(err);

    r = OK(jf("ireca.%s.list", c->name), "{\"page\": 0, \"count\": 500}");
    CHECK(find_in(r, c->wire, ida) >= 0);
    lb_string_free(r);
    r = OK(jf("ireca.%s.list", c->name), "{\"page\": 0, \"count\": 1}");
    CHECK(count_of(r) == 1);
    lb_string_free(r);

    OK_NULL(jf("ireca.%s.update", c->name), jf("{\"%s\": \"%s\", \"changes\": {\"title\": \"Второй\"}}", c->key, ida));
    r = OK(id_get, jf("{\"%s\": \"%s\"}", c->key, ida));
    CHECK(lbt_json_is(r, "/title", "\"Второй\""));
    lb_string_free(r);

    OK_NULL(jf("ireca.%s.replace", c->name), jf("{\"items\": [%s, %s]}", jf(c->item, ida, "Третий"), jf(c->item, idb, "Новый")));
    r = OK(id_get, jf("{\"%s\": \"%s\"}", c->key, ida));
    CHECK(lbt_json_is(r, "/title", "\"Третий\""));
    lb_string_free(r);
    r = OK(id_get, jf("{\"%s\": \"%s\"}", c->key, idb));
    CHECK(lbt_json_is(r, "/title", "\"Новый\""));
    lb_string_free(r);

    OK_NULL(jf("ireca.%s.delete", c->name), jf("{\"%s\": \"%s\"}", c->key, idb));
    r = OK(id_get, jf("{\"%s\": \"%s\"}", c->key, idb));
    CHECK(flag_is(r, "/isActive", 0));
    lb_string_free(r);

    /* A model that does not exist: the service's 404 and its message. */
    err = FAIL(id_get, jf("{\"%s\": \"%s\"}", c->key, rid(99)), LB_HTTP, "not_found", NULL);
    CHECK(lb_error_http_status(err) == 404 && lbt_contains(lb_error_message(err), "Модель не существует"));
    CHECK(lbt_contains(lb_error_endpoint(err), c->name));
    lb_error_free(err);
}

static void test_catalogues(void) {
    /* The dispatcher's cabinet made these; the integration starts by loading them. */
    char *r = OK("ireca.taxes.list", NULL);
    CHECK(find_in(r, "taxId", "8286") >= 0);
    lb_string_free(r);
    r = OK("ireca.payment_types.list", NULL);
    CHECK(find_in(r, "paymentTypeId", "4113") >= 0);
    lb_string_free(r);
    r = OK("ireca.return_reasons.list", NULL);
    CHECK(find_in(r, "reasonId", "5277") >= 0);
    lb_string_free(r);
    for (size_t k = 0; k < sizeof CATALOGUES / sizeof CATALOGUES[0]; k++) test_catalogue(&CATALOGUES[k], (int)k + 1);
}

/* An order of the document's shape; from and to with offsets, sent in GMT+0. */
static const char *order_json(const char *order_id, const char *courier, const char *description) {
    return jf("{\"orderId\": \"%s\", \"statusId\": 0, \"deliveryStatusId\": 6, \"courierId\": \"%s\", \"clientId\": \"3271\","
              " \"paymentId\": \"4113\", \"amountToPay\": \"539.780\", \"deliveryTimeFrom\": \"2021-05-15T16:21:13+03:00\","
              " \"deliveryTimeTo\": \"2021-05-15T15:21:13Z\", \"description\": \"%s\","
              " \"addressToEntity\": {\"city\": \"Санкт-Петербург\", \"street\": \"Чкаловский пр.\", \"home\": \"15литА\","
              " \"latitude\": 59.96, \"longitude\": 30.29, \"isUseGoogleGeo\": true},"
              " \"goods\": [{\"goodId\": \"355864\", \"count\": 1, \"price\": 539.78, \"total\": 539.78, \"discountTotal\": 0,"
              " \"warehouses\": [{\"warehouseId\": \"1099\", \"count\": 1}]}]}",
              order_id, courier, description);
}

static int courier(const char *order_id, const char *action) {
    return lbt_http("POST", "/_control/ireca/courier", jf("{\"orderId\": \"%s\", \"action\": \"%s\"}", order_id, action), NULL);
}

static void test_orders(void) {
    char order[32], refund[32], courier_id[32];
    snprintf(order, sizeof order, "C%ld-1", run);
    snprintf(refund, sizeof refund, "C%ld-R", run);
    snprintf(courier_id, sizeof courier_id, "%s", rid(60));
    char *r;
    /* A courier of this run, so its locations are this run's. */
    OK_NULL("ireca.couriers.create",
            jf("{\"items\": [{\"courierId\": \"%s\", \"title\": \"Курьер\", \"email\": \"k@example.com\", \"phone\": \"+7\", "
               "\"sourcePassword\": \"1\"}]}",
               courier_id));

    /* The callback, registered before the orders, to this program's receiver. */
    OK_NULL("ireca.orders.set_callback", jf("{\"settings\": {\"url\": \"http://127.0.0.1:%d/orders\", \"isActive\": true}}", rcv.port));

    OK_NULL("ireca.orders.create", jf("{\"items\": [%s]}", order_json(order, courier_id, "Новый")));
    r = OK("ireca.orders.get", jf("{\"order_id\": \"%s\"}", order));
    CHECK(lbt_json_is(r, "/orderId", jf("\"%s\"", order)));
    CHECK(lbt_json_is(r, "/amountToPay", "539.78")); /* "539.780" sent: the same amount */
    CHECK(lbt_json_is(r, "/deliveryTimeFrom", "\"2021-05-15T13:21:13Z\"")); /* +03:00 sent in GMT+0 */
    CHECK(lbt_json_is(r, "/deliveryTimeTo", "\"2021-05-15T15:21:13Z\""));
    CHECK(lbt_json_is(r, "/goods/0/title", "\"Кофе carte noire\"")); /* the catalogue's good */
    CHECK(id_is(r, "/goods/0/warehouses/0/warehouseId", "1099"));
    CHECK(flag_is(r, "/isRefund", 0));
    lb_string_free(r);
    r = OK("ireca.orders.list", "{\"count\": 500}");
    CHECK(find_in(r, "orderId", order) >= 0);
    lb_string_free(r);

    OK_NULL("ireca.orders.update", jf("{\"order_id\": \"%s\", \"changes\": {\"description\": \"Позвонить заранее\"}}", order));
    r = OK("ireca.orders.get", jf("{\"order_id\": \"%s\"}", order));
    CHECK(lbt_json_is(r, "/description", "\"Позвонить заранее\""));
    CHECK(lbt_json_is(r, "/amountToPay", "539.78")); /* the rest stays */
    lb_string_free(r);
    OK_NULL("ireca.orders.update_many",
            jf("{\"update\": {\"orderIds\": [\"%s\"], \"attributes\": {\"statusId\": 1, \"addressTo\": \"Санкт-Петербург, Чкаловский пр. 15\"}}}", order));
    OK_NULL("ireca.orders.replace", jf("{\"items\": [%s]}", order_json(order, courier_id, "Заменён")));
    r = OK("ireca.orders.get", jf("{\"order_id\": \"%s\"}", order));
    CHECK(lbt_json_is(r, "/description", "\"Заменён\""));
    lb_string_free(r);

    /* The courier takes, delivers and closes it: the receipt, the journals, the callback. */
    CHECK(courier(order, "take") == 200);
    CHECK(courier(order, "deliver") == 200);
    CHECK(courier(order, "close") == 200);
    r = OK("ireca.receipts.payment", jf("{\"order_id\": \"%s\"}", order));
    CHECK(lbt_json_is(r, "/orderId", jf("\"%s\"", order)) && lbt_json_is(r, "/serialNumber", "\"00106708870617\""));
    lb_string_free(r);
    r = OK("ireca.orders.status_journal", jf("{\"order_id\": \"%s\"}", order));
    CHECK(id_is(r, "/0/statusId", "6") && find_in(r, "statusId", "10") >= 0);
    lb_string_free(r);
    r = OK("ireca.journal.list", jf("{\"entity_id\": \"%s\", \"started_at\": \"2021-01-01T03:00:00+03:00\", \"count\": 100}", order));
    CHECK(lbt_json_is(r, "/0/event", "\"create\"") && count_of(r) >= 5);
    lb_string_free(r);
    r = OK("ireca.locations.list", jf("{\"courier_id\": \"%s\", \"created_at\": \"2021-01-01T00:00:00Z\"}", courier_id));
    CHECK(count_of(r) == 3 && lbt_json_is(r, "/0/orderId", jf("\"%s\"", order)));
    lb_string_free(r);

    /* What the service POSTed when the courier closed it, read by the library-side row. */
    char *body = await_callback("/orders", jf("\"%s\"", order), "\"deliveryStatusId\":10");
    CHECK(body != NULL);
    if (body) {
        char *quoted = json_quote(body);
        r = OK("ireca.callback.order", jf("{\"body\": %s}", quoted));
        CHECK(lbt_json_is(r, "/0/orderId", jf("\"%s\"", order)) && id_is(r, "/0/deliveryStatusId", "10"));
        CHECK(lbt_json_is(r, "/0/amountToPay", "539.78"));
        lb_string_free(r);
        free(quoted);
        free(body);
    }

    /* A refund order, with the payments to return; the courier closes it: a refund receipt. */
    const char *refund_order =
        jf("{\"orderId\": \"%s\", \"statusId\": 1, \"deliveryStatusId\": 6, \"courierId\": \"%s\", \"paymentId\": \"4113\","
           " \"amountToPay\": 179.5, \"deliveryTimeFrom\": \"2021-05-16T10:00:00Z\", \"deliveryTimeTo\": \"2021-05-16T12:00:00Z\","
           " \"addressTo\": \"Москва, Тверская 1\", \"goods\": [{\"goodId\": \"355866\", \"count\": 1, \"price\": 179.5,"
           " \"total\": 179.5, \"discountTotal\": 0}], \"payments\": [{\"paymentTypeId\": \"4113\", \"amount\": \"179.50\"}]}",
           refund, courier_id);
    OK_NULL("ireca.orders.create_refund", jf("{\"items\": [%s]}", refund_order));
    r = OK("ireca.orders.get", jf("{\"order_id\": \"%s\"}", refund));
    CHECK(flag_is(r, "/isRefund", 1));
    CHECK(id_is(r, "/payments/0/paymentTypeId", "4113"));
    lb_string_free(r);
    CHECK(courier(refund, "take") == 200 && courier(refund, "close") == 200);
    r = OK("ireca.receipts.refund", jf("{\"order_id\": \"%s\"}", refund));
    CHECK(lbt_json_is(r, "/orderId", jf("\"%s\"", refund)) && lbt_json_is(r, "/fn", "\"9999078900004312\""));
    lb_string_free(r);
    lb_error_t *err = FAIL("ireca.receipts.refund", jf("{\"order_id\": \"%s\"}", order), LB_HTTP, "not_found", NULL);
    lb_error_free(err);

    OK_NULL("ireca.orders.delete", jf("{\"order_id\": \"%s\"}", refund));
    err = FAIL("ireca.orders.get", jf("{\"order_id\": \"%s\"}", refund), LB_HTTP, "not_found", NULL);
    CHECK(lb_error_http_status(err) == 404);
    lb_error_free(err);

    /* Switched off again: later changes are not posted to a receiver that has gone. */
    OK_NULL("ireca.orders.set_callback", jf("{\"settings\": {\"url\": \"http://127.0.0.1:%d/orders\", \"isActive\": false}}", rcv.port));
}

static void test_fiscal(void) {
    char *r = OK("ireca.receipts.correction", "{\"courier_id\": \"55752\", \"page\": 0, \"count\": 10}");
    CHECK(lbt_json_is(r, "/0/amount", "\"150.00\""));
    lb_string_free(r);
    r = OK("ireca.bank_terminal_logs.list", "{\"order_id\": \"209897\"}");
    CHECK(count_of(r) == 1 && lbt_json_is(r, "/0/errorCode", "\"4134\""));
    lb_string_free(r);
    r = OK("ireca.bank_terminal_logs.list", "{\"order_id\": \"no-such-order\"}");
    CHECK(count_of(r) == 0);
    lb_string_free(r);
    r = OK("ireca.fiscal_registrator_logs.list", "{\"courier_id\": \"55752\", \"count\": 500}");
    CHECK(count_of(r) >= 1 && lbt_json_is(r, "/0/errorCode", "\"235\""));
    lb_string_free(r);

    /* The document's own Atol example: its INN 1234567890 fails the checksum, caught
     * before sending; with a valid INN it is stored. */
    char *atol = fixture("12-atol.replace_settings.request.json");
    int before = ireca_requests();
    lb_error_t *err = FAIL("ireca.atol.replace_settings", jf("{\"settings\": %s}", atol), LB_VALIDATION, "inn.checksum", "settings.company.inn");
    CHECK(lbt_contains(lb_error_message_ru(err), "ИНН"));
    lb_error_free(err);
    CHECK(ireca_requests() == before);
    char *inn = strstr(atol, "1234567890");
    CHECK(inn != NULL);
    if (inn) memcpy(inn, "7707083893", 10);
    OK_NULL("ireca.atol.replace_settings", jf("{\"settings\": %s}", atol));
    free(atol);
    r = OK("ireca.pechka54.get_settings", NULL);
    CHECK(strncmp(r ? r : "", "{\"url\":\"https://", 16) == 0);
    lb_string_free(r);
}

static void test_access(void) {
    char *r = OK("ireca.permissions.list", "{\"role_id\": \"908\", \"permission_id\": \"orderCancel\"}");
    CHECK(count_of(r) == 1 && lbt_json_is(r, "/0/actionId", "\"orderCancel\""));
    lb_string_free(r);
    OK_NULL("ireca.permissions.replace", "{\"items\": [{\"roleId\": 908, \"actionId\": \"orderCancel\", \"isAllowed\": false}]}");
    r = OK("ireca.permissions.list", "{\"role_id\": 908, \"permission_id\": \"orderCancel\"}");
    CHECK(flag_is(r, "/0/isAllowed", 0));
    lb_string_free(r);
    OK_NULL("ireca.permissions.replace", "{\"items\": [{\"roleId\": \"908\", \"actionId\": \"orderCancel\", \"isAllowed\": 1}]}");
    r = OK("ireca.permissions.list", "{\"role_id\": \"908\", \"permission_id\": \"orderCancel\"}");
    CHECK(flag_is(r, "/0/isAllowed", 1));
    lb_string_free(r);

    /* A courier's session holds a licence; closing it frees the licence and the service
     * posts the closed session to the licence callback. */
    char device[64];
    snprintf(device, sizeof device, "c-test-%ld", run);
    CHECK(lbt_http("POST", "/_control/ireca/sessions", jf("{\"courierId\": \"55752\", \"deviceId\": \"%s\"}", device), NULL) == 201);
    OK_NULL("ireca.licenses.set_callback", jf("{\"settings\": {\"url\": \"http://127.0.0.1:%d/sessions\", \"isActive\": 1}}", rcv.port));
    r = OK("ireca.licenses.list", NULL);
    char *sessions = lbt_json(r, "/licenses");
    CHECK(lbt_json_is(r, "/licenseTotal", "50") && find_in(sessions, "deviceId", device) >= 0);
    lb_string_free(sessions);
    lb_string_free(r);
    OK_NULL("ireca.licenses.close", jf("{\"device_id\": \"%s\"}", device));
    r = OK("ireca.licenses.list", NULL);
    CHECK(!lbt_contains(r, device));
    lb_string_free(r);
    char *body = await_callback("/sessions", device, NULL);
    CHECK(body != NULL);
    if (body) {
        char *quoted = json_quote(body);
        r = OK("ireca.callback.license_session", jf("{\"body\": %s}", quoted));
        CHECK(lbt_json_is(r, "/deviceId", jf("\"%s\"", device)) && id_is(r, "/courierId", "55752"));
        char *finish = lbt_json(r, "/sessionFinishAt");
        CHECK(finish != NULL && strlen(finish) == 22 && finish[11] == 'T' && finish[20] == 'Z'); /* "YYYY-MM-DDTHH:MM:SSZ" */
        lb_string_free(finish);
        lb_string_free(r);
        free(quoted);
        free(body);
    }
    OK_NULL("ireca.licenses.set_callback", jf("{\"settings\": {\"url\": \"http://127.0.0.1:%d/sessions\", \"isActive\": 0}}", rcv.port));
    lb_error_t *err = FAIL("ireca.licenses.close", jf("{\"device_id\": \"%s\"}", device), LB_HTTP, "not_found", NULL);
    lb_error_free(err);
}

/* The library-side rows: the document's two callback bodies, and the order lint. */
static void test_local_rows(void) {
    char *text = fixture("10-callback.order.request.json");
    char *quoted = json_quote(text);
    char *r = OK("ireca.callback.order", jf("{\"body\": %s}", quoted));
    CHECK(id_is(r, "/0/orderId", "209900") && lbt_json_is(r, "/0/amountToPay", "679.57")); /* "679.57" as sent */
    lb_string_free(r);
    free(quoted);
    free(text);
    text = fixture("53-callback.license_session.request.json");
    quoted = json_quote(text);
    r = OK("ireca.callback.license_session", jf("{\"body\": %s}", quoted));
    CHECK(lbt_json_is(r, "/deviceId", "\"3ebf391b3c596bc8\"") && lbt_json_is(r, "/sessionFinishAt", "\"2017-05-15T20:21:13Z\""));
    lb_string_free(r);
    free(quoted);
    free(text);
    lb_error_free(FAIL("ireca.callback.order", "{\"body\": \"not json\"}", LB_DECODE, "decode", NULL));
    lb_error_free(FAIL("ireca.callback.order", NULL, LB_INVALID_ARGUMENT, "param.required", "body"));

    r = OK("ireca.orders.lint", "{\"order\": {\"amountToPay\": 100, \"goods\": [{\"count\": 2, \"price\": 10, \"total\": 25, \"discountTotal\": 0}]}}");
    CHECK(lbt_json_is(r, "/0/code", "\"ireca.line_total\"") && lbt_json_is(r, "/0/field", "\"goods[0].total\""));
    CHECK(lbt_json_is(r, "/1/code", "\"ireca.amount_to_pay\""));
    lb_string_free(r);
    r = OK("ireca.orders.lint", "{\"order\": {\"amountToPay\": \"20.00\", \"goods\": [{\"count\": 2, \"price\": \"10\", \"total\": 20, \"discountTotal\": 0}]}}");
    CHECK(r != NULL && strcmp(r, "[]") == 0);
    lb_string_free(r);
}

/* The document's rules, checked before anything is sent. */
static void test_refused_before_sending(void) {
    int before = ireca_requests();
    lb_error_t *err;
    char order[32];
    snprintf(order, sizeof order, "%s", rid(70));

    /* update_many takes seven attributes only. */
    err = FAIL("ireca.orders.update_many", jf("{\"update\": {\"orderIds\": [\"%s\"], \"attributes\": {\"amountToPay\": 5}}}", order),
               LB_INVALID_ARGUMENT, "param.model", "update");
    CHECK(lbt_contains(lb_error_message(err), "amountToPay") && lbt_contains(lb_error_message(err), "deliveryStatusId"));
    lb_error_free(err);
    lb_error_free(FAIL("ireca.orders.update_many", "{\"update\": {\"orderIds\": [], \"attributes\": {\"statusId\": 1}}}", LB_VALIDATION,
                       "ireca.required", "update.orderIds"));
    /* INN checksums, 10 and 12 digits, wherever an inn is sent. */
    err = FAIL("ireca.clients.create",
               jf("{\"items\": [{\"clientId\": \"%s\", \"title\": \"x\", \"firstname\": \"a\", \"lastname\": \"b\", \"birthday\": \"1990-01-01\","
                  " \"inn\": \"7707083894\"}]}",
                  order),
               LB_VALIDATION, "inn.checksum", "items[0].inn");
    CHECK(lbt_contains(lb_error_message(err), "7707083894"));
    lb_error_free(err);
    lb_error_free(FAIL("ireca.suppliers.update", "{\"supplier_id\": \"51\", \"changes\": {\"inn\": \"500100732258\"}}", LB_VALIDATION,
                       "inn.checksum", "changes.inn"));
    lb_error_free(FAIL("ireca.couriers.replace",
                       "{\"items\": [{\"courierId\": \"1\", \"title\": \"a\", \"email\": \"e\", \"phone\": \"p\", \"sourcePassword\": \"s\", \"inn\": \"12345\"}]}",
                       LB_VALIDATION, "inn.format", "items[0].inn"));
    /* count at most 500. */
    err = FAIL("ireca.goods.list", "{\"count\": 501}", LB_INVALID_ARGUMENT, "param.max", "count");
    CHECK(lbt_contains(lb_error_message(err), "500") && lbt_contains(lb_error_message_ru(err), "500"));
    lb_error_free(err);
    lb_error_free(FAIL("ireca.orders.list", "{\"count\": 0}", LB_INVALID_ARGUMENT, "param.min", "count"));
    /* A date-time without its zone is refused, not guessed. */
    err = FAIL("ireca.journal.list", jf("{\"entity_id\": \"%s\", \"started_at\": \"2021-06-30 10:48:46\"}", order), LB_INVALID_ARGUMENT,
               "param.type", "started_at");
    CHECK(lbt_contains(lb_error_message(err), "zone") && lbt_contains(lb_error_message_ru(err), "пояс"));
    lb_error_free(err);
    lb_error_free(FAIL("ireca.locations.list", "{\"courier_id\": \"55752\", \"created_at\": \"2021-06-30T10:48:46\"}", LB_INVALID_ARGUMENT,
                       "param.type", "created_at"));
    /* ... inside a body too: the wire's own form without a zone is no exception. */
    err = FAIL("ireca.orders.update",
               jf("{\"order_id\": \"%s\", \"changes\": {\"deliveryTimeTo\": \"2021-05-15 18:00:00\"}}", order),
               LB_INVALID_ARGUMENT, "param.model", "changes");
    CHECK(lbt_contains(lb_error_message(err), "deliveryTimeTo") && lbt_contains(lb_error_message(err), "offset"));
    lb_error_free(err);
    /* The order rules: required attributes, one warehouse a line, the delivery window. */
    lb_error_free(FAIL("ireca.orders.create",
                       "{\"items\": [{\"orderId\": \"x\", \"statusId\": 0, \"deliveryStatusId\": 6, \"courierId\": \"1\", \"amountToPay\": 1,"
                       " \"deliveryTimeFrom\": \"2021-05-15T13:00:00Z\", \"deliveryTimeTo\": \"2021-05-15T15:00:00Z\", \"addressTo\": \"x\"}]}",
                       LB_VALIDATION, "ireca.required", "items[0].paymentId"));
    lb_error_free(FAIL("ireca.orders.create_refund",
                       "{\"items\": [{\"orderId\": \"x\", \"statusId\": 0, \"deliveryStatusId\": 6, \"courierId\": \"1\", \"paymentId\": 1,"
                       " \"amountToPay\": 1, \"deliveryTimeFrom\": \"2021-05-15T16:00:00Z\", \"deliveryTimeTo\": \"2021-05-15T15:00:00Z\","
                       " \"addressTo\": \"x\"}]}",
                       LB_VALIDATION, "ireca.delivery_window", "items[0].deliveryTimeFrom"));
    lb_error_free(FAIL("ireca.orders.replace",
                       "{\"items\": [{\"orderId\": \"x\", \"statusId\": 0, \"deliveryStatusId\": 6, \"courierId\": \"1\", \"paymentId\": 1,"
                       " \"amountToPay\": 1, \"deliveryTimeFrom\": \"2021-05-15T13:00:00Z\", \"deliveryTimeTo\": \"2021-05-15T15:00:00Z\","
                       " \"addressTo\": \"x\", \"goods\": [{\"count\": 1, \"price\": 1, \"total\": 1, \"discountTotal\": 0,"
                       " \"warehouses\": [{\"warehouseId\": \"1099\", \"count\": 1}, {\"warehouseId\": \"1100\", \"count\": 0}]}]}]}",
                       LB_VALIDATION, "ireca.one_warehouse", "items[0].goods[0].warehouses"));
    lb_error_free(FAIL("ireca.orders.set_callback", "{\"settings\": {\"url\": \"ftp://example.com/cb\"}}", LB_VALIDATION,
                       "ireca.callback_url", "settings.url"));
    lb_error_free(FAIL("ireca.taxes.replace", "{\"items\": [{\"title\": \"no id\"}]}", LB_VALIDATION, "ireca.required", "items[0].taxId"));
    lb_error_free(FAIL("ireca.goods.get", "{}", LB_INVALID_ARGUMENT, "param.required", "good_id"));
    lb_error_free(FAIL("ireca.goods.get", "{\"good_id\": \"1\", \"goodId\": \"1\"}", LB_INVALID_ARGUMENT, "param.unknown", "goodId"));
    lb_error_free(FAIL("ireca.orders.create_refund", "{\"items\": [], \"is_refund\": \"0\"}", LB_INVALID_ARGUMENT, NULL, "is_refund"));
    /* An id of another service, and one iRECA does not have. */
    lb_error_free(FAIL("carreta.profile.get", NULL, LB_INVALID_ARGUMENT, "invalid_argument", NULL));
    err = FAIL("ireca.goods.purge", NULL, LB_INVALID_ARGUMENT, "invalid_argument", NULL);
    CHECK(lbt_contains(lb_error_message(err), "ireca.goods.delete"));
    lb_error_free(err);
    CHECK(ireca_requests() == before); /* none of these reached the service */
}

/* A wrong token: the service's 401; neither it nor the right one in any error text. */
static void test_wrong_token(void) {
    const char *canary = "canary-IRECA-t0ken-5531";
    lb_client_t *wrong = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_client_new("ireca", jf("{\"token\": \"%s\", \"base_url\": \"%s\", \"max_retries\": 0}", canary, ireca_url()), &wrong, &err),
                 LB_OK, err);
    char *resp = NULL;
    lb_status st = lb_call(wrong, "ireca.taxes.list", NULL, &resp, &err);
    CHECK_STATUS(st, LB_AUTH, err);
    CHECK(resp == NULL && lb_error_http_status(err) == 401);
    check_no_secret(err, canary, __FILE__, __LINE__);
    check_no_secret(err, ireca_token(), __FILE__, __LINE__);
    lb_error_free(err);
    /* A base URL carrying the token is refused without showing it. */
    lb_client_t *c = NULL;
    st = lb_client_new("ireca", jf("{\"token\": \"%s\", \"base_url\": \"http://127.0.0.1:1/%s?\"}", canary, canary), &c, &err);
    CHECK(st == LB_INVALID_ARGUMENT && c == NULL);
    check_no_secret(err, canary, __FILE__, __LINE__);
    lb_error_free(err);
    lb_client_free(wrong);
}

/* Every ireca.* id of the table was answered LB_OK by a call above. */
static void test_every_id_was_called(void) {
    int missing = 0;
    for (int i = 0; i < n_table; i++) {
        if (!was_called(table_ids[i])) {
            fprintf(stderr, "  never called with success: %s\n", table_ids[i]);
            missing++;
        }
    }
    CHECK(n_table == 93 && missing == 0);
    printf("ireca ids called: %d of %d in the table\n", n_table - missing, n_table);
}

int main(void) {
    run = lbt_getpid();
    if (receiver_start() != 0) {
        fprintf(stderr, "cannot start the callback receiver\n");
        return 2;
    }
    test_client_new();
    if (client == NULL) return lbt_finish("test_ireca");
    test_table();
    test_dictionaries();
    test_catalogues();
    test_orders();
    test_fiscal();
    test_access();
    test_local_rows();
    test_refused_before_sending();
    test_wrong_token();
    test_every_id_was_called();
    lb_client_free(client);
    receiver_stop();
    for (int i = 0; i < n_table; i++) free(table_ids[i]);
    for (int i = 0; i < n_called; i++) free(called[i]);
    return lbt_finish("test_ireca");
}
