#!/usr/bin/env bash
# Runs the README's two-host data-parallel command on this one machine, with two network
# namespaces standing in for hosts "a" and "b":
#   - each has its own host name (a UTS namespace), its own address on a link between the two
#     (a 10.77.0.2, b 10.77.0.3) and an /etc/hosts naming both (ip netns puts
#     /etc/netns/NAME/hosts in place);
#   - mpirun is started on a, and starts its daemon on b through an rsh agent that enters b's
#     namespaces, as ssh would log in there;
#   - the ranks exchange the gradients over TCP between the two addresses (Open MPI sees two hosts:
#     no shared memory between them), on the file system both see, as hosts sharing the run
#     directory would.
# Then it checks the run as the one-host tests do: exit 0, one run directory with world_size 2,
# every training sample once per epoch, a per-rank waiting line naming both ranks, and a resume
# with the same command. Needs root (network namespaces) and a built program; it removes the
# namespaces and the hosts files when it ends, whatever happened.
#
# Usage: scripts/two-host-check.sh [PROGRAM]   (default build/minitorch)
set -euo pipefail
program=${1:-$(dirname "${BASH_SOURCE[0]}")/../build/minitorch}
[[ -x $program ]] || { echo "two-host-check: no program at $program (make build-cli first)" >&2; exit 2; }
program=$(realpath "$program")
[[ $(id -u) -eq 0 ]] || { echo "two-host-check: needs root (network namespaces)" >&2; exit 2; }
for tool in ip unshare mpirun; do
  command -v "$tool" >/dev/null || { echo "two-host-check: needs $tool" >&2; exit 2; }
done

prefix=mt2h
work=$(mktemp -d)
had_netns_dir=0
[[ -d /etc/netns ]] && had_netns_dir=1
cleanup() {
  local host
  for host in a b; do
    ip netns delete "${prefix}-$host" 2>/dev/null || true
    rm -rf "/etc/netns/${prefix}-$host"
  done
  ((had_netns_dir)) || rmdir /etc/netns 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "two-host-check: FAILED: $*" >&2
  for log in "$work"/*.out "$work"/*.err; do
    [[ -s $log ]] && { echo "--- $(basename "$log")" >&2; tail -20 "$log" >&2; }
  done
  exit 1
}

# The two hosts: namespaces joined by a cable (a veth pair: no bridge, so no firewall of this
# machine's forwarding in between), each with an /etc/hosts naming both. A run killed before its
# clean-up left its namespaces behind: they go first.
for host in a b; do ip netns delete "${prefix}-$host" 2>/dev/null || true; done
ip netns add "${prefix}-a"
ip netns add "${prefix}-b"
ip link add eth0 netns "${prefix}-a" type veth peer name eth0 netns "${prefix}-b"
address=2
for host in a b; do
  ns=${prefix}-$host
  ip -n "$ns" addr add "10.77.0.$address/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  mkdir -p "/etc/netns/$ns"
  printf '127.0.0.1\tlocalhost\n10.77.0.2\ta\n10.77.0.3\tb\n' >"/etc/netns/$ns/hosts"
  address=$((address + 1))
done

# What ssh would do: log in to host $1 (enter its namespaces, under its host name) and run the
# rest as a shell command line. Open MPI calls it as `agent [options] HOST COMMAND...`.
agent=$work/rsh-agent
cat >"$agent" <<EOF
#!/usr/bin/env bash
while [[ \$1 == -* ]]; do shift; done
host=\$1
shift
exec ip netns exec "${prefix}-\$host" unshare --uts bash -c 'hostname "\$0" && exec bash -c "\$*"' "\$host" "\$@"
EOF
chmod +x "$agent"

# on_a COMMAND...: runs it on host a (its namespaces, its host name).
on_a() {
  ip netns exec "${prefix}-a" unshare --uts bash -c 'hostname a && exec "$@"' on_a "$@"
}

run_dir=$work/runs/lenet-ddp
mkdir -p "$work/runs"
# The README's command, with root's flags, the agent, the link's interface and a shorter recipe.
mpirun_flags=(--allow-run-as-root --host a,b -np 2 --mca plm_rsh_agent "$agent"
  --mca oob_tcp_if_include eth0 --mca btl_tcp_if_include eth0 --mca pml ob1 --mca btl tcp,self)
recipe=(--task fashion-mnist --model lenet --batch-size 64 --threads 1 --train-samples 2048)
started=$SECONDS
on_a timeout 300 mpirun "${mpirun_flags[@]}" "$program" train "${recipe[@]}" --epochs 1 \
  --run-dir "$run_dir" >"$work/train.out" 2>"$work/train.err" || fail "the two-host run exited $?"
echo "two-host-check: trained 1 epoch on hosts a and b in $((SECONDS - started)) s"

grep -q '"world_size": *2' "$run_dir/config.json" || fail "config.json does not record world_size 2"
grep -Eq '"kind": *"epoch"' "$run_dir/metrics.jsonl" || fail "metrics.jsonl has no epoch record"
grep -Eq '"total": *2048' "$run_dir/metrics.jsonl" || fail "the epoch did not count 2048 samples"
grep -q "batch 64 per process x 2 processes = 128 global" "$work/train.out" ||
  fail "the log does not give the global batch"
grep -Eq "rank 0 [0-9.]+ s, rank 1 [0-9.]+ s" "$work/train.out" ||
  fail "the last lines do not name both ranks' waiting"
# Both ranks ran where they were sent: the daemon on b under b's name.
on_a timeout 60 mpirun "${mpirun_flags[@]}" hostname >"$work/hostnames.out" 2>"$work/hostnames.err" ||
  fail "mpirun hostname exited $?"
[[ $(sort "$work/hostnames.out" | tr '\n' ' ') == "a b " ]] ||
  fail "the ranks ran on '$(tr '\n' ' ' <"$work/hostnames.out")', expected a and b"

on_a timeout 300 mpirun "${mpirun_flags[@]}" "$program" train --resume "$run_dir" --epochs 2 \
  >"$work/resume.out" 2>"$work/resume.err" || fail "the resumed two-host run exited $?"
[[ $(grep -Ec '"kind": *"epoch"' "$run_dir/metrics.jsonl") -eq 2 ]] ||
  fail "the resumed run did not add epoch 2"
echo "two-host-check: resumed to epoch 2; passed in $((SECONDS - started)) s"
