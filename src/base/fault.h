/* SPDX-License-Identifier: MIT */
/*
 * base/fault.h - crashing on purpose at named points, for the tests.
 *
 * Owns: the fault-injection hook.  The tests set BNITY_FAULT to the name
 * of a point (create-before-commit, install-after-fetch, ...) to kill
 * bnity exactly there and prove that what it was writing is left either
 * as before or as after.  Uses: libc only.
 */
#ifndef BN_BASE_FAULT_H
#define BN_BASE_FAULT_H

/*
 * bn_fault - exit at once with status 99 (no clean-up, as a crash would)
 * when BNITY_FAULT names POINT; else nothing.  The variable is read with
 * secure_getenv, so a set-id bnity never obeys it.
 */
void bn_fault(const char *point);

/*
 * bn_fault_swap_dir - when BNITY_FAULT is "copytree-swap-dir", replace
 * the directory DIRFD/NAME by a symlink to $BNITY_FAULT_TARGET, as a
 * racing process would between a copier's check and its open; else
 * nothing.  Tests only (secure_getenv, as above).
 */
void bn_fault_swap_dir(int dirfd, const char *name);

/*
 * bn_fault_replace - when BNITY_FAULT names POINT, rename(2)
 * $BNITY_FAULT_TARGET over PATH, as a racing process would between a
 * reader's check and its read; else nothing.  Tests only (as above).
 */
void bn_fault_replace(const char *point, const char *path);

#endif
