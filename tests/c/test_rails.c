/*
 * The rails, from C: a service that exists only in this test is declared as JSON,
 * registered with lb_service_register, served by a tiny HTTP/1.1 handler on a loopback
 * socket, and called through the generic functions only (lb_client_new, lb_call,
 * lb_call_async, lb_endpoints). No code anywhere in the library knows it.
 */
#include "lbtest.h"

#define TOKEN "tok-ctest-5e3f9a71"

/* Three rows: a GET with a path parameter returning an object, a GET list with a repeated
 * query parameter (inside an envelope), a POST with body fields (one renamed on the wire). */
static const char DESCRIPTION[] =
    "{\"prefix\": \"ctest\", \"name\": \"CTest\", \"default_base_url\": \"http://127.0.0.1:9/api/\","
    " \"auth\": {\"kind\": \"bearer\", \"credential\": \"token\"},"
    " \"credentials\": [{\"name\": \"token\", \"onec_en\": \"Token\", \"onec_ru\": \"Токен\"}],"
    " \"error_message_keys\": [\"message\"],"
    " \"endpoints\": ["
    "  {\"id\": \"ctest.parcel.get\", \"summary\": \"One parcel.\", \"method\": \"GET\", \"path\": \"parcels/{id}\","
    "   \"params\": [{\"name\": \"id\", \"in\": \"path\", \"type\": \"integer\", \"required\": true, \"min\": 1}]},"
    "  {\"id\": \"ctest.parcel.list\", \"summary\": \"Parcels by status.\", \"method\": \"GET\", \"path\": \"parcels\","
    "   \"params\": [{\"name\": \"status\", \"in\": \"query\", \"type\": \"string\", \"repeated\": true},"
    "                {\"name\": \"limit\", \"in\": \"query\", \"type\": \"integer\", \"min\": 1, \"max\": 50}],"
    "   \"response\": {\"envelope\": \"items\", \"list\": true}},"
    "  {\"id\": \"ctest.parcel.create\", \"summary\": \"A new parcel.\", \"method\": \"POST\", \"path\": \"parcels\","
    "   \"params\": [{\"name\": \"weight_kg\", \"wire\": \"weight\", \"in\": \"body_field\", \"type\": \"decimal\","
    "                 \"required\": true},"
    "                {\"name\": \"recipient\", \"in\": \"body_field\", \"type\": \"string\", \"required\": true},"
    "                {\"name\": \"fragile\", \"in\": \"body_field\", \"type\": \"bool\"}],"
    "   \"response\": {\"success\": [201]}}"
    " ]}";

/* ---- The service: one thread, one request per connection ------------------------------ */

typedef struct {
    lbt_sock_t fd;
    int port;
    pthread_t thread;
    pthread_mutex_t mu;
    int stop;
    /* What the last request held. */
    int requests;
    char method[16];
    char target[1024];
    char authorization[256];
    char content_type[128];
    char body[4096];
} server_t;

static server_t srv;

/* The value of a header in a request head (NUL-terminated), copied into out; "" if absent. */
static void header_value(const char *head, const char *name, char *out, size_t cap) {
    out[0] = '\0';
    size_t n = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line != NULL; line = strstr(line, "\r\n")) {
        line += 2;
        if (lbt_strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ') v++;
            const char *end = strstr(v, "\r\n");
            size_t len = end ? (size_t)(end - v) : strlen(v);
            if (len >= cap) len = cap - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return;
        }
    }
}

static void respond(lbt_sock_t fd, int status, const char *reason, const char *body) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     status, reason, strlen(body));
    if (lbt_sock_write(fd, head, (size_t)n) != n) return;
    if (lbt_sock_write(fd, body, strlen(body)) < 0) return;
}

static void handle(lbt_sock_t fd) {
    char buf[8192];
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
    size_t head_len = (size_t)(end - buf) + 4;
    char value[64];
    header_value(buf, "Content-Length", value, sizeof value);
    size_t body_len = (size_t)strtoul(value, NULL, 10);
    while (len < head_len + body_len && len + 1 < sizeof buf) {
        long n = lbt_sock_read(fd, buf + len, sizeof buf - len - 1);
        if (n <= 0) break;
        len += (size_t)n;
        buf[len] = '\0';
    }

    char method[16] = "", target[1024] = "";
    if (sscanf(buf, "%15s %1023s", method, target) != 2) return;
    char authorization[256], content_type[128];
    header_value(buf, "Authorization", authorization, sizeof authorization);
    header_value(buf, "Content-Type", content_type, sizeof content_type);

    pthread_mutex_lock(&srv.mu);
    srv.requests++;
    strcpy(srv.method, method);
    strcpy(srv.target, target);
    strcpy(srv.authorization, authorization);
    strcpy(srv.content_type, content_type);
    snprintf(srv.body, sizeof srv.body, "%s", buf + head_len);
    pthread_mutex_unlock(&srv.mu);

    if (strcmp(authorization, "Bearer " TOKEN) != 0) {
        /* Echoes what it got: the library must scrub the token out of the error. */
        char msg[512];
        snprintf(msg, sizeof msg, "{\"message\": \"bad token in '%.200s'\"}", authorization);
        respond(fd, 401, "Unauthorized", msg);
    } else if (strcmp(method, "GET") == 0 && strcmp(target, "/api/parcels/42") == 0) {
        respond(fd, 200, "OK", "{\"id\": 42, \"status\": \"delivered\", \"weight\": \"2.50\", \"tags\": [\"a\", \"b\"]}");
    } else if (strcmp(method, "GET") == 0 && strncmp(target, "/api/parcels?", 13) == 0) {
        respond(fd, 200, "OK", "{\"total\": 2, \"items\": [{\"id\": 7, \"status\": \"new\"}, {\"id\": 8, \"status\": \"in transit\"}]}");
    } else if (strcmp(method, "POST") == 0 && strcmp(target, "/api/parcels") == 0) {
        respond(fd, 201, "Created", "{\"id\": 77, \"status\": \"new\"}");
    } else {
        respond(fd, 404, "Not Found", "{\"message\": \"no such parcel\"}");
    }
}

static void *serve(void *arg) {
    (void)arg;
    for (;;) {
        lbt_sock_t c = accept(srv.fd, NULL, NULL);
        if (c == LBT_BAD_SOCK) {
            if (lbt_sock_interrupted()) continue;
            break;
        }
        pthread_mutex_lock(&srv.mu);
        int stop = srv.stop;
        pthread_mutex_unlock(&srv.mu);
        if (!stop) handle(c);
        lbt_sock_close(c);
        if (stop) break;
    }
    return NULL;
}

static int server_start(void) {
    memset(&srv, 0, sizeof srv);
    pthread_mutex_init(&srv.mu, NULL);
    lbt_sockets_start();
    srv.fd = socket(AF_INET, SOCK_STREAM, 0);
    if (srv.fd == LBT_BAD_SOCK) return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    if (bind(srv.fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(srv.fd, 16) != 0 ||
        getsockname(srv.fd, (struct sockaddr *)&addr, &alen) != 0) {
        lbt_sock_close(srv.fd);
        return -1;
    }
    srv.port = ntohs(addr.sin_port);
    if (pthread_create(&srv.thread, NULL, serve, NULL) != 0) return -1;
    return 0;
}

static void server_stop(void) {
    pthread_mutex_lock(&srv.mu);
    srv.stop = 1;
    pthread_mutex_unlock(&srv.mu);
    /* Wake the accept() with one last connection. */
    lbt_sock_t fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)srv.port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd != LBT_BAD_SOCK) {
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) fprintf(stderr, "cannot wake the server\n");
        lbt_sock_close(fd);
    }
    pthread_join(srv.thread, NULL);
    lbt_sock_close(srv.fd);
    pthread_mutex_destroy(&srv.mu);
}

static int requests_seen(void) {
    pthread_mutex_lock(&srv.mu);
    int n = srv.requests;
    pthread_mutex_unlock(&srv.mu);
    return n;
}

/* ---- The tests ---------------------------------------------------------------------- */

static void test_register(void) {
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_service_register(DESCRIPTION, &err), LB_OK, err);
    CHECK(err == NULL);

    /* Once only: the prefix and the ids are taken now. */
    CHECK_STATUS(lb_service_register(DESCRIPTION, &err), LB_INVALID_ARGUMENT, err);
    CHECK(lbt_contains(lb_error_message(err), "ctest"));
    lb_error_free(err);
    /* Broken descriptions say what is wrong. */
    CHECK_STATUS(lb_service_register("{\"prefix\": ", &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK_STATUS(lb_service_register("{\"prefix\": \"Bad Prefix\", \"name\": \"X\", \"endpoints\": []}", &err),
                 LB_INVALID_ARGUMENT, err);
    CHECK(lbt_contains(lb_error_message(err), "prefix"));
    lb_error_free(err);
    CHECK_STATUS(lb_service_register("{\"prefix\": \"ctest2\", \"name\": \"X\", \"endpoints\": [], \"colour\": 1}", &err),
                 LB_INVALID_ARGUMENT, err);
    CHECK(lbt_contains(lb_error_message(err), "colour"));
    lb_error_free(err);
    CHECK_STATUS(lb_service_register("[]", &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK(lb_service_register(NULL, NULL) == LB_INVALID_ARGUMENT);
    /* A failed registration leaves nothing behind. */
    lb_client_t *client = NULL;
    CHECK(lb_client_new("ctest2", "{}", &client, NULL) == LB_INVALID_ARGUMENT && client == NULL);
}

/* The index of the service with this prefix in lb_endpoints' list, or -1. */
static int service_index(const char *table, const char *prefix) {
    char want[64];
    snprintf(want, sizeof want, "\"%s\"", prefix);
    for (int i = 0; i < 32; i++) {
        char ptr[32];
        snprintf(ptr, sizeof ptr, "/%d/prefix", i);
        char *p = lbt_json(table, ptr);
        if (p == NULL) return -1;
        int same = strcmp(p, want) == 0;
        lb_string_free(p);
        if (same) return i;
    }
    return -1;
}

static void test_endpoints_lists_it(void) {
    char *table = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_endpoints(&table, &err), LB_OK, err);
    CHECK(service_index(table, "carreta") == 0);
    int i = service_index(table, "ctest");
    CHECK(i > 0);
    if (i > 0) {
        char ptr[64];
#define AT(fmt) (snprintf(ptr, sizeof ptr, "/%d" fmt, i), ptr)
        CHECK(lbt_json_is(table, AT("/name"), "\"CTest\""));
        CHECK(lbt_json_is(table, AT("/auth/kind"), "\"bearer\""));
        CHECK(lbt_json_is(table, AT("/credentials/0/name"), "\"token\""));
        CHECK(lbt_json_is(table, AT("/credentials/0/required"), "true"));
        CHECK(lbt_json_is(table, AT("/endpoints/0/id"), "\"ctest.parcel.get\""));
        CHECK(lbt_json_is(table, AT("/endpoints/0/params/0/in"), "\"path\""));
        CHECK(lbt_json_is(table, AT("/endpoints/0/params/0/type"), "\"integer\""));
        CHECK(lbt_json_is(table, AT("/endpoints/1/id"), "\"ctest.parcel.list\""));
        CHECK(lbt_json_is(table, AT("/endpoints/1/params/0/repeated"), "true"));
        CHECK(lbt_json_is(table, AT("/endpoints/1/params/1/max"), "50"));
        CHECK(lbt_json_is(table, AT("/endpoints/1/response/envelope"), "\"items\""));
        CHECK(lbt_json_is(table, AT("/endpoints/2/id"), "\"ctest.parcel.create\""));
        CHECK(lbt_json_is(table, AT("/endpoints/2/method"), "\"POST\""));
        CHECK(lbt_json_is(table, AT("/endpoints/2/idempotent"), "false"));
        CHECK(lbt_json_is(table, AT("/endpoints/2/body"), "\"object\""));
        CHECK(lbt_json_is(table, AT("/endpoints/2/params/0/wire"), "\"weight\""));
#undef AT
    }
    lb_string_free(table);
}

static lb_client_t *make_client(const char *token) {
    /* The port is a number and the token a fixed literal: no outside text goes into the
     * JSON, so a format is safe here. */
    char options[256];
    snprintf(options, sizeof options, "{\"base_url\": \"http://127.0.0.1:%d/api/\", \"token\": \"%s\", \"max_retries\": 0}",
             srv.port, token);
    lb_client_t *client = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_client_new("ctest", options, &client, &err), LB_OK, err);
    lb_error_free(err);
    return client;
}

static void test_calls(lb_client_t *client) {
    char *resp = NULL;
    lb_error_t *err = NULL;

    /* GET with a path parameter (given as a string of digits: converted to the integer). */
    int before = requests_seen();
    CHECK_STATUS(lb_call(client, "ctest.parcel.get", "{\"id\": \"42\"}", &resp, &err), LB_OK, err);
    CHECK(requests_seen() == before + 1);
    CHECK_STR(srv.method, "GET");
    CHECK_STR(srv.target, "/api/parcels/42");
    CHECK_STR(srv.authorization, "Bearer " TOKEN);
    CHECK_STR(srv.body, "");
    CHECK(lbt_json_is(resp, "/id", "42"));
    CHECK(lbt_json_is(resp, "/status", "\"delivered\""));
    CHECK(lbt_json_is(resp, "/weight", "\"2.50\""));
    CHECK(lbt_json_is(resp, "/tags/1", "\"b\""));
    lb_string_free(resp);
    resp = NULL;

    /* GET list: the repeated parameter repeats its name; the result is the envelope's list. */
    CHECK_STATUS(lb_call(client, "ctest.parcel.list", "{\"status\": [\"new\", \"in transit\"], \"limit\": 10}", &resp, &err),
                 LB_OK, err);
    CHECK_STR(srv.method, "GET");
    CHECK_STR(srv.target, "/api/parcels?status=new&status=in+transit&limit=10");
    CHECK_STR(srv.authorization, "Bearer " TOKEN);
    CHECK(resp != NULL && resp[0] == '[');
    CHECK(lbt_json_is(resp, "/0/id", "7"));
    CHECK(lbt_json_is(resp, "/1/status", "\"in transit\""));
    {
        char *third = lbt_json(resp, "/2");
        CHECK(third == NULL);
        lb_string_free(third);
    }
    lb_string_free(resp);
    resp = NULL;
    /* A single value of a repeated parameter is a list of one. */
    CHECK_STATUS(lb_call(client, "ctest.parcel.list", "{\"status\": \"new\"}", &resp, &err), LB_OK, err);
    CHECK_STR(srv.target, "/api/parcels?status=new");
    lb_string_free(resp);
    resp = NULL;

    /* POST with body fields: a JSON object under the wire names, decimals untouched. */
    CHECK_STATUS(lb_call(client, "ctest.parcel.create",
                         "{\"weight_kg\": \"2.50\", \"recipient\": \"Иванов И. И.\", \"fragile\": true}", &resp, &err),
                 LB_OK, err);
    CHECK_STR(srv.method, "POST");
    CHECK_STR(srv.target, "/api/parcels");
    CHECK_STR(srv.authorization, "Bearer " TOKEN);
    CHECK(strncmp(srv.content_type, "application/json", 16) == 0);
    CHECK(lbt_json_is(srv.body, "/weight", "\"2.50\""));
    CHECK(lbt_json_is(srv.body, "/recipient", "\"Иванов И. И.\""));
    CHECK(lbt_json_is(srv.body, "/fragile", "true"));
    CHECK(!lbt_contains(srv.body, "weight_kg"));
    CHECK(lbt_json_is(resp, "/id", "77"));
    lb_string_free(resp);
    resp = NULL;

    /* The service's own error: 404 with its message. */
    lb_status st = lb_call(client, "ctest.parcel.get", "{\"id\": 404}", &resp, &err);
    CHECK_STATUS(st, LB_HTTP, err);
    CHECK(resp == NULL);
    CHECK_STR(lb_error_code(err), "not_found");
    CHECK(lb_error_http_status(err) == 404);
    CHECK_STR(lb_error_endpoint(err), "ctest.parcel.get");
    CHECK(lbt_contains(lb_error_message(err), "no such parcel"));
    lb_error_free(err);
}

/* Parameter errors: found against the row, before anything is sent. */
static void test_parameter_errors(lb_client_t *client) {
    char *resp = (char *)1;
    lb_error_t *err = NULL;
    int before = requests_seen();

    lb_status st = lb_call(client, "ctest.parcel.get", "{\"id\": 42, \"colour\": \"red\"}", &resp, &err);
    CHECK_STATUS(st, LB_INVALID_ARGUMENT, err);
    CHECK(resp == NULL);
    CHECK_STR(lb_error_field(err), "colour");
    CHECK_STR(lb_error_code(err), "param.unknown");
    CHECK_STR(lb_error_endpoint(err), "ctest.parcel.get");
    CHECK(lbt_contains(lb_error_message(err), "it takes: id")); /* says what it takes */
    CHECK(lbt_json_is(lb_error_json(err), "/field", "\"colour\""));
    CHECK(lbt_json_is(lb_error_json(err), "/kind", "\"invalid_argument\""));
    lb_error_free(err);

    struct { const char *id, *params, *field, *code; } cases[] = {
        {"ctest.parcel.get", NULL, "id", "param.required"},
        {"ctest.parcel.get", "{\"id\": 0}", "id", "param.min"},
        {"ctest.parcel.get", "{\"id\": \"forty-two\"}", "id", "param.integer"},
        {"ctest.parcel.get", "{\"id\": [42]}", "id", "param.type"},
        {"ctest.parcel.list", "{\"limit\": 51}", "limit", "param.max"},
        {"ctest.parcel.list", "{\"status\": [\"new\", {}]}", "status", "param.type"},
        {"ctest.parcel.create", "{\"weight_kg\": \"heavy\", \"recipient\": \"A\"}", "weight_kg", "param.type"},
        {"ctest.parcel.create", "{\"weight_kg\": 1}", "recipient", "param.required"},
        {"ctest.parcel.create", "{\"weight_kg\": 1, \"recipient\": \"A\", \"fragile\": \"yes\"}", "fragile", "param.type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        st = lb_call(client, cases[i].id, cases[i].params, &resp, &err);
        CHECK_STATUS(st, LB_INVALID_ARGUMENT, err);
        CHECK_STR(lb_error_field(err), cases[i].field);
        CHECK_STR(lb_error_code(err), cases[i].code);
        lb_error_free(err);
    }

    /* Ids: unknown in the service (the error lists its ids), or of another service. */
    st = lb_call(client, "ctest.parcel.delete", "{}", &resp, &err);
    CHECK_STATUS(st, LB_INVALID_ARGUMENT, err);
    CHECK(lbt_contains(lb_error_message(err), "ctest.parcel.create"));
    lb_error_free(err);
    st = lb_call(client, "carreta.profile.get", NULL, &resp, &err);
    CHECK_STATUS(st, LB_INVALID_ARGUMENT, err);
    CHECK(lbt_contains(lb_error_message(err), "ctest"));
    lb_error_free(err);
    /* lb_call_async refuses it at once (before even looking at the callback). */
    st = lb_call_async(client, "carreta.profile.get", NULL, NULL, NULL, NULL, &err);
    CHECK_STATUS(st, LB_INVALID_ARGUMENT, err);
    CHECK(lbt_contains(lb_error_message(err), "belongs to carreta"));
    lb_error_free(err);

    CHECK(requests_seen() == before); /* nothing was sent */
}

static void test_client_errors(void) {
    lb_client_t *client = (lb_client_t *)1;
    lb_error_t *err = NULL;
    char options[128];

    /* The credential the description declares is required. */
    snprintf(options, sizeof options, "{\"base_url\": \"http://127.0.0.1:%d/api/\"}", srv.port);
    lb_status st = lb_client_new("ctest", options, &client, &err);
    CHECK_STATUS(st, LB_INVALID_ARGUMENT, err);
    CHECK(client == NULL);
    CHECK_STR(lb_error_field(err), "token");
    CHECK_STR(lb_error_code(err), "option.required");
    CHECK(lbt_contains(lb_error_message_ru(err), "«token»: обязательна"));
    lb_error_free(err);
    snprintf(options, sizeof options, "{\"base_url\": \"http://127.0.0.1:%d/api/\", \"token\": \"  \"}", srv.port);
    CHECK_STATUS(lb_client_new("ctest", options, &client, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "token");
    lb_error_free(err);
    /* Carreta's credential is not an option of this service. */
    CHECK_STATUS(lb_client_new("ctest", "{\"token\": \"t\", \"api_key\": \"k\"}", &client, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "api_key");
    CHECK_STR(lb_error_code(err), "option.unknown");
    CHECK(lbt_contains(lb_error_message(err), "token"));
    lb_error_free(err);

    /* An unknown service: the error names the ones this process knows. */
    st = lb_client_new("nosuch", "{}", &client, &err);
    CHECK_STATUS(st, LB_INVALID_ARGUMENT, err);
    CHECK(client == NULL);
    CHECK_STR(lb_error_code(err), "invalid_argument");
    CHECK(lbt_contains(lb_error_message(err), "nosuch"));
    CHECK(lbt_contains(lb_error_message(err), "carreta"));
    CHECK(lbt_contains(lb_error_message(err), "ctest"));
    lb_error_free(err);
    /* Service names are the prefixes, case-insensitively. */
    snprintf(options, sizeof options, "{\"token\": \"" TOKEN "\", \"base_url\": \"http://127.0.0.1:%d/api/\"}", srv.port);
    CHECK_STATUS(lb_client_new("CTest", options, &client, &err), LB_OK, err);
    lb_client_free(client);
}

/* A wrong token: the service says 401 and echoes it; the error does not. */
static void test_wrong_token(void) {
    const char *wrong = "wrong-T0KEN-canary-8812";
    lb_client_t *client = make_client(wrong);
    if (client == NULL) return;
    char *resp = NULL;
    lb_error_t *err = NULL;
    lb_status st = lb_call(client, "ctest.parcel.get", "{\"id\": 42}", &resp, &err);
    CHECK_STATUS(st, LB_AUTH, err);
    CHECK(lb_error_http_status(err) == 401);
    CHECK_STR(srv.authorization, "Bearer wrong-T0KEN-canary-8812");
    CHECK(lbt_contains(lb_error_message(err), "bad token"));
    CHECK(!lbt_contains(lb_error_message(err), wrong));
    CHECK(!lbt_contains(lb_error_message_ru(err), wrong));
    CHECK(!lbt_contains(lb_error_json(err), wrong));
    lb_error_free(err);
    lb_client_free(client);
}

/* The asynchronous entry reaches it too. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls;
    lb_status status;
    char *response;
} waiter_t;

static void on_done(void *user_data, lb_status status, const char *response_json, const lb_error_t *error) {
    (void)error;
    waiter_t *w = user_data;
    pthread_mutex_lock(&w->mu);
    w->calls++;
    w->status = status;
    if (response_json) w->response = strdup(response_json);
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void test_async(lb_client_t *client) {
    waiter_t w;
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_call_async(client, "ctest.parcel.list", "{\"limit\": 2}", on_done, &w, NULL, &err), LB_OK, err);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 20;
    pthread_mutex_lock(&w.mu);
    while (w.calls < 1 && pthread_cond_timedwait(&w.cv, &w.mu, &deadline) == 0) {
    }
    pthread_mutex_unlock(&w.mu);
    CHECK(w.calls == 1);
    CHECK_STATUS(w.status, LB_OK, NULL);
    CHECK(lbt_json_is(w.response, "/1/id", "8"));
    CHECK_STR(srv.target, "/api/parcels?limit=2");
    free(w.response);
    pthread_mutex_destroy(&w.mu);
    pthread_cond_destroy(&w.cv);
}

int main(void) {
    if (server_start() != 0) {
        fprintf(stderr, "cannot start the test service\n");
        return 2;
    }
    /* Before registration the service does not exist. */
    lb_client_t *client = NULL;
    CHECK(lb_client_new("ctest", "{\"token\": \"" TOKEN "\"}", &client, NULL) == LB_INVALID_ARGUMENT && client == NULL);

    test_register();
    test_endpoints_lists_it();
    client = make_client(TOKEN);
    if (client != NULL) {
        test_calls(client);
        test_parameter_errors(client);
        test_async(client);
        lb_client_free(client);
    }
    test_client_errors();
    test_wrong_token();
    server_stop();
    return lbt_finish("test_rails");
}
