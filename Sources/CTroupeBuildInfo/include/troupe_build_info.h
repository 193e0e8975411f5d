#ifndef TROUPE_BUILD_INFO_H
#define TROUPE_BUILD_INFO_H

/// The git commit troupe was built from, as `scripts/install.sh` records it; "unknown" for a
/// plain `swift build`.
const char *troupe_build_commit(void);

#endif
