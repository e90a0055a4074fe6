/*
 * The smallest useful logibridge program: search a part in Carreta and print the offers.
 *
 *   make build
 *   cc -std=c99 -Iinclude examples/c/minimal.c -Ltarget/debug -llogibridge \
 *      -Wl,-rpath,"$PWD/target/debug" -o minimal
 *   make sandbox &      # prints: carreta http://127.0.0.1:PORT/carreta/v1/ api_key=KEY
 *   CARRETA_BASE_URL=http://127.0.0.1:PORT/carreta/v1/ CARRETA_API_KEY=KEY ./minimal oc47
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logibridge.h"

/*
 * Text as a JSON string literal, quotes included ("null" for NULL), in a malloc'd buffer.
 * Never paste outside text into JSON unescaped: a quote or a backslash in it would change
 * the document (and a key could end up in the wrong option).
 */
static char *json_quote(const char *text) {
    char *out = malloc(text ? strlen(text) * 6 + 3 : 5); /* worst case: every byte as \u00XX */
    if (out == NULL) return NULL;
    if (text == NULL) return strcpy(out, "null");
    char *p = out;
    *p++ = '"';
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        if (*s == '"' || *s == '\\') {
            *p++ = '\\';
            *p++ = (char)*s;
        } else if (*s < 0x20) {
            p += sprintf(p, "\\u%04x", *s);
        } else {
            *p++ = (char)*s; /* UTF-8 passes through as is */
        }
    }
    *p++ = '"';
    *p = '\0';
    return out;
}

/* printf into a malloc'd buffer of the right size (for assembling already-quoted values). */
static char *format(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    char *out = n < 0 ? NULL : malloc((size_t)n + 1);
    if (out) {
        va_start(args, fmt);
        vsnprintf(out, (size_t)n + 1, fmt, args);
        va_end(args);
    }
    return out;
}

int main(int argc, char **argv) {
    const char *part = argc > 1 ? argv[1] : "oc47";

    /* Options by name, the same in every face: the service's credentials (Carreta's
     * api_key), base_url (null: the production API), timeout, max_retries, account. */
    char *key = json_quote(getenv("CARRETA_API_KEY"));
    char *url = json_quote(getenv("CARRETA_BASE_URL"));
    char *options = key && url ? format("{\"api_key\": %s, \"base_url\": %s, \"timeout\": 20}", key, url) : NULL;
    free(key);
    free(url);

    lb_client_t *client = NULL;
    lb_error_t *error = NULL;
    lb_status status = lb_client_new("carreta", options, &client, &error);
    free(options);
    if (status != LB_OK) {
        /* e.g. "api_key": the option that is missing or wrong */
        fprintf(stderr, "cannot make a client (%s): %s\n", lb_error_field(error) ? lb_error_field(error) : "-",
                lb_error_message(error));
        lb_error_free(error);
        return 1;
    }

    /* Every call goes through lb_call: an endpoint id, JSON parameters, a JSON answer. */
    char *q = json_quote(part);
    char *params = q ? format("{\"q\": %s}", q) : NULL;
    free(q);
    char *offers = NULL;
    status = lb_call(client, "carreta.search.query", params, &offers, &error);
    free(params);
    if (status != LB_OK) {
        fprintf(stderr, "%s: %s (HTTP %u)\n", lb_status_name(status), lb_error_message(error),
                (unsigned)lb_error_http_status(error));
        lb_error_free(error);
        lb_client_free(client);
        return 1;
    }

    /* Pick fields out of the answer without a JSON library. */
    char *first = NULL;
    if (lb_json_pointer(offers, "/0", &first, NULL) == LB_OK) {
        printf("first offer: %s\n", first);
        lb_string_free(first);
    } else {
        printf("no offers for %s\n", part);
    }

    /* The order rules are rows of the table too, checked without sending anything. */
    char *ok = NULL;
    status = lb_call(client, "carreta.order.check_qty", "{\"qty\": \"<10\", \"min_qty\": 1, \"order_qty\": 10}", &ok, &error);
    if (status == LB_VALIDATION) {
        printf("order of 10 when the stock is \"<10\": refused, %s\n", lb_error_code(error));
        lb_error_free(error);
    }
    lb_string_free(ok);

    lb_string_free(offers);
    lb_client_free(client);
    return 0;
}
