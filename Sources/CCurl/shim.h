#ifndef TROUPE_CCURL_SHIM_H
#define TROUPE_CCURL_SHIM_H
#include <curl/curl.h>

static const CURLversion TROUPE_CURLVERSION_NOW = CURLVERSION_NOW;

/* curl_easy_setopt and curl_multi_setopt are variadic, which Swift cannot call:
   one typed wrapper per argument kind. */
static inline CURLcode troupe_curl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode troupe_curl_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode troupe_curl_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode troupe_curl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode troupe_curl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode troupe_curl_easy_setopt_write(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) { return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode troupe_curl_easy_setopt_header(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) { return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, f); }
static inline CURLcode troupe_curl_easy_setopt_read(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) { return curl_easy_setopt(h, CURLOPT_READFUNCTION, f); }
static inline CURLcode troupe_curl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode troupe_curl_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode troupe_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

/* CURL_GLOBAL_ALL is a macro expression Swift does not import. */
static inline CURLcode troupe_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_ALL); }
/* CURLMsg.data is an anonymous union; read the result field in C. */
static inline CURLcode troupe_curl_msg_result(const CURLMsg *m) { return m->data.result; }
static inline int troupe_curl_msg_is_done(const CURLMsg *m) { return m->msg == CURLMSG_DONE; }
static inline CURLcode troupe_curl_easy_setopt_private(CURL *h, void *v) { return curl_easy_setopt(h, CURLOPT_PRIVATE, v); }
static inline CURLcode troupe_curl_easy_getinfo_private(CURL *h, void **v) { return curl_easy_getinfo(h, CURLINFO_PRIVATE, v); }
#endif
