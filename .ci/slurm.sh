#!/usr/bin/env bash
# A real single-node SLURM cluster with accounting, for the tests that sweep through sbatch.
#
#   .ci/slurm.sh start    install (Debian packages), configure, start, check; rerunnable
#   .ci/slurm.sh stop     cancel leftover jobs, stop what `start` started (by pid), drop the netns
#
# Needs root on Debian 12 and works without systemd (the packages' service scripts start nothing
# there, so the daemons are started by hand).  Every daemon runs inside a network namespace that
# has only loopback ($INSTANTIATE_SLURM_NETNS, default instantiate-slurm): slurmdbd 22.05 binds
# its port to every address with no option against it, and nothing here may be reachable from
# outside.  Clients run as `ip netns exec $INSTANTIATE_SLURM_NETNS sbatch ...`.
# Accounting (mariadb + slurmdbd) is on because submitit polls `sacct`: without it a cancelled
# job is never seen as finished and a sweep waits forever.
set -euo pipefail

NETNS=${INSTANTIATE_SLURM_NETNS:-instantiate-slurm}
STATE=/run/instantiate-slurm    # copies of the pid files of what `start` started
LOGS=/var/log/slurm
NODE=$(hostname -s)
CPUS=$(nproc)

ns() { ip netns exec "$NETNS" "$@"; }
has_netns() { ip netns list 2>/dev/null | grep -qw "$NETNS"; }

pidfile_of() {
    case $1 in
        munged) echo /run/munge/munged.pid ;;
        mariadbd) echo /run/mysqld/mysqld.pid ;;
        *) echo "/run/$1.pid" ;;
    esac
}

# The pid `start` recorded for NAME, if that process still lives.
live_pid() {
    local pid
    [ -s "$STATE/$1.pid" ] || return 1
    pid=$(cat "$STATE/$1.pid")
    kill -0 "$pid" 2>/dev/null && echo "$pid"
}

stop() {
    local name pid
    if has_netns && live_pid slurmctld >/dev/null; then
        ns scancel --full --quiet --user=root 2>/dev/null || true
        for _ in $(seq 50); do [ -z "$(ns squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
    fi
    # all at once: each takes a second or three to shut down
    local pids=()
    for name in slurmd slurmctld slurmdbd mariadbd munged; do
        if pid=$(live_pid "$name"); then
            kill "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
        rm -f "$STATE/$name.pid"
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    if has_netns; then ip netns del "$NETNS"; fi
}

# start_daemon NAME COMMAND...: run it (it daemonizes), wait until its pid file names a live
# process, and keep a copy of that pid for `stop`.
start_daemon() {
    local name=$1 f
    shift
    f=$(pidfile_of "$name")
    rm -f "$f"
    "$@"
    for _ in $(seq 200); do
        if [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then
            cp "$f" "$STATE/$name.pid"
            return 0
        fi
        sleep 0.1
    done
    echo "slurm.sh: $name did not start; see $LOGS/ and /var/log/munge/" >&2
    return 1
}

install_packages() {
    local p missing=()
    for p in slurmctld slurmd slurm-client munge iproute2 slurmdbd mariadb-server; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
    fi
}

make_netns() {
    ip netns add "$NETNS"
    ns ip link set lo up
    # With 127.0.0.1 as the only address glibc's getaddrinfo(AI_ADDRCONFIG) returns no IPv4
    # address for the node name, and slurm cannot resolve itself: give lo a second one.
    ns ip addr add 127.0.0.2/32 dev lo
}

start_munge() {
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge /etc/munge
    [ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
    # munged talks over a unix socket in the file system only
    start_daemon munged runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
    munge -n | unmunge >/dev/null
}

start_accounting() {
    install -d -o mysql -g mysql /run/mysqld
    [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    # --skip-networking: a unix socket, no TCP port at all
    start_daemon mariadbd sh -c "runuser -u mysql -- /usr/sbin/mariadbd --skip-networking \
        --socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid >$LOGS/mariadb.log 2>&1 &"
    for _ in $(seq 100); do [ -S /run/mysqld/mysqld.sock ] && break; sleep 0.1; done
    mariadb -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurm';
                GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
    cat >/etc/slurm/slurmdbd.conf <<EOF
# written by .ci/slurm.sh
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
SlurmUser=slurm
PidFile=/run/slurmdbd.pid
LogFile=$LOGS/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=slurm
EOF
    chown slurm:slurm /etc/slurm/slurmdbd.conf
    chmod 600 /etc/slurm/slurmdbd.conf
    start_daemon slurmdbd ns /usr/sbin/slurmdbd
    for _ in $(seq 100); do ns sacctmgr -n show cluster >/dev/null 2>&1 && break; sleep 0.1; done
    ns sacctmgr -i add cluster local >/dev/null 2>&1 || true
}

write_slurm_conf() {
    local mem
    mem=$(awk '/MemTotal/ {print int($2/1024) - 1024}' /proc/meminfo)
    install -d -o slurm -g slurm /var/lib/slurm/slurmctld "$LOGS"
    install -d -o root -g root /var/lib/slurm/slurmd
    cat >/etc/slurm/slurm.conf <<EOF
# written by .ci/slurm.sh: one node, $CPUS CPUs, everything on loopback
ClusterName=local
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=slurm
SlurmctldPort=6817
SlurmdPort=6818
# bind what the node name resolves to (127.0.0.1), not every address
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SrunPortRange=60001-60100
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
# no cgroups in a container
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MinJobAge=600
KillWait=5
InactiveLimit=0
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=5
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP DefMemPerCPU=512
EOF
    # slurmd 22.05 loads a cgroup plugin even with linuxproc and task/none, and "autodetect"
    # fails on a container's cgroup layout: name v1 outright.
    cat >/etc/slurm/cgroup.conf <<EOF
CgroupPlugin=cgroup/v1
CgroupMountpoint=/sys/fs/cgroup
CgroupAutomount=no
EOF
}

start() {
    [ "$(id -u)" = 0 ] || { echo "slurm.sh: needs root" >&2; exit 2; }
    install_packages
    stop                         # whatever an earlier `start` left running
    mkdir -p "$STATE"
    make_netns
    write_slurm_conf
    start_munge
    start_accounting
    start_daemon slurmctld ns /usr/sbin/slurmctld -i   # -i: ignore state of an earlier run
    start_daemon slurmd ns /usr/sbin/slurmd
    for _ in $(seq 100); do ns sinfo -h -o %T 2>/dev/null | grep -q '^idle' && break; sleep 0.2; done
    # a job through the whole path, down to its COMPLETED record in the accounting database
    # (`sbatch --wait` would do, but polls only every 10 s)
    local job
    job=$(ns sbatch --parsable -o /dev/null --wrap true)
    for _ in $(seq 150); do
        [ "$(ns sacct -n -X -j "$job" -o State 2>/dev/null | tr -d ' ')" = COMPLETED ] && break
        sleep 0.2
    done
    [ "$(ns sacct -n -X -j "$job" -o State | tr -d ' ')" = COMPLETED ] \
        || { echo "slurm.sh: test job $job did not complete; see $LOGS/" >&2; exit 1; }
    echo "slurm ready in netns $NETNS: $(ns sinfo -h -o '%P %D nodes %c cpus %T')"
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
