/*
 * CARGO.RUN's other Swagger operations through the C face (issue 13, "The whole Swagger"):
 *
 * - lb_endpoints lists them apart: the cargorun service's "endpoints" are the typed rows
 *   ("kind": "typed"), its "generic_endpoints" the cargorun.swagger.* ones ("generic");
 * - 50 generic operations, the choice of core/tests/cargorun_swagger.rs (`fifty()`: the
 *   first multipart operation, then round-robin over the tags, each tag's rows in the
 *   Swagger's order), answer through lb_call, each counted once by the emulator: GET and
 *   POST, path parameters, a repeated query parameter, JSON and multipart bodies. The
 *   parameters are the Rust test's values (1, 2.5, false, a date-time, the first enum
 *   name, "x"; a list as two items) and the smallest body its schema accepts ({} or [];
 *   the Swagger's `required` lists are not enforced);
 * - a wrong type in a body or a query, an unknown enum name, and, in strict mode, an
 *   unknown property are refused before anything is sent (the sandbox's request log stays
 *   empty), naming the JSON path;
 * - lb_call_path: a Swagger path reaches its generic row (counted under its id) and is
 *   checked; a path the Swagger does not know is sent as given (the request log shows
 *   it); HEAD and a path leaving the base URL are refused; every NULL is a status.
 */
#include "lbtest.h"

struct op {
    const char *id;
    const char *params;
};

/* Written from core/tests/cargorun_swagger.rs's fifty() over lb_endpoints' rows. */
static const struct op FIFTY[] = {
    {"cargorun.swagger.accesspermits.apply", "{\"body\": {\"Image\": {\"filename\": \"act.pdf\", \"content_type\": \"application/pdf\", \"content_base64\": \"JVBERi0xLjc=\"}}}"},  /* POST */
    {"cargorun.swagger.account.logintwofactor", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.aggregationchats.sendmessage", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.apps.apk", "{}"},  /* GET */
    {"cargorun.swagger.assistantchat.getsettings", "{}"},  /* GET */
    {"cargorun.swagger.driver.authorization.getregistrationstatusbyphone.by_phonenumber", "{\"phoneNumber\": \"x\"}"},  /* GET */
    {"cargorun.swagger.bidemergencyareapoints.getpoints.by_bidid", "{\"bidId\": 1}"},  /* GET */
    {"cargorun.swagger.registrypoints.bids.adjustpointbybid", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.billing.syncorganization", "{}"},  /* POST */
    {"cargorun.swagger.car.getlistexcel", "{}"},  /* GET */
    {"cargorun.swagger.cargobids.get.by_bidid", "{\"bidId\": 1}"},  /* GET */
    {"cargorun.swagger.cargoownerdictionary.getlistexcel", "{\"withDeleted\": false}"},  /* GET */
    {"cargorun.swagger.cargorunindexes.getindexes", "{\"periodType\": \"LastThreeMonths\", \"trailerFamilyType\": \"Other\", \"isVatTop\": false}"},  /* GET */
    {"cargorun.swagger.carsplanning.getreport", "{\"ShowDraftInPlanning\": false, \"CalculateMileages\": false}"},  /* GET */
    {"cargorun.swagger.catalogs.getproperties", "{}"},  /* GET */
    {"cargorun.swagger.classificationtypes.apply", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.columndispatchers.getbyphonenumber", "{\"phoneNumber\": \"x\"}"},  /* GET */
    {"cargorun.swagger.bids.getlist", "{\"withExternalBids\": false, \"showAllPointAddresses\": false}"},  /* GET */
    {"cargorun.swagger.routetemplates.getlist", "{}"},  /* GET */
    {"cargorun.swagger.routes.get.by_bidid", "{\"bidId\": 1, \"MetaOnly\": false}"},  /* GET */
    {"cargorun.swagger.counter.increase", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.1c.counterparties.getcontracts", "{\"counterpartyId\": 1}"},  /* GET */
    {"cargorun.swagger.counterpartiesinsolvencyregistry.applyentry", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.counterpartygroups.apply", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.crstart.getservices", "{}"},  /* GET */
    {"cargorun.swagger.custompointtypes.getlist", "{}"},  /* GET */
    {"cargorun.swagger.distributionbidsources.apply", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.distributionbids.addfile", "{\"body\": {\"File\": {\"filename\": \"act.pdf\", \"content_type\": \"application/pdf\", \"content_base64\": \"JVBERi0xLjc=\"}}}"},  /* POST */
    {"cargorun.swagger.documentassignment.getlistforexternal", "{}"},  /* GET */
    {"cargorun.swagger.documenttemplates.apply", "{\"body\": {\"File\": {\"filename\": \"act.pdf\", \"content_type\": \"application/pdf\", \"content_base64\": \"JVBERi0xLjc=\"}}}"},  /* POST */
    {"cargorun.swagger.documents.getlist", "{}"},  /* GET */
    {"cargorun.swagger.driver.sendpasswordsms", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.driverjobs.getcontrolpoints.by_bidid", "{\"bidId\": 1}"},  /* GET */
    {"cargorun.swagger.driversalary.getoptions", "{\"Period\": \"2026-01-23T21:00:00+03:00\"}"},  /* GET */
    {"cargorun.swagger.ebills.gettitle", "{\"bidId\": 1, \"titleId\": 1}"},  /* GET */
    {"cargorun.swagger.emergencyarea.getpoints", "{}"},  /* GET */
    {"cargorun.swagger.employees.getnameslist", "{}"},  /* GET */
    {"cargorun.swagger.expenses.getlist", "{}"},  /* GET */
    {"cargorun.swagger.extendedproperties.get", "{}"},  /* GET */
    {"cargorun.swagger.factoring.getbidslist", "{}"},  /* GET */
    {"cargorun.swagger.factoringcompanies.getlist", "{}"},  /* GET */
    {"cargorun.swagger.featuremodules.getinitialsettingslist", "{}"},  /* GET */
    {"cargorun.swagger.feedbacktags.getlist", "{}"},  /* GET */
    {"cargorun.swagger.feedbacks.apply", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.files.get.by_fileid", "{\"fileId\": 1}"},  /* GET */
    {"cargorun.swagger.finance.getdocumentfile", "{\"Id\": 1, \"Extension\": \"x\"}"},  /* GET */
    {"cargorun.swagger.fixroutebids.apply", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.forwarding.getcarslist", "{\"organizationIds\": [1, 1]}"},  /* GET */
    {"cargorun.swagger.fuelcards.apply", "{\"body\": {}}"},  /* POST */
    {"cargorun.swagger.gasstations.get", "{\"source\": \"Test\", \"body\": {}}"},  /* GET */
};
#define N_FIFTY (sizeof FIFTY / sizeof FIFTY[0])

static lb_client_t *client;

/* The index of the cargorun service in lb_endpoints' list, or -1. */
static int cargorun_index(const char *table) {
    for (int i = 0; i < 16; i++) {
        char pointer[32];
        snprintf(pointer, sizeof pointer, "/%d/prefix", i);
        char *prefix = lbt_json(table, pointer);
        int found = prefix != NULL && strcmp(prefix, "\"cargorun\"") == 0;
        int end = prefix == NULL;
        lb_string_free(prefix);
        if (found) return i;
        if (end) break;
    }
    return -1;
}

static void test_listing(void) {
    char *table = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_endpoints(&table, &err), LB_OK, err);
    int i = cargorun_index(table);
    CHECK(i >= 0);
    char pointer[64];
    snprintf(pointer, sizeof pointer, "/%d/endpoints/0/kind", i);
    CHECK(lbt_json_is(table, pointer, "\"typed\""));
    snprintf(pointer, sizeof pointer, "/%d/generic_endpoints/0/kind", i);
    CHECK(lbt_json_is(table, pointer, "\"generic\""));
    snprintf(pointer, sizeof pointer, "/%d/generic_endpoints/800/kind", i);
    CHECK(lbt_json_is(table, pointer, "\"generic\""));
    /* Each of the fifty is listed as a generic row, with its tag and content. */
    int listed = 0;
    for (size_t k = 0; k < N_FIFTY; k++) {
        char needle[200];
        snprintf(needle, sizeof needle, "{\"id\":\"%s\",\"service\":\"cargorun\",\"kind\":\"generic\"", FIFTY[k].id);
        listed += lbt_contains(table, needle);
    }
    CHECK(listed == (int)N_FIFTY);
    CHECK(lbt_contains(table, "\"id\":\"cargorun.swagger.trackers.get.by_id\""));
    /* A typed row's operation has no second, generic id. */
    CHECK(!lbt_contains(table, "\"cargorun.swagger.bids.get.by_bidid\""));
    lb_string_free(table);
}

static void test_fifty(void) {
    lbt_http("DELETE", "/_control/cargorun/calls", NULL, NULL);
    int get = 0, post = 0, path_param = 0, list = 0, multipart = 0;
    for (size_t k = 0; k < N_FIFTY; k++) {
        char *answer = NULL;
        lb_error_t *err = NULL;
        lb_status st = lb_call(client, FIFTY[k].id, FIFTY[k].params, &answer, &err);
        if (st != LB_OK) fprintf(stderr, "  %s with %s\n", FIFTY[k].id, FIFTY[k].params);
        CHECK_STATUS(st, LB_OK, err);
        CHECK(st != LB_OK || answer != NULL);
        lb_string_free(answer);
        lb_error_free(err);
        post += lbt_contains(FIFTY[k].params, "\"body\"");
        get += !lbt_contains(FIFTY[k].params, "\"body\"");
        path_param += lbt_contains(FIFTY[k].id, ".by_");
        list += lbt_contains(FIFTY[k].params, "[");
        multipart += lbt_contains(FIFTY[k].params, "content_base64");
    }
    CHECK(get > 10 && post > 10 && path_param > 3 && list > 0 && multipart > 0);
    char *calls = lbt_cargorun_calls();
    int once = 0;
    for (size_t k = 0; k < N_FIFTY; k++) {
        long n = lbt_calls_of(calls, FIFTY[k].id);
        if (n != 1) fprintf(stderr, "  %s counted %ld times\n", FIFTY[k].id, n);
        once += n == 1;
    }
    CHECK(once == (int)N_FIFTY);
    free(calls);
}

/* A call refused with LB_INVALID_ARGUMENT, field and code as given. */
static void refused(lb_client_t *c, const char *id, const char *params, const char *field, const char *code) {
    char *answer = NULL;
    lb_error_t *err = NULL;
    CHECK_STATUS(lb_call(c, id, params, &answer, &err), LB_INVALID_ARGUMENT, err);
    CHECK(answer == NULL);
    CHECK_STR(lb_error_field(err), field);
    CHECK_STR(lb_error_code(err), code);
    CHECK(lb_error_message_ru(err) != NULL && strlen(lb_error_message_ru(err)) > 0);
    lb_error_free(err);
}

static void test_refused_before_sending(void) {
    lb_client_t *strict = lbt_cargorun_client("\"strict_schema\": true");
    lbt_http("DELETE", "/_control/requests", NULL, NULL);
    refused(client, "cargorun.swagger.trackers.apply", "{\"body\": {\"id\": \"seven\", \"deviceNumber\": \"A-1\"}}", "body.id", "schema.type");
    refused(client, "cargorun.swagger.trackers.get.by_id", "{\"id\": \"seventeen\"}", "id", "param.integer");
    refused(client, "cargorun.swagger.cargorunindexes.getindexes", "{\"periodType\": \"NoSuchPeriod\"}", "periodType", "param.enum");
    refused(client, "cargorun.swagger.accesspermits.apply", "{\"body\": {\"Image\": \"not a file\"}}", "body.Image", "schema.format");
    refused(strict, "cargorun.swagger.trackers.apply", "{\"body\": {\"id\": 0, \"colour\": \"red\"}}", "body.colour", "schema.unknown");
    char *log = NULL;
    CHECK(lbt_http("GET", "/_control/requests", NULL, &log) == 200);
    CHECK_STR(log, "[]");
    free(log);
    lb_client_free(strict);
}

static void test_call_path(void) {
    char *answer = NULL, *by_id = NULL;
    lb_error_t *err = NULL;
    lbt_http("DELETE", "/_control/cargorun/calls", NULL, NULL);
    /* A Swagger path, any case: its generic row, the same answer as by id. */
    CHECK_STATUS(lb_call_path(client, "get", "API/trackers/GET/17", NULL, &answer, &err), LB_OK, err);
    CHECK_STATUS(lb_call(client, "cargorun.swagger.trackers.get.by_id", "{\"id\": 17}", &by_id, &err), LB_OK, err);
    CHECK_STR(answer, by_id);
    char *calls = lbt_cargorun_calls();
    CHECK(lbt_calls_of(calls, "cargorun.swagger.trackers.get.by_id") == 2);
    free(calls);
    lb_string_free(answer);
    lb_string_free(by_id);
    answer = NULL;

    /* Checked against the Swagger before sending. */
    lbt_http("DELETE", "/_control/requests", NULL, NULL);
    CHECK_STATUS(lb_call_path(client, "POST", "/api/Trackers/Apply", "{\"body\": {\"id\": \"x\"}}", &answer, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "body.id");
    lb_error_free(err);
    CHECK_STATUS(lb_call_path(client, "GET", "/api/Trackers/Get/seventeen", "", &answer, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_field(err), "id");
    lb_error_free(err);
    const char *methods[] = {"HEAD", "PATCH"};
    for (int i = 0; i < 2; i++) {
        CHECK_STATUS(lb_call_path(client, methods[i], "/api/Home/Ping", NULL, &answer, &err), LB_INVALID_ARGUMENT, err);
        CHECK_STR(lb_error_field(err), "method");
        CHECK_STR(lb_error_code(err), "param.method");
        lb_error_free(err);
    }
    const char *bad_paths[] = {"", "https://evil.example/api", "/api/../../_control/reset", "/api/Trackers/Get/5?x=1"};
    for (int i = 0; i < 4; i++) {
        CHECK_STATUS(lb_call_path(client, "GET", bad_paths[i], NULL, &answer, &err), LB_INVALID_ARGUMENT, err);
        CHECK_STR(lb_error_field(err), "path");
        lb_error_free(err);
    }
    CHECK_STATUS(lb_call_path(client, "GET", "/api/Trackers/Get/5", "{\"bdy\": {}}", &answer, &err), LB_INVALID_ARGUMENT, err);
    CHECK_STR(lb_error_code(err), "param.unknown");
    lb_error_free(err);
    CHECK_STATUS(lb_call_path(client, "GET", "/api/Trackers/Get/5", "{\"query\": ", &answer, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    char *log = NULL;
    CHECK(lbt_http("GET", "/_control/requests", NULL, &log) == 200);
    CHECK_STR(log, "[]");
    free(log);

    /* Unknown to the Swagger (the newest pages' ETRN calls): sent as given; the emulator
     * does not serve it, so 404, and its request log shows what went out. */
    CHECK_STATUS(lb_call_path(client, "POST", "/api/waybill/Bids/Sign", "{\"query\": {\"bidId\": 17, \"ids\": [1, 2]}, \"body\": {\"bidId\": 17}}", &answer, &err), LB_HTTP, err);
    CHECK(answer == NULL);
    CHECK(lb_error_http_status(err) == 404);
    CHECK(lbt_contains(lb_error_endpoint(err), "cargorun.path.post"));
    lb_error_free(err);
    CHECK(lbt_http("GET", "/_control/requests", NULL, &log) == 200);
    CHECK(lbt_contains(log, "\"path\":\"/cargorun/api/waybill/Bids/Sign\""));
    CHECK(lbt_contains(log, "\"query\":\"bidId=17&ids=1&ids=2\""));
    free(log);

    /* NULLs are statuses, never crashes. */
    CHECK_STATUS(lb_call_path(NULL, "GET", "/api/Trackers/Get/5", NULL, &answer, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK_STATUS(lb_call_path(client, NULL, "/api/Trackers/Get/5", NULL, &answer, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK_STATUS(lb_call_path(client, "GET", NULL, NULL, &answer, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK(lb_call_path(client, "GET", "/api/Trackers/Get/5", NULL, NULL, NULL) == LB_INVALID_ARGUMENT);
    const char bad_utf8[] = {'G', (char)0xff, 'T', 0};
    CHECK_STATUS(lb_call_path(client, bad_utf8, "/api/Trackers/Get/5", NULL, &answer, &err), LB_INVALID_ARGUMENT, err);
    lb_error_free(err);
    CHECK(answer == NULL);
}

int main(void) {
    client = lbt_cargorun_client(NULL);
    test_listing();
    test_fifty();
    test_refused_before_sending();
    test_call_path();
    lb_client_free(client);
    return lbt_finish("test_cargorun_swagger");
}
