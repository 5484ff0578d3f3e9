# Scarlett OS: build the toolchain (TypeScript -> out/toolchain), then the kernel with it.
#
#   make        out/kernel.elf and out/kernel.map
#   make run    boot it in QEMU, serial on stdio
#   make iso    out/scarlett.iso, a GRUB rescue CD that boots the same image
#   make test   every test (vitest); results also in out/test-results.json
#
# Nothing here calls gcc, as, ld or nasm: the toolchain is ours. QEMU and GRUB are installed on
# demand (apt-get, when running as root) by the targets that need them.

QEMU      := qemu-system-x86_64
QEMU_ARGS := -m 512M -serial stdio -display none -no-reboot
TOOLCHAIN := out/toolchain/.built

TOOLCHAIN_SRC := $(shell find compiler linker -name '*.ts' -not -path '*/node_modules/*') tsconfig.json
KERNEL_SRC    := $(shell find kernel-src runtime linker -type f \( -name '*.ts' -o -name '*.S' -o -name '*.toml' -o -name '*.json' \))

.PHONY: all run iso test clean qemu-deps grub-deps bench
all: out/kernel.elf

node_modules/.package-lock.json: package.json package-lock.json
	@echo "  npm ci"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(TOOLCHAIN): node_modules/.package-lock.json $(TOOLCHAIN_SRC)
	@node compiler/driver/build-toolchain.mjs
	@touch $@

out/kernel.elf out/kernel.map &: $(TOOLCHAIN) $(KERNEL_SRC)
	@node out/toolchain/compiler/driver/build.js kernel

run: out/kernel.elf qemu-deps
	$(QEMU) -kernel out/kernel.elf $(QEMU_ARGS)

iso: out/scarlett.iso
out/scarlett.iso: out/kernel.elf grub-deps
	@node out/toolchain/compiler/driver/build.js iso

test: out/kernel.elf qemu-deps grub-deps
	@node_modules/.bin/vitest run

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

# Benchmarks (docs/benchmarks.md): generated code vs gcc -O2 in instructions (valgrind) and wall
# time, and build time vs tsc. gcc and valgrind are oracles here, as in the tests.
bench: out/kernel.elf
	@node tests/bench/run.mjs
