#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for the Slurm executor's tests and for trying
# `--executor slurm` without a cluster. Debian/Ubuntu: apt-get install slurm-wlm munge (as root).
#
#   scripts/slurm/local-cluster.sh start    # writes $DIR/slurm.conf, starts munged, slurmctld, slurmd
#   scripts/slurm/local-cluster.sh status   # sinfo
#   scripts/slurm/local-cluster.sh stop
#
# DIR is $FFR_SLURM_DIR (default /tmp/ffr-slurm); FFR_SLURMCTLD_PORT / FFR_SLURMD_PORT move the
# daemons off 6817/6818 when another cluster runs on the machine. Clients find the cluster through
# SLURM_CONF=$DIR/slurm.conf (printed by `start`); the daemons get it with -f. No systemd needed:
# the daemons are started directly, as root (SlurmUser=root), with proctrack/linuxproc and
# task/none (no cgroups in containers), and a job-completion log so `sacct -c` works without an
# accounting database.
set -euo pipefail
DIR=${FFR_SLURM_DIR:-/tmp/ffr-slurm}
CONF="$DIR/slurm.conf"

need() { command -v "$1" >/dev/null 2>&1 || { echo "$1 is not installed: apt-get install -y slurm-wlm munge" >&2; exit 2; }; }

write_conf() {
  mkdir -p "$DIR/state" "$DIR/spool"
  # The node line as slurmd sees this machine (CPUs, sockets, memory), renamed to the loopback node.
  local node
  node=$(slurmd -C | head -n 1 | sed -E 's/^NodeName=[^ ]+/NodeName=localhost NodeAddr=127.0.0.1/')
  cat >"$CONF" <<CONF
ClusterName=ffr-local
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
SlurmctldPort=${FFR_SLURMCTLD_PORT:-6817}
SlurmdPort=${FFR_SLURMD_PORT:-6818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.txt
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  need slurmctld; need slurmd; need munged
  [ "$(id -u)" = 0 ] || { echo "starting the local cluster needs root (the daemons run as root)" >&2; exit 2; }
  write_conf
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    [ -f /etc/munge/munge.key ] || /usr/sbin/mungekey --create 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
    chown -R munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
    su -s /bin/sh munge -c /usr/sbin/munged 2>/dev/null || /usr/sbin/munged --force
  fi
  running "$DIR/slurmctld.pid" || slurmctld -f "$CONF"
  running "$DIR/slurmd.pid" || slurmd -f "$CONF"
  export SLURM_CONF="$CONF"
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$CONF"
      return 0
    fi
    sleep 0.5
  done
  echo "the local Slurm cluster did not come up in 30 s; see $DIR/slurmctld.log and $DIR/slurmd.log" >&2
  exit 1
}

stop() {
  for pid in "$DIR/slurmd.pid" "$DIR/slurmctld.pid"; do
    running "$pid" && kill "$(cat "$pid")" || true
  done
  # Wait for them to go, so that a start right after finds the ports free.
  for _ in $(seq 1 50); do
    running "$DIR/slurmd.pid" || running "$DIR/slurmctld.pid" || return 0
    sleep 0.1
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) SLURM_CONF="$CONF" sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
