/* The header compiles warning-free as C99 and C++ (see mk/c.mk), and its types fit. */
#include "logibridge.h"

#include <stdio.h>

static void on_done(void *user_data, lb_status status, const char *response_json, const lb_error_t *error) {
    (void)user_data; (void)status; (void)response_json; (void)error;
}

int main(void) {
    lb_carreta_options_t opts;
    lb_callback cb = on_done;
    lb_status st = LB_OK;
    lb_carreta_options_init(&opts);
    (void)cb;
    printf("logibridge %s, %s = %d, LB_CANCELLED = %d\n", lb_version(), lb_status_name(st), (int)st, (int)LB_CANCELLED);
    return sizeof(lb_status) == 4 ? 0 : 1;
}
