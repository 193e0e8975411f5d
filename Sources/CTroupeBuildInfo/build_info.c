#include "troupe_build_info.h"

// scripts/install.sh writes commit.h (git-ignored) for its build and removes it afterwards. A
// header, not a `-Xcc -D` flag: a flag that changes with every commit would change every
// target's build command and so rebuild the whole package; a header rebuilds this file only.
#if __has_include("commit.h")
#include "commit.h"
#endif
#ifndef TROUPE_BUILD_COMMIT
#define TROUPE_BUILD_COMMIT "unknown"
#endif

const char *troupe_build_commit(void) { return TROUPE_BUILD_COMMIT; }
