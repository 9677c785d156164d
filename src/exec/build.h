/* SPDX-License-Identifier: MIT */
/*
 * exec/build.h - `bnity skill build`: a tool skill's skill.wasm from its
 * sources.
 *
 * Owns: finding a skill's sources (C: src/ *.c or *.c beside SKILL.md;
 * WAT: skill.wat or src/ *.wat), running clang for wasm32-wasi (with the
 * SDK header) or wat2wasm, validating the result with the engine, and
 * putting it in place atomically.  Uses: base, skill, wasm.
 */
#ifndef BN_EXEC_BUILD_H
#define BN_EXEC_BUILD_H

#include "base/buf.h"
#include "base/err.h"

/*
 * bn_exec_build - build DIR's skill.wasm.  LOG (may be NULL) receives the
 * commands run and their output.  BN_EINVAL when the skill has neither a
 * module nor buildable sources, or the result is not a WASI command;
 * BN_EIO when the compiler is missing or fails (its output in *err).
 * *built_out is 1 when a module was built, 0 when a prebuilt skill.wasm
 * was kept (no sources).
 */
int bn_exec_build(int *built_out, const char *dir, bn_buf *log,
		  bn_err *err) BN_MUST_USE;

/*
 * bn_exec_build_confined - the same, for sources that are not the user's
 * own: `bnity skill build` runs under the OS sandbox (no network, write
 * access to a copy of the sources only, time and memory limits) on a
 * copy of DIR in a scratch folder, and only the resulting skill.wasm is
 * copied back into DIR.  BN_EDENIED when the sandbox is not available
 * (and BNITY_SANDBOX_ALLOW_WEAKER is not set).
 */
int bn_exec_build_confined(int *built_out, const char *dir, bn_buf *log,
			   bn_err *err) BN_MUST_USE;

#endif
