/*
 * iRECA Courier from C, in the document's integration order: load the dispatcher's taxes,
 * payment types and return reasons; register the callback URL; create goods; create an
 * order and read it back.
 *
 *   make build
 *   cc -std=c99 -Iinclude examples/c/ireca.c -Ltarget/debug -llogibridge \
 *      -Wl,-rpath,"$PWD/target/debug" -o ireca
 *   make sandbox &      # prints: ireca http://127.0.0.1:PORT/ireca/api/v1/ token=TOKEN
 *   IRECA_BASE_URL=http://127.0.0.1:PORT/ireca/api/v1/ IRECA_TOKEN=TOKEN ./ireca
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logibridge.h"

/* Text as a JSON string literal (quotes included), malloc'd: outside text never goes into
 * JSON unescaped. */
static char *json_quote(const char *text) {
    char *out = malloc(strlen(text) * 6 + 3);
    if (out == NULL) return NULL;
    char *p = out;
    *p++ = '"';
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        if (*s == '"' || *s == '\\') {
            *p++ = '\\';
            *p++ = (char)*s;
        } else if (*s < 0x20) {
            p += sprintf(p, "\\u%04x", *s);
        } else {
            *p++ = (char)*s;
        }
    }
    *p++ = '"';
    *p = '\0';
    return out;
}

/* One call; prints the error (English and Russian) and returns NULL on failure. */
static char *call(const lb_client_t *client, const char *id, const char *params) {
    char *response = NULL;
    lb_error_t *error = NULL;
    if (lb_call(client, id, params, &response, &error) != LB_OK) {
        fprintf(stderr, "%s: %s\n  %s\n", id, lb_error_message(error), lb_error_message_ru(error));
        lb_error_free(error);
        return NULL;
    }
    return response;
}

int main(void) {
    const char *base_url = getenv("IRECA_BASE_URL"), *token = getenv("IRECA_TOKEN");
    if (base_url == NULL || token == NULL) {
        fprintf(stderr, "set IRECA_BASE_URL and IRECA_TOKEN (make sandbox prints them)\n");
        return 2;
    }
    char *qurl = json_quote(base_url), *qtoken = json_quote(token);
    char options[1024];
    snprintf(options, sizeof options, "{\"base_url\": %s, \"token\": %s}", qurl, qtoken);
    free(qurl);
    free(qtoken);
    lb_client_t *ireca = NULL;
    lb_error_t *error = NULL;
    if (lb_client_new("ireca", options, &ireca, &error) != LB_OK) {
        fprintf(stderr, "%s\n", lb_error_message(error));
        lb_error_free(error);
        return 1;
    }
    int failed = 0;

    /* 1. The catalogues the dispatcher keeps: map them to your own. */
    const char *catalogues[] = {"ireca.taxes.list", "ireca.payment_types.list", "ireca.return_reasons.list"};
    for (size_t i = 0; i < 3; i++) {
        char *list = call(ireca, catalogues[i], "{\"page\": 0, \"count\": 500}");
        failed += list == NULL;
        char *first = NULL;
        if (list && lb_json_pointer(list, "/0", &first, NULL) == LB_OK) printf("%s: first %s\n", catalogues[i], first);
        lb_string_free(first);
        lb_string_free(list);
    }

    /* 2. Where the service POSTs changed orders (switched off here: no receiver runs). */
    char *done = call(ireca, "ireca.orders.set_callback",
                      "{\"settings\": {\"url\": \"https://erp.example/ireca/orders\", \"isActive\": 0}}");
    failed += done == NULL;
    lb_string_free(done); /* "null": 201/204 without a body */

    /* 3. Goods: create or update by goodId. */
    done = call(ireca, "ireca.goods.replace",
                "{\"items\": [{\"goodId\": \"355866\", \"parentId\": null, \"taxId\": \"8284\","
                " \"title\": \"Варенье вишня FL\", \"unit\": \"г\", \"weight\": \"370\", \"price\": 179.5}]}");
    failed += done == NULL;
    lb_string_free(done);

    /* 4. An order: the document's required attributes are checked before sending; the
     * delivery window is given with its zone and sent in GMT+0. replace: run it again and
     * the order is updated, not duplicated. */
    done = call(ireca, "ireca.orders.replace",
                "{\"items\": [{\"orderId\": \"EX-C-1\", \"statusId\": 0, \"deliveryStatusId\": 6, \"courierId\": \"55752\","
                " \"paymentId\": \"4113\", \"amountToPay\": 179.5,"
                " \"deliveryTimeFrom\": \"2021-05-15T16:00:00+03:00\", \"deliveryTimeTo\": \"2021-05-15T18:00:00+03:00\","
                " \"addressToEntity\": {\"city\": \"Санкт-Петербург\", \"street\": \"Чкаловский пр.\", \"home\": \"15\","
                " \"isUseGoogleGeo\": true},"
                " \"goods\": [{\"goodId\": \"355866\", \"count\": 1, \"price\": 179.5, \"total\": 179.5, \"discountTotal\": 0}]}]}");
    failed += done == NULL;
    lb_string_free(done);
    char *order = call(ireca, "ireca.orders.get", "{\"order_id\": \"EX-C-1\"}");
    failed += order == NULL;
    if (order) {
        char *from = NULL;
        lb_json_pointer(order, "/deliveryTimeFrom", &from, NULL);
        printf("order EX-C-1: delivery from %s (GMT+0)\n", from ? from : "?");
        lb_string_free(from);
    }
    lb_string_free(order);

    lb_client_free(ireca);
    return failed ? 1 : 0;
}
