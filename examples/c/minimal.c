/*
 * The smallest useful logibridge program: search a part in Carreta and print the offers.
 *
 *   make build
 *   cc -std=c99 -Iinclude examples/c/minimal.c -Ltarget/debug -llogibridge \
 *      -Wl,-rpath,"$PWD/target/debug" -o minimal
 *   make sandbox &      # prints: carreta http://127.0.0.1:PORT/carreta/v1/ api_key=KEY
 *   CARRETA_BASE_URL=http://127.0.0.1:PORT/carreta/v1/ CARRETA_API_KEY=KEY ./minimal oc47
 */
#include <stdio.h>
#include <stdlib.h>

#include "logibridge.h"

int main(int argc, char **argv) {
    const char *part = argc > 1 ? argv[1] : "oc47";

    lb_carreta_options_t options;
    lb_carreta_options_init(&options);
    options.api_key = getenv("CARRETA_API_KEY");
    options.base_url = getenv("CARRETA_BASE_URL"); /* NULL: the production API */

    lb_client_t *client = NULL;
    lb_error_t *error = NULL;
    if (lb_carreta_new(&options, &client, &error) != LB_OK) {
        fprintf(stderr, "cannot make a client: %s\n", lb_error_message(error));
        lb_error_free(error);
        return 1;
    }

    /* Every call goes through lb_call: an endpoint id, JSON parameters, a JSON answer. */
    char params[256];
    snprintf(params, sizeof params, "{\"q\": \"%s\"}", part);
    char *offers = NULL;
    lb_status status = lb_call(client, "carreta.search.query", params, &offers, &error);
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

    /* The order rules, checked before anything is sent. */
    if (lb_carreta_check_order_qty("<10", 1, 10, &error) == LB_VALIDATION) {
        printf("order of 10 when the stock is \"<10\": refused, %s\n", lb_error_code(error));
        lb_error_free(error);
    }

    lb_string_free(offers);
    lb_client_free(client);
    return 0;
}
