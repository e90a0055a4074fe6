/*
 * CARGO.RUN Logistics 2.0 from C, as in integration/scenario-external-to-cr.md: sign in
 * (the library does it on the first call and renews the token itself), load the
 * directories, create a counterparty and a driver, create a bid with a loading and an
 * unloading point, start it, and read it back.
 *
 *   make build
 *   cc -std=c99 -Iinclude examples/c/cargorun.c -Ltarget/debug -llogibridge \
 *      -Wl,-rpath,"$PWD/target/debug" -o cargorun
 *   make sandbox &   # prints: cargorun http://127.0.0.1:PORT/cargorun/ username=USER password=PASSWORD
 *   CARGORUN_BASE_URL=http://127.0.0.1:PORT/cargorun/ CARGORUN_USERNAME=USER CARGORUN_PASSWORD=PASSWORD ./cargorun
 *
 * CARGORUN_TOKEN_FILE (optional): a file (mode 600) where the tokens are kept, so a program
 * started again within a minute reuses them instead of signing in (the service answers a
 * second GenerateToken within its cooldown with 429).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logibridge.h"

/* Text as a JSON string literal (quotes included), malloc'd. */
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

/* One call; prints the error (English and Russian) and returns NULL on failure. The error
 * texts never hold the password or a token. */
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

/* The id an Apply call answered (a bare number, or {"id": N}); 0 on failure. */
static long new_id(char *answer) {
    long id = 0;
    char *text = NULL;
    if (answer && answer[0] >= '0' && answer[0] <= '9') {
        id = atol(answer);
    } else if (answer && lb_json_pointer(answer, "/id", &text, NULL) == LB_OK) {
        id = atol(text);
        lb_string_free(text);
    }
    lb_string_free(answer);
    return id;
}

int main(void) {
    const char *base_url = getenv("CARGORUN_BASE_URL"), *user = getenv("CARGORUN_USERNAME"), *password = getenv("CARGORUN_PASSWORD");
    const char *token_file = getenv("CARGORUN_TOKEN_FILE");
    if (base_url == NULL || user == NULL || password == NULL) {
        fprintf(stderr, "set CARGORUN_BASE_URL, CARGORUN_USERNAME and CARGORUN_PASSWORD (make sandbox prints them)\n");
        return 2;
    }
    char *qurl = json_quote(base_url), *quser = json_quote(user), *qpassword = json_quote(password);
    char *qfile = json_quote(token_file ? token_file : "");
    char options[4096];
    snprintf(options, sizeof options, "{\"base_url\": %s, \"username\": %s, \"password\": %s%s%s}", qurl, quser, qpassword,
             token_file ? ", \"token_file\": " : "", token_file ? qfile : "");
    free(qurl);
    free(quser);
    free(qpassword);
    free(qfile);

    lb_client_t *client = NULL;
    lb_error_t *error = NULL;
    if (lb_client_new("cargorun", options, &client, &error) != LB_OK) {
        fprintf(stderr, "cannot make the client: %s\n", lb_error_message(error));
        lb_error_free(error);
        return 1;
    }
    memset(options, 0, sizeof options); /* the password is the library's now */

    int failed = 1;
    char params[2048];
    /* 1. The directories to map (OData pages of 50; X-MetaCount is the total). */
    char *cars = call(client, "cargorun.cars.list", "{\"top\": 50, \"orderby\": \"id\"}");
    char *drivers = call(client, "cargorun.drivers.list", "{\"top\": 50, \"orderby\": \"id\"}");
    if (cars == NULL || drivers == NULL) goto done;
    printf("cars: %.60s...\ndrivers: %.60s...\n", cars, drivers);

    /* 2. The counterparty (INN with its check digits) and the driver (any common phone spelling). */
    long cp = new_id(call(client, "cargorun.counterparties.apply", "{\"counterparty\": {\"id\": 0, \"name\": \"ООО Груз\", \"inn\": \"7707083893\"}}"));
    long driver = new_id(call(client, "cargorun.drivers.apply",
                              "{\"driver\": {\"id\": 0, \"firstName\": \"Иван\", \"lastName\": \"Петров\", \"phoneNumber\": \"8 (999) 123-45-67\"}}"));
    long car = new_id(call(client, "cargorun.cars.apply", "{\"car\": {\"id\": 0, \"number\": \"А001АА77\"}}"));
    long trailer = new_id(call(client, "cargorun.trailers.apply", "{\"trailer\": {\"id\": 0, \"number\": \"ВВ123477\"}}"));
    if (cp == 0 || driver == 0 || car == 0 || trailer == 0) goto done;

    /* 3. The bid: points as GeoJSON [lon, lat], times with any offset (sent in UTC). */
    snprintf(params, sizeof params,
             "{\"bid\": {\"id\": 0, \"externalId\": \"1C-0001\", \"cargoOwnerDictionaryItemId\": %ld, \"paymentTypeId\": 41, \"ndsTypeId\": 129493473,"
             " \"price\": 45000.50, \"driver\": {\"id\": %ld}, \"carOption\": {\"carId\": %ld}, \"trailerOption\": {\"trailerId\": %ld}, \"bidPoints\": ["
             "{\"id\": 0, \"order\": 0, \"type\": \"LoadPoint\", \"planEnterDate\": \"2026-07-15T13:58:00+03:00\","
             " \"geozone\": {\"id\": 0, \"location\": {\"type\": \"Point\", \"coordinates\": [47.47, 55.86]}, \"address\": \"Чебоксары\", \"radius\": 2000, \"type\": \"BidPoint\"}},"
             "{\"id\": 0, \"order\": 1, \"type\": \"UnloadPoint\", \"planEnterDate\": \"2026-07-16T10:00:00+03:00\","
             " \"geozone\": {\"id\": 0, \"location\": {\"type\": \"Point\", \"coordinates\": [55.95, 54.70]}, \"address\": \"Уфа\", \"radius\": 2000, \"type\": \"BidPoint\"}}]}}",
             cp, driver, car, trailer);
    long bid = new_id(call(client, "cargorun.bids.apply", params));
    if (bid == 0) goto done;

    /* 4. Start it and read it back. */
    snprintf(params, sizeof params, "{\"bid_id\": %ld, \"status\": \"Started\"}", bid);
    char *started = call(client, "cargorun.bids.set_status", params);
    if (started == NULL) goto done;
    lb_string_free(started);
    snprintf(params, sizeof params, "{\"bid_id\": %ld}", bid);
    char *got = call(client, "cargorun.bids.get", params);
    if (got == NULL) goto done;
    char *status = NULL;
    if (lb_json_pointer(got, "/status", &status, NULL) == LB_OK) {
        printf("bid %ld: %s\n", bid, status);
        failed = strcmp(status, "\"Started\"") != 0;
        lb_string_free(status);
    }
    lb_string_free(got);

done:
    lb_string_free(cars);
    lb_string_free(drivers);
    lb_client_free(client);
    return failed;
}
