# Scarlett OS: build the toolchain (TypeScript -> out/toolchain), then the kernel with it.
#
#   make        out/kernel.elf and out/kernel.map, out/initrd.tar (the ramdisk, also linked into
#               the image), and QEMU, to boot them
#   make run    boot it in QEMU, serial on stdio
#   make watch  build, then rebuild the kernel on every save (toolchain kept loaded); also serves
#               the builds of `make` in other terminals (the build server)
#   make server the build server alone: `make` asks it instead of starting the toolchain
#               (compiler/driver/server.ts; stops on Ctrl-C, `make server-stop` or 30 idle minutes)
#   make iso    out/scarlett.iso, a GRUB rescue CD that boots the same image
#   make test   every test (vitest); results also in out/ci-results.json (what .ci/run reads;
#               a plain `npx vitest run FILE` writes out/test-results.json instead)
#   make bench  docs/benchmarks.md's numbers
#
# Nothing here calls gcc, as, ld or nasm: the toolchain is ours. QEMU, GRUB and the tests' oracles
# (binutils, gcc, gdb, valgrind) are installed on demand (apt-get, when running as root) by the
# targets that need them; otherwise the build prints the command to run and stops.

QEMU      := qemu-system-x86_64
QEMU_ARGS := -m 512M -serial stdio -display none -no-reboot
TOOLCHAIN := out/toolchain/.built
# The toolchain opens no TLS connection, but node reads NODE_EXTRA_CA_CERTS's bundle as it starts
# (~40 ms of the ~100 ms node takes to start on this VM): the toolchain's commands run without it.
TOOL      := env -u NODE_EXTRA_CA_CERTS node
# The long-lived ones (watch mode, the build server) with a larger young generation: a rebuild
# keeps tens of MB of new cache entries, which the default 16 MB semi-spaces copied over and over
# (one-line edit ~0.95 -> ~0.8 s in tests/bench/warm-edit.mjs; a cold build gains nothing).
SERVE     := $(TOOL) --max-semi-space-size=64

TOOLCHAIN_SRC := $(shell find compiler linker -name '*.ts' -not -path '*/node_modules/*') tsconfig.json
KERNEL_SRC    := $(shell find kernel-src runtime linker -type f \( -name '*.ts' -o -name '*.S' -o -name '*.toml' -o -name '*.json' \))
KERNEL_SRC    += $(shell find kernel-src/initrd -type f)   # packed into out/initrd.tar as they are

.PHONY: all run iso watch server server-stop test clean qemu-deps grub-deps test-deps bench-deps bench
# QEMU too: the README's first command boots the kernel right after `make`.
all: qemu-deps out/kernel.elf

# By content, not by date: a fresh checkout has new dates but may need no new packages.
NPM_STAMP := node_modules/.scarlett-lock.json
$(NPM_STAMP): package.json package-lock.json
	@cmp -s package-lock.json $@ || { echo "  npm ci"; npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json $@; }
	@touch $@

$(TOOLCHAIN): $(NPM_STAMP) $(TOOLCHAIN_SRC)
	@node compiler/driver/build-toolchain.mjs
	@touch $@

# client.js: through the build server when one runs, else in this process (build.js).
out/kernel.elf out/kernel.map out/initrd.tar &: $(TOOLCHAIN) $(KERNEL_SRC)
	@$(TOOL) out/toolchain/compiler/driver/client.js kernel

# Stays running: rebuilds out/kernel.elf when a source under kernel-src/, runtime/ or linker/ is saved.
watch: $(TOOLCHAIN)
	@$(SERVE) out/toolchain/compiler/driver/watch.js

server: $(TOOLCHAIN)
	@$(SERVE) out/toolchain/compiler/driver/server.js
server-stop:
	@$(TOOL) out/toolchain/compiler/driver/client.js stop-server

run: out/kernel.elf qemu-deps
	$(QEMU) -kernel out/kernel.elf -initrd out/initrd.tar $(QEMU_ARGS)

iso: out/scarlett.iso
out/scarlett.iso: out/kernel.elf grub-deps
	@$(TOOL) out/toolchain/compiler/driver/client.js iso

test: out/kernel.elf test-deps
	@node_modules/.bin/vitest run --outputFile.json=out/ci-results.json

clean:
	rm -rf out

# Installs Debian packages when running as root, otherwise says exactly what to run.
define need
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "  apt-get   $(2)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2)) >/dev/null || exit 1; \
	  else echo "missing $(1): run  sudo apt-get install -y $(2)"; exit 1; fi; }
endef

qemu-deps:
	$(call need,$(QEMU),qemu-system-x86)
grub-deps:
	$(call need,grub-mkrescue,grub-pc-bin grub-common xorriso mtools)
	$(call need,xorriso,xorriso)
	$(call need,mformat,mtools)
# The tests' oracles (tests/tools.ts names them when one is missing).
test-deps: qemu-deps grub-deps
	$(call need,as,binutils)
	$(call need,gcc,gcc)
	$(call need,gdb,gdb)
bench-deps: qemu-deps
	$(call need,gcc,gcc)
	$(call need,valgrind,valgrind)

# Benchmarks (docs/benchmarks.md): generated code vs gcc -O2 in instructions (valgrind) and wall
# time, and build time vs tsc. gcc and valgrind are oracles here, as in the tests.
bench: out/kernel.elf bench-deps
	@node tests/bench/run.mjs
