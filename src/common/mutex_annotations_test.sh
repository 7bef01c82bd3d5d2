#!/usr/bin/env bash
# Checks that clang's thread-safety analysis sees common/mutex.h: a correctly locked class
# compiles under -Werror=thread-safety, and each misuse (no lock, a reader lock for a write, a
# guarded member read outside the lock) is an error. Usage: mutex_annotations_test.sh SRC_DIR
set -euo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
compile() {
  clang++ -std=c++20 -fsyntax-only -Wthread-safety -Werror=thread-safety -I"$src" -x c++ - \
    2>"$tmp/err"
}
failures=0
snippet() {  # snippet NAME BODY: a class with a guarded member and the method BODY
  cat <<SNIPPET
#include "common/mutex.h"
namespace deconflict {
class C {
 public:
  $2
 private:
  mutable Mutex mu_;
  CondVar cv_;
  int n_ ABSL_GUARDED_BY(mu_) = 0;
};
}  // namespace deconflict
SNIPPET
}
expect() {  # expect ok|error NAME BODY
  if snippet "$2" "$3" | compile; then result=ok; else result=error; fi
  if [[ $result == "$1" ]]; then
    echo "ok   $2 ($result)"
  else
    echo "FAIL $2: expected $1, got $result"
    cat "$tmp/err"
    failures=$((failures + 1))
  fi
}
expect ok "writer lock, reader lock, wait loop" \
  'void A() { WriterLock l(mu_); ++n_; } int B() const { ReaderLock l(mu_); return n_; }
   void W() { WriterLock l(mu_); while (n_ == 0) cv_.Wait(mu_); }'
expect ok "explicit Lock/Unlock" 'void A() { mu_.Lock(); ++n_; mu_.Unlock(); }'
expect error "write without the lock" 'void A() { ++n_; }'
expect error "write under a reader lock" 'void A() { ReaderLock l(mu_); n_ = 1; }'
expect error "read without the lock" 'int A() const { return n_; }'
expect error "wait without the lock" 'void A() { cv_.Wait(mu_); }'
expect error "lock not released" 'void A() { mu_.Lock(); ++n_; }'
((failures == 0)) || exit 1
echo "mutex_annotations_test: all passed"
