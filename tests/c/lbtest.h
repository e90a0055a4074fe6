/*
 * Shared helpers of the C tests: checks with a pass/fail count, the sandbox's address
 * from the environment (set by tests/c/run.sh), a client factory, and a tiny HTTP/1.1
 * client (plain POSIX sockets) for the sandbox's control API.
 *
 * Header-only: each test program is one .c file that includes this.
 *
 * The same tests build for Windows with mingw-w64 (tests/c/run_windows.sh, under wine):
 * winsock for the sockets, winpthreads for the threads, and file names in UTF-8 opened
 * with the wide-character functions, as the library itself opens them. The lbt_sock_* /
 * lbt_* functions below are the one layer over the two systems: the tests' own HTTP servers
 * and receivers (test_rails, test_ireca) and their files (test_cargorun) go through them.
 */
#ifndef LBTEST_H
#define LBTEST_H

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <process.h>
#include <sys/stat.h>
typedef SOCKET lbt_sock_t;
#define LBT_BAD_SOCK INVALID_SOCKET
#define lbt_sock_close closesocket
static inline long lbt_sock_read(lbt_sock_t fd, char *buf, size_t n) { return recv(fd, buf, (int)n, 0); }
static inline long lbt_sock_write(lbt_sock_t fd, const char *buf, size_t n) { return send(fd, buf, (int)n, 0); }
static inline long lbt_getpid(void) { return (long)GetCurrentProcessId(); }
/* Whether the last socket call failed only because a signal interrupted it. */
static inline int lbt_sock_interrupted(void) { return WSAGetLastError() == WSAEINTR; }
/* Waits up to timeout_ms for fd to be readable (a listening socket: a connection to
 * accept): > 0 readable, 0 the time ran out, < 0 an error. */
static inline int lbt_sock_wait_readable(lbt_sock_t fd, int timeout_ms) {
    WSAPOLLFD p;
    p.fd = fd;
    p.events = POLLRDNORM;
    p.revents = 0;
    return WSAPoll(&p, 1, timeout_ms);
}
#define lbt_strncasecmp _strnicmp
/* UTF-8 names, as on Linux: the system's wide-character open. */
static inline FILE *lbt_fopen(const char *path, const char *mode) {
    wchar_t wpath[1024], wmode[16];
    if (!MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, 1024) || !MultiByteToWideChar(CP_UTF8, 0, mode, -1, wmode, 16)) return NULL;
    return _wfopen(wpath, wmode);
}
#define fopen lbt_fopen
/* Removes a file by its UTF-8 name; 0 when done. */
static inline int lbt_remove(const char *path) {
    wchar_t wpath[1024];
    if (!MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, 1024)) return -1;
    return _wremove(wpath);
}
/* The size of the file with this UTF-8 name, or -1 when there is none. */
static inline long long lbt_file_size(const char *path) {
    wchar_t wpath[1024];
    struct _stat64 st;
    if (!MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, 1024) || _wstat64(wpath, &st) != 0) return -1;
    return (long long)st.st_size;
}
/* winsock must be started once per process, before the first socket. */
static inline void lbt_sockets_start(void) {
    static int started = 0;
    WSADATA wsa;
    if (!started && WSAStartup(MAKEWORD(2, 2), &wsa) == 0) started = 1;
}
#else
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
typedef int lbt_sock_t;
#define LBT_BAD_SOCK (-1)
#define lbt_sock_close close
static inline long lbt_sock_read(lbt_sock_t fd, char *buf, size_t n) { return (long)read(fd, buf, n); }
static inline long lbt_sock_write(lbt_sock_t fd, const char *buf, size_t n) { return (long)write(fd, buf, n); }
static inline long lbt_getpid(void) { return (long)getpid(); }
static inline void lbt_sockets_start(void) {}
static inline int lbt_sock_interrupted(void) { return errno == EINTR; }
static inline int lbt_sock_wait_readable(lbt_sock_t fd, int timeout_ms) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, timeout_ms);
}
#define lbt_strncasecmp strncasecmp
static inline int lbt_remove(const char *path) { return unlink(path); }
static inline long long lbt_file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}
#endif

/* The first n bytes of text (fewer if it ends before), NUL-terminated; free(). strndup is
 * POSIX, not in the Windows C runtime. */
static inline char *lbt_strndup(const char *text, size_t n) {
    size_t len = 0;
    while (len < n && text[len] != '\0') len++;
    char *out = malloc(len + 1);
    if (out == NULL) return NULL;
    memcpy(out, text, len);
    out[len] = '\0';
    return out;
}

#include "logibridge.h"

static int lbt_passed = 0;
static int lbt_failed = 0;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) {                                                                 \
            lbt_passed++;                                                           \
        } else {                                                                    \
            lbt_failed++;                                                           \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);         \
        }                                                                           \
    } while (0)

#define CHECK_STR(a, b)                                                             \
    do {                                                                            \
        const char *lbt_a_ = (a), *lbt_b_ = (b);                                    \
        if (lbt_a_ && lbt_b_ && strcmp(lbt_a_, lbt_b_) == 0) {                      \
            lbt_passed++;                                                           \
        } else {                                                                    \
            lbt_failed++;                                                           \
            fprintf(stderr, "FAIL %s:%d: %s == %s (got \"%s\", want \"%s\")\n",     \
                    __FILE__, __LINE__, #a, #b, lbt_a_ ? lbt_a_ : "(null)",         \
                    lbt_b_ ? lbt_b_ : "(null)");                                    \
        }                                                                           \
    } while (0)

/* Checks a status; on mismatch prints the error's details. */
#define CHECK_STATUS(got, want, err) lbt_check_status((got), (want), (err), __FILE__, __LINE__)

static inline void lbt_check_status(lb_status got, lb_status want, const lb_error_t *err, const char *file, int line) {
    if (got == want) {
        lbt_passed++;
        return;
    }
    lbt_failed++;
    fprintf(stderr, "FAIL %s:%d: status %s, want %s; error: %s\n", file, line, lb_status_name(got),
            lb_status_name(want), err ? lb_error_json(err) : "(none)");
}

static inline int lbt_contains(const char *haystack, const char *needle) {
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

/* Prints the closing line and returns the exit code. */
static inline int lbt_finish(const char *name) {
    printf("%s: %d passed, %d failed\n", name, lbt_passed, lbt_failed);
    return lbt_failed == 0 ? 0 : 1;
}

static inline void lbt_sleep_ms(long ms) {
#ifdef _WIN32
    Sleep((DWORD)ms);
#else
    struct timespec t;
    t.tv_sec = ms / 1000;
    t.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&t, NULL);
#endif
}

static inline const char *lbt_env(const char *name) {
#ifdef _WIN32
    /* getenv gives the ANSI code page's text (Cyrillic becomes '?'): read the UTF-16
     * environment and keep a UTF-8 copy, as the library takes its paths. */
    static char copies[16][2048];
    static int next = 0;
    wchar_t wname[256], *wv;
    const char *v = NULL;
    if (MultiByteToWideChar(CP_UTF8, 0, name, -1, wname, 256) && (wv = _wgetenv(wname)) != NULL) {
        char *slot = copies[next++ % 16];
        if (WideCharToMultiByte(CP_UTF8, 0, wv, -1, slot, 2048, NULL, NULL)) v = slot;
    }
#else
    const char *v = getenv(name);
#endif
    if (v == NULL || *v == '\0') {
        fprintf(stderr, "environment variable %s is not set (run the tests through tests/c/run.sh)\n", name);
        exit(2);
    }
    return v;
}

static inline const char *lbt_carreta_url(void) { return lbt_env("LB_TEST_CARRETA_URL"); }
static inline const char *lbt_carreta_key(void) { return lbt_env("LB_TEST_CARRETA_KEY"); }

/* A Carreta client on the sandbox with the given key (another than the sandbox's for
 * tests of secrets); retries off unless asked, so error tests are exact. */
static inline lb_client_t *lbt_client_with_key(const char *api_key, uint32_t max_retries, uint32_t timeout_ms) {
    lb_carreta_options_t opts;
    lb_carreta_options_init(&opts);
    opts.api_key = api_key;
    opts.base_url = lbt_carreta_url();
    opts.max_retries = max_retries;
    if (timeout_ms) opts.timeout_ms = timeout_ms;
    lb_client_t *client = NULL;
    lb_error_t *err = NULL;
    lb_status st = lb_carreta_new(&opts, &client, &err);
    if (st != LB_OK) {
        fprintf(stderr, "cannot make a client: %s\n", lb_error_message(err));
        lb_error_free(err);
        exit(2);
    }
    return client;
}

/* A Carreta client on the sandbox with the sandbox's key. */
static inline lb_client_t *lbt_client(uint32_t max_retries, uint32_t timeout_ms) {
    return lbt_client_with_key(lbt_carreta_key(), max_retries, timeout_ms);
}

/* ---- The control API over plain sockets ---------------------------------------------- */

/* Host port of LB_TEST_CARRETA_URL ("http://127.0.0.1:PORT/carreta/v1/"). */
static inline int lbt_port(void) {
    const char *url = lbt_carreta_url();
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, ':') : NULL;
    return p ? atoi(p + 1) : 0;
}

/*
 * Sends METHOD PATH with an optional JSON body to the sandbox (HTTP/1.0, so the answer is
 * never chunked) and returns the whole raw response (malloc'd, NUL-terminated, length in
 * *len_out), or NULL.
 */
static inline char *lbt_http_raw(const char *method, const char *path, const char *body, size_t *len_out) {
    lbt_sockets_start();
    lbt_sock_t fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == LBT_BAD_SOCK) return NULL;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)lbt_port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        lbt_sock_close(fd);
        return NULL;
    }
    size_t blen = body ? strlen(body) : 0;
    char head[1024];
    int hlen = snprintf(head, sizeof head,
                        "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                        method, path, blen);
    if (lbt_sock_write(fd, head, (size_t)hlen) != hlen || (blen && lbt_sock_write(fd, body, blen) != (long)blen)) {
        lbt_sock_close(fd);
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 1024 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        long n = lbt_sock_read(fd, buf + len, cap - len - 1);
        if (n <= 0) break;
        len += (size_t)n;
    }
    lbt_sock_close(fd);
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

/* Like lbt_http_raw; returns the HTTP status (or -1) and, if asked, the body (free()). */
static inline int lbt_http(const char *method, const char *path, const char *body, char **body_out) {
    if (body_out) *body_out = NULL;
    size_t len = 0;
    char *buf = lbt_http_raw(method, path, body, &len);
    if (buf == NULL) return -1;
    int status = -1;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) status = -1;
    if (body_out) {
        const char *b = strstr(buf, "\r\n\r\n");
        *body_out = strdup(b ? b + 4 : "");
    }
    free(buf);
    return status;
}

/* GETs a path and writes the body, byte for byte, to a file; returns the HTTP status. */
static inline int lbt_download(const char *path, const char *file) {
    size_t len = 0;
    char *buf = lbt_http_raw("GET", path, NULL, &len);
    if (buf == NULL) return -1;
    int status = -1;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) status = -1;
    const char *b = strstr(buf, "\r\n\r\n");
    FILE *f = fopen(file, "wb");
    if (f == NULL || b == NULL) status = -1;
    if (f && b) fwrite(b + 4, 1, len - (size_t)(b + 4 - buf), f);
    if (f) fclose(f);
    free(buf);
    return status;
}

/* Arms a fault (see the sandbox's /_control/faults); returns the HTTP status (201). */
static inline int lbt_fault(const char *fault_json) { return lbt_http("POST", "/_control/faults", fault_json, NULL); }
static inline void lbt_clear_faults(void) { lbt_http("DELETE", "/_control/faults", NULL, NULL); }

/* ---- JSON helpers through the library ------------------------------------------------ */

/* The JSON text at a pointer, or NULL; free with lb_string_free. */
static inline char *lbt_json(const char *json, const char *pointer) {
    char *out = NULL;
    if (lb_json_pointer(json, pointer, &out, NULL) != LB_OK) return NULL;
    return out;
}

/* Whether the JSON text at pointer equals want (JSON text, e.g. "\"OC47\"" or "2"). */
static inline int lbt_json_is(const char *json, const char *pointer, const char *want) {
    char *v = lbt_json(json, pointer);
    int same = v != NULL && strcmp(v, want) == 0;
    if (!same) fprintf(stderr, "  json %s is %s, want %s\n", pointer, v ? v : "(missing)", want);
    lb_string_free(v);
    return same;
}

/* ---- CARGO.RUN ------------------------------------------------------------------------ */

static inline const char *lbt_cargorun_url(void) { return lbt_env("LB_TEST_CARGORUN_URL"); }
static inline const char *lbt_cargorun_user(void) { return lbt_env("LB_TEST_CARGORUN_USERNAME"); }
static inline const char *lbt_cargorun_password(void) { return lbt_env("LB_TEST_CARGORUN_PASSWORD"); }

/* text as a JSON string literal (malloc'd; free()): quotes, backslashes and control
 * characters escaped. */
static inline char *lbt_json_quote(const char *text) {
    size_t n = strlen(text);
    char *out = malloc(n * 6 + 3), *o = out;
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

/*
 * A CARGO.RUN client on the sandbox with its user, no retries, and the token file every
 * program of the run shares (CARGORUN_TOKEN_FILE: the emulator refuses a second sign-in of
 * the user within 60 s). extra: more options ("\"strict_schema\": true") or NULL.
 */
static inline lb_client_t *lbt_cargorun_client(const char *extra) {
    char *u = lbt_json_quote(lbt_cargorun_url()), *n = lbt_json_quote(lbt_cargorun_user());
    char *p = lbt_json_quote(lbt_cargorun_password()), *f = lbt_json_quote(lbt_env("CARGORUN_TOKEN_FILE"));
    size_t len = strlen(u) + strlen(n) + strlen(p) + strlen(f) + (extra ? strlen(extra) : 0) + 128;
    char *options = malloc(len);
    snprintf(options, len, "{\"base_url\": %s, \"username\": %s, \"password\": %s, \"token_file\": %s, \"max_retries\": 0%s%s}",
             u, n, p, f, extra ? ", " : "", extra ? extra : "");
    lb_client_t *client = NULL;
    lb_error_t *err = NULL;
    if (lb_client_new("cargorun", options, &client, &err) != LB_OK) {
        fprintf(stderr, "cannot make a CARGO.RUN client: %s\n", lb_error_message(err));
        exit(2);
    }
    free(u);
    free(n);
    free(p);
    free(f);
    free(options);
    return client;
}

/* The emulator's per-id request counters ({"cargorun.x.y": N, ...}); free(). */
static inline char *lbt_cargorun_calls(void) {
    char *body = NULL;
    if (lbt_http("GET", "/_control/cargorun/calls", NULL, &body) != 200) {
        free(body);
        return strdup("{}");
    }
    return body;
}

/* One id's counter in an lbt_cargorun_calls() answer (0 when absent). */
static inline long lbt_calls_of(const char *calls, const char *id) {
    char pointer[256];
    snprintf(pointer, sizeof pointer, "/%s", id);
    char *v = lbt_json(calls, pointer);
    long n = v != NULL ? atol(v) : 0;
    lb_string_free(v);
    return n;
}

#endif
