/* The memory checkers' own test (tests/c/run.sh runs it first): each mode makes the mistake
 * its name says with the library's objects, and the run must fail under the checker of every
 * dynamic build. A checker that stays quiet here would let the real programs pass unchecked.
 *
 *   checker_canary leak              an error object never freed (definite leak)
 *   checker_canary use-after-free    an error's message read after lb_error_free */
#include "logibridge.h"

#include <stdio.h>
#include <string.h>

static lb_error_t *refused_error(void) {
    lb_client_t *client = NULL;
    lb_error_t *error = NULL;
    if (lb_client_new("no-such-service", "{}", &client, &error) == LB_OK || error == NULL) {
        fprintf(stderr, "checker_canary: lb_client_new accepted an unknown service\n");
        return NULL;
    }
    return error;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    lb_error_t *error = refused_error();
    if (error == NULL) return 2;
    if (strcmp(mode, "leak") == 0) {
        error = NULL; /* the only pointer to it is dropped */
        return 0;
    }
    if (strcmp(mode, "use-after-free") == 0) {
        const char *message = lb_error_message(error);
        lb_error_free(error);
        /* A read of freed memory that the compiler cannot drop. */
        volatile char first = message[0];
        return first == 0 ? 3 : 0;
    }
    fprintf(stderr, "checker_canary: mode must be leak or use-after-free\n");
    return 2;
}
