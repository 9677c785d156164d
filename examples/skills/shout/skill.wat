;; SPDX-License-Identifier: MIT
;; shout: a tool skill in WAT.  Reads stdin to its end, upper-cases ASCII
;; letters, writes the result to stdout.  Only WASI fd_read and fd_write.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  ;; 0..7: an iovec {buf, len}; 8..11: bytes read/written;
  ;; the text buffer starts at 1024 and may fill the rest of memory.
  (func $read_all (result i32)
    (local $len i32) (local $n i32)
    (block $done
      (loop $more
        (i32.store (i32.const 0) (i32.add (i32.const 1024) (local.get $len)))
        (i32.store (i32.const 4)
          (i32.sub (i32.const 130048) (local.get $len)))
        (br_if $done (i32.eqz (i32.load (i32.const 4))))
        (br_if $done
          (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $n (i32.load (i32.const 8)))
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $len (i32.add (local.get $len) (local.get $n)))
        (br $more)))
    (local.get $len))
  (func $upper (param $len i32)
    (local $p i32) (local $c i32)
    (local.set $p (i32.const 1024))
    (block $done
      (loop $next
        (br_if $done
          (i32.ge_u (local.get $p) (i32.add (i32.const 1024) (local.get $len))))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.and (i32.ge_u (local.get $c) (i32.const 97))
                     (i32.le_u (local.get $c) (i32.const 122)))
          (then (i32.store8 (local.get $p)
                  (i32.sub (local.get $c) (i32.const 32)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next))))
  (func (export "_start")
    (local $len i32)
    (local.set $len (call $read_all))
    (call $upper (local.get $len))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
