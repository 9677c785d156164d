#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/store/pg_cluster.sh CMD [ARG...] - run CMD against a throw-away
# PostgreSQL cluster: initdb in a new temporary folder, the server on a
# private port with its unix socket in that folder (no TCP), CMD run with
# BNITY_DATABASE_URL naming its database, then the cluster stopped and
# removed whatever CMD did.  CMD's exit status is the script's.
#
# For tests that need a fresh database per fixture, BNITY_TEST_PG_NEWDB
# names a command that creates a new database and prints its URL.  For
# the fault tests, BNITY_TEST_PG_CTL names a command running pg_ctl on
# this cluster (as its user, waiting, its log kept): `"$BNITY_TEST_PG_CTL"
# restart -m fast`, `stop -m fast`, `start`; BNITY_TEST_PG_BIN is the
# folder of PostgreSQL's programs (psql).
#
# As root (CI), the cluster runs as the `postgres` user (initdb refuses
# root).  Without PostgreSQL's server programs the script prints a TAP
# skip naming what is missing and exits 0 (meson: skipped).
set -u

bindir=${BNITY_PG_BINDIR:-}
if [ -z "$bindir" ]; then
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && bindir=$d
	done
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
	echo "1..0 # SKIP PostgreSQL's server programs (initdb, pg_ctl) are not installed on this machine: apt-get install postgresql"
	exit 0
fi

as=
if [ "$(id -u)" = 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "1..0 # SKIP running as root and there is no postgres user to run the cluster as"
		exit 0
	fi
	as="runuser -u postgres --"
fi

dir=$(mktemp -d /tmp/bn-pg-XXXXXX) || exit 1
chmod 755 "$dir"
[ -n "$as" ] && chown postgres "$dir"
# a private port: from the folder's random name, away from 5432
port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))

stop() {
	$as "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

if ! $as "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust \
	-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
	echo "pg_cluster: initdb failed:" >&2
	cat "$dir/initdb.log" >&2
	exit 1
fi
opts="-p $port -k $dir -c listen_addresses= -c fsync=off"
if ! $as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	-o "$opts" start >/dev/null 2>&1; then
	echo "pg_cluster: the server did not start:" >&2
	cat "$dir/server.log" >&2
	exit 1
fi

url_of() {
	echo "postgresql:///$1?host=$dir&port=$port&user=postgres"
}
cat >"$dir/newdb" <<EOF
#!/bin/sh
# newdb NAME - a new empty database of this cluster; prints its URL
"$bindir/createdb" -h "$dir" -p $port -U postgres "\$1" || exit 1
echo "postgresql:///\$1?host=$dir&port=$port&user=postgres"
EOF
chmod 755 "$dir/newdb"
cat >"$dir/ctl" <<EOF
#!/bin/sh
# ctl ARGS... - pg_ctl ARGS on this cluster, waiting for it to be done
cd "$dir" || exit 1
exec $as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "$opts" "\$@" >/dev/null
EOF
chmod 755 "$dir/ctl"

"$bindir/createdb" -h "$dir" -p "$port" -U postgres bnity || exit 1
BNITY_DATABASE_URL=$(url_of bnity)
BNITY_TEST_PG_NEWDB=$dir/newdb
BNITY_TEST_PG_CTL=$dir/ctl
BNITY_TEST_PG_BIN=$bindir
export BNITY_DATABASE_URL BNITY_TEST_PG_NEWDB BNITY_TEST_PG_CTL BNITY_TEST_PG_BIN
"$@"
