# Shared by `no-panic` and `no-float`: builds this directory's binary and finds llvm-objdump.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
objdump="$(find "$(rustc --print sysroot)" -name llvm-objdump -type f | head -n 1)"
[ -x "$objdump" ] || { echo "llvm-objdump not found: rustup component add llvm-tools" >&2; exit 2; }

# build TARGET CARGO_ARGS...: prints the path of the linked binary, built in $target_dir
# (default `target`).
build() {
    local target="$1" dir="${target_dir:-target}"
    shift
    cargo build --quiet --release --target "$target" --target-dir "$dir" "$@" >&2 || return 1
    echo "$dir/$target/release/link-check"
}
